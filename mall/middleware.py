"""The middleware split: the console's middleware does not run for the mini-program's API.

API requests (``/api/…``) carry the shopper's token in ``Authorization``; they have no
session, no CSRF cookie, no console messages and no staff sign-in. Running sessions, CSRF,
Django's authentication, the second factor, the idle time-out, and messages for
them only costs time on every shopper request (``make bench-api``). Each of those middleware
classes is listed in ``MIDDLEWARE`` through a console-only subclass made here: identical for
every other path (the console, the admin, sign-in, the home page), a pass-through for the API.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.middleware import AuthenticationMiddleware
from django.contrib.messages.middleware import MessageMiddleware
from django.contrib.sessions.middleware import SessionMiddleware
from django.http import HttpRequest, HttpResponseBase
from django.middleware.locale import LocaleMiddleware
from django.utils import translation
from django.utils.cache import patch_vary_headers
from django_otp.middleware import OTPMiddleware

from mall.console.security import StaffSessionIdleMiddleware, StaffTwoFactorMiddleware

API_PREFIX = "/api/"


def is_api_request(request: HttpRequest) -> bool:
    return request.path_info.startswith(API_PREFIX)


def console_only(base: type) -> type:
    """A subclass of the middleware ``base`` that lets API requests pass untouched.

    ``__call__`` and the hooks Django collects from an instance (``process_view``,
    ``process_exception``, ``process_template_response``) skip to the next middleware.
    """

    def __call__(self: Any, request: HttpRequest) -> Any:
        if is_api_request(request):
            return self.get_response(request)
        return base.__call__(self, request)

    namespace: dict[str, Any] = {"__call__": __call__, "__doc__": f"{base.__name__}, except for {API_PREFIX} requests."}
    for hook in ("process_view", "process_exception", "process_template_response"):
        original = getattr(base, hook, None)
        if original is None:
            continue

        def skipping(self: Any, request: HttpRequest, *args: Any, _original: Any = original) -> Any:
            if is_api_request(request):
                return None if _original.__name__ != "process_template_response" else args[0]
            return _original(self, request, *args)

        skipping.__name__ = hook
        namespace[hook] = skipping
    return type(f"Console{base.__name__}", (base,), namespace)


# Named classes for MIDDLEWARE (settings list them by dotted path, in the original order;
# django-axes stays as it is: it only looks at a flag its login handler sets).
ConsoleSessionMiddleware = console_only(SessionMiddleware)
ConsoleAuthenticationMiddleware = console_only(AuthenticationMiddleware)
ConsoleMessageMiddleware = console_only(MessageMiddleware)
ConsoleOTPMiddleware = console_only(OTPMiddleware)
ConsoleStaffTwoFactorMiddleware = console_only(StaffTwoFactorMiddleware)
ConsoleStaffSessionIdleMiddleware = console_only(StaffSessionIdleMiddleware)


class ReleaseApiCyclesMiddleware:
    """Breaks the reference cycles DRF leaves between a request, its view and its response once
    the response is rendered, so their objects are freed by reference counting when the server
    drops the response instead of waiting for the cyclic garbage collector.

    DRF's request keeps a context naming the view and itself (``parser_context``), the response
    one naming the view and the request (``renderer_context``), the view holds both, and a view
    with ``get`` holds itself as ``head`` (Django's ``View.setup``): every
    API request left ~90 objects that only a collection could free, and the collections of
    those young objects were ~3 % of a checkout preview's CPU (issue 12, measured in process).
    Both contexts serve only parsing and rendering, which are over here. Plain ``__call__``, no
    ``MiddlewareMixin``: it runs on every request."""

    def __init__(self, get_response: Any) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        context = getattr(response, "renderer_context", None)
        if context:
            drf_request = context.get("request")
            if drf_request is not None:
                drf_request.parser_context = None
            view = context.get("view")
            if view is not None:
                # Django's View.setup answers HEAD with GET: ``view.head = view.get``, itself bound
                head = view.__dict__.get("head")
                if getattr(head, "__self__", None) is view:
                    del view.__dict__["head"]
            response.renderer_context = None  # type: ignore[attr-defined]
        return response


class ApiLocaleMiddleware(LocaleMiddleware):
    """Django's LocaleMiddleware with a short path for ``/api/`` requests.

    API URLs are never under ``i18n_patterns``, so for them the language comes from the request
    alone (``Accept-Language``, the language cookie) and the answer only gets ``Vary:
    Accept-Language`` and ``Content-Language`` — what LocaleMiddleware does there too, without
    resolving the URL conf's language prefixes twice per request (a measurable part of a cheap
    request, ``make bench-api``). Other paths run LocaleMiddleware unchanged.
    """

    def process_request(self, request: HttpRequest) -> None:
        if not is_api_request(request):
            return super().process_request(request)
        translation.activate(translation.get_language_from_request(request, check_path=False))
        request.LANGUAGE_CODE = translation.get_language()
        return None

    def process_response(self, request: HttpRequest, response: HttpResponseBase) -> HttpResponseBase:
        if not is_api_request(request):
            return super().process_response(request, response)
        patch_vary_headers(response, ("Accept-Language",))
        response.headers.setdefault("Content-Language", translation.get_language())
        return response
