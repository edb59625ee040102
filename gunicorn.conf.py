"""gunicorn settings for the shop (``gunicorn mall.wsgi`` reads this file from the repo root).

Measured with ``make bench-api`` / ``make bench-flash`` on a 2-core box (see the report in
issue 12): the request path mixes CPU (DRF, pricing) with short waits on MariaDB and Redis.
Every value can be overridden from the environment:

``GUNICORN_BIND`` (127.0.0.1:8000), ``GUNICORN_WORKERS`` (twice the number of cores),
``GUNICORN_THREADS`` (threads per worker, 1), ``GUNICORN_WORKER_CLASS`` (sync; gthread when
``GUNICORN_THREADS`` is above 1),
``GUNICORN_BACKLOG``, ``GUNICORN_TIMEOUT``, ``GUNICORN_KEEPALIVE``,
``GUNICORN_MAX_REQUESTS`` (recycle a worker after this many requests, 0 = never),
``GUNICORN_LOG_LEVEL``.
"""

from __future__ import annotations

import gc
import os
from typing import Any


def _int(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    return int(value) if value else default


bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
# Two sync workers per core: while one waits on MariaDB / Redis the other has the core, and no
# two requests of a process fight over its GIL. Measured on the 2-core box in one session
# (make bench-api / bench-flash, same code, ratios to the bare app under the same settings):
# 4 sync workers against 2 workers x 4 threads (the earlier default) and 4 x 2 — placements
# 303 / 235 / 293 orders/s, preview 1,119 / 1,135 / 784 rps, ping 4,164 / 4,145 / 3,736 rps,
# the flash race 2,643 / 2,588 rps with p99 207 / 290 ms; threads lost wherever the GIL was
# busy, and the earlier win of gthread came from before connections were kept. Outbound calls
# to WeChat hold a sync worker for their time-out at most (5 s connect, 15 s read): a shop that
# sees them stall can set GUNICORN_THREADS=2..4 (gthread).
workers = _int("GUNICORN_WORKERS", 2 * (os.cpu_count() or 1))
threads = _int("GUNICORN_THREADS", 1)
worker_class = os.environ.get("GUNICORN_WORKER_CLASS", "gthread" if threads > 1 else "sync")
backlog = _int("GUNICORN_BACKLOG", 4096)
timeout = _int("GUNICORN_TIMEOUT", 30)
graceful_timeout = _int("GUNICORN_GRACEFUL_TIMEOUT", 20)
keepalive = _int("GUNICORN_KEEPALIVE", 5)
max_requests = _int("GUNICORN_MAX_REQUESTS", 0)
max_requests_jitter = max_requests // 10
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
accesslog = None
# Each worker imports the app itself (no preload): nothing opened at import time (a database
# check in mall/wsgi.py, Redis pools) is shared between forked workers.
preload_app = False


def post_worker_init(worker: Any) -> None:
    """The loaded app's objects (Django, DRF, the models, ~200,000 of them) leave the garbage
    collector's view: a full collection walked them all (~0.1 s, about 30 µs a request spread
    over a checkout preview's; issue 12, measured in process). Objects made later are collected
    as before."""
    gc.collect()
    gc.freeze()
