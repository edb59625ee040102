"""The shared cache (Redis in production) while Redis is unreachable: a read is a miss, a write is skipped.

Only for values that *are* a cache — rules and configurations held under a version key — whose
truth is in the database: a miss costs a few queries, never an answer. Pieces that keep a
record in the cache (the captcha's puzzles and single-use passes) do not use these helpers;
they refuse with 503 ``service_unavailable`` instead (see ``members.services.captcha``).

A version key that cannot be read keeps the version this process saw last, so the rules it
holds in memory stay in use for the outage instead of being reloaded on every request (a
merchant's change made meanwhile reaches other processes when Redis is back).
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from typing import Any

from django.core.cache import cache
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

# One warning per this many seconds per process, not one per request of a flash sale.
WARN_EVERY_SECONDS = 10.0
_warned_at = 0.0


def cache_outage_warn(what: str, exc: BaseException) -> None:
    """Log that the cache (or Redis) failed, at most once per ``WARN_EVERY_SECONDS``."""
    global _warned_at
    now = time.monotonic()
    if now - _warned_at >= WARN_EVERY_SECONDS:
        _warned_at = now
        logger.warning("Redis unreachable (%s): %s: %s — serving without it", what, type(exc).__name__, exc)


def cache_read(key: str, default: Any = None) -> Any:
    try:
        return cache.get(key, default)
    except RedisError as exc:
        cache_outage_warn(f"read {key}", exc)
        return default


def cache_read_many(keys: list[str]) -> dict[str, Any]:
    """The entries of ``keys`` that are present, in one round trip; none while the cache is down."""
    try:
        return cache.get_many(keys)
    except RedisError as exc:
        cache_outage_warn(f"read {', '.join(keys)}", exc)
        return {}


def cache_write(key: str, value: Any, *, timeout: float | None) -> None:
    try:
        cache.set(key, value, timeout=timeout)
    except RedisError as exc:
        cache_outage_warn(f"write {key}", exc)


def cache_version(key: str, *, held: str) -> str:
    """The version stored under ``key`` (a new one when missing); ``held`` when the cache is down
    (or a fresh one for a process that has none yet)."""
    try:
        version = cache.get(key)
        if version is None:
            version = uuid.uuid4().hex
            if not cache.add(key, version, timeout=None):
                version = cache.get(key) or version
    except RedisError as exc:
        cache_outage_warn(f"version {key}", exc)
        return held or f"outage-{uuid.uuid4().hex}"
    return str(version)


class LocalWindows:
    """Fixed-window counters in this process, for limits that normally count in Redis.

    While Redis is unreachable the throttles and the guard's risk signals count here: each
    process enforces the configured limit on what it sees (so a shop of N processes lets
    through at most N times the limit), instead of refusing every request or none.
    """

    # Beyond this many live windows the expired ones are dropped (and all, if none expired).
    MAX_KEYS = 50_000

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._windows: dict[str, tuple[float, set[str] | list[int]]] = {}

    def _window(self, key: str, ttl: float, now: float, empty: set[str] | list[int]) -> set[str] | list[int]:
        found = self._windows.get(key)
        if found is not None and found[0] > now:
            return found[1]
        if len(self._windows) >= self.MAX_KEYS:
            self._windows = {k: w for k, w in self._windows.items() if w[0] > now}
            if len(self._windows) >= self.MAX_KEYS:
                self._windows.clear()
        self._windows[key] = (now + ttl, empty)
        return empty

    def count(self, key: str, *, ttl: float) -> int:
        """This call's number in the window ``key`` (opened by the first call, ``ttl`` seconds long)."""
        with self._lock:
            counter = self._window(key, ttl, time.monotonic(), [0])
            assert isinstance(counter, list)  # noqa: S101 - one key, one kind
            counter[0] += 1
            return counter[0]

    def distinct(self, key: str, member: str, *, ttl: float) -> int:
        """How many distinct ``member`` values the window ``key`` has seen, this one included."""
        with self._lock:
            seen = self._window(key, ttl, time.monotonic(), set())
            assert isinstance(seen, set)  # noqa: S101 - one key, one kind
            seen.add(member)
            return len(seen)

    def clear(self) -> None:
        with self._lock:
            self._windows.clear()


local_windows = LocalWindows()
