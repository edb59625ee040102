"""deploy/: the nginx site parses (``nginx -t``), its failover does what deploy/README.md says
against real sockets, and the systemd units run web instances by port, workers, and one beat.

The failover checks start nginx (the shipped locations.conf) in front of two upstreams on
loopback: the first accepts a request and dies without answering (a gunicorn worker killed
mid-request), the second answers. nginx must resend a GET and an Idempotency-Key purchase to
the second one, must not resend an ordinary POST (it answers 502), and refuses an oversized
body itself. Skipped (with the reason) where nginx is not installed (``make scale-check``
installs it).
"""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from bench.nginx import DEPLOY_ROOT, nginx_config

ROOT = Path(__file__).resolve().parent.parent
DEPLOY = ROOT / "deploy"
NGINX = shutil.which("nginx") or shutil.which("nginx", path="/usr/sbin")
needs_nginx = pytest.mark.skipif(NGINX is None, reason="needs nginx (make scale-check installs it)")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Dying:
    """An upstream that reads each request and closes the connection without an answer."""

    port: int = field(default_factory=_free_port)
    hits: int = 0

    def serve(self, stop: threading.Event) -> None:
        with socket.socket() as server:
            server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            server.bind(("127.0.0.1", self.port))
            server.listen(16)
            server.settimeout(0.1)
            while not stop.is_set():
                try:
                    conn, _ = server.accept()
                except TimeoutError:
                    continue
                with conn:
                    conn.settimeout(2)
                    conn.recv(65536)
                    self.hits += 1


