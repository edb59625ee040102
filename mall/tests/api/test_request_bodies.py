"""No request body crashes a worker: nesting and size are bounded, errors are the API's JSON body."""

from __future__ import annotations

import json
from typing import Any, cast

import pytest
import responses
from django.core.exceptions import RequestDataTooBig
from django.test import Client, RequestFactory
from pytest_django.fixtures import Settings
from rest_framework.test import APIClient, APIRequestFactory
from rest_framework.views import APIView

from mall.api.exception_handler import bad_request
from mall.api.parsers import MAX_JSON_DEPTH, json_body, json_depth_exceeds
from members.models import Member
from members.tests.fixtures import client_for
from orders.models import Order

pytestmark = pytest.mark.django_db

# The body: 5,000 nested arrays, 10 KB (DRF's parser raised RecursionError → 500).
DEEP_ARRAYS = "[" * 5000 + "]" * 5000


def _nested(depth: int) -> str:
    """``{"code": [[…"x"…]]}`` with ``depth`` containers in all (the object counts as one)."""
    return '{"code": ' + "[" * (depth - 1) + '"x"' + "]" * (depth - 1) + "}"


def _post(client: Client, url: str, body: str | bytes, **headers: str) -> Any:
    return client.post(url, data=body, content_type="application/json", headers=headers)


def _assert_error(response: Any, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.content[:300]
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"code", "message", "details"}
    assert body["code"] == code
    assert body["message"]
    return body


def test_deep_arrays_to_wechat_login_are_a_400_not_a_crash() -> None:
    assert len(DEEP_ARRAYS) == 10_000
    with responses.RequestsMock() as rsps:  # WeChat is never asked
        response = _post(Client(), "/api/v1/auth/wechat-login", DEEP_ARRAYS)
        assert len(rsps.calls) == 0
    body = _assert_error(response, 400, "request_too_deep")
    assert body["details"] == {"max_depth": MAX_JSON_DEPTH}
    assert Member.objects.count() == 0


def test_deep_arrays_to_order_placement_are_a_400_and_place_nothing(member: Member) -> None:
    client = client_for(member)
    response = client.post(
        "/api/v1/orders", data=DEEP_ARRAYS, content_type="application/json", headers={"Idempotency-Key": "k-deep"}
    )
    _assert_error(response, 400, "request_too_deep")
    assert Order.objects.count() == 0


def test_nesting_below_the_recursion_limit_but_over_the_bound_is_refused() -> None:
    # 200 levels parse without RecursionError; the bound still refuses them.
    response = _post(Client(), "/api/v1/auth/wechat-login", _nested(200))
    _assert_error(response, 400, "request_too_deep")
    response = _post(Client(), "/api/v1/auth/wechat-login", _nested(MAX_JSON_DEPTH + 1))
    _assert_error(response, 400, "request_too_deep")


def test_nesting_within_the_bound_reaches_the_view() -> None:
    # Exactly at the bound: parsed, then the serializer refuses the non-string code.
    response = _post(Client(), "/api/v1/auth/wechat-login", _nested(MAX_JSON_DEPTH))
    body = _assert_error(response, 400, "invalid_input")
    assert "code" in body["details"]


def test_malformed_json_is_still_malformed_request() -> None:
    _assert_error(_post(Client(), "/api/v1/auth/wechat-login", '{"code": "x"'), 400, "malformed_request")
    _assert_error(_post(Client(), "/api/v1/auth/wechat-login", b'{"code": "\xff"}'), 400, "malformed_request")


def test_a_body_over_the_upload_limit_is_a_json_413(settings: Settings, member: Member) -> None:
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE  # Django's default, 2.5 MB
    assert limit == 2_621_440
    too_big = json.dumps({"code": "x" * limit})
    body = _assert_error(_post(Client(), "/api/v1/auth/wechat-login", too_big), 413, "request_too_large")
    assert body["details"] == {"max_bytes": limit}
    response = client_for(member).post(
        "/api/v1/orders", data=too_big, content_type="application/json", headers={"Idempotency-Key": "k-big"}
    )
    _assert_error(response, 413, "request_too_large")
    assert Order.objects.count() == 0


def test_a_body_exactly_at_the_upload_limit_is_parsed(settings: Settings) -> None:
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    fits = json.dumps({"code": ["x" * 986]})
    assert len(fits) == 1000
    # Parsed (the serializer, not the size check, refuses the list).
    _assert_error(_post(Client(), "/api/v1/auth/wechat-login", fits), 400, "invalid_input")
    _assert_error(_post(Client(), "/api/v1/auth/wechat-login", fits + " "), 413, "request_too_large")


