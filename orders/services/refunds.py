"""Refunds: exactly what was paid for the units returned, never more, once.

A refund reserves its amount on the order and its lines when it is created (inside one
transaction holding the order and line row locks, lines in id order), so two staff refunding the
same line at once cannot go past its quantity. The provider then settles it: the sandbox on the
spot, WeChat Pay asynchronously (``refund_submit`` after commit, then a refund notice or
``refund_sync``). A refund the provider refuses for good releases its reservation and flags the
order for a human.

Amounts: a line's ``paid_amount`` is split over its units by largest remainder
(``mall.money.allocate``) and units are refunded in order, so the last units of a line get the
rest and repeated partial refunds add up to ``paid_amount`` exactly. What the order was paid
beyond its lines (shipping) goes back with a full refund, or with the refund that returns the
last unit of the order.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser, User
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from analytics.services.attribution import refund_attribute
from analytics.services.events import event_record
from mall.errors import PermissionDenied
from mall.money import allocate
from mall.services.audit import audit_record
from marketing.services.deals import deal_refunded
from marketing.services.order_benefits import order_rewards_settle
from orders.errors import OrderNotFound, OrderNotRefundable, RefundExceedsPaid, RefundInvalid
from orders.models import Order, OrderLine, OrderStatus, Payment, Refund
from orders.payments import get_provider
from orders.payments.base import REFUND_FAILED_STATES, REFUND_SUCCESS, RefundResult
from orders.services.hooks import order_hooks_run

logger = logging.getLogger(__name__)

REFUND_PERMISSION = "orders.add_refund"
Actor = AbstractBaseUser | AnonymousUser | None


@dataclass(frozen=True)
class RefundPart:
    line_id: int
    qty: int
    amount: int


def refund_no_new() -> str:
    """``R`` + local time to the second + 10 random digits (23 characters, WeChat allows 64)."""
    return "R" + timezone.localtime().strftime("%y%m%d%H%M%S") + f"{secrets.randbelow(10**10):010d}"


def refund_line_amount(*, paid_amount: int, qty: int, already_refunded_qty: int, refund_qty: int) -> int:
    """What ``refund_qty`` more units of a line are worth, given how many went back before."""
    start, end = already_refunded_qty, already_refunded_qty + refund_qty
    if refund_qty < 1 or end > qty:
        raise RefundExceedsPaid(details={"qty": qty, "refunded_qty": already_refunded_qty, "requested": refund_qty})
    return sum(allocate(paid_amount, [1] * qty)[start:end])


def _plan(
    *, order: Order, order_lines: list[OrderLine], lines: Sequence[tuple[int, int]] | None
) -> tuple[list[RefundPart], int]:
    """The parts per line and the non-line amount (shipping) this refund returns."""
    by_id = {line.pk: line for line in order_lines}
    if lines is None:
        requested = [(line.pk, line.qty - line.refunded_qty) for line in order_lines if line.qty > line.refunded_qty]
    else:
        requested = [(int(line_id), qty) for line_id, qty in lines]
        ids = [line_id for line_id, _qty in requested]
        if not requested or len(set(ids)) != len(ids):
            raise RefundInvalid(_("请选择要退款的商品，且每个商品只出现一次。"))
        for line_id, qty in requested:
            if line_id not in by_id:
                raise RefundInvalid(_("订单中没有该商品。"), details={"line_id": line_id})
            if not isinstance(qty, int) or isinstance(qty, bool) or qty < 1:
                raise RefundInvalid(_("退款数量必须大于 0。"), details={"line_id": line_id})
    parts = []
    for line_id, qty in sorted(requested):
        line = by_id[line_id]
        amount = refund_line_amount(
            paid_amount=line.paid_amount, qty=line.qty, already_refunded_qty=line.refunded_qty, refund_qty=qty
        )
        if line.refunded_qty + qty == line.qty:
            # The last units take whatever is left, whatever earlier refunds did.
            amount = line.paid_amount - line.refunded_amount
        parts.append(RefundPart(line_id=line_id, qty=qty, amount=amount))
    refunded_now = {part.line_id: part.qty for part in parts}
    all_lines_done = all(line.refunded_qty + refunded_now.get(line.pk, 0) == line.qty for line in order_lines)
    extra = 0
    if all_lines_done:
        lines_paid = sum(line.paid_amount for line in order_lines)
        lines_refunded = sum(line.refunded_amount for line in order_lines)
        extra_refunded = order.refunded_amount - lines_refunded
        extra = max(0, order.payable_amount - lines_paid - extra_refunded)
    return parts, extra


def refund_create(*, order_id: int, lines: Sequence[tuple[int, int]] | None, reason: str, actor: Actor) -> Refund:
    """Refund ``lines`` (``[(line_id, qty)]``) or, with ``None``, everything not yet refunded.

    ``actor`` is the staff user (needs ``orders.add_refund``); ``None`` is the system (automatic
    refund of a payment for an order that could not be revived).
    """
    if actor is not None and not (isinstance(actor, User) and actor.has_perm(REFUND_PERMISSION)):
        raise PermissionDenied()
    with transaction.atomic():
        order = Order.objects.select_for_update().filter(pk=order_id).first()
        if order is None:
            raise OrderNotFound()
        payment = order.payments.filter(status=Payment.Status.SUCCEEDED).order_by("id").first()
        if payment is None or order.status == OrderStatus.PENDING_PAYMENT:
            raise OrderNotRefundable()
        order_lines = list(OrderLine.objects.select_for_update().filter(order=order).order_by("pk"))
        parts, extra = _plan(order=order, order_lines=order_lines, lines=lines)
        amount = sum(part.amount for part in parts) + extra
        if not parts and amount <= 0:
            raise OrderNotRefundable()
        if order.refunded_amount + amount > min(order.payable_amount, payment.amount):
            raise RefundExceedsPaid(
                details={"requested": amount, "refundable": order.payable_amount - order.refunded_amount}
            )
        for part in parts:
            line = next(line for line in order_lines if line.pk == part.line_id)
            # Guarded as well as locked: the CHECK constraints are the last line of defence.
            updated = OrderLine.objects.filter(pk=part.line_id, refunded_qty__lte=line.qty - part.qty).update(
                refunded_qty=F("refunded_qty") + part.qty, refunded_amount=F("refunded_amount") + part.amount
            )
            if not updated:
                raise RefundExceedsPaid(details={"line_id": part.line_id})
        order.refunded_amount += amount
        update_fields = ["refunded_amount"]
        if order.refunded_amount == order.payable_amount and order.status not in (
            OrderStatus.REFUNDING,
            OrderStatus.REFUNDED,
        ):
            order.start_refund()
            update_fields.append("status")
        order.save(update_fields=update_fields)
        refund = Refund.objects.create(
            order=order,
            out_refund_no=refund_no_new(),
            amount=amount,
            lines=[{"line_id": p.line_id, "qty": p.qty, "amount": p.amount} for p in parts],
            reason=reason[:200],
            status=Refund.Status.PROCESSING,
            created_by=actor if isinstance(actor, User) else None,
        )
        # Take back the points and commission the returned units earned.
        order_rewards_settle(order_id=order.pk, event=refund.out_refund_no)
        audit_record(
            actor=actor,
            action="order.refund_create",
            target=order,
            data={
                "refund_id": refund.pk,
                "out_refund_no": refund.out_refund_no,
                "amount": amount,
                "shipping_amount": extra,
                "lines": refund.lines,
                "reason": refund.reason,
                "full": lines is None,
            },
        )
        provider = get_provider(payment.provider)
        if amount == 0:
            # Units that cost nothing (gifts, a fully discounted unit): returned, no money to move.
            refund_mark_succeeded(refund_id=refund.pk)
        elif provider.refunds_immediately:
            _apply_result(refund_id=refund.pk, result=provider.refund(refund=refund, payment=payment))
        else:
            refund_id = refund.pk
            transaction.on_commit(lambda: _enqueue_submit(refund_id))
    refund.refresh_from_db()
    return refund


def _enqueue_submit(refund_id: int) -> None:
    from orders.tasks import refund_submit_task

    refund_submit_task.delay(refund_id=refund_id)


def refund_submit(*, refund_id: int) -> Refund:
    """Send a processing refund to its provider (again: out_refund_no makes a retry harmless)."""
    refund = Refund.objects.select_related("order").get(pk=refund_id)
    if refund.status != Refund.Status.PROCESSING or refund.provider_refund_id:
        return refund
    payment = refund.order.payments.filter(status=Payment.Status.SUCCEEDED).order_by("id").first()
    if payment is None:  # a reservation never gets here without one
        raise OrderNotRefundable()
    result = get_provider(payment.provider).refund(refund=refund, payment=payment)
    _apply_result(refund_id=refund.pk, result=result)
    refund.refresh_from_db()
    return refund


def refund_sync(*, refund_id: int) -> Refund:
    """Ask the provider how a processing refund went (the refund notice may have been lost)."""
    refund = Refund.objects.select_related("order").get(pk=refund_id)
    if refund.status != Refund.Status.PROCESSING:
        return refund
    payment = refund.order.payments.filter(status=Payment.Status.SUCCEEDED).order_by("id").first()
    if payment is None:
        raise OrderNotRefundable()
    _apply_result(
        refund_id=refund.pk, result=get_provider(payment.provider).query_refund(out_refund_no=refund.out_refund_no)
    )
    refund.refresh_from_db()
    return refund


def _apply_result(*, refund_id: int, result: RefundResult) -> None:
    if result.status == REFUND_SUCCESS:
        refund_mark_succeeded(
            refund_id=refund_id, provider_refund_id=result.provider_refund_id, succeeded_at=result.succeeded_at
        )
    elif result.status in REFUND_FAILED_STATES:
        refund_mark_failed(refund_id=refund_id, provider_status=result.status)
    elif result.provider_refund_id:
        Refund.objects.filter(pk=refund_id, provider_refund_id="").update(provider_refund_id=result.provider_refund_id)


def refund_mark_succeeded(
    *, refund_id: int, provider_refund_id: str = "", succeeded_at: datetime | None = None
) -> bool:
    """The money is back with the shopper. True only for the call that settled it."""
    with transaction.atomic():
        order_id = Refund.objects.filter(pk=refund_id).values_list("order_id", flat=True).get()
        order = Order.objects.select_for_update().get(pk=order_id)
        refund = Refund.objects.select_for_update().get(pk=refund_id)
        if refund.status != Refund.Status.PROCESSING:
            if refund.status == Refund.Status.FAILED:
                _flag(order, _("退款 %(no)s 已标记失败，但渠道报告成功，请核对。") % {"no": refund.out_refund_no})
            return False
        refund.status = Refund.Status.SUCCEEDED
        refund.provider_refund_id = provider_refund_id or refund.provider_refund_id
        refund.succeeded_at = succeeded_at or timezone.now()
        refund.save(update_fields=["status", "provider_refund_id", "succeeded_at"])
        still_processing = order.refunds.filter(status=Refund.Status.PROCESSING).exists()
        if (
            order.status == OrderStatus.REFUNDING
            and order.refunded_amount == order.payable_amount
            and not still_processing
        ):
            order.finish_refund()
            order.save(update_fields=["status"])
        _after_sale_settled(refund_id=refund.pk, succeeded=True)
        deal_refunded(order=order, refund=refund)  # e.g. the points a points-mall order was paid with
        order_hooks_run("refunded", order=order, refund=refund)
        refund_attribute(refund_id=refund.pk)  # issue 15: the returned units' attribution and cost
        event_record(
            name="order_refunded",
            member_id=order.member_id,
            props={"order_id": order.pk, "refund_id": refund.pk, "amount": refund.amount},
        )
    return True


def refund_mark_failed(*, refund_id: int, provider_status: str) -> bool:
    """The provider gave up: release the reservation and hand the order to a human."""
    with transaction.atomic():
        order_id = Refund.objects.filter(pk=refund_id).values_list("order_id", flat=True).get()
        order = Order.objects.select_for_update().get(pk=order_id)
        refund = Refund.objects.select_for_update().get(pk=refund_id)
        if refund.status != Refund.Status.PROCESSING:
            return False
        for part in sorted(refund.lines, key=lambda p: p["line_id"]):
            OrderLine.objects.filter(pk=part["line_id"]).update(
                refunded_qty=F("refunded_qty") - part["qty"], refunded_amount=F("refunded_amount") - part["amount"]
            )
        order.refunded_amount -= refund.amount
        order.save(update_fields=["refunded_amount"])
        refund.status = Refund.Status.FAILED
        refund.save(update_fields=["status"])
        order_rewards_settle(order_id=order.pk, event=refund.out_refund_no)  # the units' rewards come back
        _after_sale_settled(refund_id=refund.pk, succeeded=False)
        _flag(
            order,
            _("退款 %(no)s 失败（%(status)s），请人工处理。") % {"no": refund.out_refund_no, "status": provider_status},
        )
        audit_record(
            actor=None,
            action="order.refund_failed",
            target=order,
            data={"refund_id": refund.pk, "amount": refund.amount, "provider_status": provider_status},
        )
    return True


def _after_sale_settled(*, refund_id: int, succeeded: bool) -> None:
    """Move the shopper's after-sales request that asked for this refund (if one did)."""
    from orders.services.after_sales import after_sale_refund_settled  # it calls refund_create

    after_sale_refund_settled(refund_id=refund_id, succeeded=succeeded)


def _flag(order: Order, note: str) -> None:
    Order.objects.filter(pk=order.pk).update(needs_attention=True, attention_note=note[:200])