class _Answering(BaseHTTPRequestHandler):
    hits = 0

    def _answer(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            self.rfile.read(length)
        type(self).hits += 1
        body = json.dumps({"instance": "second", "path": self.path}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = _answer
    do_POST = _answer

    def log_message(self, format: str, *args: object) -> None:
        return


@pytest.fixture
def upstreams() -> Iterator[tuple[Dying, type[_Answering], int]]:
    stop = threading.Event()
    dying = Dying()
    answering = type("Answering", (_Answering,), {"hits": 0})
    second = ThreadingHTTPServer(("127.0.0.1", 0), answering)
    threads = [
        threading.Thread(target=dying.serve, args=(stop,), daemon=True),
        threading.Thread(target=second.serve_forever, daemon=True),
    ]
    for thread in threads:
        thread.start()
    try:
        yield dying, answering, int(second.server_address[1])
    finally:
        stop.set()
        second.shutdown()
        second.server_close()
        for thread in threads:
            thread.join(timeout=5)


def _run_nginx(tmp: Path, *, upstream_ports: list[int]) -> tuple[subprocess.Popen[bytes], str]:
    assert NGINX is not None
    port = _free_port()
    # One nginx worker: round robin starts at the first upstream (the dying one) every time.
    conf = nginx_config(tmp, port=port, upstreams=upstream_ports, workers=1)
    args = [NGINX, "-p", str(tmp), "-e", str(tmp / "nginx-error.log"), "-c", str(conf)]
    process = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return process, f"http://127.0.0.1:{port}"
        except OSError:
            time.sleep(0.05)
    process.kill()
    raise AssertionError("nginx did not start: " + (tmp / "nginx-error.log").read_text(errors="replace"))


def _call(url: str, *, method: str = "GET", body: bytes | None = None) -> tuple[int, str]:
    request = urllib.request.Request(url, data=body, method=method, headers={"Content-Type": "application/json"})  # noqa: S310 - loopback
    try:
        with urllib.request.urlopen(request, timeout=15) as response:  # noqa: S310 - loopback
            return int(response.status), response.read().decode()
    except urllib.error.HTTPError as error:
        return int(error.code), error.read().decode(errors="replace")


@needs_nginx
@pytest.mark.parametrize(
    ("method", "path", "resent"),
    [
        ("GET", "/api/v1/ping", True),
        ("POST", "/api/v1/flash/items/7/purchase", True),
        ("POST", "/api/v1/orders", True),
        ("POST", "/api/v1/cart/items", False),
    ],
)
def test_nginx_resends_to_the_other_instance_only_what_is_safe(
    upstreams: tuple[Dying, type[_Answering], int], method: str, path: str, resent: bool
) -> None:
    dying, answering, second_port = upstreams
    with tempfile.TemporaryDirectory(prefix="duoying-nginx-") as tmp_name:
        process, base = _run_nginx(Path(tmp_name), upstream_ports=[dying.port, second_port])
        try:
            status, body = _call(base + path, method=method, body=b"{}" if method == "POST" else None)
        finally:
            process.terminate()
            process.wait(timeout=10)
    assert dying.hits == 1  # the first instance got the request and died on it
    if resent:
        assert status == 200
        assert json.loads(body) == {"instance": "second", "path": path}
        assert answering.hits == 1
    else:
        assert status == 502  # a cart add may have happened: never sent twice
        assert answering.hits == 0


@needs_nginx
def test_nginx_refuses_an_oversized_body_itself(upstreams: tuple[Dying, type[_Answering], int]) -> None:
    _dying, answering, second_port = upstreams
    with tempfile.TemporaryDirectory(prefix="duoying-nginx-") as tmp_name:
        process, base = _run_nginx(Path(tmp_name), upstream_ports=[second_port])
        try:
            status, _ = _call(base + "/api/v1/after-sales/photos", method="POST", body=b"x" * (13 * 1024 * 1024))
            ok_status, _ = _call(base + "/api/v1/after-sales/photos", method="POST", body=b"x" * (5 * 1024 * 1024))
        finally:
            process.terminate()
            process.wait(timeout=10)
    assert status == 413
    assert ok_status == 200
    assert answering.hits == 1  # only the 5 MB photo reached the application


@needs_nginx
def test_the_tls_site_parses_with_nginx(tmp_path: Path) -> None:
    assert NGINX is not None
    if shutil.which("openssl") is None:
        pytest.skip("needs openssl to make a test certificate")
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "1",
            "-subj",
            "/CN=shop.example.com",
            "-keyout",
            str(tmp_path / "privkey.pem"),
            "-out",
            str(tmp_path / "fullchain.pem"),
        ],
        check=True,
        capture_output=True,
    )
    site = (DEPLOY / "nginx" / "duoying-mall.conf").read_text()
    assert "include /srv/duoying-mall/deploy/nginx/locations.conf;" in site
    site = site.replace("/etc/letsencrypt/live/shop.example.com", str(tmp_path)).replace(DEPLOY_ROOT, str(ROOT))
    (tmp_path / "site.conf").write_text(site)
    for folder in ("body", "proxy", "fastcgi", "uwsgi", "scgi"):
        (tmp_path / folder).mkdir()
    (tmp_path / "nginx.conf").write_text(
        f"""pid {tmp_path}/nginx.pid;
error_log {tmp_path}/error.log;
events {{ worker_connections 64; }}
http {{
  include /etc/nginx/mime.types;
  access_log off;
  client_body_temp_path {tmp_path}/body;
  proxy_temp_path {tmp_path}/proxy;
  fastcgi_temp_path {tmp_path}/fastcgi;
  uwsgi_temp_path {tmp_path}/uwsgi;
  scgi_temp_path {tmp_path}/scgi;
  include {tmp_path}/site.conf;
}}
"""
    )
    result = subprocess.run(
        [NGINX, "-t", "-p", str(tmp_path), "-e", str(tmp_path / "error.log"), "-c", str(tmp_path / "nginx.conf")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "syntax is ok" in result.stderr


def _unit(name: str) -> dict[str, str]:
    values: dict[str, str] = {}
    for line in (DEPLOY / "systemd" / name).read_text().splitlines():
        if "=" in line and not line.startswith(("#", "[")):
            key, value = line.split("=", 1)
            values[key.strip()] = value.strip()
    return values


def test_systemd_units_run_web_by_port_workers_by_number_and_one_beat() -> None:
    units = sorted(p.name for p in (DEPLOY / "systemd").iterdir())
    assert units == [
        "duoying-beat.service",
        "duoying-mall.target",
        "duoying-web@.service",
        "duoying-worker@.service",
    ]
    web = _unit("duoying-web@.service")
    assert web["ExecStart"].startswith("/srv/duoying-mall/.venv/bin/gunicorn -c /srv/duoying-mall/gunicorn.conf.py ")
    assert "--bind 127.0.0.1:%i" in web["ExecStart"]
    assert web["Restart"] == "always"
    worker = _unit("duoying-worker@.service")
    assert " -A mall worker " in worker["ExecStart"]
    assert "--hostname worker%i@%%h" in worker["ExecStart"]
    beat = _unit("duoying-beat.service")
    assert " -A mall beat" in beat["ExecStart"]
    # beat is a plain unit (one instance), never a template, and the only unit running it
    assert [u for u in units if "beat" in u] == ["duoying-beat.service"]
    assert all(" beat" not in _unit(u).get("ExecStart", "") for u in units if u != "duoying-beat.service")
    for name in ("duoying-web@.service", "duoying-worker@.service", "duoying-beat.service"):
        assert _unit(name)["EnvironmentFile"] == "/etc/duoying-mall/env"
    env_keys = {
        line.split("=", 1)[0]
        for line in (DEPLOY / "env.example").read_text().splitlines()
        if "=" in line and not line.startswith("#")
    }
    assert {
        "DJANGO_SETTINGS_MODULE",
        "DJANGO_SECRET_KEY",
        "DATABASE_URL",
        "DATABASE_REPLICA_URL",
        "REDIS_URL",
    } <= env_keys
    assert {"TRUSTED_PROXY_COUNT", "DJANGO_ALLOWED_HOSTS"} <= env_keys
