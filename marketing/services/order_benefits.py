"""What an order takes from marketing and gives back: coupons, promotion usage, earned points.

Orders call these inside their own transactions (``order_place``, cancel/expiry, a late
payment reviving a cancelled order, completion, refunds), so a refusal rolls the order's
change back with them.

Points earned (F15, 1 point per yuan paid by default) are settled by :func:`order_points_settle`
from the order's state, not by adding up events: the points an order should hold are the
points of its units not refunded, once it is completed; the ledger is moved by the
difference. So completion grants, a partial refund takes back exactly the points of the
returned units, a refund that fails gives them back, and running it twice changes nothing.
The order's points (the quote's ``points_earned``) are spread over its lines by what was paid
for them and over each line's units, both by largest remainder, the way refunds spread money.

What the order earns others follows the same pattern: the inviter's points (F04,
``marketing.services.invites``) and the promoter's commission (F06,
``marketing.services.distribution``) are fixed at placement and settled from the order's state
by :func:`order_rewards_settle`, which the order and refund services call wherever that state
changes (payment, completion, refund created, refund failed) and cancellation reaches through
:func:`order_benefits_return`.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.db import transaction
from django.db.models import Q, Sum

from mall.money import allocate
from mall.rows import rows_insert
from marketing.errors import CouponUnavailable
from marketing.models import Coupon, CouponStatus, PricingPolicy, PromotionUsage
from marketing.selectors.checkout_pricing import CheckoutQuote
from marketing.services.campaign_budget import campaign_budget_release, campaign_budget_take
from marketing.services.coupons import coupons_return, coupons_use
from marketing.services.distribution import commission_take, commissions_settle
from marketing.services.invites import invite_order_points_settle, invite_order_take
from members.models import PointsEntry
from members.services.points import points_grant
from members.services.tiers import growth_settle
from orders.models import Order, OrderLine

Reason = PointsEntry.Reason


def _usage_rows(order: Order, usage: Sequence[Sequence[int]]) -> list[PromotionUsage]:
    return [
        PromotionUsage(promotion_id=int(pk), member_id=order.member_id, order_id=order.pk, units=int(units))
        for pk, units in usage
    ]


@transaction.atomic(savepoint=False)  # issue 12: a refusal fails the whole placement, no savepoint needed
def order_benefits_take(*, order: Order, quote: CheckoutQuote) -> None:
    """At placement: the campaigns' budgets are reserved (B02), the chosen coupons become used (or
    ``coupon_unavailable``), usage is counted, the inviter's share (F04) and the attributed
    promoter's commission (F06) are fixed."""
    # B02 first (or campaign_budget_spent): the campaign row is the only lock taken before any
    # tool row here, so a reservation that spends the budget can pause the tools without waiting
    # on orders that hold a tool row (a usage row's foreign key) and queue on the campaign.
    campaign_budget_take(order=order, applied=quote.applied)
    coupons_use(member_id=order.member_id, order_id=order.pk, coupon_ids=quote.coupon_ids)
    rows_insert(_usage_rows(order, quote.promotion_usage))
    invite_order_take(order=order, quote=quote, now=order.created_at)
    commission_take(order=order, quote=quote, now=order.created_at)


@transaction.atomic
def order_benefits_return(*, order: Order) -> None:
    """At cancellation or expiry: coupons back to unused, usage no longer counts, commission reversed."""
    coupons_return(order_id=order.pk)
    PromotionUsage.objects.filter(order_id=order.pk).delete()
    campaign_budget_release(order_id=order.pk)
    commissions_settle(order_id=order.pk)


