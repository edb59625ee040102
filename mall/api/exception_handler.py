"""One DRF exception handler: every error body is ``{"code", "message", "details"}``."""

from __future__ import annotations

import math
from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_default_handler

from mall.errors import ApplicationError

_DRF_CODES: dict[type[exceptions.APIException], str] = {
    exceptions.NotAuthenticated: "not_authenticated",
    exceptions.AuthenticationFailed: "authentication_failed",
    exceptions.PermissionDenied: "permission_denied",
    exceptions.NotFound: "not_found",
    exceptions.MethodNotAllowed: "method_not_allowed",
    exceptions.NotAcceptable: "not_acceptable",
    exceptions.UnsupportedMediaType: "unsupported_media_type",
    exceptions.Throttled: "rate_limited",
    exceptions.ParseError: "malformed_request",
    exceptions.ValidationError: "invalid_input",
}


def error_body(code: str, message: str, details: Any = None) -> dict[str, Any]:
    return {"code": code, "message": message, "details": details if details is not None else {}}


def api_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, ApplicationError):
        return Response(error_body(exc.code, str(exc.message), exc.details), status=exc.status)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    response = drf_default_handler(exc, context)
    if response is None or not isinstance(exc, exceptions.APIException):
        return response
    code = next((c for klass, c in _DRF_CODES.items() if isinstance(exc, klass)), "error")
    if isinstance(exc, exceptions.ValidationError):
        message = _("输入有误。")
        details: Any = exc.detail
    elif isinstance(exc, exceptions.Throttled):
        message = _("请求过于频繁，请稍后再试。")
        wait = getattr(exc, "wait", None)
        details = {"retry_after": math.ceil(wait) if wait is not None else None}
        action = getattr(context.get("view"), "throttle_action", None)
        if action:
            details["action"] = action
    elif isinstance(exc, exceptions.ParseError):
        # DRF's text carries the JSON decoder's English ("Expecting property name…"): say it
        # in the shopper's language; the decoder's words stay in details for developers.
        message = _("请求内容不是有效的 JSON。")
        details = {"parse_error": str(exc.detail)}
    elif isinstance(exc.detail, dict):
        # simplejwt raises with {"detail", "code", "messages"} and English sentences
        # ("Given token not valid for any token type"): a translated sentence, the code kept.
        token_code = exc.detail.get("code")
        if token_code in ("token_not_valid", "user_not_found", "user_inactive"):
            message = _("登录已失效，请重新登录。")
        else:
            message = str(exc.detail.get("detail", "")) or _("请求无法处理。")
        details = {"reason": str(token_code)} if token_code else {}
    else:
        message = str(exc.detail)
        details = {}
    response.data = error_body(code, message, details)
    if response.status_code >= 500:  # pragma: no cover - APIException subclasses are 4xx here
        response.status_code = status.HTTP_400_BAD_REQUEST
    return response