def test_djangos_400_is_json_under_api_and_html_elsewhere() -> None:
    factory = RequestFactory()
    api = bad_request(factory.post("/api/v1/auth/wechat-login"), RequestDataTooBig("too big"))
    assert api.status_code == 413
    assert json.loads(api.content)["code"] == "request_too_large"
    other = bad_request(factory.post("/api/v1/orders"), None)
    assert other.status_code == 400
    assert json.loads(other.content)["code"] == "bad_request"
    page = bad_request(factory.post("/admin/login/"), None)
    assert page.status_code == 400
    assert not page["Content-Type"].startswith("application/json")


def test_a_disallowed_host_under_api_gets_the_json_error_body() -> None:
    response = APIClient().post("/api/v1/auth/wechat-login", {"code": "c"}, format="json", HTTP_HOST="evil.example")
    _assert_error(response, 400, "bad_request")


def test_depth_is_measured_without_recursion() -> None:
    # object → list → object → list: depth 4
    assert not json_depth_exceeds({"a": [1, {"b": []}]}, 4)
    assert json_depth_exceeds({"a": [1, {"b": []}]}, 3)
    assert not json_depth_exceeds("scalar", 0)
    deep: Any = []
    for _ in range(100_000):  # far past the interpreter's recursion limit
        deep = [deep]
    assert json_depth_exceeds(deep, MAX_JSON_DEPTH)


def test_the_schema_declares_the_body_errors_on_every_operation_with_a_body() -> None:
    schema = Client().get("/api/schema/?format=json").json()
    for path, method in (("/api/v1/auth/wechat-login", "post"), ("/api/v1/orders", "post")):
        responses_ = schema["paths"][path][method]["responses"]
        assert "request_too_large" in responses_["413"]["description"]
        assert "request_too_deep" in responses_["400"]["description"]
        assert "RequestTooDeep" in responses_["400"]["content"]["application/json"]["examples"]
    assert "413" not in schema["paths"]["/api/v1/me"]["get"]["responses"]  # no body, no 413


# --- json_body: the short way to request.data (issue 12) ----------------------------------------


BODIES: list[tuple[str, bytes]] = [
    ("application/json", b'{"address_id": 5}'),
    ("application/json", b'{"address_id":5,"qty":2,"coupon_ids":[1,2],"remark":"\\u2028\xe5\xa5\xbd","src":""}'),
    ("application/json", b'{"address_id": 5, "qty": "2", "points": null, "x": 1.5, "y": true}'),
    ("application/json", b'{"qty": 5, "address_id": 1, "qty": 1}'),
    ("application/json", b'{"address_id": {"nested": [1, {"deeper": 2}]}}'),
    ("application/json", b'{"a":' * 40 + b"1" + b"}" * 40),
    ("application/json", b"[1, 2]"),
    ("application/json", b"null"),
    ("application/json", b'{"address_id": NaN}'),
    ("application/json", b'{"address_id": Infinity}'),
    ("application/json", b'{"address_id":'),
    ("application/json", b'{"address_id": "\xff"}'),
    ("application/json", b'\xef\xbb\xbf{"address_id": 5}'),
    ("application/json", b""),
    ("application/json", b'{"remark": "' + b"x" * 5000 + b'"}'),
    ("application/json; charset=utf-8", b'{"address_id": 5}'),
    ("application/json; charset=utf-16", '{"address_id": 5}'.encode("utf-16")),
    ("text/plain", b'{"address_id": 5}'),
    ("application/x-www-form-urlencoded", b"address_id=5"),
    # a checkout's lines: a list of flat objects
    ("application/json", b'{"items": [{"sku_id": 1, "qty": 2}, {"sku_id": 3, "qty": 1}], "coupon_ids": [7]}'),
    ("application/json", b'{"items": [{"sku_id": 1, "qty": 2}, 5, null], "points": "max"}'),
    ("application/json", b'{"items": [{"sku_id": 1, "spec": {"size": "L"}}]}'),
    ("application/json", b'{"items": [[1, 2], [3]]}'),
    ("application/json", b'{"items": [{"sku_id": 1, "tags": [1]}]}'),
]


@pytest.mark.parametrize(("content_type", "raw"), BODIES)
def test_the_body_read_short_is_what_drf_reads(content_type: str, raw: bytes) -> None:
    """Issue 12: a plainly valid body gives the value ``request.data`` gives; any other is
    ``request.data`` itself, so the refusal (or the coercion) is DRF's."""

    def outcome(read: Any) -> Any:
        url, data = "/api/v1/checkout/preview", cast(Any, raw)
        request = APIView().initialize_request(
            APIRequestFactory().generic("POST", url, data, content_type=content_type)
        )
        try:
            return ("value", read(request))
        except Exception as exc:  # the refusal is compared
            return ("refused", type(exc), str(exc))

    assert outcome(json_body) == outcome(lambda request: request.data)