@transaction.atomic
def order_benefits_retake(*, order: Order) -> None:
    """A late payment revives a cancelled order: take its coupons again, or ``coupon_unavailable``.

    The shopper paid the discounted price, so the coupons must not stay usable elsewhere; one
    that another order took meanwhile makes the revival fail (the payment is refunded). A
    coupon that expired since may be taken: it was in the price that was paid.
    """
    pricing = order.pricing or {}
    ids = sorted({int(pk) for pk in pricing.get("coupon_ids", [])})
    if ids:
        updated = (
            Coupon.objects.filter(pk__in=ids, member_id=order.member_id, order__isnull=True)
            .filter(Q(status=CouponStatus.UNUSED) | Q(status=CouponStatus.EXPIRED))
            .update(status=CouponStatus.USED, order_id=order.pk, used_at=order.created_at)
        )
        if updated != len(ids):
            raise CouponUnavailable(details={"coupon_ids": ids})
    PromotionUsage.objects.bulk_create(_usage_rows(order, pricing.get("promotion_usage", [])))
    campaign_budget_take(order=order, applied=pricing.get("applied", []))  # B02, or campaign_budget_spent


# --- points earned ----------------------------------------------------------------------


def order_points_total(order: Order, lines: Sequence[OrderLine]) -> int:
    """The points the whole order earns: what its quote promised, else 1 point per yuan paid."""
    promised = (order.pricing or {}).get("points_earned")
    if isinstance(promised, int) and promised >= 0:
        return promised
    paid = sum(line.paid_amount for line in lines)
    return paid // 100 * PricingPolicy.current().points_earned_per_yuan


def order_points_target(order: Order, lines: Sequence[OrderLine]) -> int:
    """Points the order should hold now: those of its units that were not refunded."""
    total = order_points_total(order, lines)
    if total <= 0 or not lines:
        return 0
    per_line = allocate(total, [line.paid_amount for line in lines])
    held = 0
    for line, points in zip(lines, per_line, strict=True):
        per_unit = allocate(points, [1] * line.qty) if line.qty else []
        held += sum(per_unit[line.refunded_qty :])  # refunds return units from the first on
    return held


def _points_held(order: Order) -> int:
    entries = PointsEntry.objects.filter(
        member_id=order.member_id, reason__in=[Reason.ORDER_EARN, Reason.REFUND_REVERSE]
    ).filter(Q(ref=order.no) | Q(ref__startswith=f"{order.no}:"))
    return int(entries.aggregate(total=Sum("delta"))["total"] or 0)


@transaction.atomic
def order_points_settle(*, order_id: int, event: str = "") -> int:
    """Move the order's earned points to what it should hold; returns the change.

    Nothing before the order completes. ``event`` names what changed (a refund number) and
    becomes part of the ledger ref, so each change is one entry: ``<order no>`` for the
    completion grant, ``<order no>:<event>`` after that.
    """
    order = Order.objects.select_for_update().filter(pk=order_id).first()
    if order is None or order.completed_at is None:
        return 0
    lines = list(OrderLine.objects.filter(order_id=order_id).order_by("pk"))
    delta = order_points_target(order, lines) - _points_held(order)
    if delta == 0:
        return 0
    ref = order.no if not event else f"{order.no}:{event}"[:64]
    if delta > 0:
        points_grant(member_id=order.member_id, delta=delta, reason=Reason.ORDER_EARN, ref=ref, note=f"订单 {order.no}")
    else:
        points_grant(
            member_id=order.member_id, delta=delta, reason=Reason.REFUND_REVERSE, ref=ref, note=f"订单 {order.no} 退款"
        )
    return delta


@transaction.atomic
def order_rewards_settle(*, order_id: int, event: str = "") -> None:
    """Settle everything the order earns from its state: the buyer's points (F15), the inviter's
    points (F04) and the promoter's commission (F06). Idempotent; ``event`` as in
    :func:`order_points_settle`."""
    order_points_settle(order_id=order_id, event=event)
    growth_settle(order_id=order_id, event=event)  # F14: the buyer's growth toward the next tier
    invite_order_points_settle(order_id=order_id, event=event)
    commissions_settle(order_id=order_id)
