"""拼团 (F03): a group opens with the leader's payment, completes with the N-th, and otherwise
fails at its deadline with every paid member refunded through the (sandbox) payment provider.

Orders go through ``order_place`` with the deal seam and are paid through the sandbox's
verified-notice path, exactly as the mini-program does; time moves with time-machine.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.contrib.auth.models import User
from django.utils import timezone

from analytics.models import Event
from mall.models import AuditLog, Sku
from marketing.errors import (
    GroupAlreadyJoined,
    GroupBuyNotOpen,
    GroupClosed,
    GroupFull,
    GroupJoinNewOnly,
    GroupLimitReached,
    GroupNotClosable,
    GroupNotFound,
    RulesInvalid,
)
from marketing.models import GroupBuyGroup, GroupBuyMember, GroupMemberStatus, GroupOutcome, GroupStatus
from marketing.services.group_buys import (
    GROUP_HOLD,
    GroupBuyItemData,
    group_buy_campaign_end,
    group_close,
    group_expire,
    group_expire_due,
    group_settle,
)
from marketing.tests.conftest import deadline_of, group_campaign_data, group_of, group_order, pay, place
from members.models import Member, Message
from members.tests.factories import MemberFactory
from orders.errors import OrderOnHold
from orders.models import Order, OrderStatus, Refund
from orders.services.orders import order_cancel, order_expire, order_ship
from orders.services.payments import NoticeOutcome, payment_create, payment_sandbox_complete

pytestmark = pytest.mark.django_db


def _group(order: Order) -> GroupBuyGroup:
    return group_of(order)


def _order(order: Order) -> Order:
    return Order.objects.get(pk=order.pk)


@pytest.fixture
def campaign(make_group_campaign: Callable[..., Any], cream: Sku) -> Any:
    return make_group_campaign(cream)


@pytest.fixture
def shoppers(db: Any) -> list[Member]:
    return MemberFactory.create_batch(5)


def test_three_payments_complete_the_group_and_only_then_the_orders_ship(
    campaign: Any, cream: Sku, shoppers: list[Member], staff: User
) -> None:
    leader, friend, other = shoppers[:3]
    opened = group_order(leader, campaign, cream)
    assert (opened.deal_kind, opened.ship_hold) == ("group", GROUP_HOLD)
    line = opened.lines.get()
    assert (line.unit_price, opened.payable_amount) == (2900, 2900 + 800)  # group price + shipping
    group = _group(opened)
    assert (group.status, group.seats_taken, group.expires_at) == (GroupStatus.PENDING, 1, None)
    with pytest.raises(GroupClosed):  # nobody joins before the leader has paid
        group_order(friend, campaign, cream, token=group.share_token)

    paid_at = timezone.now()
    with time_machine.travel(paid_at, tick=False):
        pay(opened)
    group = _group(opened)
    assert group.status == GroupStatus.OPEN
    assert group.expires_at == paid_at + timedelta(hours=24)
    assert group.seats_left == 2

    joined = [group_order(m, campaign, cream, token=group.share_token) for m in (friend, other)]
    pay(joined[0])
    assert _group(opened).seats_left == 1
    with pytest.raises(OrderOnHold):
        order_ship(order_id=opened.pk, carrier="顺丰", tracking_no="SF1", actor=staff)

    pay(joined[1])
    group = _group(opened)
    assert (group.status, group.outcome, group.paid_count, group.seats_left) == (
        GroupStatus.COMPLETED,
        GroupOutcome.FULL,
        3,
        0,
    )
    assert set(Order.objects.filter(deal_kind="group").values_list("ship_hold", flat=True)) == {""}
    assert order_ship(order_id=opened.pk, carrier="顺丰", tracking_no="SF1", actor=staff).status == OrderStatus.SHIPPED
    assert Message.objects.filter(kind="group_completed").count() == 3
    names = list(Event.objects.filter(name__startswith="group_").order_by("pk").values_list("name", flat=True))
    assert names == ["group_opened", "group_joined", "group_joined", "group_completed"]


def test_a_leader_price_is_charged_to_the_leader_only(
    make_group_campaign: Callable[..., Any], cream: Sku, shoppers: list[Member]
) -> None:
    campaign = make_group_campaign(cream, items=(GroupBuyItemData(sku_id=cream.pk, price=2900, leader_price=1900),))
    opened = pay(group_order(shoppers[0], campaign, cream))
    joined = group_order(shoppers[1], campaign, cream, token=_group(opened).share_token)
    assert opened.lines.get().unit_price == 1900
    assert joined.lines.get().unit_price == 2900
    assert opened.pricing["applied"][0]["name"] == "面霜 3 人团"


def test_at_the_deadline_a_short_group_fails_every_paid_member_is_refunded_and_unpaid_orders_cancelled(
    campaign: Any, cream: Sku, shoppers: list[Member]
) -> None:
    leader, friend, late = shoppers[:3]
    opened = pay(group_order(leader, campaign, cream))
    group = _group(opened)
    joined = pay(group_order(friend, campaign, cream, token=group.share_token))
    with time_machine.travel(deadline_of(group) - timedelta(minutes=5), tick=False):
        unpaid = group_order(late, campaign, cream, token=group.share_token)
    assert group_expire_due(now=deadline_of(group) - timedelta(seconds=1)) == 0

    with time_machine.travel(deadline_of(group) + timedelta(seconds=1), tick=False):
        assert group_expire_due() == 1
    group = _group(opened)
    assert (group.status, group.outcome) == (GroupStatus.FAILED, GroupOutcome.EXPIRED)
    for order in (opened, joined):
        fresh = _order(order)
        refund = Refund.objects.get(order=order)
        assert (refund.status, refund.amount, refund.created_by) == (Refund.Status.SUCCEEDED, 3700, None)
        assert (fresh.status, fresh.refunded_amount) == (OrderStatus.REFUNDED, 3700)
        assert GroupBuyMember.objects.get(order=order).status == GroupMemberStatus.REFUNDED
    assert _order(unpaid).status == OrderStatus.CANCELLED
    assert not GroupBuyMember.objects.filter(order=unpaid).exists()
    assert cream.__class__.objects.get(pk=cream.pk).stock == 100 - 2  # the cancelled unit is back
    assert Message.objects.filter(kind="group_failed").count() == 3
    assert Event.objects.filter(name="group_failed").count() == 1
    assert Event.objects.filter(name="group_refunded").count() == 2
    assert AuditLog.objects.filter(action="order.refund_create", actor=None).count() == 2

    # The task at the deadline and the sweeper may both run, any number of times.
    assert group_expire(group_id=group.pk) == GroupStatus.FAILED
    assert group_expire_due() == 0
    assert group_settle(group_id=group.pk) == 0
    assert Refund.objects.count() == 2


def test_auto_complete_ships_a_short_group_at_its_deadline(
    make_group_campaign: Callable[..., Any], cream: Sku, shoppers: list[Member]
) -> None:
    campaign = make_group_campaign(cream, auto_complete=True)
    opened = pay(group_order(shoppers[0], campaign, cream))
    group = _group(opened)
    with time_machine.travel(group.expires_at, tick=False):
        assert group_expire(group_id=group.pk) == GroupStatus.COMPLETED
    group = _group(opened)
    assert (group.outcome, group.paid_count) == (GroupOutcome.VIRTUAL, 1)
    assert _order(opened).ship_hold == ""
    assert not Refund.objects.exists()


def test_a_shopper_cannot_join_the_same_group_twice_nor_the_leader_their_own(
    campaign: Any, cream: Sku, shoppers: list[Member]
) -> None:
    leader, friend = shoppers[:2]
    group = _group(pay(group_order(leader, campaign, cream)))
    with pytest.raises(GroupAlreadyJoined):
        group_order(leader, campaign, cream, token=group.share_token)
    group_order(friend, campaign, cream, token=group.share_token)
    with pytest.raises(GroupAlreadyJoined):
        group_order(friend, campaign, cream, token=group.share_token)
    assert GroupBuyMember.objects.filter(group=group).count() == 2
    assert GroupBuyGroup.objects.get(pk=group.pk).seats_taken == 2


def test_an_unpaid_seat_comes_back_when_its_order_is_cancelled_or_expires(
    make_group_campaign: Callable[..., Any], cream: Sku, shoppers: list[Member]
) -> None:
    campaign = make_group_campaign(cream, group_size=2, per_member_limit=None)
    leader, friend, other = shoppers[:3]
    group = _group(pay(group_order(leader, campaign, cream)))
    first = group_order(friend, campaign, cream, token=group.share_token)
    with pytest.raises(GroupFull):
        group_order(other, campaign, cream, token=group.share_token)

    assert order_expire(order_id=first.pk, now=first.expires_at)
    assert GroupBuyGroup.objects.get(pk=group.pk).seats_taken == 1
    # The same shopper may try again, or anyone else.
    again = group_order(friend, campaign, cream, token=group.share_token)
    assert order_cancel(order_id=again.pk, reason="shopper")
    last = pay(group_order(other, campaign, cream, token=group.share_token))
    assert _group(last).status == GroupStatus.COMPLETED


def test_a_leader_who_never_pays_leaves_no_group(campaign: Any, cream: Sku, shoppers: list[Member]) -> None:
    opened = group_order(shoppers[0], campaign, cream)
    assert order_expire(order_id=opened.pk, now=opened.expires_at)
    group = _group(opened)
    assert (group.status, group.outcome, group.seats_taken) == (GroupStatus.CANCELLED, GroupOutcome.LEADER_UNPAID, 0)
    with pytest.raises(GroupClosed):
        group_order(shoppers[1], campaign, cream, token=group.share_token)


def test_a_payment_that_finds_its_group_failed_is_refunded(campaign: Any, cream: Sku, shoppers: list[Member]) -> None:
    """The friend's order is still payable when the group fails at its deadline (their payment in flight)."""
    group = _group(pay(group_order(shoppers[0], campaign, cream)))
    with time_machine.travel(deadline_of(group) - timedelta(minutes=1), tick=False):
        in_flight = group_order(shoppers[1], campaign, cream, token=group.share_token)
        started = payment_create(order=in_flight, member=shoppers[1])
    with time_machine.travel(deadline_of(group) + timedelta(seconds=30), tick=False):
        # The payment lands before any sweeper ran: the paid hook fails the due group itself.
        _payment, outcome = payment_sandbox_complete(member=shoppers[1], out_trade_no=started["out_trade_no"])
        assert outcome == NoticeOutcome.PAID
        assert _group(in_flight).status == GroupStatus.FAILED
        group_expire_due()  # the settle task's safety net (no worker runs in tests)
    for order in Order.objects.filter(deal_kind="group"):
        assert (order.status, order.refunded_amount) == (OrderStatus.REFUNDED, order.payable_amount)
    assert Event.objects.filter(name="group_paid_after_failure").count() == 1


