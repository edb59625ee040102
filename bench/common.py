"""Shared pieces of the benchmarks: a gunicorn server on loopback and a wrk load run.

Benchmarks print their figures (one JSON line per endpoint, last); they are not tests.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable


def bench_env() -> dict[str, str]:
    env = dict(os.environ)
    env.setdefault("DJANGO_SETTINGS_MODULE", "mall.settings.local")
    env["DJANGO_DEBUG"] = "0"
    # Throttles stay installed (same middleware and auth as production) with rates the load cannot reach.
    env["THROTTLE_SHOPPER"] = "100000000/min"
    env["THROTTLE_IP"] = "100000000/min"
    env["LOG_LEVEL"] = "WARNING"
    return env


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def gunicorn(workers: int = 2, threads: int = 1) -> Iterator[str]:
    port = free_port()
    cmd = [
        str(Path(PYTHON).parent / "gunicorn"),
        "mall.wsgi",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(workers),
        "--threads",
        str(threads),
        "--log-level",
        "warning",
        "--backlog",
        "4096",
    ]
    proc = subprocess.Popen(cmd, cwd=ROOT, env=bench_env(), start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                with urllib.request.urlopen(f"{base}/healthz", timeout=1):
                    break
            except OSError:
                time.sleep(0.2)
        else:
            raise RuntimeError("gunicorn did not start")
        yield base
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=20)


@dataclass
class LoadResult:
    rps: float
    p50_ms: float
    p99_ms: float
    non_2xx: int
    requests: int


def _ms(text: str) -> float:
    value, unit = re.match(r"([\d.]+)(us|ms|s)", text).groups()  # type: ignore[union-attr]
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def wrk(
    url: str, *, token: str, method: str = "GET", body: dict | None = None, connections: int = 16, seconds: int = 8
) -> LoadResult:
    """Runs wrk with a Lua script that sets method, JSON body and the shopper's token."""
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is required: apt-get install wrk (make bench-* installs it)")
    lua = (
        f'wrk.method = "{method}"\n'
        f'wrk.headers["Authorization"] = "Bearer {token}"\n'
        'wrk.headers["Content-Type"] = "application/json"\n'
    )
    if body is not None:
        lua += f"wrk.body = {json.dumps(json.dumps(body))}\n"
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as fh:
        fh.write(lua)
        script = fh.name
    try:
        out = subprocess.run(
            ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", "-s", script, url],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    finally:
        os.unlink(script)
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    p50 = _ms(re.search(r"\s50%\s+(\S+)", out).group(1))  # type: ignore[union-attr]
    p99 = _ms(re.search(r"\s99%\s+(\S+)", out).group(1))  # type: ignore[union-attr]
    requests = int(re.search(r"(\d+) requests in", out).group(1))  # type: ignore[union-attr]
    non2xx_match = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return LoadResult(
        rps=rps, p50_ms=p50, p99_ms=p99, non_2xx=int(non2xx_match.group(1)) if non2xx_match else 0, requests=requests
    )


def manage(*args: str) -> str:
    return subprocess.run(
        [PYTHON, "manage.py", *args], cwd=ROOT, env=bench_env(), capture_output=True, text=True, check=True
    ).stdout
