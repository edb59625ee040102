"""A shopper's request leaves nothing for the cyclic garbage collector (issue 12).

DRF ties a request, its view and its response into reference cycles, and a product's image
field points back at its product once read: each checkout preview left ~90 objects that only a
collection could free, and those collections were a measurable part of its CPU. The request
below goes through the whole WSGI stack, as gunicorn calls it, with the collector off; what
is unreachable afterwards and was not freed is what the collector would have had to find.
"""

from __future__ import annotations

import gc
import json
from collections.abc import Iterator
from functools import cache
from typing import Any

import pytest
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.http import HttpRequest, HttpResponse
from rest_framework.response import Response
from rest_framework.views import APIView
from rest_framework_simplejwt.tokens import AccessToken

from bench.common import wsgi_call, wsgi_environ
from mall.middleware import ReleaseApiCyclesMiddleware
from mall.models import Sku
from members.models import Member

pytestmark = pytest.mark.django_db


def _call(method: str, path: str, token: str, body: bytes = b"") -> tuple[str, bytes]:
    """The app called as gunicorn calls it (``bench.common``'s environ and call, the response
    closed as a server closes it); the test's transaction is kept open, as Django's test client
    keeps it (no closing of "old" connections around the request)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        return wsgi_call(_app(), wsgi_environ(method, path, token, body))
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@cache
def _app() -> WSGIHandler:
    """One application for the module, its middleware loaded once (as a worker's is)."""
    return WSGIHandler()


@pytest.fixture
def collector_off() -> Iterator[list[Any]]:
    """The collector off and set to keep what it finds; yields its finds (after ``gc.collect``)."""
    gc.collect()
    gc.set_debug(gc.DEBUG_SAVEALL)
    gc.disable()
    try:
        yield gc.garbage
    finally:
        gc.set_debug(0)
        gc.garbage.clear()
        gc.enable()
        gc.collect()


def _start_afresh(garbage: list[Any]) -> None:
    """What the collector kept so far freed (it is kept again when only dropped from the list)."""
    gc.set_debug(0)
    garbage.clear()
    gc.collect()
    gc.set_debug(gc.DEBUG_SAVEALL)


def _cyclic_garbage(garbage: list[Any]) -> list[str]:
    gc.collect()
    return sorted({type(obj).__qualname__ for obj in garbage})


def test_a_checkout_preview_leaves_no_reference_cycles(member: Member, sku: Sku, collector_off: list[Any]) -> None:
    sku.product.main_image = "products/口红 01.png"  # its URL is in the answer
    sku.product.save(update_fields=["main_image"])
    token = AccessToken()
    token["member_id"] = member.pk
    body = json.dumps({"items": [{"sku_id": sku.pk, "qty": 1}]}).encode()
    for _warm in range(2):  # rules read and compiled, their version noted, caches filled
        status, warm = _call("POST", "/api/v1/checkout/preview", str(token), body)
        assert status.startswith("200"), warm[:300]
    assert json.loads(warm)["lines"][0]["image"].endswith(".png")
    _start_afresh(collector_off)

    status, again = _call("POST", "/api/v1/checkout/preview", str(token), body)
    assert status.startswith("200")
    assert json.loads(again) == json.loads(warm)
    assert _cyclic_garbage(collector_off) == []


def test_a_get_view_leaves_no_reference_cycles(member: Member, collector_off: list[Any]) -> None:
    """A view with ``get`` answers HEAD with it: Django's ``View.setup`` stores ``get`` bound to
    the view on the view itself."""
    token = AccessToken()
    token["member_id"] = member.pk
    for _warm in range(2):
        status, _body = _call("GET", "/api/v1/ping", str(token))
        assert status.startswith("200")
    _start_afresh(collector_off)
    status, body = _call("GET", "/api/v1/ping", str(token))
    assert status.startswith("200")
    assert json.loads(body)
    assert _cyclic_garbage(collector_off) == []


def test_a_refused_request_leaves_no_reference_cycles(member: Member, collector_off: list[Any]) -> None:
    token = AccessToken()
    token["member_id"] = member.pk
    for _warm in range(2):
        status, _body = _call("POST", "/api/v1/checkout/preview", str(token), b'{"items": "nope"}')
        assert status.startswith("400")
    _start_afresh(collector_off)
    status, body = _call("POST", "/api/v1/checkout/preview", str(token), b'{"items": "nope"}')
    assert status.startswith("400")
    assert json.loads(body)["code"]
    # the serializer that judged the input keeps its own cycle (DRF's fields point back at it);
    # the request, the view and the response do not wait for a collection
    left = _cyclic_garbage(collector_off)
    assert not {"WSGIRequest", "Request", "Response", "CheckoutPreviewApi"} & set(left), left


def test_the_middleware_drops_both_contexts_of_a_rendered_drf_response() -> None:
    class DrfRequest:
        parser_context: dict[str, Any] | None = {"encoding": "utf-8"}

    drf_request = DrfRequest()
    response: Any = Response({"ok": True})
    response.renderer_context = {"view": APIView(), "request": drf_request}
    passed: Any = ReleaseApiCyclesMiddleware(lambda _request: response)(HttpRequest())
    assert passed is response
    assert passed.renderer_context is None
    assert drf_request.parser_context is None
    plain = HttpResponse(b"ok")  # anything else passes untouched
    assert ReleaseApiCyclesMiddleware(lambda _request: plain)(HttpRequest()) is plain
