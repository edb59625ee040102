"""Coupon claim behind the guard (F45): action rate limits, block lists, the slider."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
import time_machine
from django.contrib.auth.models import User
from rest_framework.test import APIClient

from mall.api.throttling import FixedWindowRateThrottle
from mall.tests.concurrency import run_in_threads
from marketing.models import Coupon, CouponTemplate
from members.models import BlockKind, Member
from members.services.abuse import GuardSettingsData, block_entry_create, guard_settings_update
from members.tests.factories import MemberFactory
from members.tests.fixtures import client_for
from members.tests.services.test_captcha import solve

pytestmark = pytest.mark.django_db

CLAIM = "/api/v1/coupons/claim"
FROZEN = "2026-06-18 10:00:05 +0800"


def claim(client: APIClient, template: CouponTemplate, **headers: Any) -> Any:
    return client.post(CLAIM, {"template_id": template.pk}, format="json", **headers)


@pytest.fixture
def guard(staff: User) -> Callable[..., None]:
    def set_to(**fields: Any) -> None:
        guard_settings_update(actor=staff, data=GuardSettingsData(**fields))

    return set_to


def _rates(monkeypatch: pytest.MonkeyPatch, **rates: str) -> None:
    merged = {**FixedWindowRateThrottle.THROTTLE_RATES, **{k.replace("_", "."): v for k, v in rates.items()}}
    monkeypatch.setattr(FixedWindowRateThrottle, "THROTTLE_RATES", merged)


# --- rate limits ------------------------------------------------------------------------


@time_machine.travel(FROZEN, tick=False)
def test_claims_over_the_shoppers_claim_rate_get_429(
    monkeypatch: pytest.MonkeyPatch, make_template: Callable[..., CouponTemplate], member: Member
) -> None:
    _rates(monkeypatch, claim_shopper="2/min")
    client = client_for(member)
    templates = [make_template(name=f"券{n}") for n in range(3)]
    statuses = [claim(client, t).status_code for t in templates]
    refused = claim(client, templates[0]).json()
    assert statuses == [201, 201, 429]
    assert refused["code"] == "rate_limited"
    assert refused["details"] == {"retry_after": 55, "action": "claim"}
    assert Coupon.objects.filter(member=member).count() == 2
    assert client.get("/api/v1/me/coupons").status_code == 200  # other endpoints are not this action


@time_machine.travel(FROZEN, tick=False)
def test_claims_over_the_ip_claim_rate_get_429_for_every_shopper_there(
    monkeypatch: pytest.MonkeyPatch, make_template: Callable[..., CouponTemplate], guard: Callable[..., None]
) -> None:
    guard(claim_captcha="off")
    _rates(monkeypatch, claim_ip="3/min")
    template = make_template()
    shoppers = MemberFactory.create_batch(4)
    statuses = [claim(client_for(s), template, REMOTE_ADDR="10.20.0.1").status_code for s in shoppers]
    assert statuses == [201, 201, 201, 429]
    assert claim(client_for(shoppers[3]), template, REMOTE_ADDR="10.20.0.2").status_code == 201


@pytest.mark.race
@pytest.mark.django_db(transaction=True)
def test_twenty_claims_at_once_against_an_ip_limit_of_five_let_five_through(
    monkeypatch: pytest.MonkeyPatch, redis_client: Any
) -> None:
    staff = User.objects.create_superuser(username="guard-race", password="x")
    guard_settings_update(actor=staff, data=GuardSettingsData(claim_captcha="off"))
    from marketing.services.coupons import coupon_template_create
    from marketing.tests.conftest import template_data

    template = coupon_template_create(actor=staff, data=template_data(total_quantity=100))
    _rates(monkeypatch, claim_ip="5/min")
    shoppers = MemberFactory.create_batch(20)

    with time_machine.travel(FROZEN, tick=False):  # tokens are issued inside the frozen time
        clients = [client_for(s) for s in shoppers]
        statuses = run_in_threads(20, lambda i: claim(clients[i], template, REMOTE_ADDR="10.30.0.1").status_code)

    assert sorted(statuses) == [201] * 5 + [429] * 15
    assert Coupon.objects.filter(template=template).count() == 5


def test_forwarded_for_is_ignored_without_trusted_proxies(
    monkeypatch: pytest.MonkeyPatch, make_template: Callable[..., CouponTemplate], member: Member, staff: User
) -> None:
    block_entry_create(actor=staff, kind=BlockKind.IP, value="203.0.113.9")
    spoofed = claim(client_for(member), make_template(), REMOTE_ADDR="203.0.113.9", HTTP_X_FORWARDED_FOR="8.8.8.8")
    assert (spoofed.status_code, spoofed.json()["code"]) == (403, "access_blocked")


def test_forwarded_for_names_the_client_behind_a_trusted_proxy(
    settings: Any, make_template: Callable[..., CouponTemplate], member: Member, staff: User
) -> None:
    settings.TRUSTED_PROXY_COUNT = 1
    block_entry_create(actor=staff, kind=BlockKind.IP, value="203.0.113.9")
    headers = {"REMOTE_ADDR": "10.0.0.2", "HTTP_X_FORWARDED_FOR": "1.1.1.1, 203.0.113.9"}
    refused = claim(client_for(member), make_template(), **headers)
    assert (refused.status_code, refused.json()["code"]) == (403, "access_blocked")
    headers["HTTP_X_FORWARDED_FOR"] = "203.0.113.9, 198.51.100.4"  # the client typed the first one
    assert claim(client_for(member), make_template(name="另一张"), **headers).status_code == 201


# --- block lists ------------------------------------------------------------------------


def test_a_blocked_shopper_cannot_claim(make_template: Callable[..., CouponTemplate], member: Member) -> None:
    client = client_for(member)
    Member.objects.filter(pk=member.pk).update(is_blocked=True)
    response = claim(client, make_template())
    assert response.status_code == 401  # the token stops working; a refresh then says member_blocked
    assert not Coupon.objects.filter(member=member).exists()


@pytest.mark.parametrize(
    ("kind", "value", "headers"),
    [
        ("ip", "10.40.0.8", {"REMOTE_ADDR": "10.40.0.8"}),
        ("ip", "10.40.0.0/24", {"REMOTE_ADDR": "10.40.0.200"}),
        ("device", "phone-x1", {"HTTP_X_DEVICE_ID": "phone-x1"}),
    ],
)
def test_blocked_ips_networks_and_devices_cannot_claim(
    make_template: Callable[..., CouponTemplate],
    member: Member,
    staff: User,
    kind: str,
    value: str,
    headers: dict[str, str],
) -> None:
    template = make_template()
    client = client_for(member)
    block_entry_create(actor=staff, kind=kind, value=value)
    refused = claim(client, template, **headers)
    assert refused.status_code == 403
    assert refused.json()["code"] == "access_blocked"
    assert refused.json()["message"]
    assert not Coupon.objects.filter(member=member).exists()
    assert claim(client, template, REMOTE_ADDR="10.50.0.1", HTTP_X_DEVICE_ID="phone-ok").status_code == 201


# --- the slider -------------------------------------------------------------------------


def test_always_asks_for_the_slider_then_takes_the_pass_once(
    make_template: Callable[..., CouponTemplate], member: Member, other_member: Member, guard: Callable[..., None]
) -> None:
    guard(claim_captcha="always")
    template = make_template(per_user_limit=5)
    client = client_for(member)

    required = claim(client, template)
    assert (required.status_code, required.json()["code"]) == (403, "captcha_required")
    assert required.json()["details"] == {"action": "claim"}

    token = solve(member, "claim")
    assert claim(client, template, HTTP_X_CAPTCHA_PASS=token).status_code == 201
    reused = claim(client, template, HTTP_X_CAPTCHA_PASS=token)
    assert (reused.status_code, reused.json()["code"]) == (403, "captcha_pass_used")

    stolen = claim(client_for(other_member), template, HTTP_X_CAPTCHA_PASS=solve(member, "claim"))
    assert (stolen.status_code, stolen.json()["code"]) == (403, "captcha_pass_invalid")
    wrong_action = claim(client, template, HTTP_X_CAPTCHA_PASS=solve(member, "purchase"))
    assert (wrong_action.status_code, wrong_action.json()["code"]) == (403, "captcha_pass_invalid")
    forged = claim(client, template, HTTP_X_CAPTCHA_PASS="eyJtIjoxfQ:1tX:forged")
    assert (forged.status_code, forged.json()["code"]) == (403, "captcha_pass_invalid")
    assert Coupon.objects.filter(member=member).count() == 1


def test_velocity_brings_up_the_slider_through_the_api(
    make_template: Callable[..., CouponTemplate], member: Member, guard: Callable[..., None]
) -> None:
    guard(claim_captcha="risk", velocity_limit=2)
    client = client_for(member)
    templates = [make_template(name=f"券{n}") for n in range(3)]
    assert [claim(client, t).status_code for t in templates[:2]] == [201, 201]
    assert claim(client, templates[2]).json()["code"] == "captcha_required"
    assert claim(client, templates[2], HTTP_X_CAPTCHA_PASS=solve(member, "claim")).status_code == 201


@pytest.mark.race
@pytest.mark.django_db(transaction=True)
def test_one_pass_replayed_on_ten_claims_at_once_claims_once(redis_client: Any) -> None:
    staff = User.objects.create_superuser(username="guard-pass-race", password="x")
    guard_settings_update(actor=staff, data=GuardSettingsData(claim_captcha="always"))
    from marketing.services.coupons import coupon_template_create
    from marketing.tests.conftest import template_data

    template = coupon_template_create(actor=staff, data=template_data(per_user_limit=10))
    member = MemberFactory.create()
    token = solve(member, "claim")
    clients = [client_for(member) for _ in range(10)]

    responses = run_in_threads(10, lambda i: claim(clients[i], template, HTTP_X_CAPTCHA_PASS=token))

    codes = sorted("created" if r.status_code == 201 else r.json()["code"] for r in responses)
    assert codes == ["captcha_pass_used"] * 9 + ["created"]
    assert Coupon.objects.filter(template=template, member=member).count() == 1


def test_refusals_speak_english_when_asked(
    make_template: Callable[..., CouponTemplate], member: Member, staff: User, guard: Callable[..., None]
) -> None:
    block_entry_create(actor=staff, kind=BlockKind.DEVICE, value="phone-en")
    blocked = claim(client_for(member), make_template(), HTTP_X_DEVICE_ID="phone-en", HTTP_ACCEPT_LANGUAGE="en")
    assert blocked.json()["message"] == "Access is restricted. Please contact customer service."
    guard(claim_captcha="always")
    required = claim(client_for(member), make_template(name="英文"), HTTP_ACCEPT_LANGUAGE="en")
    assert required.json()["message"] == "Please complete the slider check first."
