"""The shopper's request path's short ways (issue 12), each proven to answer as the long way did:
the throttle windows written straight to one connection per thread, the JSON-only content
negotiation, the API's locale without URL prefixes, and the client address worked out once."""

from __future__ import annotations

from typing import Any

import pytest
import time_machine
from rest_framework.test import APIClient

from mall.api import clients, throttling
from mall.api.throttling import FixedWindowRateThrottle
from members.models import Member
from members.tests.fixtures import client_for

pytestmark = pytest.mark.django_db

FROZEN = "2026-06-18 10:00:05 +0800"


# --- throttle windows ---------------------------------------------------------------------------


def test_the_packed_window_counts_equal_a_pipeline_and_set_the_expiry(redis_client: Any) -> None:
    if throttling._counting_connection(redis_client) is None:
        pytest.skip("a client the packed path does not speak to (fakeredis): the pipeline counts")
    keys = [("test_a:1", 61), ("test_b:1", 3601)]
    assert throttling.window_counts(redis_client, keys) == [1, 1]
    assert throttling.window_counts(redis_client, keys) == [2, 2]
    pipe = redis_client.pipeline(transaction=False)
    for key, _timeout in keys:
        pipe.incr(f"duoying:{key}")
    assert pipe.execute() == [3, 3]  # the same counters a pipeline sees
    assert 0 < redis_client.ttl("duoying:test_a:1") <= 61
    assert 3000 < redis_client.ttl("duoying:test_b:1") <= 3601
    redis_client.expire("duoying:test_a:1", 500)
    throttling.window_counts(redis_client, keys)
    assert redis_client.ttl("duoying:test_a:1") > 61  # EXPIRE NX: a window's end never moves


def test_a_connection_redis_dropped_is_replaced_on_the_next_count(redis_client: Any) -> None:
    connection = throttling._counting_connection(redis_client)
    if connection is None:
        pytest.skip("a client the packed path does not speak to (fakeredis)")
    assert throttling.window_counts(redis_client, [("test_drop:1", 61)]) == [1]
    assert redis_client.client_kill_filter(_id=_own_client_id(connection)) == 1  # as a Redis restart would
    assert throttling.window_counts(redis_client, [("test_drop:1", 61)]) == [2]


def _own_client_id(connection: Any) -> int:
    connection.send_command("CLIENT", "ID")
    return int(connection.read_response())


def test_a_count_that_fails_leaves_no_half_read_connection(redis_client: Any) -> None:
    connection = throttling._counting_connection(redis_client)
    if connection is None:
        pytest.skip("a client the packed path does not speak to (fakeredis)")
    redis_client.set("duoying:test_text:1", "not a number")
    with pytest.raises(throttling.RedisError):
        throttling.window_counts(redis_client, [("test_text:1", 61), ("test_after:1", 61)])
    assert throttling.window_counts(redis_client, [("test_after:1", 61)]) == [2]  # the reply in between was dropped


@time_machine.travel(FROZEN, tick=False)
def test_the_limit_still_answers_429_through_the_packed_counts(
    redis_client: Any, member: Member, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(FixedWindowRateThrottle, "THROTTLE_RATES", {"shopper": "2/min", "ip": "100/min"})
    client = client_for(member)
    assert [client.get("/api/v1/ping").status_code for _ in range(3)] == [200, 200, 429]


# --- content negotiation ------------------------------------------------------------------------


@pytest.mark.parametrize("accept", [None, "*/*", "application/json", " application/json "])
def test_plain_accept_headers_get_json(accept: str | None) -> None:
    client = APIClient()
    response = (
        client.get("/api/v1/server-time") if accept is None else client.get("/api/v1/server-time", HTTP_ACCEPT=accept)
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"


@pytest.mark.parametrize("accept", ["", "text/html", "image/png"])
def test_other_accept_headers_are_negotiated_by_drf_as_before(accept: str) -> None:
    response = APIClient().get("/api/v1/server-time", HTTP_ACCEPT=accept)
    assert response.status_code == 406
    assert response.json()["code"] == "not_acceptable"


def test_a_json_accept_with_parameters_takes_the_long_way_and_keeps_them() -> None:
    response = APIClient().get("/api/v1/server-time", HTTP_ACCEPT="application/json; indent=2")
    assert response.status_code == 200
    assert response.content.decode().startswith('{\n  "')  # DRF's renderer read the indent


# --- the API's locale ---------------------------------------------------------------------------


def test_the_api_answers_in_the_asked_language_and_says_so(member: Member) -> None:
    client = client_for(member)
    english = client.get("/api/v1/orders/987654", HTTP_ACCEPT_LANGUAGE="en")
    chinese = client.get("/api/v1/orders/987654", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert english.status_code == chinese.status_code == 404
    assert english.json()["message"] != chinese.json()["message"]
    assert english["Content-Language"] == "en" and chinese["Content-Language"] == "zh-hans"
    assert "Accept-Language" in english["Vary"]


def test_the_console_keeps_django_s_locale_middleware() -> None:
    response = APIClient().get("/admin/login/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert response["Content-Language"] == "en"


# --- the client's address -----------------------------------------------------------------------


def test_the_client_address_is_worked_out_once_per_request(
    member: Member, monkeypatch: pytest.MonkeyPatch, redis_client: Any
) -> None:
    calls: list[str] = []
    real = clients._client_ip

    def counting(meta: Any) -> str:
        calls.append(meta.get("REMOTE_ADDR"))
        return real(meta)

    monkeypatch.setattr(clients, "_client_ip", counting)
    assert client_for(member).get("/api/v1/ping").status_code == 200
    assert calls == ["127.0.0.1"]  # asked by the shopper's and the IP throttle, worked out once
