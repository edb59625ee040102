"""The benches' reference endpoint: a bare DRF ``APIView`` answering ``{"ok": true}``.

A separate tiny WSGI app (``gunicorn bench.bare_app``) with no middleware, authentication,
throttles or database, served with the same gunicorn settings as the shop
(``gunicorn.conf.py``). ``make bench-api`` / ``make bench-flash`` report every endpoint's
requests per second as a ratio to it, measured in the same run, so the figures say what the
shop's own request path costs on top of Python, gunicorn and DRF on this machine.
"""

from __future__ import annotations

from typing import Any

import django
from django.conf import settings

if not settings.configured:
    settings.configure(
        DEBUG=False,
        SECRET_KEY="bench-bare-app-not-a-secret",  # noqa: S106 - a local benchmark process
        ALLOWED_HOSTS=["*"],
        ROOT_URLCONF=__name__,
        MIDDLEWARE=[],
        INSTALLED_APPS=["django.contrib.contenttypes", "django.contrib.auth", "rest_framework"],
        DATABASES={},
        USE_I18N=False,
        REST_FRAMEWORK={
            "DEFAULT_AUTHENTICATION_CLASSES": [],
            "DEFAULT_PERMISSION_CLASSES": [],
            "DEFAULT_THROTTLE_CLASSES": [],
            "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
            "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
            "UNAUTHENTICATED_USER": None,
        },
    )
    django.setup()

from django.core.wsgi import get_wsgi_application
from django.urls import path
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView


class BareApi(APIView):
    """``{"ok": true}`` and nothing else: the floor every endpoint is measured against."""

    def get(self, request: Request, **kwargs: Any) -> Response:
        return Response({"ok": True})

    def post(self, request: Request, **kwargs: Any) -> Response:
        return Response({"ok": True})


urlpatterns = [path("healthz", BareApi.as_view()), path("bare", BareApi.as_view())]

application = get_wsgi_application()
