"""Shared pieces of the benchmarks: a gunicorn server on loopback and a wrk load run.

Benchmarks print their figures (one JSON line per endpoint, last); they are not tests.
"""

from __future__ import annotations

import io
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
import uuid
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

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


def server_settings() -> dict[str, str]:
    """The gunicorn settings of a bench run: ``gunicorn.conf.py`` with its environment overrides
    (``GUNICORN_WORKERS``, ``GUNICORN_THREADS``, ``GUNICORN_WORKER_CLASS``; BENCH_WORKERS /
    BENCH_THREADS are read as aliases), the same for the shop and the bare reference app."""
    found = {}
    for name, alias in (("WORKERS", "BENCH_WORKERS"), ("THREADS", "BENCH_THREADS"), ("WORKER_CLASS", "")):
        value = os.environ.get(f"GUNICORN_{name}") or (os.environ.get(alias) if alias else None)
        if value:
            found[f"GUNICORN_{name}"] = value
    return found


def server_figures() -> dict[str, object]:
    """What the JSON lines say about the server (the settings gunicorn.conf.py resolves to)."""
    namespace: dict[str, object] = {}
    saved = dict(os.environ)
    os.environ.update(server_settings())
    try:
        exec(compile((ROOT / "gunicorn.conf.py").read_text(), "gunicorn.conf.py", "exec"), namespace)  # noqa: S102
    finally:
        os.environ.clear()
        os.environ.update(saved)
    return {"workers": namespace["workers"], "threads": namespace["threads"], "worker_class": namespace["worker_class"]}


@contextmanager
def gunicorn(app: str = "mall.wsgi", **overrides: object) -> Iterator[str]:
    """Serves ``app`` on a free loopback port with the repo's ``gunicorn.conf.py`` (overrides:
    ``workers=…``, ``threads=…``, ``worker_class=…`` win over the environment)."""
    port = free_port()
    env = {**bench_env(), **server_settings(), "GUNICORN_BIND": f"127.0.0.1:{port}", "GUNICORN_LOG_LEVEL": "warning"}
    for name, value in overrides.items():
        env[f"GUNICORN_{name.upper()}"] = str(value)
    cmd = [str(Path(PYTHON).parent / "gunicorn"), "-c", str(ROOT / "gunicorn.conf.py"), app]
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(150):
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


BARE_APP = "bench.bare_app"
BARE_PATH = "/bare"


@dataclass
class LoadResult:
    rps: float
    p50_ms: float
    p99_ms: float
    non_2xx: int
    requests: int


