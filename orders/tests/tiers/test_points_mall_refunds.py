"""F15 gap: a points-mall goods order refunded after payment gives back the points paid for the
refunded units, exactly and once per refund; stock and the shopper's slot stay taken."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.utils import timezone

from members.models import PointsEntry, PointsMallItem, PointsMallRedemption
from members.selectors.points import points_balance
from members.services.points_mall_deal import points_for_units, points_mall_refund_settle
from orders.errors import OrderNotRefundable, RefundExceedsPaid
from orders.models import Order, OrderStatus, Payment, Refund
from orders.payments import VerifiedNotice
from orders.services.payments import out_trade_no_new, payment_notice_handle
from orders.services.refunds import refund_create, refund_mark_succeeded
from orders.tests.conftest import reload
from orders.tests.tiers.test_points_mall_goods import _item, _member, _place, _shop


def pay(order: Order) -> Order:
    """Paid through the sandbox's verified-notice path (its refunds settle on the spot)."""
    payment = Payment.objects.create(
        order=order, provider="sandbox", out_trade_no=out_trade_no_new(), amount=order.payable_amount
    )
    payment_notice_handle(
        notice=VerifiedNotice(
            provider="sandbox",
            notice_id=f"sandbox-{payment.out_trade_no}",
            event_type="TRANSACTION.SUCCESS",
            kind="transaction",
            out_trade_no=payment.out_trade_no,
            transaction_id=f"SANDBOX{payment.out_trade_no}",
            trade_state="SUCCESS",
            amount=payment.amount,
            paid_at=timezone.now(),
        )
    )
    return Order.objects.get(pk=order.pk)


def test_points_split_over_units_adds_up_exactly_whatever_the_partial_refunds() -> None:
    # 1000 points over 3 units: 334 + 333 + 333 (largest remainder, earlier units first)
    assert [points_for_units(points=1000, qty=3, units=k) for k in range(4)] == [0, 334, 667, 1000]
    # refunding 1 unit then 2, or 2 then 1, gives back the same 1000 in total, never more
    first = points_for_units(points=1000, qty=3, units=1)
    assert (first, points_for_units(points=1000, qty=3, units=3) - first) == (334, 666)
    first = points_for_units(points=1000, qty=3, units=2)
    assert (first, points_for_units(points=1000, qty=3, units=3) - first) == (667, 333)
    assert points_for_units(points=1000, qty=3, units=7) == 1000
    assert points_for_units(points=7, qty=1, units=1) == 7


@pytest.mark.django_db
def test_a_refunded_paid_points_mall_order_gives_the_points_back_once(staff: User) -> None:
    _shop()
    item = _item(stock=5, points=2000, cash=990)
    member = _member(2500)
    order = pay(_place(member, item))
    assert order.status == OrderStatus.PAID
    assert points_balance(member_id=member.pk) == 500

    refund = refund_create(order_id=order.pk, lines=None, reason="不想要了", actor=staff)

    assert refund.status == Refund.Status.SUCCEEDED  # the sandbox settles on the spot
    assert refund.amount == 1790
    assert points_balance(member_id=member.pk) == 2500
    entry = PointsEntry.objects.get(member=member, reason=PointsEntry.Reason.MALL_RETURN)
    assert (entry.delta, entry.ref) == (2000, f"mall-refund:{refund.out_refund_no}")
    # the double refund callback: the second notice settles nothing and gives nothing
    assert refund_mark_succeeded(refund_id=refund.pk, provider_refund_id="50300001") is False
    assert points_mall_refund_settle(order=reload(order), refund=refund) is None
    assert points_balance(member_id=member.pk) == 2500
    assert PointsEntry.objects.filter(member=member, reason=PointsEntry.Reason.MALL_RETURN).count() == 1
    # stock and the shopper's slot stay taken (refunds never restock; the redemption is the record)
    assert PointsMallItem.objects.get(pk=item.pk).redeemed_count == 1
    assert PointsMallRedemption.objects.filter(order=order, member=member).exists()


@pytest.mark.django_db
def test_a_refund_by_line_returns_the_points_the_cash_and_the_shipping_and_nothing_twice(staff: User) -> None:
    _shop()
    item = _item(stock=5, cash=1, points=1000)
    member = _member(1000)
    order = pay(_place(member, item))  # ¥0.01 goods, ¥8.00 shipping
    assert (order.status, order.payable_amount) == (OrderStatus.PAID, 801)
    assert points_balance(member_id=member.pk) == 0

    line_id = order.lines.get().pk  # type: ignore[attr-defined]
    refund = refund_create(order_id=order.pk, lines=[(line_id, 1)], reason="质量问题", actor=staff)

    assert (refund.amount, refund.status) == (801, Refund.Status.SUCCEEDED)
    assert points_balance(member_id=member.pk) == 1000
    with pytest.raises((RefundExceedsPaid, OrderNotRefundable)):  # nothing left to refund
        refund_create(order_id=order.pk, lines=[(line_id, 1)], reason="again", actor=staff)
    assert points_balance(member_id=member.pk) == 1000