def test_a_late_payment_after_the_failed_groups_cancellation_is_refunded_too(
    campaign: Any, cream: Sku, shoppers: list[Member]
) -> None:
    group = _group(pay(group_order(shoppers[0], campaign, cream)))
    with time_machine.travel(deadline_of(group) - timedelta(minutes=1), tick=False):
        in_flight = group_order(shoppers[1], campaign, cream, token=group.share_token)
        started = payment_create(order=in_flight, member=shoppers[1])
    with time_machine.travel(deadline_of(group) + timedelta(minutes=1), tick=False):
        group_expire_due()
        assert _order(in_flight).status == OrderStatus.CANCELLED
        _payment, outcome = payment_sandbox_complete(member=shoppers[1], out_trade_no=started["out_trade_no"])
    assert outcome == NoticeOutcome.REFUNDED  # retake refused: the payments service refunds it
    fresh = _order(in_flight)
    assert (fresh.refunded_amount, fresh.status) == (fresh.payable_amount, OrderStatus.REFUNDED)


def test_a_late_payment_into_an_open_group_takes_a_seat_again(
    campaign: Any, cream: Sku, shoppers: list[Member]
) -> None:
    group = _group(pay(group_order(shoppers[0], campaign, cream)))
    joined = group_order(shoppers[1], campaign, cream, token=group.share_token)
    started = payment_create(order=joined, member=shoppers[1])
    assert order_expire(order_id=joined.pk, now=joined.expires_at)
    assert GroupBuyGroup.objects.get(pk=group.pk).seats_taken == 1
    _payment, outcome = payment_sandbox_complete(member=shoppers[1], out_trade_no=started["out_trade_no"])
    assert outcome == NoticeOutcome.REVIVED
    group = GroupBuyGroup.objects.get(pk=group.pk)
    assert (group.seats_taken, group.paid_count) == (2, 2)
    assert GroupBuyMember.objects.get(order=joined).status == GroupMemberStatus.PAID


