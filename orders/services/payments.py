"""Payments: open a payment for an order, apply verified provider notices once, reconcile.

Every verified "this was paid" — a WeChat notice, the sandbox's complete button, a
reconciliation query — goes through ``payment_notice_handle``. It takes the order row lock
then the payment row lock (the project's order → payment lock order), records the notice in
``PaymentNotice`` (unique per provider and notice id, so a redelivery is a no-op) and calls
``order_mark_paid``, which is itself idempotent. Every check runs before the first write, so a
refused notice leaves nothing behind.
"""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from mall.errors import ApplicationError
from members.models import Member
from orders.errors import (
    OrderNotFound,
    OrderNotPayable,
    PaymentNotFound,
    PaymentNoticeMismatch,
    PaymentNoticeRejected,
    PaymentNoticeUnknownTrade,
)
from orders.models import Order, OrderStatus, Payment, PaymentNotice, Refund
from orders.payments import VerifiedNotice, get_provider
from orders.payments.base import REFUND_FAILED_STATES, REFUND_SUCCESS, TRADE_FINAL_UNPAID, TRADE_NOTPAY, TRADE_SUCCESS
from orders.payments.sandbox import SandboxProvider
from orders.selectors.payments import payment_get_for_member
from orders.services.orders import PaidOutcome, order_mark_paid
from orders.services.refunds import refund_create, refund_mark_failed, refund_mark_succeeded, refund_submit, refund_sync

logger = logging.getLogger(__name__)

AUTO_REFUND_REASON = "订单已超时取消且库存不足，自动全额退款"


class NoticeOutcome(StrEnum):
    """What a verified notice did (stored on its PaymentNotice row)."""

    PAID = "paid"
    REVIVED = "revived"
    ALREADY_PAID = "already_paid"
    REFUNDED = "refunded"  # paid after expiry, stock gone: refunded in full automatically
    DUPLICATE = "duplicate"  # this very notice was handled before
    REFUND_SUCCEEDED = "refund_succeeded"
    REFUND_FAILED = "refund_failed"
    REFUND_PENDING = "refund_pending"


def out_trade_no_new() -> str:
    """``P`` + local time to the second + 10 random digits: 23 characters of WeChat's [6, 32]."""
    return "P" + timezone.localtime().strftime("%y%m%d%H%M%S") + f"{secrets.randbelow(10**10):010d}"


# --- opening a payment ------------------------------------------------------------------


def payment_create(*, order: Order, member: Member) -> dict[str, Any]:
    """Open (or reopen) the payment of a pending order; returns what the mini-program needs.

    One out_trade_no per order, provider and amount: paying twice from two phones hits the
    same trade at WeChat, which can only be paid once. The provider call runs after the
    transaction, so no row lock is held over the network.
    """
    if order.member_id != member.pk:
        raise OrderNotFound(details={"no": order.no})
    provider = get_provider()
    with transaction.atomic():
        locked = Order.objects.select_for_update().select_related("member").get(pk=order.pk)
        if locked.status != OrderStatus.PENDING_PAYMENT or locked.expires_at <= timezone.now():
            raise OrderNotPayable(details={"status": locked.status})
        if locked.payable_amount <= 0:
            raise OrderNotPayable(_("订单应付金额为 0，无需支付。"), details={"payable_amount": locked.payable_amount})
        payment = (
            Payment.objects.filter(
                order=locked, provider=provider.name, amount=locked.payable_amount, status=Payment.Status.CREATED
            )
            .order_by("-id")
            .first()
        )
        if payment is None:
            payment = Payment.objects.create(
                order=locked, provider=provider.name, out_trade_no=out_trade_no_new(), amount=locked.payable_amount
            )
    params = provider.create_payment(order=locked, payment=payment)
    return {"provider": provider.name, "out_trade_no": payment.out_trade_no, "params": params}


def payment_sandbox_complete(*, member: Member, out_trade_no: str) -> tuple[Payment, NoticeOutcome]:
    """The sandbox's pay button: the same path as a verified notice, for the shopper's own payment."""
    payment = payment_get_for_member(member=member, out_trade_no=out_trade_no)
    if payment.provider != SandboxProvider.name:
        raise PaymentNotFound(details={"out_trade_no": out_trade_no})
    notice = SandboxProvider().success_notice(out_trade_no=payment.out_trade_no, amount=payment.amount)
    outcome = payment_notice_handle(notice=notice)
    return Payment.objects.select_related("order").get(pk=payment.pk), outcome


