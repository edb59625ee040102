"""Buying flash units through the order seam: gate, take, pay, release, retake (one thread).

Run against the real Redis when REDIS_URL is set (fakeredis with Lua otherwise) and once more
without any Redis (``no_gate``): the database's guarded updates alone keep the same rules.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.utils import timezone

from mall.models import Sku
from marketing.errors import (
    DealInvalid,
    FlashEnded,
    FlashItemNotFound,
    FlashLimitReached,
    FlashNotStarted,
    FlashOrderLimitExceeded,
    FlashPaused,
    FlashSoldOut,
)
from marketing.models import FlashPurchase, FlashPurchaseStatus
from marketing.services.deals import DealRequest
from marketing.services.flash_gate import gate_state
from marketing.services.flash_sales import flash_slot_pause
from marketing.tests.flash import (
    FLASH_PRICE,
    address_of,
    buy,
    counts,
    first_item,
    flash_orders,
    make_slot,
    shelf_sku,
    staff_user,
)
from members.models import Member
from members.tests.factories import MemberFactory
from members.tests.fixtures import SHOPPER_CONTEXT
from orders.models import OrderStatus
from orders.services.orders import PaidOutcome, order_cancel, order_expire, order_mark_paid, order_place_or_replay
from orders.tests.conftest import pay

pytestmark = pytest.mark.django_db


@pytest.fixture(params=["gate", "no_gate"])
def gate(request: pytest.FixtureRequest, settings: Any) -> Iterator[str]:
    """Every test twice: with the Redis gate, and with none (the embedded default)."""
    if request.param == "gate":
        request.getfixturevalue("redis_client")
        yield "gate"
        return
    from mall import redis as mall_redis

    settings.REDIS_URL = ""
    mall_redis.set_client(None)
    yield "no_gate"


def test_a_unit_is_bought_at_the_flash_price_from_the_quota_not_the_shelf(
    gate: str, member: Member, django_capture_on_commit_callbacks: Any
) -> None:
    sku = shelf_sku(stock=50)
    slot = make_slot(items=[(sku, 10)])
    item = first_item(slot)
    assert Sku.objects.get(pk=sku.pk).stock == 40  # carved at publication

    with django_capture_on_commit_callbacks(execute=True):
        result = buy(member, item)

    order = result.order
    assert result.created
    assert (order.deal_kind, order.deal_ref) == ("flash", item.pk)
    line = order.lines.get()
    assert (line.unit_price, line.qty) == (FLASH_PRICE, 1)
    assert line.allocations == [] and order.pricing["applied"][0]["rule_id"] == f"flash:{item.pk}"
    assert counts(item) == (10, 1, 0, 9)
    assert Sku.objects.get(pk=sku.pk).stock == 40
    purchase = FlashPurchase.objects.get(order=order)
    assert (purchase.qty, purchase.status) == (1, FlashPurchaseStatus.LOCKED)
    if gate == "gate":
        assert gate_state(item.pk)["avail"] == "9"
        assert purchase.gate_token


def test_the_limit_per_shopper_and_per_order_hold(gate: str, member: Member) -> None:
    item = first_item(make_slot(items=[(shelf_sku(), 10)], limit=2, per_order=1))
    buy(member, item)
    with pytest.raises(FlashOrderLimitExceeded):
        buy(member, item, qty=2)
    buy(member, item)
    with pytest.raises(FlashLimitReached) as refused:
        buy(member, item)
    assert refused.value.code == "purchase_limit_exceeded"
    assert flash_orders(item).count() == 2
    assert counts(item) == (10, 2, 0, 8)


def test_the_same_key_replays_the_order_even_after_the_gate_refuses(gate: str, member: Member) -> None:
    item = first_item(make_slot(items=[(shelf_sku(), 2)]))
    first = buy(member, item, key="tap")
    again = buy(member, item, key="tap")
    assert (again.created, again.order.pk) == (False, first.order.pk)
    with pytest.raises(FlashLimitReached):
        buy(member, item, key="another")
    assert counts(item) == (2, 1, 0, 1)


def test_sold_out_not_started_paused_and_ended_are_refused(gate: str, member: Member, other_member: Member) -> None:
    item = first_item(make_slot(items=[(shelf_sku(), 1)]))
    buy(member, item)
    with pytest.raises(FlashSoldOut):
        buy(other_member, item)

    later = first_item(make_slot(items=[(shelf_sku(), 5)], starts_in=timedelta(hours=2)))
    with pytest.raises(FlashNotStarted) as not_yet:
        buy(member, later)
    assert not_yet.value.details["starts_at_ms"] == int(later.slot.starts_at.timestamp() * 1000)

    paused_slot = make_slot(items=[(shelf_sku(), 5)], starts_in=timedelta(hours=-3), minutes=600, kind="release")
    flash_slot_pause(actor=staff_user(), slot_id=paused_slot.pk)
    with pytest.raises(FlashPaused):
        buy(member, first_item(paused_slot))

    draft = first_item(make_slot(items=[(shelf_sku(), 5)], starts_in=timedelta(hours=6), publish=False))
    with pytest.raises(FlashItemNotFound):
        buy(member, draft)
    assert flash_orders(later).count() == 0


def test_a_wrong_sku_through_the_generic_order_api_is_refused(gate: str, member: Member) -> None:
    item = first_item(make_slot(items=[(shelf_sku(), 3)]))
    other = shelf_sku()
    with pytest.raises(DealInvalid):
        order_place_or_replay(
            context=SHOPPER_CONTEXT,
            member=member,
            items=[(other.pk, 1)],
            address_id=address_of(member).pk,
            idempotency_key="wrong",
            deal=DealRequest(kind="flash", ref=item.pk),
        )
    assert counts(item) == (3, 0, 0, 3)


def test_payment_moves_the_unit_from_locked_to_sold(gate: str, member: Member) -> None:
    item = first_item(make_slot(items=[(shelf_sku(), 3)]))
    order = pay(buy(member, item).order)
    assert order.status == OrderStatus.PAID
    assert counts(item) == (3, 0, 1, 2)
    assert FlashPurchase.objects.get(order=order).status == FlashPurchaseStatus.PAID
    # a repeated notice changes nothing
    order_mark_paid(
        order_id=order.pk,
        amount=order.payable_amount,
        transaction_id="again",
        paid_at=timezone.now(),
        provider="sandbox",
    )
    assert counts(item) == (3, 0, 1, 2)


def test_an_unpaid_order_gives_its_unit_back_once_to_the_gate_and_the_database(
    gate: str, member: Member, other_member: Member, django_capture_on_commit_callbacks: Any
) -> None:
    item = first_item(make_slot(items=[(shelf_sku(), 1)]))
    with django_capture_on_commit_callbacks(execute=True):
        order = buy(member, item).order
    with pytest.raises(FlashSoldOut):
        buy(other_member, item)

    with django_capture_on_commit_callbacks(execute=True):
        assert order_cancel(order_id=order.pk, reason="shopper") is True
        assert order_expire(order_id=order.pk, now=timezone.now() + timedelta(minutes=20)) is False
    assert counts(item) == (1, 0, 0, 1)
    assert FlashPurchase.objects.get(order=order).status == FlashPurchaseStatus.RELEASED
    if gate == "gate":
        assert gate_state(item.pk)["avail"] == "1"
    with django_capture_on_commit_callbacks(execute=True):
        assert buy(other_member, item).created
    # the first shopper's cancelled order no longer counts against their limit
    assert counts(item) == (1, 1, 0, 0)


def test_a_late_payment_takes_the_unit_again_or_is_refunded(
    gate: str, member: Member, other_member: Member, django_capture_on_commit_callbacks: Any
) -> None:
    item = first_item(make_slot(items=[(shelf_sku(), 1)]))
    order = buy(member, item).order
    later = timezone.now() + timedelta(minutes=16)
    with django_capture_on_commit_callbacks(execute=True):
        assert order_expire(order_id=order.pk, now=later)
    assert counts(item) == (1, 0, 0, 1)
    with django_capture_on_commit_callbacks(execute=True):
        outcome = order_mark_paid(
            order_id=order.pk, amount=order.payable_amount, transaction_id="T1", paid_at=later, provider="sandbox"
        )
    assert outcome == PaidOutcome.REVIVED
    assert counts(item) == (1, 0, 1, 0)
    if gate == "gate":
        assert gate_state(item.pk)["avail"] == "0"

    second = MemberFactory.create()
    release = make_slot(items=[(shelf_sku(), 1)], starts_in=timedelta(hours=-5), minutes=600, kind="release")
    lost_item = first_item(release)
    lost = buy(other_member, lost_item).order
    with django_capture_on_commit_callbacks(execute=True):
        assert order_expire(order_id=lost.pk, now=later)
    buy(second, lost_item)  # the unit went to someone else meanwhile
    outcome = order_mark_paid(
        order_id=lost.pk, amount=lost.payable_amount, transaction_id="T2", paid_at=later, provider="sandbox"
    )
    assert outcome == PaidOutcome.REFUND_NEEDED
    assert counts(lost_item) == (1, 1, 0, 0)


def test_the_preview_shows_the_price_and_refusals_without_taking(gate: str, member: Member) -> None:
    from orders.selectors.checkout import checkout_preview

    item = first_item(make_slot(items=[(shelf_sku(), 2)]))
    preview = checkout_preview(member=member, items=[(item.sku_id, 1)], deal=DealRequest(kind="flash", ref=item.pk))
    assert preview.quote.lines[0].unit_price == FLASH_PRICE
    assert preview.quote.lines[0].item_rule["name"].endswith("场秒杀")  # type: ignore[index]
    assert counts(item) == (2, 0, 0, 2)
    with time_machine.travel(item.slot.ends_at + timedelta(seconds=1)), pytest.raises(FlashEnded):
        checkout_preview(member=member, items=[(item.sku_id, 1)], deal=DealRequest(kind="flash", ref=item.pk))
