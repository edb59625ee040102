"""The raw Redis client for Lua gates and counters (the Django cache covers plain caching).

Returns None in the embedded default (no REDIS_URL): callers then rely on guarded database
updates alone. Tests without a Redis server may install fakeredis via ``set_client``.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from django.conf import settings

_override: Any = None


@lru_cache(maxsize=1)
def _client_from_url(url: str) -> Any:
    import redis

    return redis.Redis.from_url(url, decode_responses=True)


def get_redis() -> Any:
    if _override is not None:
        return _override
    url = getattr(settings, "REDIS_URL", "")
    return _client_from_url(url) if url else None


def set_client(client: Any) -> None:
    """Install a client for tests (fakeredis when no server runs locally)."""
    global _override
    _override = client