# --- verified notices -------------------------------------------------------------------


def payment_notice_handle(*, notice: VerifiedNotice) -> NoticeOutcome:
    """Apply a verified notice once. Raises ``PaymentNoticeRejected`` (nothing written) on a mismatch."""
    if notice.kind == "refund":
        return _refund_notice_handle(notice=notice)
    if notice.trade_state != TRADE_SUCCESS:
        raise PaymentNoticeMismatch(_("交易状态不是支付成功。"), details={"trade_state": notice.trade_state})
    if notice.currency != "CNY":
        raise PaymentNoticeMismatch(_("币种不是人民币。"), details={"currency": notice.currency})
    if not notice.transaction_id:
        raise PaymentNoticeRejected(_("通知缺少渠道流水号。"))
    if _seen(notice):
        return NoticeOutcome.DUPLICATE
    with transaction.atomic():
        order_id = (
            Payment.objects.filter(out_trade_no=notice.out_trade_no, provider=notice.provider)
            .values_list("order_id", flat=True)
            .first()
        )
        if order_id is None:
            raise PaymentNoticeUnknownTrade(details={"out_trade_no": notice.out_trade_no})
        order = Order.objects.select_for_update().get(pk=order_id)
        payment = Payment.objects.select_for_update().get(out_trade_no=notice.out_trade_no)
        if notice.amount != payment.amount or notice.amount != order.payable_amount:
            raise PaymentNoticeMismatch(
                _("支付金额与订单应付金额不一致。"),
                details={"expected": order.payable_amount, "received": notice.amount},
            )
        if payment.status == Payment.Status.SUCCEEDED and payment.transaction_id != notice.transaction_id:
            raise PaymentNoticeMismatch(_("渠道流水号与已记录的不一致。"), details={"field": "transaction_id"})
        record = _notice_record(notice)
        if record is None:
            return NoticeOutcome.DUPLICATE
        if payment.status == Payment.Status.SUCCEEDED:
            outcome = NoticeOutcome.ALREADY_PAID
        else:
            outcome = _apply_payment(order=order, payment=payment, notice=notice)
        record.outcome = outcome
        record.save(update_fields=["outcome"])
    return outcome


def _seen(notice: VerifiedNotice) -> bool:
    """Fast path for redeliveries (WeChat retries until it hears SUCCESS): one indexed read, no locks.

    Safe without re-checking the content: the notice id is covered by WeChat's signature and the
    first delivery with this id passed every check before its row was written.
    """
    return PaymentNotice.objects.filter(provider=notice.provider, notice_id=notice.notice_id[:64]).exists()


def _notice_record(notice: VerifiedNotice) -> PaymentNotice | None:
    """Insert the notice's row; None when it is already there (a redelivery, maybe concurrent)."""
    try:
        with transaction.atomic():
            return PaymentNotice.objects.create(
                provider=notice.provider,
                notice_id=notice.notice_id[:64],
                event_type=notice.event_type[:64],
                out_trade_no=notice.out_trade_no[:32],
                outcome="",
            )
    except IntegrityError:
        return None


def _apply_payment(*, order: Order, payment: Payment, notice: VerifiedNotice) -> NoticeOutcome:
    paid_at = notice.paid_at or timezone.now()
    result = order_mark_paid(
        order_id=order.pk,
        amount=notice.amount,
        transaction_id=notice.transaction_id,
        paid_at=paid_at,
        provider=notice.provider,
    )
    payment.status = Payment.Status.SUCCEEDED
    payment.transaction_id = notice.transaction_id
    payment.paid_at = paid_at
    payment.save(update_fields=["status", "transaction_id", "paid_at"])
    if result == PaidOutcome.REFUND_NEEDED:
        refund_create(order_id=order.pk, lines=None, reason=AUTO_REFUND_REASON, actor=None)
        return NoticeOutcome.REFUNDED
    return {
        PaidOutcome.PAID: NoticeOutcome.PAID,
        PaidOutcome.REVIVED: NoticeOutcome.REVIVED,
    }.get(result, NoticeOutcome.ALREADY_PAID)


