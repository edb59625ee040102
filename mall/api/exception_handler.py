"""One DRF exception handler: every error body is ``{"code", "message", "details"}``.

Outages are answered, not crashed: a database or Redis connection error (the server down,
restarting, the connection lost, a lock wait or deadlock given up on) becomes 503
``service_unavailable`` with a ``Retry-After`` header and ``details.retry_after``. The request
changed nothing it could not take back (its transaction rolled back, its flash admission
handed back), so the client retries with the same Idempotency-Key. Other database errors
(a bug: an unknown column, a broken constraint) stay 500 and are logged.
"""

from __future__ import annotations

import contextlib
import logging
import math
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig
from django.db import DatabaseError, connections
from django.db import InterfaceError as DbInterfaceError
from django.db import OperationalError as DbOperationalError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from django.views import defaults
from kombu.exceptions import OperationalError as KombuOperationalError
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_default_handler

from mall.errors import ApplicationError, RequestBodyTooLarge, ServiceUnavailable

logger = logging.getLogger(__name__)

# MySQL / MariaDB error numbers that mean "not reachable now" or "try again", not a bug:
# too many connections, shutdown in progress, query interrupted (shutdown / KILL), lock wait
# timeout, deadlock, connection killed; client side: can't connect (socket, TCP, host),
# server gone away, lost connection (twice), SSL failure, disconnected for inactivity.
_DB_TRANSIENT = frozenset({1040, 1053, 1205, 1213, 1317, 1927, 2002, 2003, 2005, 2006, 2013, 2026, 2055, 4031})

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


def _too_large() -> RequestBodyTooLarge:
    return RequestBodyTooLarge(details={"max_bytes": settings.DATA_UPLOAD_MAX_MEMORY_SIZE})


def outage_of(exc: BaseException) -> str | None:
    """ "database" or "redis" when ``exc`` says that service is unreachable (or asks for a retry)."""
    if isinstance(exc, DbInterfaceError):
        return "database"  # a connection closed under the request
    if isinstance(exc, DbOperationalError):
        number = exc.args[0] if exc.args else None
        if number in _DB_TRANSIENT or (isinstance(number, str) and "database is locked" in number):
            return "database"
        return None
    if isinstance(exc, RedisConnectionError | RedisTimeoutError):
        return "redis"
    if isinstance(exc, KombuOperationalError):  # the task broker (Redis) refused a task sent in the request
        return "broker"
    return None


def _drop_broken_connections() -> None:
    """Close this thread's database connections that no longer answer, so the next request
    (the client's retry) opens a fresh one instead of failing on the dead socket."""
    for conn in connections.all(initialized_only=True):
        if conn.in_atomic_block:
            continue
        with contextlib.suppress(DatabaseError):
            conn.close_if_unusable_or_obsolete()


def service_unavailable_response(exc: ServiceUnavailable) -> Response:
    response = Response(
        error_body(exc.code, str(exc.message), {"retry_after": exc.retry_after, **exc.details}), status=exc.status
    )
    response["Retry-After"] = str(exc.retry_after)
    return response


def api_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, RequestDataTooBig):  # a view read ``request.body`` past the upload limit
        exc = _too_large()
    if isinstance(exc, ServiceUnavailable):
        return service_unavailable_response(exc)
    if isinstance(exc, ApplicationError):
        return Response(error_body(exc.code, str(exc.message), exc.details), status=exc.status)
    service = outage_of(exc)
    if service is not None:
        view = type(context.get("view")).__name__
        logger.warning("%s unavailable in %s: %s: %s", service, view, type(exc).__name__, exc)
        if service == "database":
            _drop_broken_connections()
        return service_unavailable_response(ServiceUnavailable())
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


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """Django's 400 (``SuspiciousOperation`` outside a DRF view: a body over the upload limit, a
    disallowed host…): the API's JSON error body under ``/api/``, Django's page elsewhere."""
    if not request.path.startswith("/api/"):
        return defaults.bad_request(request, exception)  # type: ignore[arg-type]
    if isinstance(exception, RequestDataTooBig):
        error = _too_large()
        return JsonResponse(error_body(error.code, str(error.message), error.details), status=error.status)
    return JsonResponse(error_body("bad_request", _("请求无法处理。")), status=status.HTTP_400_BAD_REQUEST)
