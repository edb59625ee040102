"""Orders and marketing: coupons taken and returned, usage, points earned and reversed exactly."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
import time_machine
from django.contrib.auth.models import User
from django.utils import timezone

from mall.models import ShopSettings, Sku
from mall.money import allocate
from marketing.errors import CouponUnavailable
from marketing.models import Coupon, CouponStatus, CouponTemplate, Promotion, PromotionUsage
from marketing.services.coupons import coupon_claim
from marketing.services.order_benefits import order_points_settle
from marketing.tests.conftest import balance, complete, grant_points, pay, place
from members.models import Member, PointsEntry
from members.tests.fixtures import SHOPPER_CONTEXT
from orders.models import Order, OrderLine, OrderStatus, Refund
from orders.payments.sandbox import SandboxProvider
from orders.services.orders import PaidOutcome, order_cancel, order_expire_due, order_mark_paid
from orders.services.refunds import refund_create, refund_mark_failed

pytestmark = pytest.mark.django_db


@pytest.fixture
def coupon(make_template: Callable[..., CouponTemplate], member: Member) -> Coupon:
    return coupon_claim(context=SHOPPER_CONTEXT, member=member, template_id=make_template(name="立减20", off=2000).pk)


def test_place_persists_allocations_and_takes_the_coupon(
    make_promotion: Callable[..., Promotion], coupon: Coupon, member: Member, lipstick: Sku, cookie: Sku, shop: object
) -> None:
    promotion = make_promotion()
    order = place(member, [(lipstick, 1), (cookie, 1)], coupon_ids=[coupon.pk])
    lines = {line.sku_id: line for line in order.lines.all()}
    assert order.goods_amount == 13000
    assert order.discount_amount == 1500 + 2000
    assert (order.shipping_fee, order.payable_amount) == (800, 9500 + 800)
    assert sum(line.paid_amount for line in lines.values()) == 9500
    lip = lines[lipstick.pk]
    assert {a["rule_id"] for a in lip.allocations} == {f"promotion:{promotion.pk}", f"coupon:{coupon.pk}"}
    assert lip.discount_amount == sum(a["amount"] for a in lip.allocations)
    assert lip.paid_amount == lip.item_amount - lip.discount_amount
    taken = Coupon.objects.get(pk=coupon.pk)
    assert (taken.status, taken.order_id) == (CouponStatus.USED, order.pk)
    assert taken.used_at is not None
    assert PromotionUsage.objects.get(order=order).promotion_id == promotion.pk
    assert order.pricing["coupon_ids"] == [coupon.pk]


def test_the_same_coupon_cannot_pay_for_two_orders(coupon: Coupon, member: Member, lipstick: Sku, shop: object) -> None:
    place(member, [(lipstick, 1)], coupon_ids=[coupon.pk])
    with pytest.raises(CouponUnavailable):
        place(member, [(lipstick, 1)], coupon_ids=[coupon.pk])
    assert Order.objects.filter(member=member).count() == 1
    assert Sku.objects.get(pk=lipstick.pk).stock == 99


def test_cancel_returns_the_coupon_the_points_and_the_usage(
    make_promotion: Callable[..., Promotion], coupon: Coupon, member: Member, lipstick: Sku, shop: object
) -> None:
    make_promotion()
    grant_points(member, 1000)
    order = place(member, [(lipstick, 1)], coupon_ids=[coupon.pk], points=500)
    assert (order.points_used, balance(member)) == (500, 500)
    assert order_cancel(order_id=order.pk, reason="shopper")
    returned = Coupon.objects.get(pk=coupon.pk)
    assert (returned.status, returned.order_id, returned.used_at) == (CouponStatus.UNUSED, None, None)
    assert balance(member) == 1000
    assert not PromotionUsage.objects.filter(order=order).exists()
    assert not order_cancel(order_id=order.pk, reason="again")  # once only
    assert balance(member) == 1000


def test_expiry_returns_the_coupon(coupon: Coupon, member: Member, lipstick: Sku, shop: object) -> None:
    order = place(member, [(lipstick, 1)], coupon_ids=[coupon.pk])
    with time_machine.travel(timezone.now() + timedelta(minutes=16), tick=False):
        assert order_expire_due() == 1
    assert Order.objects.get(pk=order.pk).status == OrderStatus.CANCELLED
    assert Coupon.objects.get(pk=coupon.pk).status == CouponStatus.UNUSED


def test_a_late_payment_takes_the_coupon_again(coupon: Coupon, member: Member, lipstick: Sku, shop: object) -> None:
    order = place(member, [(lipstick, 1)], coupon_ids=[coupon.pk])
    order_cancel(order_id=order.pk, reason="expired")
    outcome = order_mark_paid(
        order_id=order.pk, amount=order.payable_amount, transaction_id="T1", paid_at=timezone.now(), provider="sandbox"
    )
    assert outcome == PaidOutcome.REVIVED
    assert Coupon.objects.get(pk=coupon.pk).order_id == order.pk


def test_a_late_payment_cannot_revive_when_the_coupon_went_elsewhere(
    coupon: Coupon, member: Member, lipstick: Sku, shop: object
) -> None:
    order = place(member, [(lipstick, 1)], coupon_ids=[coupon.pk])
    order_cancel(order_id=order.pk, reason="expired")
    second = place(member, [(lipstick, 1)], coupon_ids=[coupon.pk])
    outcome = order_mark_paid(
        order_id=order.pk, amount=order.payable_amount, transaction_id="T2", paid_at=timezone.now(), provider="sandbox"
    )
    assert outcome == PaidOutcome.REFUND_NEEDED
    assert Coupon.objects.get(pk=coupon.pk).order_id == second.pk
    assert Sku.objects.get(pk=lipstick.pk).stock == 99  # the revival's stock was rolled back


def test_points_are_earned_when_the_order_completes(
    staff: User, member: Member, lipstick: Sku, cookie: Sku, shop: object
) -> None:
    order = place(member, [(lipstick, 1), (cookie, 1)])
    pay(order)
    assert balance(member) == 0  # paid is not enough
    order = complete(order, staff)
    entry = PointsEntry.objects.get(member=member, reason=PointsEntry.Reason.ORDER_EARN)
    assert (entry.delta, entry.ref) == (130, order.no)  # 1 point per yuan paid
    assert order_points_settle(order_id=order.pk) == 0  # running it again changes nothing
    assert balance(member) == 130


def test_points_earned_floor_the_yuan_and_exclude_shipping(
    staff: User, member: Member, make_sku: Callable[..., Sku], cookie: Sku, shop: object
) -> None:
    odd = make_sku("ODD", 2999, cookie.product.category)
    order = complete(place(member, [(odd, 1)]), staff)
    assert order.shipping_fee == 800
    assert balance(member) == 29


def _expected_reversal(order: Order, line: OrderLine, start: int, qty: int) -> int:
    lines = list(order.lines.order_by("pk"))
    per_line = allocate(order.pricing["points_earned"], [x.paid_amount for x in lines])
    points = per_line[[x.pk for x in lines].index(line.pk)]
    return sum(allocate(points, [1] * line.qty)[start : start + qty])


def test_a_partial_refund_reverses_exactly_the_points_of_those_units(
    staff: User, make_promotion: Callable[..., Promotion], member: Member, lipstick: Sku, cookie: Sku, shop: object
) -> None:
    make_promotion()  # 满100减15 spreads unevenly over the two lines
    order = complete(place(member, [(lipstick, 3), (cookie, 1)]), staff)
    earned = order.pricing["points_earned"]
    assert earned == (33000 - 1500) // 100 == balance(member)
    lip_line = order.lines.get(sku=lipstick)
    cookie_line = order.lines.get(sku=cookie)

    first = refund_create(order_id=order.pk, lines=[(lip_line.pk, 1)], reason="破损", actor=staff)
    reversal = PointsEntry.objects.get(
        reason=PointsEntry.Reason.REFUND_REVERSE, ref=f"{order.no}:{first.out_refund_no}"
    )
    assert reversal.delta == -_expected_reversal(order, lip_line, 0, 1)
    assert first.amount == sum(allocate(lip_line.paid_amount, [1, 1, 1])[:1])

    refund_create(order_id=order.pk, lines=[(lip_line.pk, 2), (cookie_line.pk, 1)], reason="退货", actor=staff)
    assert balance(member) == 0  # everything refunded: every point earned went back
    assert PointsEntry.objects.filter(member=member, reason=PointsEntry.Reason.REFUND_REVERSE).count() == 2


def test_a_refund_before_completion_is_left_out_of_the_points(
    staff: User, member: Member, lipstick: Sku, cookie: Sku, shop: object
) -> None:
    order = pay(place(member, [(lipstick, 1), (cookie, 1)]))
    cookie_line = order.lines.get(sku=cookie)
    refund_create(order_id=order.pk, lines=[(cookie_line.pk, 1)], reason="少发", actor=staff)
    assert balance(member) == 0
    from orders.services.orders import order_complete, order_ship

    order_ship(order_id=order.pk, carrier="顺丰", tracking_no="SF2", actor=staff)
    order_complete(order_id=order.pk, reason="test")
    assert balance(member) == 100


def test_a_failed_refund_gives_the_points_back(
    staff: User, member: Member, lipstick: Sku, shop: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    order = complete(place(member, [(lipstick, 2)]), staff)
    assert balance(member) == 200
    monkeypatch.setattr(SandboxProvider, "refunds_immediately", False)
    line = order.lines.get()
    refund = refund_create(order_id=order.pk, lines=[(line.pk, 1)], reason="退货", actor=staff)
    assert refund.status == Refund.Status.PROCESSING
    assert balance(member) == 100
    assert refund_mark_failed(refund_id=refund.pk, provider_status="CLOSED")
    assert balance(member) == 200


def test_an_order_the_coupon_pays_in_full_is_paid_at_once(
    make_template: Callable[..., CouponTemplate], member: Member, lipstick: Sku, shop: ShopSettings
) -> None:
    shop.free_shipping_threshold = 0
    shop.save()
    full = coupon_claim(context=SHOPPER_CONTEXT, member=member, template_id=make_template(name="免单券", off=10000).pk)
    order = place(member, [(lipstick, 1)], coupon_ids=[full.pk])
    assert (order.payable_amount, order.shipping_fee) == (0, 0)
    assert order.status == OrderStatus.PAID
    assert order.paid_at is not None
    assert not order.payments.exists()
    assert Coupon.objects.get(pk=full.pk).status == CouponStatus.USED
