"""Parallel test runs (``pytest -n N``, pytest-xdist) on one Redis server.

pytest-django gives each worker its own test database; :func:`redis_url_for_worker` gives each
its own Redis database, since every test starts by flushing its Redis database
(``conftest._clear_cache``) and would otherwise wipe a neighbour's state mid-test. Only the
pytest worker's own settings change: processes a test starts (a purchase killed mid-way, a
Celery worker) get their Redis address from the test, as before.
"""

from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit

from django.core.exceptions import ImproperlyConfigured

REDIS_DATABASES = 16  # redis-server's default number of databases


def redis_url_for_worker(url: str, worker: int) -> str:
    """``url`` on the Redis database ``worker`` places below its own (wrapping round), so parallel
    workers never share one with each other or with the run's own database."""
    if not 0 <= worker < REDIS_DATABASES - 1:
        raise ImproperlyConfigured(f"pytest -n: at most {REDIS_DATABASES - 1} workers share one Redis server")
    parts = urlsplit(url)
    base = int(parts.path.strip("/") or 0)
    return urlunsplit(parts._replace(path=f"/{(base - 1 - worker) % REDIS_DATABASES}"))


def worker_number(name: str) -> int | None:
    """The number of an xdist worker from its ``PYTEST_XDIST_WORKER`` name ("gw3" -> 3), or None."""
    return int(name[2:]) if name.startswith("gw") and name[2:].isdigit() else None