def duration_ms(text: str) -> float:
    value, unit = re.match(r"([\d.]+)(us|ms|s)", text).groups()  # type: ignore[union-attr]
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def wrk(
    url: str,
    *,
    token: str,
    method: str = "GET",
    body: dict | None = None,
    connections: int = 16,
    seconds: int = 8,
    idempotent: bool = False,
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
    if idempotent:  # a fresh Idempotency-Key on every request (each wrk thread its own prefix)
        lua += (
            "local threads = 0\n"
            "function setup(thread) threads = threads + 1; thread:set('tid', threads) end\n"
            "local counter = 0\n"
            "function request()\n"
            "  counter = counter + 1\n"
            f"  wrk.headers['Idempotency-Key'] = '{uuid.uuid4().hex[:10]}-' .. tid .. '-' .. counter\n"
            "  return wrk.format()\n"
            "end\n"
        )
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
    p50 = duration_ms(re.search(r"\s50%\s+(\S+)", out).group(1))  # type: ignore[union-attr]
    p99 = duration_ms(re.search(r"\s99%\s+(\S+)", out).group(1))  # type: ignore[union-attr]
    requests = int(re.search(r"(\d+) requests in", out).group(1))  # type: ignore[union-attr]
    non2xx_match = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return LoadResult(
        rps=rps, p50_ms=p50, p99_ms=p99, non_2xx=int(non2xx_match.group(1)) if non2xx_match else 0, requests=requests
    )


def clear_slot_window(minutes: int) -> int:
    """Ends every flash slot (the demo shop's, an earlier bench run's) whose window meets the next
    ``minutes``: slots may not overlap, ended ones included, so the bench's own slot would be
    refused. Live ones end now; upcoming ones are moved to have ended a second ago (a bench
    shop's schedule, not a real one). Returns how many moved."""
    from datetime import timedelta

    from django.utils import timezone

    from marketing.models import FlashSlot, FlashSlotStatus
    from marketing.services.flash_sales import flash_slot_end

    now = timezone.now()
    moved = 0
    for slot in FlashSlot.objects.filter(ends_at__gt=now, starts_at__lt=now + timedelta(minutes=minutes)):
        starts = min(slot.starts_at, now - timedelta(seconds=2))
        FlashSlot.objects.filter(pk=slot.pk).update(starts_at=starts, ends_at=now)
        if slot.status != FlashSlotStatus.ENDED:
            flash_slot_end(slot_id=slot.pk, now=now)
        moved += 1
    return moved


def lift_campaign_budgets() -> int:
    """Takes the demo shop's campaign budgets (B02) off: a bench measures placements, and thousands
    of bench orders would spend a demo budget and be refused (409 ``campaign_budget_spent``)."""
    from marketing.models import Campaign
    from marketing.selectors.campaign_tool_maps import campaign_tool_maps_forget

    lifted = Campaign.objects.exclude(budget_amount=None, budget_uses=None).update(budget_amount=None, budget_uses=None)
    campaign_tool_maps_forget()
    return lifted


def own_database_url(suffix: str, target: str) -> str:
    """``DATABASE_URL`` (MariaDB) with ``_<suffix>`` added to its database name: a bench that fills
    100,000 rows works in a database of its own, never in the shop's."""
    from urllib.parse import urlparse, urlunparse

    url = os.environ.get("DATABASE_URL", "mysql://root@127.0.0.1:3306/duoying")
    parsed = urlparse(url)
    if not parsed.scheme.startswith("mysql"):
        raise SystemExit(f"{target} needs MariaDB: DATABASE_URL=mysql://…")
    name = parsed.path.lstrip("/") or "duoying"
    if name.endswith(f"_{suffix}"):
        return url
    return urlunparse(parsed._replace(path=f"/{name}_{suffix}"))


def django_setup(url: str, **environ: str) -> None:
    """Django in this process on ``url``, quiet and without a broker (tasks are called directly)."""
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mall.settings.local")
    os.environ["CELERY_BROKER_URL"] = "memory://"
    os.environ["DJANGO_DEBUG"] = "0"
    os.environ["LOG_LEVEL"] = "WARNING"
    for key, value in environ.items():
        os.environ.setdefault(key, value)
    import django

    django.setup()


def database_recreate_and_migrate() -> None:
    """Drop and make the ``DATABASE_URL`` database again, then migrate it (a bench's own database only)."""
    from urllib.parse import urlparse

    import MySQLdb
    from django.core.management import call_command

    parsed = urlparse(os.environ["DATABASE_URL"])
    name = parsed.path.lstrip("/")
    conn = MySQLdb.connect(
        host=parsed.hostname or "127.0.0.1", port=parsed.port or 3306, user=parsed.username or "root"
    )
    conn.cursor().execute(f"DROP DATABASE IF EXISTS `{name}`")
    conn.cursor().execute(f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci")
    conn.close()
    call_command("migrate", verbosity=0, interactive=False)


def manage(*args: str) -> str:
    return subprocess.run(
        [PYTHON, "manage.py", *args], cwd=ROOT, env=bench_env(), capture_output=True, text=True, check=True
    ).stdout


def bench_shopper(openid: str) -> tuple[Any, int]:
    """A bench shopper (made once, marked as a developer's) and the pk of their address."""
    from members.models import Address, Member

    member = Member.objects.get_or_create(openid=openid, defaults={"nickname": "压测", "is_dev": True})[0]
    address = Address.objects.filter(member=member).first() or Address.objects.create(
        member=member, receiver="压测者", phone="13800000000", province="上海", city="上海", detail="1 号"
    )
    return member, address.pk


def flash_unit_buy(buyer: Any, address_id: int, *, sku_id: int, item_id: int, starts_at: Any) -> None:
    """Once the slot has started, ``buyer`` takes one unit of the flash item (a bench's sold-out item)."""
    from marketing.services.deals import DealRequest
    from members.services.abuse import RequestContext
    from orders.services.orders import order_place

    time.sleep(max(0.0, starts_at.timestamp() - time.time()) + 0.2)
    order_place(
        member=buyer,
        items=[(sku_id, 1)],
        address_id=address_id,
        idempotency_key=f"bench-sold-{uuid.uuid4().hex[:8]}",
        deal=DealRequest(kind="flash", ref=item_id),
        context=RequestContext(ip="127.0.0.1"),
    )


def shopper_token(member: Any) -> str:
    """A shopper's access token, as the mini-program sends it after logging in."""
    from rest_framework_simplejwt.tokens import AccessToken

    access = AccessToken()
    access["member_id"] = member.pk
    return str(access)


def wsgi_environ(method: str, path: str, token: str, body: bytes = b"", **headers: str) -> dict[str, Any]:
    """A request as gunicorn hands it to the WSGI app (a shopper's JWT; a JSON body when given;
    ``headers`` as ``HTTP_*`` keys), for calling the app in process without a socket."""
    env: dict[str, Any] = {
        "REQUEST_METHOD": method,
        "SCRIPT_NAME": "",
        "PATH_INFO": path,
        "QUERY_STRING": "",
        "RAW_URI": path,
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "8000",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
        "REMOTE_PORT": "50000",
        "HTTP_HOST": "127.0.0.1:8000",
        "HTTP_AUTHORIZATION": f"Bearer {token}",
        "HTTP_CONNECTION": "keep-alive",
        "wsgi.version": (1, 0),
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(body),
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": True,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
        **headers,
    }
    if body:
        env.update({"CONTENT_TYPE": "application/json", "CONTENT_LENGTH": str(len(body))})
    return env


def wsgi_call(application: Any, env: dict[str, Any]) -> tuple[str, bytes]:
    """Call a WSGI app in process: its status line and body (the response closed, as a server does)."""
    status_line: list[str] = []

    def start_response(status: str, _headers: Any, _exc_info: Any = None) -> Any:
        status_line.append(status)
        return lambda _data: None

    result = application(env, start_response)
    try:
        return status_line[0], b"".join(result)
    finally:
        close = getattr(result, "close", None)
        if close is not None:
            close()


def schedstat_ns(paths: Iterable[str]) -> int:
    """Time on a CPU of these threads (``/proc/…/schedstat``) in ns: exact, where ``stat``'s
    utime + stime count 10 ms ticks; a thread gone meanwhile counts nothing."""
    total = 0
    for path in paths:
        try:
            with open(path) as fh:
                total += int(fh.read().split()[0])
        except OSError:
            continue
    return total
