"""nginx on loopback for checks: the shipped locations (deploy/nginx/locations.conf) in front of
gunicorn instances, every file in one temporary directory (no root, no /var/log, no /run)."""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Where the deploy files expect the checkout (deploy/README.md); rewritten to this checkout.
DEPLOY_ROOT = "/srv/duoying-mall"


def nginx_config(tmp: Path, *, port: int, upstreams: list[int], workers: int = 2) -> Path:
    """The shipped locations (deploy/nginx/locations.conf) behind a loopback server, files in ``tmp``."""
    locations = (ROOT / "deploy" / "nginx" / "locations.conf").read_text().replace(DEPLOY_ROOT, str(ROOT))
    (tmp / "locations.conf").write_text(locations)
    servers = "\n".join(f"    server 127.0.0.1:{p} max_fails=1 fail_timeout=10s;" for p in upstreams)
    for folder in ("body", "proxy", "fastcgi", "uwsgi", "scgi"):
        (tmp / folder).mkdir(exist_ok=True)
        if os.geteuid() == 0:
            # Started as root, nginx's workers run as "nobody": they buffer large bodies here.
            (tmp / folder).chmod(0o1777)
    if os.geteuid() == 0:
        tmp.chmod(0o711)
    conf = tmp / "nginx.conf"
    conf.write_text(
        f"""worker_processes {workers};
daemon off;
pid {tmp}/nginx.pid;
error_log {tmp}/nginx-error.log warn;
events {{ worker_connections 4096; }}
http {{
  include /etc/nginx/mime.types;
  default_type application/octet-stream;
  log_format upstreams '$status $request_method "$upstream_addr" "$upstream_status"';
  access_log {tmp}/nginx-access.log upstreams buffer=64k flush=1s;
  client_body_temp_path {tmp}/body;
  proxy_temp_path {tmp}/proxy;
  fastcgi_temp_path {tmp}/fastcgi;
  uwsgi_temp_path {tmp}/uwsgi;
  scgi_temp_path {tmp}/scgi;
  upstream duoying_web {{
{servers}
    keepalive 32;
  }}
  server {{
    listen 127.0.0.1:{port};
    server_name localhost;
    include {tmp}/locations.conf;
  }}
}}
"""
    )
    return conf
