"""Per-shopper and per-IP throttles on the default cache (Redis when REDIS_URL is set)."""

from __future__ import annotations

from typing import Any

from rest_framework.throttling import SimpleRateThrottle


class ShopperRateThrottle(SimpleRateThrottle):
    """Counts requests per signed-in shopper; anonymous requests fall through to the IP throttle."""

    scope = "shopper"

    def get_cache_key(self, request: Any, view: Any) -> str | None:
        user = getattr(request, "user", None)
        if user is None or not getattr(user, "is_authenticated", False):
            return None
        return self.cache_format % {"scope": self.scope, "ident": f"{type(user).__name__}:{user.pk}"}


class IpRateThrottle(SimpleRateThrottle):
    scope = "ip"

    def get_cache_key(self, request: Any, view: Any) -> str:
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}
