"""Per-shopper and per-IP throttles on the default cache (Redis when REDIS_URL is set).

Fixed one-minute (per rate) windows counted with one atomic cache increment (Redis INCR):
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

A refusal is 429 ``rate_limited`` with ``details.retry_after`` (whole seconds until the window
ends; the ``Retry-After`` header says the same) and ``details.action`` for action limits.
"""

from __future__ import annotations

from typing import Any, ClassVar

from rest_framework.throttling import SimpleRateThrottle

from mall.api.clients import client_ip


class FixedWindowRateThrottle(SimpleRateThrottle):
    """At most ``num_requests`` per window per key; the count is one integer in the cache."""

    retry_after: float | None = None
    # Set by SimpleRateThrottle.__init__ from the rate string ("600/min" -> 600, 60).
    num_requests: int
    duration: int

    def get_ident(self, request: Any) -> str:
        """The client address as the block lists and risk signals see it (trusted proxies only)."""
        return client_ip(request) or "unknown"

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


def _shopper_ident(request: Any) -> str | None:
    user = getattr(request, "user", None)
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    return f"{type(user).__name__}:{user.pk}"


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

    def allow_request(self, request: Any, view: Any) -> bool:
        action = getattr(view, "throttle_action", None)
        if not action:
            return True
        self.scope = f"{action}.{self.kind}"
        self.rate = self.get_rate()
        num_requests, duration = self.parse_rate(self.rate)
        if num_requests is None or duration is None:
            return True
        self.num_requests, self.duration = num_requests, duration
        return super().allow_request(request, view)


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
