"""The captcha endpoints: a puzzle without its answer, one attempt, a pass, throttled."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import time_machine
from rest_framework.test import APIClient

from mall.api.throttling import FixedWindowRateThrottle
from members.models import Member
from members.tests.captcha_trails import human_trail
from members.tests.services.test_captcha import answer_of

pytestmark = pytest.mark.django_db


def test_a_puzzle_and_its_pass(member_client: APIClient) -> None:
    response = member_client.post("/api/v1/captcha", {"action": "claim"}, format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert set(body) == {"id", "background", "piece", "piece_y", "piece_size", "width", "height", "expires_in"}
    x = answer_of(body["id"])  # only the server's cache knows it: the keys above carry no x

    verified = member_client.post(
        "/api/v1/captcha/verify", {"id": body["id"], "x": x + 2, "trail": human_trail(x + 2)}, format="json"
    )
    assert verified.status_code == 200, verified.content
    assert verified.json()["action"] == "claim"
    assert verified.json()["expires_in"] == 120
    assert verified.json()["captcha_pass"]

    again = member_client.post(
        "/api/v1/captcha/verify", {"id": body["id"], "x": x, "trail": human_trail(x)}, format="json"
    )
    assert (again.status_code, again.json()["code"]) == (400, "captcha_expired")


def test_a_miss_is_captcha_failed_without_a_reason(member_client: APIClient) -> None:
    body = member_client.post("/api/v1/captcha", {"action": "purchase"}, format="json").json()
    x = answer_of(body["id"]) + 30
    response = member_client.post(
        "/api/v1/captcha/verify", {"id": body["id"], "x": x, "trail": human_trail(x)}, format="json"
    )
    assert (response.status_code, response.json()["code"], response.json()["details"]) == (400, "captcha_failed", {})


@pytest.mark.parametrize(
    "payload",
    [
        {},
        {"action": "steal"},
        {"id": "x", "x": "left", "trail": []},
        {"id": "x", "x": 10, "trail": [[1, 2]]},
        {"id": "x", "x": 10, "trail": [[1, 2, 3]] * 2001},
    ],
)
def test_bad_input_is_invalid_input(member_client: APIClient, payload: dict[str, Any]) -> None:
    url = "/api/v1/captcha" if "action" in payload or not payload else "/api/v1/captcha/verify"
    response = member_client.post(url, payload, format="json")
    assert (response.status_code, response.json()["code"]) == (400, "invalid_input")


def test_captcha_needs_a_shopper() -> None:
    response = APIClient().post("/api/v1/captcha", {"action": "claim"}, format="json")
    assert (response.status_code, response.json()["code"]) == (401, "not_authenticated")


@pytest.fixture
def low_captcha_rates(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    rates = {**FixedWindowRateThrottle.THROTTLE_RATES, "captcha.shopper": "3/min", "captcha.ip": "100/min"}
    monkeypatch.setattr(FixedWindowRateThrottle, "THROTTLE_RATES", rates)
    yield


@time_machine.travel("2026-06-18 10:00:05 +0800", tick=False)
def test_captcha_endpoints_are_throttled_as_one_action(low_captcha_rates: None, member: Member) -> None:
    from members.tests.fixtures import client_for

    client = client_for(member)
    statuses = [client.post("/api/v1/captcha", {"action": "claim"}, format="json").status_code for _ in range(2)]
    verify = client.post("/api/v1/captcha/verify", {"id": "x", "x": 1, "trail": []}, format="json")
    refused = client.post("/api/v1/captcha", {"action": "claim"}, format="json")
    assert statuses == [201, 201]
    assert verify.status_code == 400  # the third call of the action
    assert refused.status_code == 429
    assert refused.json()["code"] == "rate_limited"
    assert refused.json()["details"] == {"retry_after": 55, "action": "captcha"}
