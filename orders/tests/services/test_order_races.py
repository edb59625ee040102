"""Races with real threads against the real database: no oversell, one order per idempotency key.

Each thread has its own connection (closed at the end); a barrier starts them together so
they really contend on the SKU row and on the (member, idempotency_key) index.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import pytest

from mall.models import ShopSettings, Sku
from mall.tests.concurrency import run_in_threads
from members.tests.factories import AddressFactory, MemberFactory
from members.tests.fixtures import SHOPPER_CONTEXT
from orders.errors import StockInsufficient
from orders.models import Order, OrderStatus
from orders.services.orders import order_cancel, order_expire_due, order_place_or_replay
from orders.tasks import order_expire_task
from orders.tests.factories import SkuFactory

pytestmark = [pytest.mark.race, pytest.mark.django_db(transaction=True)]


def test_fifty_shoppers_racing_for_ten_units_get_exactly_ten_orders() -> None:
    ShopSettings.load()
    sku = SkuFactory.create(stock=10)
    buyers = [(m, AddressFactory.create(member=m)) for m in MemberFactory.create_batch(50)]

    def buy(i: int) -> Order:
        member, address = buyers[i]
        return order_place_or_replay(
            context=SHOPPER_CONTEXT,
            member=member,
            items=[(sku.pk, 1)],
            address_id=address.pk,
            idempotency_key=uuid.uuid4().hex,
        ).order

    results = run_in_threads(50, buy)

    placed = [r for r in results if isinstance(r, Order)]
    refused = [r for r in results if isinstance(r, StockInsufficient)]
    assert len(placed) == 10, [r for r in results if not isinstance(r, Order | StockInsufficient)]
    assert len(refused) == 40
    assert Order.objects.count() == 10
    assert Sku.objects.get(pk=sku.pk).stock == 0


def test_ten_concurrent_requests_with_one_key_make_one_order() -> None:
    ShopSettings.load()
    sku = SkuFactory.create(stock=100)
    member = MemberFactory.create()
    address = AddressFactory.create(member=member)

    def place(_i: int) -> Any:
        return order_place_or_replay(
            context=SHOPPER_CONTEXT,
            member=member,
            items=[(sku.pk, 2)],
            address_id=address.pk,
            idempotency_key="double-tap",
        )

    results = run_in_threads(10, place)

    errors = [r for r in results if isinstance(r, Exception)]
    assert errors == []
    assert len({r.order.pk for r in results}) == 1
    assert sum(r.created for r in results) == 1
    assert Order.objects.count() == 1
    assert Sku.objects.get(pk=sku.pk).stock == 98


def _one_shopper_taps(
    taps: int, *, before: Callable[[Any], None] | None = None, **asked: Any
) -> tuple[Any, Any, list[Any]]:
    """One new shopper (``before`` prepares them) placing a 59.00 SKU ``taps`` times at once, each
    with its own key: (the SKU, the shopper, each tap's order or exception)."""
    ShopSettings.load()
    sku = SkuFactory.create(stock=100, price=5900)
    member = MemberFactory.create()
    address = AddressFactory.create(member=member)
    if before is not None:
        before(member)

    def place(_i: int) -> Order:
        return order_place_or_replay(
            context=SHOPPER_CONTEXT,
            member=member,
            items=[(sku.pk, 1)],
            address_id=address.pk,
            idempotency_key=uuid.uuid4().hex,
            **asked,
        ).order

    return sku, member, run_in_threads(taps, place)


def test_one_shoppers_parallel_placements_all_land_each_priced_and_recorded_once() -> None:
    """Twenty taps of one shopper with distinct keys queue on the member row: every one makes its
    order at the price of the moment, and its analytics event is written after its commit."""
    from analytics.models import Event

    sku, member, results = _one_shopper_taps(20)

    assert [r for r in results if not isinstance(r, Order)] == []
    assert Order.objects.filter(member=member).count() == 20
    assert set(Order.objects.values_list("goods_amount", flat=True)) == {5900}
    assert Sku.objects.get(pk=sku.pk).stock == 80
    events = Event.objects.filter(name="order_placed", member_id=member.pk)
    # SQLite's JSON path hands an all-digit string back as a number
    assert sorted(str(no) for no in events.values_list("props__no", flat=True)) == sorted(r.no for r in results)


def test_expiry_task_sweeper_and_shopper_racing_release_stock_once() -> None:
    ShopSettings.load()
    sku = SkuFactory.create(stock=10)
    member = MemberFactory.create()
    address = AddressFactory.create(member=member)
    order = order_place_or_replay(
        context=SHOPPER_CONTEXT, member=member, items=[(sku.pk, 4)], address_id=address.pk, idempotency_key="k"
    ).order
    Order.objects.filter(pk=order.pk).update(expires_at=order.expires_at.replace(year=2000))
    work: list[Callable[[], Any]] = [
        lambda: order_expire_task(order_id=order.pk),
        lambda: order_expire_due(),
        lambda: order_cancel(order_id=order.pk, reason="shopper"),
    ] * 3

    results = run_in_threads(len(work), lambda i: work[i]())

    assert [r for r in results if isinstance(r, Exception)] == []
    assert sum(int(r) for r in results) == 1  # exactly one call cancelled
    assert Order.objects.get(pk=order.pk).status == OrderStatus.CANCELLED
    assert Sku.objects.get(pk=sku.pk).stock == 10


def test_one_shoppers_parallel_placements_spend_their_points_once_each() -> None:
    """Issue 12: the points balance an order is priced with is read in the statement that takes
    the shopper's lock, after the lock is granted: ten taps each asking for 1,000 of 5,000
    points all make their orders, five with 1,000 points and five with none left to use (a
    balance read before the lock would price them with points already spent: refused)."""
    from members.models import Member, PointsEntry
    from members.selectors.points import points_balance
    from members.services.points import points_grant

    def grant(member: Member) -> None:
        points_grant(member_id=member.pk, delta=5000, reason=PointsEntry.Reason.GRANT, ref="race")

    sku, member, results = _one_shopper_taps(10, before=grant, points=1000)

    assert [r for r in results if not isinstance(r, Order)] == []
    used = sorted(Order.objects.filter(member=member).values_list("points_used", flat=True))
    assert used == [0] * 5 + [1000] * 5
    assert points_balance(member_id=member.pk) == 0
    assert Sku.objects.get(pk=sku.pk).stock == 90
