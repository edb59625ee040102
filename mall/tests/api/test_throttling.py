"""Per-shopper and per-IP throttles: a clear 429 with a stable code, counted atomically."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import time_machine
from rest_framework.test import APIClient

from mall.api.throttling import FixedWindowRateThrottle
from mall.tests.concurrency import run_in_threads
from members.models import Member
from members.tests.fixtures import client_for

pytestmark = pytest.mark.django_db


# Five seconds into a minute; tokens are issued inside the frozen time so they are valid there.
FROZEN = "2026-06-18 10:00:05 +0800"


@pytest.fixture
def low_rates(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setattr(FixedWindowRateThrottle, "THROTTLE_RATES", {"shopper": "3/min", "ip": "5/min"})
    yield


@time_machine.travel(FROZEN, tick=False)
def test_a_shopper_over_the_rate_gets_429_with_a_code(low_rates: None, member: Member) -> None:
    member_client = client_for(member)
    statuses = [member_client.get("/api/v1/ping").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    body = member_client.get("/api/v1/ping").json()
    assert body["code"] == "rate_limited"
    assert body["message"]
    assert body["details"]["retry_after"] == pytest.approx(55, abs=1)


def test_the_window_moves_on(low_rates: None, member: Member) -> None:
    with time_machine.travel(FROZEN, tick=False) as traveller:
        member_client = client_for(member)
        for _ in range(3):
            assert member_client.get("/api/v1/ping").status_code == 200
        assert member_client.get("/api/v1/ping").status_code == 429
        traveller.shift(60)
        assert member_client.get("/api/v1/ping").status_code == 200


@time_machine.travel(FROZEN, tick=False)
def test_one_shopper_does_not_use_up_another(low_rates: None, member: Member, other_member: Member) -> None:
    member_client, other_member_client = client_for(member), client_for(other_member)
    for _ in range(3):
        member_client.get("/api/v1/ping")
    assert member_client.get("/api/v1/ping").status_code == 429
    assert other_member_client.get("/api/v1/ping").status_code == 200


@time_machine.travel(FROZEN, tick=False)
def test_anonymous_requests_are_limited_per_ip(low_rates: None) -> None:
    client = APIClient(REMOTE_ADDR="10.1.2.3")
    statuses = [client.get("/api/v1/server-time").status_code for _ in range(6)]
    assert statuses == [200] * 5 + [429]
    other_ip = APIClient(REMOTE_ADDR="10.9.9.9")
    assert other_ip.get("/api/v1/server-time").status_code == 200


@pytest.mark.race
@pytest.mark.django_db(transaction=True)
def test_concurrent_requests_never_pass_the_limit(monkeypatch: pytest.MonkeyPatch, redis_client: object) -> None:
    """20 threads at once against a 5/min IP limit: the atomic counter lets exactly 5 through."""
    monkeypatch.setattr(FixedWindowRateThrottle, "THROTTLE_RATES", {"shopper": "100/min", "ip": "5/min"})

    def hit(_i: int) -> int:
        return APIClient(REMOTE_ADDR="10.7.7.7").get("/api/v1/server-time").status_code

    with time_machine.travel(FROZEN, tick=False):
        statuses = run_in_threads(20, hit)
    assert sorted(statuses) == [200] * 5 + [429] * 15


# --- per-action limits (F45) -------------------------------------------------------------


def _api_views() -> list[type]:
    from django.urls import URLPattern, URLResolver, get_resolver

    found: list[type] = []

    def walk(patterns: list) -> None:
        for entry in patterns:
            if isinstance(entry, URLResolver):
                walk(entry.url_patterns)
            elif isinstance(entry, URLPattern) and hasattr(entry.callback, "view_class"):
                found.append(entry.callback.view_class)

    walk(get_resolver().url_patterns)
    return found


def test_every_throttle_action_in_the_urls_has_both_rates() -> None:
    from django.conf import settings

    actions: set[str] = {action for view in _api_views() if (action := getattr(view, "throttle_action", None))}
    assert {"claim", "captcha"} <= actions
    rates = settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]
    missing = [f"{a}.{kind}" for a in sorted(actions) for kind in ("shopper", "ip") if f"{a}.{kind}" not in rates]
    assert missing == [], "add the action to THROTTLE_ACTIONS in mall/settings/base.py"


def test_base_settings_give_the_documented_defaults() -> None:
    from mall.settings import base

    rates = base.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]
    assert (rates["purchase.shopper"], rates["purchase.ip"]) == ("20/min", "300/min")
    assert {"claim.shopper", "reserve.ip", "help.shopper", "captcha.ip"} <= set(rates)


@time_machine.travel(FROZEN, tick=False)
def test_views_without_an_action_are_not_counted_by_action_limits(
    monkeypatch: pytest.MonkeyPatch, member: Member
) -> None:
    rates = {**FixedWindowRateThrottle.THROTTLE_RATES, "claim.shopper": "1/min", "claim.ip": "1/min"}
    monkeypatch.setattr(FixedWindowRateThrottle, "THROTTLE_RATES", rates)
    client = client_for(member)
    assert [client.get("/api/v1/ping").status_code for _ in range(5)] == [200] * 5


@time_machine.travel(FROZEN, tick=False)
def test_the_ip_limit_ignores_a_forged_forwarded_for(low_rates: None) -> None:
    statuses = [
        APIClient(REMOTE_ADDR="10.1.2.3", HTTP_X_FORWARDED_FOR=f"192.0.2.{n}").get("/api/v1/server-time").status_code
        for n in range(6)
    ]
    assert statuses == [200] * 5 + [429]
