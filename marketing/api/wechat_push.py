"""WeChat's message push (消息推送) for the mini-program, JSON plaintext mode.

WeChat signs every call with ``signature = sha1(sorted(token, timestamp, nonce))`` in the
query string; the token is the one set in the mini-program's 开发 › 消息推送 page
(``WECHAT_PUSH_TOKEN``). A GET with ``echostr`` is WeChat verifying the URL; a POST carries an
event. Only ``wxa_media_check`` (the async image check of the 种草社区, F23) is acted upon; any
other event is acknowledged and ignored. WeChat expects the body ``success``.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
from typing import Any

from django.conf import settings
from django.http import HttpResponse
from drf_spectacular.utils import extend_schema
from rest_framework.parsers import BaseParser
from rest_framework.request import Request
from rest_framework.views import APIView

from marketing.community_errors import PushSignatureInvalid
from marketing.services.community_moderation import community_media_check_result

logger = logging.getLogger(__name__)


def push_signature(*, token: str, timestamp: str, nonce: str) -> str:
    return hashlib.sha1("".join(sorted([token, timestamp, nonce])).encode()).hexdigest()  # noqa: S324 - WeChat's scheme


def push_signature_valid(request: Request) -> bool:
    token = settings.WECHAT_PUSH_TOKEN
    params = request.query_params
    given = params.get("signature", "")
    if not token or not given:
        return False
    expected = push_signature(token=token, timestamp=params.get("timestamp", ""), nonce=params.get("nonce", ""))
    return hmac.compare_digest(expected, given)


class RawBodyParser(BaseParser):
    """The body stays bytes: it is parsed after the signature is checked."""

    media_type = "*/*"

    def parse(self, stream: Any, media_type: str | None = None, parser_context: Any = None) -> bytes:
        return stream.read() if stream is not None else b""


class WeChatPushApi(APIView):
    """WeChat → us (not called by the mini-program)."""

    authentication_classes: list[Any] = []
    permission_classes: list[Any] = []
    parser_classes = [RawBodyParser]
    throttle_classes: list[Any] = []

    @extend_schema(exclude=True)
    def get(self, request: Request) -> HttpResponse:
        if not push_signature_valid(request):
            raise PushSignatureInvalid()
        return HttpResponse(request.query_params.get("echostr", ""), content_type="text/plain")

    @extend_schema(exclude=True)
    def post(self, request: Request) -> HttpResponse:
        if not push_signature_valid(request):
            raise PushSignatureInvalid()
        try:
            event = json.loads(request.data or b"{}")
        except (ValueError, UnicodeDecodeError):
            logger.warning("WeChat push with a body that is not JSON")
            return HttpResponse("success", content_type="text/plain")
        if isinstance(event, dict) and event.get("Event") == "wxa_media_check":
            _media_check(event)
        return HttpResponse("success", content_type="text/plain")


def _media_check(event: dict[str, Any]) -> None:
    trace_id = str(event.get("trace_id") or "")
    result = event.get("result") if isinstance(event.get("result"), dict) else {}
    assert isinstance(result, dict)  # noqa: S101 - narrowed above
    if not trace_id:
        return
    if event.get("errcode") not in (0, None):
        # WeChat could not check the picture (e.g. it could not download it): the merchant decides.
        logger.warning("wxa_media_check %s failed: %s %s", trace_id, event.get("errcode"), event.get("errmsg"))
        community_media_check_result(trace_id=trace_id, suggest="review", label=None)
        return
    label = result.get("label")
    community_media_check_result(
        trace_id=trace_id, suggest=str(result.get("suggest") or ""), label=label if isinstance(label, int) else None
    )
