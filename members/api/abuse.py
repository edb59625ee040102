"""The guard for API views (F45): the request's part of it, handed to the service.

Services that take something scarce ask the guard themselves; the view gives them what only
the request knows::

    class CouponClaimApi(APIView):
        throttle_action = "claim"          # per-shopper and per-IP limits (mall.api.throttling)

        @extend_schema(parameters=GUARD_HEADERS, responses={..., **error_responses(*GUARD_ERRORS)})
        def post(self, request):
            coupon_claim(member=..., template_id=..., context=request_context(request))

``request_context`` reads the client's address (REMOTE_ADDR, or X-Forwarded-For behind
``TRUSTED_PROXY_COUNT`` proxies), ``X-Device-Id`` and ``X-Captcha-Pass``. ``guard_request``
asks the guard in the view, for endpoints whose service spends nothing the guard protects
by itself (a reservation, a promoter's click or withdrawal).
"""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter
from rest_framework.request import Request

from mall.api.clients import client_captcha_pass, client_device_id, client_ip
from mall.api.throttling import ActionRateThrottle
from members.authentication import TokenShopper
from members.models import Member
from members.services.abuse import RequestContext, abuse_check

GUARD_HEADERS = [
    OpenApiParameter(
        "X-Device-Id",
        str,
        location=OpenApiParameter.HEADER,
        required=False,
        description="A stable id of the shopper's device (letters, digits, ._:- ; at most 64)",
    ),
    OpenApiParameter(
        "X-Captcha-Pass",
        str,
        location=OpenApiParameter.HEADER,
        required=False,
        description="The pass from POST /captcha/verify, after a 403 captcha_required (single use)",
    ),
]

GUARD_ERRORS: tuple[tuple[int, list[str]], ...] = (
    (
        403,
        [
            "access_blocked",
            "captcha_required",
            "captcha_pass_invalid",
            "captcha_pass_expired",
            "captcha_pass_used",
        ],
    ),
    (429, ["rate_limited"]),
    # Redis unreachable while the slider is needed (a pass cannot be spent once without it).
    (503, ["service_unavailable"]),
)


def request_context(request: Request) -> RequestContext:
    """The client's address, device id and slider pass, for the service's guard; and the
    action whose rates the view's throttles counted already (its ``throttle_action``)."""
    view = (getattr(request, "parser_context", None) or {}).get("view")
    action = getattr(view, "throttle_action", "") or ""
    counted = ""
    if view is not None and action and any(isinstance(t, ActionRateThrottle) for t in view.get_throttles()):
        counted = action
    return RequestContext(
        ip=client_ip(request),
        device_id=client_device_id(request),
        captcha_pass=client_captcha_pass(request),
        rate_counted=counted,
    )


def guard_request(request: Request, *, action: str) -> None:
    """Refuse the request (blocked / over the rate / captcha needed / bad pass) or let it go on."""
    member = request.user
    assert isinstance(member, Member | TokenShopper)  # noqa: S101 - guarded views use IsMember / IsShopper
    abuse_check(action=action, member=member, context=request_context(request))
