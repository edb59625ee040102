"""After placement: cancel/expire (release once), pay (idempotent, late payment), ship, receive, complete."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
import time_machine
from django.contrib.auth.models import User
from django.utils import timezone

from analytics.models import Event
from mall.models import AuditLog, ShopSettings, Sku
from marketing.models import Coupon, CouponStatus
from marketing.tests.factories import CouponFactory
from members.models import Address, Member, PointsEntry
from members.selectors.points import points_balance
from orders.errors import (
    OrderNotFound,
    OrderStatusInvalid,
    PaymentAmountMismatch,
    ShippingInfoRequired,
    StaffRequired,
)
from orders.models import Order, OrderStatus
from orders.services.orders import (
    PaidOutcome,
    order_auto_complete_due,
    order_cancel,
    order_cancel_by_member,
    order_complete,
    order_confirm_receipt,
    order_expire_due,
    order_mark_paid,
    order_ship,
)
from orders.tasks import order_auto_complete_sweep_task, order_expire_task, order_expiry_sweep_task
from orders.tests.conftest import grant_points, pay, reload
from orders.tests.factories import SkuFactory

pytestmark = pytest.mark.django_db


def stock(sku: Sku) -> int:
    return Sku.objects.get(pk=sku.pk).stock


# --- cancel and expiry ----------------------------------------------------------------


def test_cancel_releases_stock_exactly_once(placed_order: Order, sku: Sku) -> None:
    assert stock(sku) == 8
    assert order_cancel(order_id=placed_order.pk, reason="shopper") is True
    assert order_cancel(order_id=placed_order.pk, reason="shopper") is False
    order = reload(placed_order)
    assert (order.status, order.cancel_reason) == (OrderStatus.CANCELLED, "shopper")
    assert order.cancelled_at is not None
    assert stock(sku) == 10
    assert Event.objects.filter(name="order_cancelled").count() == 1


def test_cancelled_order_returns_the_points_through_a_ledger_entry(
    member: Member, address: Address, place: Callable[..., Order]
) -> None:
    grant_points(member, 1000)
    order = place(member, [(SkuFactory.create(price=9900), 1)], points=1000)
    assert points_balance(member_id=member.pk) == 0
    order_cancel(order_id=order.pk, reason="shopper")
    order_cancel(order_id=order.pk, reason="shopper")
    back = PointsEntry.objects.get(member=member, reason=PointsEntry.Reason.ORDER_REDEEM_RETURN)
    assert (back.delta, back.ref) == (1000, order.no)
    assert points_balance(member_id=member.pk) == 1000


def test_staff_cancel_is_audited_shopper_cancel_is_not(
    member: Member, sku: Sku, staff: User, place: Callable[..., Order]
) -> None:
    by_shopper, by_staff = place(member, [(sku, 1)]), place(member, [(sku, 1)])
    order_cancel(order_id=by_shopper.pk, reason="shopper")
    order_cancel(order_id=by_staff.pk, reason="staff", actor=staff)
    log = AuditLog.objects.get()
    assert (log.action, log.actor, log.target_id) == ("order.cancel", staff, str(by_staff.pk))


def test_shopper_cancel_only_for_own_pending_orders(
    member: Member, other_member: Member, placed_order: Order, sku: Sku
) -> None:
    with pytest.raises(OrderNotFound):
        order_cancel_by_member(member=other_member, order_id=placed_order.pk)
    assert reload(placed_order).status == OrderStatus.PENDING_PAYMENT
    cancelled = order_cancel_by_member(member=member, order_id=placed_order.pk)
    assert cancelled.status == OrderStatus.CANCELLED
    assert order_cancel_by_member(member=member, order_id=placed_order.pk).status == OrderStatus.CANCELLED
    assert stock(sku) == 10


def test_shopper_cannot_cancel_a_paid_order(member: Member, paid_order: Order, sku: Sku) -> None:
    with pytest.raises(OrderStatusInvalid):
        order_cancel_by_member(member=member, order_id=paid_order.pk)
    assert order_cancel(order_id=paid_order.pk, reason="expired") is False
    assert reload(paid_order).status == OrderStatus.PAID
    assert stock(sku) == 8


def test_lock_expiry_task_and_sweeper_both_fire_and_release_once(
    member: Member, address: Address, sku: Sku, place: Callable[..., Order]
) -> None:
    with time_machine.travel(timezone.now(), tick=False) as clock:
        order = place(member, [(sku, 2)])
        assert order_expire_task(order_id=order.pk) is False  # fired early: not due yet
        assert order_expire_due() == 0
        assert stock(sku) == 8

        clock.shift(timedelta(minutes=15, seconds=1))
        assert order_expire_task(order_id=order.pk) is True
        assert order_expiry_sweep_task() == 0
        assert order_expire_task(order_id=order.pk) is False

    stored = reload(order)
    assert (stored.status, stored.cancel_reason) == (OrderStatus.CANCELLED, "expired")
    assert stock(sku) == 10
    assert Event.objects.filter(name="order_cancelled").count() == 1


def test_sweeper_expires_what_the_task_missed(
    member: Member, address: Address, sku: Sku, place: Callable[..., Order]
) -> None:
    with time_machine.travel(timezone.now(), tick=False) as clock:
        due = place(member, [(sku, 1)])
        clock.shift(timedelta(minutes=10))
        fresh = place(member, [(sku, 1)])
        clock.shift(timedelta(minutes=6))
        assert order_expire_due() == 1
        assert order_expire_due() == 0
    assert reload(due).status == OrderStatus.CANCELLED
    assert reload(fresh).status == OrderStatus.PENDING_PAYMENT
    assert stock(sku) == 9


# --- payment --------------------------------------------------------------------------


def test_mark_paid_is_idempotent_and_counts_sales_once(placed_order: Order, sku: Sku) -> None:
    kwargs = {
        "order_id": placed_order.pk,
        "amount": placed_order.payable_amount,
        "transaction_id": "wx1",
        "paid_at": timezone.now(),
        "provider": "wechat",
    }
    assert order_mark_paid(**kwargs) == PaidOutcome.PAID  # type: ignore[arg-type]
    assert order_mark_paid(**kwargs) == PaidOutcome.ALREADY_PAID  # type: ignore[arg-type]
    order = reload(placed_order)
    assert (order.status, order.paid_at) == (OrderStatus.PAID, kwargs["paid_at"])
    stored = Sku.objects.select_related("product").get(pk=sku.pk)
    assert (stored.stock, stored.sales_count, stored.product.sales_count) == (8, 2, 2)
    assert Event.objects.filter(name="order_paid").count() == 1


def test_mark_paid_refuses_a_wrong_amount(placed_order: Order) -> None:
    with pytest.raises(PaymentAmountMismatch) as exc:
        order_mark_paid(
            order_id=placed_order.pk,
            amount=placed_order.payable_amount - 1,
            transaction_id="wx1",
            paid_at=timezone.now(),
            provider="wechat",
        )
    assert exc.value.details == {"expected": 11800, "received": 11799}
    assert reload(placed_order).status == OrderStatus.PENDING_PAYMENT


def test_late_payment_after_expiry_revives_when_stock_remains(placed_order: Order, sku: Sku) -> None:
    order_cancel(order_id=placed_order.pk, reason="expired")
    assert stock(sku) == 10
    outcome = order_mark_paid(
        order_id=placed_order.pk, amount=11800, transaction_id="wx1", paid_at=timezone.now(), provider="wechat"
    )
    order = reload(placed_order)
    assert outcome == PaidOutcome.REVIVED
    assert (order.status, order.needs_attention, order.cancelled_at) == (OrderStatus.PAID, False, None)
    assert stock(sku) == 8


def test_late_payment_without_stock_needs_a_refund(placed_order: Order, sku: Sku) -> None:
    order_cancel(order_id=placed_order.pk, reason="expired")
    Sku.objects.filter(pk=sku.pk).update(stock=1)
    kwargs = {"order_id": placed_order.pk, "amount": 11800, "transaction_id": "wx1", "provider": "wechat"}
    assert order_mark_paid(paid_at=timezone.now(), **kwargs) == PaidOutcome.REFUND_NEEDED  # type: ignore[arg-type]
    assert order_mark_paid(paid_at=timezone.now(), **kwargs) == PaidOutcome.REFUND_NEEDED  # type: ignore[arg-type]
    order = reload(placed_order)
    assert (order.status, order.needs_attention) == (OrderStatus.CANCELLED, True)
    assert order.paid_at is not None and order.attention_note
    assert stock(sku) == 1


def test_late_payment_re_spends_the_points_it_returned(
    member: Member, address: Address, sku: Sku, place: Callable[..., Order]
) -> None:
    grant_points(member, 500)
    order = place(member, [(sku, 2)], points=500)
    order_cancel(order_id=order.pk, reason="expired")
    assert points_balance(member_id=member.pk) == 500
    assert pay(order).status == OrderStatus.PAID
    assert points_balance(member_id=member.pk) == 0


# --- fulfilment -----------------------------------------------------------------------


def test_ship_needs_staff_shipping_info_and_a_paid_order(member: Member, placed_order: Order, staff: User) -> None:
    with pytest.raises(StaffRequired):
        order_ship(order_id=placed_order.pk, carrier="顺丰", tracking_no="SF1", actor=None)
    with pytest.raises(StaffRequired):
        order_ship(order_id=placed_order.pk, carrier="顺丰", tracking_no="SF1", actor=User.objects.create(username="u"))
    with pytest.raises(OrderStatusInvalid):
        order_ship(order_id=placed_order.pk, carrier="顺丰", tracking_no="SF1", actor=staff)
    paid = pay(placed_order)
    with pytest.raises(ShippingInfoRequired):
        order_ship(order_id=paid.pk, carrier="顺丰", tracking_no="  ", actor=staff)
    assert reload(paid).status == OrderStatus.PAID
    assert not AuditLog.objects.exists()


def test_ship_records_carrier_tracking_and_an_audit_row(paid_order: Order, staff: User) -> None:
    order = order_ship(order_id=paid_order.pk, carrier=" 顺丰 ", tracking_no="SF1234567890", actor=staff)
    stored = reload(order)
    assert (stored.status, stored.carrier, stored.tracking_no) == (OrderStatus.SHIPPED, "顺丰", "SF1234567890")
    assert stored.shipped_at is not None
    log = AuditLog.objects.get(action="order.ship")
    assert (log.actor, log.data["tracking_no"]) == (staff, "SF1234567890")


def test_confirm_receipt_completes_own_shipped_order_once(
    member: Member, other_member: Member, shipped_order: Order
) -> None:
    with pytest.raises(OrderNotFound):
        order_confirm_receipt(member=other_member, order_id=shipped_order.pk)
    assert reload(shipped_order).status == OrderStatus.SHIPPED
    done = order_confirm_receipt(member=member, order_id=shipped_order.pk)
    assert (done.status, done.completed_at is not None) == (OrderStatus.COMPLETED, True)
    assert order_confirm_receipt(member=member, order_id=shipped_order.pk).status == OrderStatus.COMPLETED
    assert Event.objects.filter(name="order_completed").count() == 1
    earned = PointsEntry.objects.get(member=member, reason=PointsEntry.Reason.ORDER_EARN)  # F15: 1 point per yuan
    assert (earned.delta, earned.ref) == (118, shipped_order.no)


def test_confirm_receipt_refuses_an_unshipped_order(member: Member, paid_order: Order) -> None:
    with pytest.raises(OrderStatusInvalid):
        order_confirm_receipt(member=member, order_id=paid_order.pk)
    assert order_complete(order_id=paid_order.pk, reason="auto") is False


def test_auto_complete_after_the_shops_window(
    member: Member, address: Address, sku: Sku, staff: User, shop: ShopSettings, place: Callable[..., Order]
) -> None:
    shop.auto_complete_days = 7
    shop.save()
    with time_machine.travel(timezone.now(), tick=False) as clock:
        order = pay(place(member, [(sku, 1)]))
        order_ship(order_id=order.pk, carrier="顺丰", tracking_no="SF1", actor=staff)
        clock.shift(timedelta(days=6, hours=23))
        assert order_auto_complete_due() == 0
        assert reload(order).status == OrderStatus.SHIPPED
        clock.shift(timedelta(hours=1, seconds=1))
        assert order_auto_complete_sweep_task() == 1
        assert order_auto_complete_due() == 0
    assert reload(order).status == OrderStatus.COMPLETED


def test_coupon_is_taken_at_placement_and_given_back_on_cancel(
    member: Member, address: Address, place: Callable[..., Order]
) -> None:
    coupon = CouponFactory.create(member=member)  # 满100减20
    order = place(member, [(SkuFactory.create(price=6000), 2)], coupon_ids=(coupon.pk,))
    assert (order.goods_amount, order.discount_amount, order.payable_amount) == (12000, 2000, 10000)
    assert sum(line.discount_amount for line in order.lines.all()) == 2000
    assert sum(line.paid_amount for line in order.lines.all()) + order.shipping_fee == order.payable_amount
    assert (Coupon.objects.get(pk=coupon.pk).status, Coupon.objects.get(pk=coupon.pk).order_id) == ("used", order.pk)

    order_cancel(order_id=order.pk, reason="shopper")

    back = Coupon.objects.get(pk=coupon.pk)
    assert (back.status, back.order_id) == (CouponStatus.UNUSED, None)
