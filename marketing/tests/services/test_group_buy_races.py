"""拼团 under real concurrency (threads against MariaDB in CI): the last seat goes to exactly one
shopper, a group completes exactly once, and a payment racing the deadline is refunded."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.contrib.auth.models import User
from django.utils import timezone

from analytics.models import Event
from mall.models import Category, Product, ShopSettings, Sku
from mall.tests.concurrency import run_in_threads
from marketing.errors import GroupAlreadyJoined, GroupFull
from marketing.models import GroupBuyGroup, GroupBuyMember, GroupStatus
from marketing.services.deals import DealRequest
from marketing.services.group_buys import group_buy_campaign_create, group_expire_due
from marketing.tests.conftest import deadline_of, group_campaign_data, group_of, group_order, pay
from members.models import Member
from members.tests.factories import AddressFactory, MemberFactory
from members.tests.fixtures import SHOPPER_CONTEXT
from orders.models import Order, OrderStatus, Refund
from orders.services.orders import order_place
from orders.services.payments import payment_create, payment_sandbox_complete

pytestmark = [pytest.mark.race, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def setting_up() -> Callable[..., tuple[Any, Sku]]:
    def make(size: int = 3, **overrides: Any) -> tuple[Any, Sku]:
        ShopSettings.load()
        staff = User.objects.create_superuser(username=f"ops-{uuid.uuid4().hex[:6]}", password="x", email="o@e.com")
        category = Category.objects.create(name="美妆")
        product = Product.objects.create(category=category, title="面霜", min_price=5900)
        sku = Sku.objects.create(product=product, code=f"CREAM-{uuid.uuid4().hex[:6]}", price=5900, stock=100)
        campaign = group_buy_campaign_create(
            actor=staff, data=group_campaign_data(sku, group_size=size, per_member_limit=None, **overrides)
        )
        return campaign, sku

    return make


def _join(member: Member, campaign: Any, sku: Sku, token: str) -> Order:
    address = member.addresses.first() or AddressFactory.create(member=member)
    return order_place(
        context=SHOPPER_CONTEXT,
        member=member,
        items=[(sku.pk, 1)],
        address_id=address.pk,
        idempotency_key=uuid.uuid4().hex,
        deal=DealRequest(kind="group", ref=campaign.pk, params={"share_token": token}),
    )


def test_six_shoppers_racing_for_the_last_seat_get_one_order(setting_up: Callable[..., tuple[Any, Sku]]) -> None:
    campaign, sku = setting_up(size=3)
    leader, friend, *racers = MemberFactory.create_batch(8)
    group = group_of(pay(group_order(leader, campaign, sku)))
    pay(group_order(friend, campaign, sku, token=group.share_token))
    for racer in racers:
        AddressFactory.create(member=racer)

    results = run_in_threads(len(racers), lambda i: _join(racers[i], campaign, sku, group.share_token))

    placed = [r for r in results if isinstance(r, Order)]
    assert len(placed) == 1, results
    assert all(isinstance(r, GroupFull) for r in results if not isinstance(r, Order)), results
    group.refresh_from_db()
    assert group.seats_taken == 3 == GroupBuyMember.objects.filter(group=group).count()
    assert Sku.objects.get(pk=sku.pk).stock == 100 - 3  # the refused orders gave their unit back
    pay(placed[0])
    assert GroupBuyGroup.objects.get(pk=group.pk).status == GroupStatus.COMPLETED


def test_one_shopper_double_tapping_join_gets_one_seat(setting_up: Callable[..., tuple[Any, Sku]]) -> None:
    campaign, sku = setting_up(size=5)
    leader, friend = MemberFactory.create_batch(2)
    group = group_of(pay(group_order(leader, campaign, sku)))
    AddressFactory.create(member=friend)

    results = run_in_threads(4, lambda i: _join(friend, campaign, sku, group.share_token))

    assert sum(isinstance(r, Order) for r in results) == 1, results
    assert all(isinstance(r, GroupAlreadyJoined) for r in results if not isinstance(r, Order)), results
    assert GroupBuyGroup.objects.get(pk=group.pk).seats_taken == 2


def test_the_last_two_payments_at_once_complete_the_group_exactly_once(
    setting_up: Callable[..., tuple[Any, Sku]],
) -> None:
    campaign, sku = setting_up(size=3)
    leader, *friends = MemberFactory.create_batch(3)
    group = group_of(pay(group_order(leader, campaign, sku)))
    orders = [group_order(m, campaign, sku, token=group.share_token) for m in friends]
    trades = [payment_create(order=o, member=o.member)["out_trade_no"] for o in orders]

    results = run_in_threads(2, lambda i: payment_sandbox_complete(member=friends[i], out_trade_no=trades[i]))

    assert not [r for r in results if isinstance(r, Exception)], results
    group.refresh_from_db()
    assert (group.status, group.paid_count) == (GroupStatus.COMPLETED, 3)
    assert Event.objects.filter(name="group_completed").count() == 1
    assert set(Order.objects.filter(deal_kind="group").values_list("ship_hold", flat=True)) == {""}


def test_payments_racing_the_deadline_sweeper_are_all_refunded_once(
    setting_up: Callable[..., tuple[Any, Sku]],
) -> None:
    campaign, sku = setting_up(size=5)
    leader, *friends = MemberFactory.create_batch(4)
    group = group_of(pay(group_order(leader, campaign, sku)))
    with time_machine.travel(deadline_of(group) - timedelta(minutes=2), tick=False):
        orders = [group_order(m, campaign, sku, token=group.share_token) for m in friends]
        trades = [payment_create(order=o, member=o.member)["out_trade_no"] for o in orders]
    after = deadline_of(group) + timedelta(seconds=5)

    def work(i: int) -> Any:
        if i < len(friends):
            return payment_sandbox_complete(member=friends[i], out_trade_no=trades[i])
        return group_expire_due(now=timezone.now())

    # time-machine moves the clock of the whole process, so every thread sees the same "after".
    with time_machine.travel(after, tick=False):
        results = run_in_threads(len(friends) + 2, work)
        assert not [r for r in results if isinstance(r, Exception)], results
        group_expire_due()  # the settle task of a payment that found the group failed
    assert GroupBuyGroup.objects.get(pk=group.pk).status == GroupStatus.FAILED
    paid = Order.objects.filter(deal_kind="group", paid_at__isnull=False)
    assert paid.count() == 4
    for order in paid:
        assert Refund.objects.filter(order=order).count() == 1
        assert (order.status, order.refunded_amount) == (OrderStatus.REFUNDED, order.payable_amount)


def test_the_orders_sweeper_and_the_groups_sweeper_at_once_settle_everything_once(
    setting_up: Callable[..., tuple[Any, Sku]],
) -> None:
    """Unpaid seats' orders expire while their group fails: order → group locks in both paths."""
    from orders.services.orders import order_expire_due

    campaign, sku = setting_up(size=5)
    leader, *friends = MemberFactory.create_batch(4)
    opened = pay(group_order(leader, campaign, sku))
    group = group_of(opened)
    with time_machine.travel(deadline_of(group) - timedelta(minutes=20), tick=False):
        unpaid = [group_order(m, campaign, sku, token=group.share_token) for m in friends[:2]]
        paid = pay(group_order(friends[2], campaign, sku, token=group.share_token))
    after = deadline_of(group) + timedelta(minutes=1)  # past the orders' 15 minutes too

    def work(i: int) -> Any:
        return order_expire_due(now=after) if i % 2 else group_expire_due(now=after)

    with time_machine.travel(after, tick=False):
        results = run_in_threads(6, work)
        assert not [r for r in results if isinstance(r, Exception)], results
        group_expire_due(now=after)
    assert GroupBuyGroup.objects.get(pk=group.pk).status == GroupStatus.FAILED
    assert not GroupBuyMember.objects.filter(group=group, status="pending").exists()
    assert GroupBuyGroup.objects.get(pk=group.pk).seats_taken == 2
    for order in unpaid:
        assert Order.objects.get(pk=order.pk).status == OrderStatus.CANCELLED
    for order in (opened, paid):
        assert Refund.objects.filter(order=order).count() == 1
    assert Sku.objects.get(pk=sku.pk).stock == 100 - 2  # the two unpaid units came back once


