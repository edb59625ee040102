"""Per-shopper and per-IP throttles on the default cache (Redis when REDIS_URL is set).

Fixed one-minute (per rate) windows counted with one atomic increment (Redis INCR with its
expiry in the same round trip; the cache's add + incr without Redis):
DRF's default keeps every request's timestamp for the whole window, a list that grows with the
rate and is read-modify-written on each request, so concurrent requests can slip past it.

Two layers, both in ``DEFAULT_THROTTLE_CLASSES``:

* every endpoint: ``shopper`` (per signed-in shopper) and ``ip`` (per client address), rates
  ``THROTTLE_SHOPPER`` / ``THROTTLE_IP``;
* scarce-spending endpoints (F45): a view names its action and gets a per-shopper and a
  per-IP limit of that action on top::

      class FlashPurchaseApi(APIView):
          throttle_action = "purchase"

  The rates are ``DEFAULT_THROTTLE_RATES["<action>.shopper"]`` and ``["<action>.ip"]``, set
  in ``mall/settings/base.py`` from ``THROTTLE_<ACTION>_SHOPPER`` / ``THROTTLE_<ACTION>_IP``
  (``THROTTLE_ACTIONS`` lists the actions and their defaults: purchase 20/min per shopper
  and 300/min per IP, claim, reserve, help, captcha). An action without rates is a
  configuration error (ImproperlyConfigured), caught by the test that walks every URL.

Every view counts all its throttles in one Redis round trip (INCR + EXPIRE NX per window in one
pipeline): the first throttle DRF asks counts the windows of all of them and keeps the numbers
on the request for the others (:class:`BatchedThrottlesMixin` does the same in the view).

A view may name cache entries it reads on every request (``throttle_cache_reads``, Django cache
keys such as a rules version): they are read in the same round trip and the view takes them
with :func:`throttle_cache_read` (issue 12: the checkout preview's rules version was a round
trip of its own). What was read is the value as it stood when the request was counted, the
moment the view would have read it anyway.

Redis unreachable (REDIS_URL set, the server down or restarting): the windows are counted in
the process (``mall.cache.LocalWindows``) — each process enforces the limits on what it sees —
and never in the Django cache, which is the same Redis. Without REDIS_URL the cache (local
memory) counts.

A refusal is 429 ``rate_limited`` with ``details.retry_after`` (whole seconds until the window
ends; the ``Retry-After`` header says the same) and ``details.action`` for action limits.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import Any, ClassVar

from django.conf import settings
from django.core.cache import cache
from redis.connection import Connection as RedisConnection
from redis.connection import UnixDomainSocketConnection
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import RedisError
from redis.exceptions import TimeoutError as RedisTimeoutError
from rest_framework.throttling import SimpleRateThrottle

from mall.api.clients import client_ip
from mall.cache import cache_outage_warn, local_windows
from mall.redis import get_redis
from mall.redis_wire import can_read_directly, read_replies


class FixedWindowRateThrottle(SimpleRateThrottle):
    """At most ``num_requests`` per window per key; the count is one integer in the cache."""

    retry_after: float | None = None
    # Set by SimpleRateThrottle.__init__ from the rate string ("600/min" -> 600, 60).
    num_requests: int
    duration: int
    # Set by ``prepare`` for the request being counted.
    now: float
    window_start: int

    def get_ident(self, request: Any) -> str:
        """The client address as the block lists and risk signals see it (trusted proxies only)."""
        return client_ip(request) or "unknown"

    def prepare(self, request: Any, view: Any) -> str | None:
        """This request's window key, or None when this throttle does not count the request."""
        if self.rate is None:
            return None
        ident = self.get_cache_key(request, view)
        if ident is None:
            return None
        self.now = self.timer()
        self.window_start = int(self.now // self.duration) * self.duration
        return f"{ident}:{self.window_start}"

    def decide(self, count: int) -> bool:
        """Whether the request numbered ``count`` in its window may pass."""
        if count > self.num_requests:
            self.retry_after = self.window_start + self.duration - self.now
            return False
        return True

    def allow_request(self, request: Any, view: Any) -> bool:
        key = self.prepare(request, view)
        if key is None:
            return True
        counted = request.__dict__.get(_COUNTED_ATTR)
        if counted is None or key not in counted:
            counted = _count_view_windows(request, view, own=(self, key))
            request.__dict__[_COUNTED_ATTR] = counted
        return self.decide(counted[key])

    def cache_count(self, key: str, timeout: int) -> int:
        """This request's number in the window without Redis: two atomic calls of the cache."""
        self.cache.add(key, 0, timeout=timeout)
        try:
            return int(self.cache.incr(key))
        except ValueError:  # the key expired between add and incr: this request opens the window
            self.cache.add(key, 1, timeout=timeout)
            return 1

    def wait(self) -> float | None:
        return self.retry_after


# The window counts of the request being checked, by key (on the DRF request, one per request).
_COUNTED_ATTR = "_throttle_window_counts"


def _count_view_windows(request: Any, view: Any, *, own: tuple[FixedWindowRateThrottle, str]) -> dict[str, int]:
    """Counts this request in the window of every fixed-window throttle of the view at once: the
    first throttle DRF asks counts them all (one Redis round trip instead of one per throttle),
    the others read their number from the request. A key already counted is never counted again."""
    counted: dict[str, int] = dict(request.__dict__.get(_COUNTED_ATTR) or {})
    throttle, key = own
    keyed = {key: throttle.duration + 1}
    for other in view.get_throttles():
        if isinstance(other, FixedWindowRateThrottle) and (other_key := other.prepare(request, view)) is not None:
            keyed.setdefault(other_key, other.duration + 1)
    todo = [(k, timeout) for k, timeout in keyed.items() if k not in counted]
    client = get_redis()
    if client is not None:
        reads = _view_cache_reads(request, view, client) if todo else ()
        try:
            if reads:
                counts, values = window_counts_and_reads(client, todo, [cache.make_key(k) for k in reads])
                request.__dict__[_READ_ATTR] = dict(zip(reads, values, strict=True))
            else:
                counts = window_counts(client, todo)
            counted.update(zip([k for k, _t in todo], counts, strict=True))
        except RedisError as exc:  # the cache is the same Redis: count in this process
            cache_outage_warn("throttle", exc)
            counted.update((k, local_windows.count(k, ttl=timeout)) for k, timeout in todo)
        return counted
    counted.update((k, throttle.cache_count(k, timeout)) for k, timeout in todo)
    return counted


# Cache entries read with the windows, by Django cache key: the raw reply (bytes, or None when absent).
_READ_ATTR = "_throttle_cache_reads"
_NOT_READ = object()


def _view_cache_reads(request: Any, view: Any, client: Any) -> tuple[str, ...]:
    """The view's ``throttle_cache_reads`` when they can ride along: once per request, on the
    packed connection, with the Django cache on the same Redis as the throttles."""
    reads: tuple[str, ...] = getattr(view, "throttle_cache_reads", ())
    if not reads or _READ_ATTR in request.__dict__ or counting_connection(client) is None:
        return ()
    conf = settings.CACHES.get("default", {})
    if conf.get("BACKEND") != "django_redis.cache.RedisCache" or conf.get("LOCATION") != settings.REDIS_URL:
        return ()
    return reads


def throttle_cache_read(request: Any, key: str) -> Any:
    """The value of the cache entry ``key`` as read with this request's throttle windows (the
    view lists it in ``throttle_cache_reads``), or ``None`` when it was not read that way or
    is absent: the caller then reads the cache itself."""
    held = request.__dict__.get(_READ_ATTR)
    raw = _NOT_READ if held is None else held.get(key, _NOT_READ)
    if raw is _NOT_READ or raw is None:
        return None
    return cache.client.decode(raw)  # type: ignore[attr-defined] # django-redis: int or pickle


def _shopper_ident(request: Any) -> str | None:
    user = getattr(request, "user", None)
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    return f"{getattr(user, 'throttle_kind', type(user).__name__)}:{user.pk}"


class ShopperRateThrottle(FixedWindowRateThrottle):
    """Counts requests per signed-in shopper; anonymous requests fall through to the IP throttle."""

    scope = "shopper"

    def get_cache_key(self, request: Any, view: Any) -> str | None:
        ident = _shopper_ident(request)
        if ident is None:
            return None
        return self.cache_format % {"scope": self.scope, "ident": ident}


class IpRateThrottle(FixedWindowRateThrottle):
    scope = "ip"

    def get_cache_key(self, request: Any, view: Any) -> str:
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


class ActionRateThrottle(FixedWindowRateThrottle):
    """The limit of the view's ``throttle_action``; views without one are not counted here.

    The rate depends on the view, so it is read per request instead of in ``__init__``.
    """

    kind: ClassVar[str] = ""
    rate: str | None = None

    def __init__(self) -> None:
        """No rate yet: it is the view's action that names it."""

    def prepare(self, request: Any, view: Any) -> str | None:
        action = getattr(view, "throttle_action", None)
        if not action:
            return None
        self.scope = f"{action}.{self.kind}"
        self.rate = self.get_rate()
        num_requests, duration = self.parse_rate(self.rate)
        if num_requests is None or duration is None:
            return None
        self.num_requests, self.duration = num_requests, duration
        return super().prepare(request, view)


class ActionShopperRateThrottle(ActionRateThrottle):
    kind = "shopper"

    def get_cache_key(self, request: Any, view: Any) -> str | None:
        ident = _shopper_ident(request)
        if ident is None:
            return None
        return self.cache_format % {"scope": self.scope, "ident": ident}


class ActionIpRateThrottle(ActionRateThrottle):
    kind = "ip"

    def get_cache_key(self, request: Any, view: Any) -> str:
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


def window_counts(client: Any, keys: list[tuple[str, int]]) -> list[int]:
    """INCR each window key (EXPIRE NX with its time-out) in one Redis round trip.

    Every API request runs this, so the commands go out packed by hand on a connection this
    thread keeps for counting (:func:`counting_connection`): the same commands a redis-py
    pipeline sends, without its per-command encoding, pool checkout and reply bookkeeping
    (measured: about a fifth of the CPU of a signed-in ``ping``). A client this cannot speak
    to directly (fakeredis in tests) gets the pipeline."""
    connection = counting_connection(client)
    if connection is None:
        pipe = client.pipeline(transaction=False)
        for key, timeout in keys:
            pipe.incr(f"duoying:{key}")
            pipe.expire(f"duoying:{key}", timeout, nx=True)
        return [int(n) for n in pipe.execute()[::2]]
    payload = b"".join(pack_window(key, timeout) for key, timeout in keys)
    try:
        return _send_windows(connection, payload, len(keys))
    except (RedisConnectionError, RedisTimeoutError):
        # A connection Redis dropped (a restart, an idle timeout) fails on first use: once
        # more on a new one, as redis-py's own retry would; a second failure is the caller's.
        connection.disconnect()
        return _send_windows(connection, payload, len(keys))


def window_counts_and_reads(
    client: Any, keys: list[tuple[str, int]], reads: Sequence[str]
) -> tuple[list[int], list[bytes | None]]:
    """:func:`window_counts` plus a GET of each Redis key in ``reads`` (raw replies, not decoded),
    in the same round trip. Only on the packed connection (see :func:`_view_cache_reads`)."""
    connection = counting_connection(client)
    if connection is None:
        return window_counts(client, keys), [None] * len(reads)
    payload = b"".join(pack_window(key, timeout) for key, timeout in keys) + b"".join(pack_get(k) for k in reads)
    try:
        return _send_windows_and_reads(connection, payload, len(keys), len(reads))
    except (RedisConnectionError, RedisTimeoutError):
        connection.disconnect()  # as in window_counts: once more on a new connection
        return _send_windows_and_reads(connection, payload, len(keys), len(reads))


def pack_get(key: str) -> bytes:
    """A GET of ``key`` as Redis protocol bytes."""
    name = key.encode()
    return b"*2\r\n$3\r\nGET\r\n$%d\r\n%b\r\n" % (len(name), name)


def pack_window(key: str, timeout: int) -> bytes:
    """One window's INCR + EXPIRE NX as Redis protocol bytes (a hot view may send them in its own
    round trip, as the flash purchase does with its gate's precheck)."""
    name = f"duoying:{key}".encode()
    ttl = b"%d" % timeout
    return b"*2\r\n$4\r\nINCR\r\n$%d\r\n%b\r\n*4\r\n$6\r\nEXPIRE\r\n$%d\r\n%b\r\n$%d\r\n%b\r\n$2\r\nNX\r\n" % (
        len(name),
        name,
        len(name),
        name,
        len(ttl),
        ttl,
    )


def _read(connection: Any, count: int, *, raw: bool = False) -> list[Any]:
    """The next ``count`` replies, read in one pass off the socket when the connection allows
    (``mall.redis_wire``: redis-py's reader, one call per reply, was most of reading them); an
    error reply raises, as ``read_response`` does. ``raw``: bulk strings as bytes."""
    if can_read_directly(connection):
        replies = read_replies(connection, count, raw=raw)
        for value in replies:
            if isinstance(value, Exception):
                raise value
        return replies
    return [connection.read_response(disable_decoding=raw) for _ in range(count)]


def _send_windows(connection: Any, payload: bytes, count: int) -> list[int]:
    try:
        connection.send_packed_command([payload], check_health=False)
        replies = _read(connection, 2 * count)
    except BaseException:
        connection.disconnect()  # replies may be left unread: never reuse it half-read
        raise
    return [int(n) for n in replies[::2]]


def _send_windows_and_reads(
    connection: Any, payload: bytes, count: int, reads: int
) -> tuple[list[int], list[bytes | None]]:
    try:
        connection.send_packed_command([payload], check_health=False)
        # the cache's values are pickles: as bytes, whatever the client decodes for others
        # (every reply of the round trip read in one pass: the socket may hold them all at once)
        replies = _read(connection, 2 * count + reads, raw=True)
        replies, values = replies[: 2 * count], replies[2 * count :]
    except BaseException:
        connection.disconnect()  # replies may be left unread: never reuse it half-read
        raise
    return [int(n) for n in replies[::2]], values


_counting = threading.local()


def counting_connection(client: Any) -> Any:
    """This thread's own connection for counting windows (made from the client's pool settings,
    outside the pool: no checkout per request), or None for a client that is not redis-py's
    plain TCP / Unix-socket kind."""
    pool = getattr(client, "connection_pool", None)
    if pool is None or pool.connection_class not in (RedisConnection, UnixDomainSocketConnection):
        return None
    held = getattr(_counting, "held", None)
    if held is None or held[0] is not pool:
        held = _counting.held = (pool, pool.connection_class(**pool.connection_kwargs))
    return held[1]


class BatchedThrottlesMixin:
    """For hot views: every throttle's window counted in one Redis round trip instead of one per
    throttle (the flash sale's purchase has four). Same limits, same 429 as DRF's loop."""

    def check_throttles(self, request: Any) -> None:
        throttles = self.get_throttles()  # type: ignore[attr-defined]
        client = get_redis()
        if client is None or not all(isinstance(t, FixedWindowRateThrottle) for t in throttles):
            super().check_throttles(request)  # type: ignore[misc]
            return
        keyed = [(t, key) for t in throttles if (key := t.prepare(request, self)) is not None]
        if not keyed:
            return
        try:
            counts = window_counts(client, [(key, t.duration + 1) for t, key in keyed])
        except RedisError as exc:
            cache_outage_warn("throttle", exc)
            counts = [local_windows.count(key, ttl=t.duration + 1) for t, key in keyed]
        waits = [t.wait() for (t, _key), count in zip(keyed, counts, strict=True) if not t.decide(count)]
        if waits:
            known = [w for w in waits if w is not None]
            self.throttled(request, max(known) if known else None)  # type: ignore[attr-defined]
