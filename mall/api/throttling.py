"""Per-shopper and per-IP throttles on the default cache (Redis when REDIS_URL is set).

Fixed one-minute (per rate) windows counted with one atomic cache increment (Redis INCR):
DRF's default keeps every request's timestamp for the whole window, a list that grows with the
rate and is read-modify-written on each request, so concurrent requests can slip past it.
"""

from __future__ import annotations

from typing import Any

from rest_framework.throttling import SimpleRateThrottle


class FixedWindowRateThrottle(SimpleRateThrottle):
    """At most ``num_requests`` per window per key; the count is one integer in the cache."""

    retry_after: float | None = None
    # Set by SimpleRateThrottle.__init__ from the rate string ("600/min" -> 600, 60).
    num_requests: int
    duration: int

    def allow_request(self, request: Any, view: Any) -> bool:
        if self.rate is None:
            return True
        ident = self.get_cache_key(request, view)
        if ident is None:
            return True
        now = self.timer()
        window_start = int(now // self.duration) * self.duration
        key = f"{ident}:{window_start}"
        self.cache.add(key, 0, timeout=self.duration + 1)
        try:
            count = self.cache.incr(key)
        except ValueError:  # the key expired between add and incr: this request opens the window
            self.cache.add(key, 1, timeout=self.duration + 1)
            count = 1
        if count > self.num_requests:
            self.retry_after = window_start + self.duration - now
            return False
        return True

    def wait(self) -> float | None:
        return self.retry_after


class ShopperRateThrottle(FixedWindowRateThrottle):
    """Counts requests per signed-in shopper; anonymous requests fall through to the IP throttle."""

    scope = "shopper"

    def get_cache_key(self, request: Any, view: Any) -> str | None:
        user = getattr(request, "user", None)
        if user is None or not getattr(user, "is_authenticated", False):
            return None
        return self.cache_format % {"scope": self.scope, "ident": f"{type(user).__name__}:{user.pk}"}


class IpRateThrottle(FixedWindowRateThrottle):
    scope = "ip"

    def get_cache_key(self, request: Any, view: Any) -> str:
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}