def test_a_merchant_closing_a_group_while_its_last_member_pays(setting_up: Callable[..., tuple[Any, Sku]]) -> None:
    """Either the payment completes the group first (the merchant is told it is closed), or the
    merchant fails it first (the payment is refunded): never both, never neither."""
    from marketing.services.group_buys import group_close

    campaign, sku = setting_up(size=2)
    staff = User.objects.create_superuser(username="closer", password="x", email="c@example.com")
    leader, friend = MemberFactory.create_batch(2)
    group = group_of(pay(group_order(leader, campaign, sku)))
    joined = group_order(friend, campaign, sku, token=group.share_token)
    trade = payment_create(order=joined, member=friend)["out_trade_no"]

    def work(i: int) -> Any:
        if i == 0:
            return payment_sandbox_complete(member=friend, out_trade_no=trade)
        return group_close(actor=staff, group_id=group.pk, complete=False)

    results = run_in_threads(2, work)
    group_expire_due()  # the settle task of a payment that found the group failed
    fresh = GroupBuyGroup.objects.get(pk=group.pk)
    if fresh.status == GroupStatus.COMPLETED:
        assert type(results[1]).__name__ == "GroupNotClosable", results
        assert not Refund.objects.exists()
    else:
        assert fresh.status == GroupStatus.FAILED, results
        assert Refund.objects.count() == 2  # the leader's and the payment that arrived