def test_limits_new_shopper_joins_and_closed_campaigns(
    make_group_campaign: Callable[..., Any], cream: Sku, cookie: Sku, shoppers: list[Member], staff: User
) -> None:
    campaign = make_group_campaign(cream, join_new_only=True, per_member_limit=1)
    leader, friend, veteran = shoppers[:3]
    group = _group(pay(group_order(leader, campaign, cream)))
    with pytest.raises(GroupLimitReached):
        group_order(leader, campaign, cream)
    place(veteran, [(cookie, 1)])  # an order before: no longer a new shopper
    with pytest.raises(GroupJoinNewOnly):
        group_order(veteran, campaign, cream, token=group.share_token)
    group_order(friend, campaign, cream, token=group.share_token)
    with pytest.raises(GroupNotFound):
        group_order(friend, campaign, cream, token="not-a-token")

    group_buy_campaign_end(actor=staff, campaign_id=campaign.pk)
    with pytest.raises(GroupBuyNotOpen):
        group_order(shoppers[3], campaign, cream)
    # Groups already open still fill up after the campaign ended.
    group_order(shoppers[4], campaign, cream, token=group.share_token)
    assert AuditLog.objects.filter(action="group_buy.end").count() == 1


def test_the_merchant_completes_or_fails_an_open_group_early(
    campaign: Any, cream: Sku, shoppers: list[Member], staff: User
) -> None:
    first = _group(pay(group_order(shoppers[0], campaign, cream)))
    second_leader = pay(group_order(shoppers[1], campaign, cream))
    second = _group(second_leader)
    pay(group_order(shoppers[2], campaign, cream, token=second.share_token))

    group_close(actor=staff, group_id=first.pk, complete=True)
    assert GroupBuyGroup.objects.get(pk=first.pk).outcome == GroupOutcome.STAFF_COMPLETED
    group_close(actor=staff, group_id=second.pk, complete=False)
    assert GroupBuyGroup.objects.get(pk=second.pk).outcome == GroupOutcome.STAFF_FAILED
    assert Refund.objects.filter(order__deal_ref=second.pk).count() == 2
    assert not Refund.objects.filter(order__deal_ref=first.pk).exists()
    with pytest.raises(GroupNotClosable):
        group_close(actor=staff, group_id=first.pk, complete=False)
    actions = set(AuditLog.objects.values_list("action", flat=True))
    assert {"group_buy.group_complete", "group_buy.group_fail"} <= actions


