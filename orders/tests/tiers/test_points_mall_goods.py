"""F15: a points-mall goods item goes through the normal order path: the deal prices the line at the
item's cash part and spends its points, stock and per-shopper slot; cancel gives them back; the
stock is raced by many shoppers placing at once."""

from __future__ import annotations

import uuid

import pytest

from mall.models import ShopSettings
from mall.tests.concurrency import run_in_threads
from marketing.services.deals import DealRequest
from members.errors import PointsInsufficient, PointsMallLimitReached, PointsMallSoldOut
from members.models import Member, PointsEntry, PointsMallItem, PointsMallRedemption
from members.selectors.points import points_balance
from members.services.points import points_grant
from members.tests.factories import AddressFactory, MemberFactory
from members.tests.fixtures import SHOPPER_CONTEXT, guard_slider_off
from orders.models import Order, OrderStatus
from orders.services.orders import order_cancel, order_place
from orders.tests.factories import SkuFactory


def _shop() -> None:
    shop = ShopSettings.load()
    shop.shipping_flat_fee, shop.free_shipping_threshold = 800, 9900
    shop.save()


def _item(*, stock: int, cash: int = 990, points: int = 2000, limit: int = 1) -> PointsMallItem:
    sku = SkuFactory.create(price=5900, stock=100)
    return PointsMallItem.objects.create(
        name="保温杯", kind="goods", sku=sku, points=points, cash=cash, stock=stock, per_member_limit=limit
    )


def _member(points: int) -> Member:
    member = MemberFactory.create()
    points_grant(member_id=member.pk, delta=points, reason=PointsEntry.Reason.GRANT, ref=uuid.uuid4().hex)
    AddressFactory.create(member=member)
    return member


def _place(member: Member, item: PointsMallItem) -> Order:
    assert item.sku_id is not None
    return order_place(
        context=SHOPPER_CONTEXT,
        member=member,
        items=[(item.sku_id, 1)],
        address_id=member.addresses.get().pk,  # type: ignore[attr-defined]
        idempotency_key=uuid.uuid4().hex,
        deal=DealRequest(kind="points_mall", ref=item.pk),
    )


@pytest.mark.django_db
def test_points_plus_cash_goods_are_an_ordinary_order_and_cancel_gives_everything_back() -> None:
    _shop()
    item = _item(stock=5)
    member = _member(2500)
    order = _place(member, item)
    # ¥59.00 goods priced ¥9.90 by the deal, plus the shop's shipping
    assert (order.goods_amount, order.discount_amount, order.shipping_fee, order.payable_amount) == (
        5900,
        4910,
        800,
        1790,
    )
    assert order.pricing["shipping"]["fee"] == 800
    assert order.status == OrderStatus.PENDING_PAYMENT
    assert order.deal_kind == "points_mall"
    assert points_balance(member_id=member.pk) == 500
    assert PointsMallItem.objects.get(pk=item.pk).redeemed_count == 1
    assert PointsMallRedemption.objects.get(order=order).points == 2000
    with pytest.raises(PointsMallLimitReached):
        _place(member, item)

    assert order_cancel(order_id=order.pk, reason="shopper")
    assert points_balance(member_id=member.pk) == 2500
    assert PointsMallItem.objects.get(pk=item.pk).redeemed_count == 0
    assert not PointsMallRedemption.objects.exists()
    again = _place(member, item)  # the slot came back too
    assert again.pk != order.pk


@pytest.mark.django_db
def test_points_only_goods_with_free_shipping_need_no_payment() -> None:
    _shop()
    item = _item(stock=5, cash=0)
    PointsMallItem.objects.filter(pk=item.pk).update(points=1000)
    member = _member(1000)
    item.refresh_from_db()
    order = _place(member, item)
    # nothing left to pay ships free by the shop's rule, and an order of ¥0 is paid at once
    assert (order.discount_amount, order.shipping_fee, order.payable_amount) == (5900, 0, 0)
    assert order.status == OrderStatus.PAID
    poor = _member(10)
    with pytest.raises(PointsInsufficient):
        _place(poor, item)


@pytest.mark.race
@pytest.mark.django_db(transaction=True)
def test_twelve_shoppers_ordering_three_goods_items_at_once_get_exactly_three() -> None:
    _shop()
    guard_slider_off()
    item = _item(stock=3)
    members = [_member(5000) for _ in range(12)]

    results = run_in_threads(12, lambda i: _place(members[i], item))

    orders = [r for r in results if isinstance(r, Order)]
    sold_out = [r for r in results if isinstance(r, PointsMallSoldOut)]
    assert (len(orders), len(sold_out)) == (3, 9), [r for r in results if not isinstance(r, Order)]
    assert PointsMallItem.objects.get(pk=item.pk).redeemed_count == 3
    assert sorted(points_balance(member_id=m.pk) for m in members) == [3000] * 3 + [5000] * 9
    assert Order.objects.filter(deal_kind="points_mall").count() == 3
