"""The raw Redis client for Lua gates and counters (the Django cache covers plain caching).

Returns None in the embedded default (no REDIS_URL): callers then rely on guarded database
updates alone. Tests without a Redis server may install fakeredis via ``set_client``.

Redis down or restarting: calls raise ``redis.exceptions.RedisError`` quickly (bounded by the
timeouts below) and every caller decides what that means for its piece — the flash gate goes
the database way, throttles and risk signals count in the process, cached rules and
configurations stay as held, the captcha answers 503; anything left unhandled reaches the API's
exception handler as 503 ``service_unavailable`` (see ``mall.api.exception_handler``).

Lua scripts and Redis Cluster: a script may only touch keys of one hash slot, so every key a
script gets is built with :func:`slot_key`, which puts the part naming the object in braces
(a hash tag: ``flash:{42}:state`` and ``flash:{42}:buyers`` hash on ``42`` alone). Every
script runs through :func:`lua_script` (a test checks that no other code calls EVAL or
registers a script, and that each script's keys share one slot).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import lru_cache
from typing import Any

from django.conf import settings

_override: Any = None

# Connections per process. A thread that finds them all busy waits up to POOL_TIMEOUT seconds
# for one instead of failing at once (redis-py's default pool raises past its limit), so a
# burst of threads queues briefly rather than falling back to the database all together.
MAX_CONNECTIONS = 100
POOL_TIMEOUT = 5
# A Redis that is down answers "connection refused" at once; one that hangs (paused, a network
# black hole) must not hold a request longer than this before its caller falls back.
CONNECT_TIMEOUT = 1.0
SOCKET_TIMEOUT = 2.0


@lru_cache(maxsize=1)
def _client_from_url(url: str) -> Any:
    import redis

    pool = redis.BlockingConnectionPool.from_url(
        url,
        decode_responses=True,
        max_connections=MAX_CONNECTIONS,
        timeout=POOL_TIMEOUT,
        socket_connect_timeout=CONNECT_TIMEOUT,
        socket_timeout=SOCKET_TIMEOUT,
    )
    return redis.Redis(connection_pool=pool)


def get_redis() -> Any:
    if _override is not None:
        return _override
    url = getattr(settings, "REDIS_URL", "")
    return _client_from_url(url) if url else None


def set_client(client: Any) -> None:
    """Install a client for tests (fakeredis when no server runs locally)."""
    global _override
    _override = client


def slot_key(prefix: str, tag: str | int, *parts: str | int) -> str:
    """``prefix:{tag}:part:…`` — keys with the same ``prefix`` and ``tag`` share one Redis Cluster slot."""
    tail = "".join(f":{part}" for part in parts)
    return f"{prefix}:{{{tag}}}{tail}"


# Registered scripts by name (EVALSHA; redis-py sends the source again after a restart or flush).
LUA_SCRIPTS: dict[str, Any] = {}


def lua_script(client: Any, name: str, source: str) -> Callable[[Sequence[Any], Sequence[Any]], Any]:
    """The script ``name`` bound to ``client``: call it with (keys, args); keys from :func:`slot_key`."""
    from redis.commands.core import Script

    script = LUA_SCRIPTS.get(name)
    if script is None:
        script = LUA_SCRIPTS[name] = Script(client, source)
    return lambda keys, args: script(keys=keys, args=args, client=client)