def test_closing_a_group_needs_the_permission(campaign: Any, cream: Sku, shoppers: list[Member]) -> None:
    from mall.errors import PermissionDenied

    group = _group(pay(group_order(shoppers[0], campaign, cream)))
    clerk = User.objects.create_user(username="clerk", password="x", is_staff=True)
    with pytest.raises(PermissionDenied):
        group_close(actor=clerk, group_id=group.pk, complete=False)
    assert GroupBuyGroup.objects.get(pk=group.pk).status == GroupStatus.OPEN


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"group_size": 6}, "group_size"),
        ({"group_size": 1}, "group_size"),
        ({"duration_minutes": 5}, "duration_minutes"),
        ({"items": ()}, "items"),
        ({"name": " "}, "name"),
    ],
)
def test_impossible_campaigns_are_refused_in_chinese(
    staff: User, cream: Sku, overrides: dict[str, Any], field: str
) -> None:
    from marketing.services.group_buys import group_buy_campaign_create

    with pytest.raises(RulesInvalid) as refused:
        group_buy_campaign_create(actor=staff, data=group_campaign_data(cream, **overrides))
    assert refused.value.details["field"] == field


def test_prices_must_undercut_the_list_price_and_the_leader_price_the_group_price(staff: User, cream: Sku) -> None:
    from marketing.services.group_buys import group_buy_campaign_create

    for item in (
        GroupBuyItemData(sku_id=cream.pk, price=5900),
        GroupBuyItemData(sku_id=cream.pk, price=2900, leader_price=3000),
    ):
        with pytest.raises(RulesInvalid) as refused:
            group_buy_campaign_create(actor=staff, data=group_campaign_data(cream, items=(item,)))
        assert refused.value.details["field"] == "items"
    group_buy_campaign_create(actor=staff, data=group_campaign_data(cream))
    with pytest.raises(RulesInvalid) as overlap:
        group_buy_campaign_create(actor=staff, data=group_campaign_data(cream, name="重复"))
    assert overlap.value.details["field"] == "starts_at"