def _refund_notice_handle(*, notice: VerifiedNotice) -> NoticeOutcome:
    """A refund notice settles the refund it names (after the same once-only bookkeeping)."""
    if _seen(notice):
        return NoticeOutcome.DUPLICATE
    with transaction.atomic():
        refund = Refund.objects.filter(out_refund_no=notice.out_refund_no).only("pk", "amount", "order_id").first()
        if refund is None:
            raise PaymentNoticeUnknownTrade(details={"out_refund_no": notice.out_refund_no})
        if notice.refund_amount != refund.amount:
            raise PaymentNoticeMismatch(
                _("退款金额与退款单不一致。"), details={"expected": refund.amount, "received": notice.refund_amount}
            )
        Order.objects.select_for_update().get(pk=refund.order_id)
        record = _notice_record(notice)
        if record is None:
            return NoticeOutcome.DUPLICATE
        if notice.refund_status == REFUND_SUCCESS:
            refund_mark_succeeded(refund_id=refund.pk, provider_refund_id=notice.refund_id, succeeded_at=notice.paid_at)
            outcome = NoticeOutcome.REFUND_SUCCEEDED
        elif notice.refund_status in REFUND_FAILED_STATES:
            refund_mark_failed(refund_id=refund.pk, provider_status=notice.refund_status)
            outcome = NoticeOutcome.REFUND_FAILED
        else:
            outcome = NoticeOutcome.REFUND_PENDING
        record.outcome = outcome
        record.save(update_fields=["outcome"])
    return outcome


# --- reconciliation ---------------------------------------------------------------------


@dataclass
class ReconcileSummary:
    checked: int = 0
    paid: int = 0
    closed: int = 0
    pending: int = 0
    errors: int = 0
    refunds_checked: int = 0
    refunds_settled: int = 0

    def line(self) -> str:
        return (
            f"payments_reconcile: checked={self.checked} paid={self.paid} closed={self.closed} "
            f"pending={self.pending} errors={self.errors} refunds_checked={self.refunds_checked} "
            f"refunds_settled={self.refunds_settled}"
        )


def payments_reconcile(*, older_than_minutes: int = 10, now: datetime | None = None) -> ReconcileSummary:
    """Ask the provider about payments and refunds whose notice is overdue.

    A payment found paid is applied exactly as if its notice had arrived. An unpaid payment of
    a cancelled order is closed at the provider (so it can no longer be paid) and here.
    Refunds still processing are re-sent if the provider never accepted them, else queried.
    Each item runs in its own transaction; one failure does not stop the rest.
    """
    now = now or timezone.now()
    cutoff = now - timedelta(minutes=older_than_minutes)
    summary = ReconcileSummary()
    stale = Payment.objects.filter(
        status=Payment.Status.CREATED,
        created_at__lt=cutoff,
        order__status__in=[OrderStatus.PENDING_PAYMENT, OrderStatus.CANCELLED],
    ).order_by("pk")
    for payment in stale.select_related("order"):
        summary.checked += 1
        try:
            _reconcile_payment(payment, summary)
        except ApplicationError as exc:  # provider down, answer refused, order in an odd state
            logger.warning("reconcile of %s failed: %s", payment.out_trade_no, exc)
            summary.errors += 1
    for refund_id, accepted in (
        Refund.objects.filter(status=Refund.Status.PROCESSING, created_at__lt=cutoff)
        .order_by("pk")
        .values_list("pk", "provider_refund_id")
    ):
        summary.refunds_checked += 1
        try:
            refund = refund_sync(refund_id=refund_id) if accepted else refund_submit(refund_id=refund_id)
        except ApplicationError as exc:
            logger.warning("reconcile of refund %s failed: %s", refund_id, exc)
            summary.errors += 1
            continue
        if refund.status != Refund.Status.PROCESSING:
            summary.refunds_settled += 1
    return summary


def _reconcile_payment(payment: Payment, summary: ReconcileSummary) -> None:
    provider = get_provider(payment.provider)
    state = provider.query(out_trade_no=payment.out_trade_no)
    if state.trade_state == TRADE_SUCCESS:
        payment_notice_handle(notice=state)
        summary.paid += 1
    elif state.trade_state in TRADE_FINAL_UNPAID or (
        state.trade_state == TRADE_NOTPAY and payment.order.status == OrderStatus.CANCELLED
    ):
        if state.trade_state == TRADE_NOTPAY:
            provider.close(out_trade_no=payment.out_trade_no)
        summary.closed += payment_close(payment_id=payment.pk)
    else:
        summary.pending += 1


def payment_close(*, payment_id: int) -> int:
    """Mark an unpaid payment closed (guarded: a payment that succeeded meanwhile stays so)."""
    with transaction.atomic():
        return Payment.objects.filter(pk=payment_id, status=Payment.Status.CREATED).update(status=Payment.Status.CLOSED)
