"""Flash purchases and reservations behind the guard (F45): rate limits, block lists, the slider.

A guard refusal comes before the gate, so a refused shopper never takes a unit, not even for
a moment.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
import time_machine
from django.contrib.auth.models import User
from django.utils import timezone
from rest_framework.test import APIClient

from mall.api.throttling import FixedWindowRateThrottle
from marketing.services.flash_gate import gate_state
from marketing.tests.flash import address_of, counts, first_item, make_slot, shelf_sku
from members.models import BlockKind, Member
from members.services.abuse import GuardSettingsData, block_entry_create, guard_settings_update
from members.tests.fixtures import client_for
from members.tests.services.test_captcha import solve

pytestmark = pytest.mark.django_db


@pytest.fixture
def guard(staff: User) -> Callable[..., None]:
    def set_to(**fields: Any) -> None:
        guard_settings_update(actor=staff, data=GuardSettingsData(**fields))

    return set_to


def _rates(monkeypatch: pytest.MonkeyPatch, **rates: str) -> None:
    merged = {**FixedWindowRateThrottle.THROTTLE_RATES, **{k.replace("_", "."): v for k, v in rates.items()}}
    monkeypatch.setattr(FixedWindowRateThrottle, "THROTTLE_RATES", merged)


def _window_start() -> Any:
    """A moment early in the current minute, so a test's requests share one throttle window."""
    return timezone.now().replace(second=1, microsecond=0)


def _purchase(client: APIClient, member: Member, item: Any, key: str, **headers: Any) -> Any:
    return client.post(
        f"/api/v1/flash/items/{item.pk}/purchase",
        {"address_id": address_of(member).pk},
        format="json",
        HTTP_IDEMPOTENCY_KEY=key,
        **headers,
    )


def test_purchases_over_the_shoppers_purchase_rate_get_429(
    monkeypatch: pytest.MonkeyPatch, member: Member, redis_client: Any, guard: Callable[..., None]
) -> None:
    guard(purchase_captcha="off")
    item = first_item(make_slot(items=[(shelf_sku(), 5)], limit=1))
    _rates(monkeypatch, purchase_shopper="3/min")
    with time_machine.travel(_window_start(), tick=False):  # one throttle window, token issued inside it
        client = client_for(member)
        statuses = [_purchase(client, member, item, f"k{n}").status_code for n in range(4)]
    assert statuses == [201, 409, 409, 429]
    assert counts(item) == (5, 1, 0, 4)


def test_a_blocked_address_or_device_is_refused_before_the_gate(
    member: Member, staff: User, redis_client: Any, guard: Callable[..., None]
) -> None:
    guard(purchase_captcha="off")
    item = first_item(make_slot(items=[(shelf_sku(), 2)]))
    block_entry_create(actor=staff, kind=BlockKind.IP, value="10.60.0.0/24")
    block_entry_create(actor=staff, kind=BlockKind.DEVICE, value="bot-phone")
    client = client_for(member)
    for headers in ({"REMOTE_ADDR": "10.60.0.7"}, {"HTTP_X_DEVICE_ID": "bot-phone"}):
        refused = _purchase(client, member, item, "blocked", **headers)
        assert (refused.status_code, refused.json()["code"]) == (403, "access_blocked")
    assert gate_state(item.pk) == {} or gate_state(item.pk)["avail"] == "2"
    assert counts(item) == (2, 0, 0, 2)
    assert _purchase(client, member, item, "fine", REMOTE_ADDR="10.61.0.1").status_code == 201


def test_the_slider_is_asked_for_when_the_merchant_wants_it(
    member: Member, redis_client: Any, guard: Callable[..., None]
) -> None:
    guard(purchase_captcha="always")
    item = first_item(make_slot(items=[(shelf_sku(), 2)]))
    client = client_for(member)
    required = _purchase(client, member, item, "a")
    assert (required.status_code, required.json()["code"]) == (403, "captcha_required")
    assert required.json()["details"] == {"action": "purchase"}
    assert counts(item) == (2, 0, 0, 2)
    placed = _purchase(client, member, item, "a", HTTP_X_CAPTCHA_PASS=solve(member, "purchase"))
    assert placed.status_code == 201
    reserve_pass = solve(member, "reserve")
    wrong = _purchase(client, member, item, "b", HTTP_X_CAPTCHA_PASS=reserve_pass)
    assert (wrong.status_code, wrong.json()["code"]) == (403, "captcha_pass_invalid")


def test_reservations_have_their_own_rate(
    monkeypatch: pytest.MonkeyPatch, member: Member, guard: Callable[..., None]
) -> None:
    guard(reserve_captcha="off")
    items = [first_item(make_slot(items=[(shelf_sku(), 1)], kind="release", minutes=600)) for _ in range(3)]
    from marketing.models import FlashItem

    FlashItem.objects.filter(pk__in=[i.pk for i in items]).update(sold=1)
    _rates(monkeypatch, reserve_shopper="2/min")
    with time_machine.travel(_window_start(), tick=False):
        client = client_for(member)
        statuses = [client.post(f"/api/v1/flash/items/{i.pk}/reservation").status_code for i in items]
    assert statuses == [201, 201, 429]


def test_a_shopper_blocked_in_the_console_is_refused_without_a_query(
    member: Member, staff: User, redis_client: Any, guard: Callable[..., None], django_assert_num_queries: Any
) -> None:
    from members.services.members import member_staff_update

    guard(purchase_captcha="off")
    item = first_item(make_slot(items=[(shelf_sku(), 2)]))
    client = client_for(member)
    assert _purchase(client, member, item, "first").status_code == 201
    member_staff_update(member_id=member.pk, actor=staff, is_blocked=True)
    _purchase(client, member, item, "warm")  # the guard reloads its lists once for the new version
    url, body = f"/api/v1/flash/items/{item.pk}/purchase", {"address_id": address_of(member).pk}
    with django_assert_num_queries(0):
        refused = client.post(url, body, format="json", HTTP_IDEMPOTENCY_KEY="second")
    assert (refused.status_code, refused.json()["code"]) == (401, "authentication_failed")
    assert refused.json()["message"] == "账号已被封禁。"
    member_staff_update(member_id=member.pk, actor=staff, is_blocked=False)
    again = _purchase(client, member, item, "first")  # unblocked: the retry gets its order back
    assert again.status_code == 200
    assert counts(item) == (2, 1, 0, 1)
