"""积分商城 goods (F15): a goods item is bought through the normal order path as a deal.

The shopper places an ordinary order (``order_place``) for the item's SKU with
``deal={"kind": "points_mall", "ref": <item id>}``: the deal prices the line at the item's cash
part (0 for points only) and, inside the order's transaction, spends the item's points, a unit of
the item's stock (guarded UPDATE) and a per-shopper slot (unique (item, member, seq)). So the
order ships, expires, cancels and refunds like any other; cancelling or expiry gives the points,
the stock and the slot back, a late payment takes them again.

A refund after payment gives back the points paid for the refunded units, when the refund
succeeds: the item's points are split over the line's units by largest remainder
(``points_for_units``), the units refunded so far (succeeded refunds) are worth the first k
parts, and each refund grants the difference to what earlier refunds gave back — so partial
refunds add up to exactly what was paid and never more. One ledger entry per refund (unique
(member, reason, ref) with the refund number), so a repeated refund notice gives nothing twice.
The item's stock and the shopper's slot stay taken: like ``Sku.stock`` for any refunded order
(refunds never restock), the unit left the shelf when it was paid, and keeping the slot keeps
the record of the redemption and stops a redeem-refund-redeem loop past the per-shopper limit.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from django.db import IntegrityError, transaction
from django.db.models import F, Sum
from django.utils.translation import gettext as _

from mall.money import allocate
from marketing.errors import DealNotFound, DealUnavailable, PurchaseLimitExceeded
from marketing.pricing.types import FlashSale
from marketing.services.deals import DealHandler, DealPricing, DealRequest, deal_handler
from members.errors import PointsInsufficient, PointsMallItemNotFound, PointsMallLimitReached, PointsMallSoldOut
from members.models import PointsEntry, PointsMallItem, PointsMallRedemption
from members.selectors.points import points_balance
from members.services.points import points_grant, points_spend

if TYPE_CHECKING:
    from mall.models import Sku
    from members.models import Member
    from orders.models import Order, Refund

DEAL_KIND = "points_mall"


def _goods_item(item_id: int) -> PointsMallItem:
    item = PointsMallItem.objects.filter(pk=item_id, is_active=True, kind=PointsMallItem.Kind.GOODS).first()
    if item is None:
        raise PointsMallItemNotFound(details={"item_id": item_id})
    return item


def _rule_id(item_id: int) -> str:
    return f"points_mall:{item_id}"


def _points_ref(order: Order, suffix: str = "") -> str:
    return f"mall:{order.no}{suffix}"[:64]


def points_for_units(*, points: int, qty: int, units: int) -> int:
    """What the first ``units`` of ``qty`` units are worth of ``points`` (largest-remainder split)."""
    units = max(0, min(units, qty))
    return sum(allocate(points, [1] * qty)[:units]) if qty > 0 else 0


def _refund_ref(refund: Refund) -> str:
    return f"mall-refund:{refund.out_refund_no}"[:64]


def points_mall_refund_settle(*, order: Order, refund: Refund) -> PointsEntry | None:
    """Give back the points paid for the units ``refund`` returned (inside the order's lock)."""
    from orders.models import OrderLine
    from orders.models import Refund as RefundModel

    redemption = PointsMallRedemption.objects.filter(order=order).first()
    line = OrderLine.objects.filter(order=order).order_by("pk").first()
    if redemption is None or line is None or line.qty < 1:
        return None  # cancelled before payment: ``release`` already gave everything back
    units = sum(
        int(part["qty"])
        for row in RefundModel.objects.filter(order=order, status=RefundModel.Status.SUCCEEDED)
        for part in row.lines
        if part["line_id"] == line.pk
    )
    owed = min(redemption.points, points_for_units(points=redemption.points, qty=line.qty, units=units))
    returned = (
        PointsEntry.objects.filter(member_id=order.member_id, reason=PointsEntry.Reason.MALL_RETURN)
        .filter(ref__in=[_refund_ref(row) for row in RefundModel.objects.filter(order=order)])
        .aggregate(total=Sum("delta"))["total"]
        or 0
    )
    delta = owed - int(returned)
    if delta <= 0:
        return None
    return points_grant(
        member_id=order.member_id,
        delta=delta,
        reason=PointsEntry.Reason.MALL_RETURN,
        ref=_refund_ref(refund),
        note=_("订单 %(no)s 退款，兑换积分退回") % {"no": order.no},
    )


def _take(*, item_id: int, order: Order, points_suffix: str) -> PointsMallRedemption:
    """Stock, the shopper's slot and the points, for ``order`` (inside the order's transaction)."""
    item = _goods_item(item_id)
    held = PointsMallRedemption.objects.filter(item_id=item.pk, member_id=order.member_id).count()
    if held >= item.per_member_limit:
        raise PointsMallLimitReached(details={"item_id": item.pk, "limit": item.per_member_limit})
    if not PointsMallItem.objects.filter(pk=item.pk, redeemed_count__lt=F("stock")).update(
        redeemed_count=F("redeemed_count") + 1
    ):
        raise PointsMallSoldOut(details={"item_id": item.pk})
    points_spend(
        member_id=order.member_id,
        amount=item.points,
        reason=PointsEntry.Reason.MALL_REDEEM,
        ref=_points_ref(order, points_suffix),
        note=_("兑换 %(name)s") % {"name": item.name},
    )
    try:
        with transaction.atomic():
            return PointsMallRedemption.objects.create(
                item=item,
                member_id=order.member_id,
                seq=held + 1,
                ref=f"order:{order.no}{points_suffix}"[:64],
                points=item.points,
                cash=item.cash,
                order=order,
            )
    except IntegrityError as exc:
        raise PointsMallLimitReached(details={"item_id": item.pk}) from exc


@deal_handler
class PointsMallDeal(DealHandler):
    """``deal.ref`` = the goods item's id; one unit per order."""

    kind = DEAL_KIND
    guard_action = "purchase"

    def specs(self, *, deal: DealRequest, member: Member, sku: Sku, qty: int, at: datetime) -> DealPricing:
        item = _goods_item(deal.ref)
        if item.sku_id != sku.pk:
            raise DealNotFound(_("该商品不是这个积分商品。"), details={"sku_id": sku.pk})
        if qty != 1:
            raise PurchaseLimitExceeded(details={"max_qty": 1})
        if item.stock_left <= 0:
            raise PointsMallSoldOut(details={"item_id": item.pk})
        if PointsMallRedemption.objects.filter(item_id=item.pk, member_id=member.pk).count() >= item.per_member_limit:
            raise PointsMallLimitReached(details={"item_id": item.pk, "limit": item.per_member_limit})
        balance = points_balance(member_id=member.pk)
        if balance < item.points:
            raise PointsInsufficient(details={"balance": balance, "required": item.points})
        spec = FlashSale(id=_rule_id(item.pk), sku=sku.code, price=item.cash)
        name = _("积分兑换 · %(points)s 积分") % {"points": item.points}
        return DealPricing(specs=(spec,), names={spec.id: name})

    def take(self, *, deal: DealRequest, order: Order, sku: Sku, qty: int) -> int:
        _take(item_id=deal.ref, order=order, points_suffix="")
        return deal.ref

    def release(self, *, order: Order) -> None:
        redemption = PointsMallRedemption.objects.select_for_update().filter(order=order).first()
        if redemption is None:
            return
        PointsMallItem.objects.filter(pk=redemption.item_id, redeemed_count__gt=0).update(
            redeemed_count=F("redeemed_count") - 1
        )
        points_grant(
            member_id=order.member_id,
            delta=redemption.points,
            reason=PointsEntry.Reason.MALL_RETURN,
            ref=redemption.ref,
            note=_("订单 %(no)s 取消，兑换积分退回") % {"no": order.no},
        )
        redemption.delete()

    def retake(self, *, order: Order) -> None:
        """A late payment revives the order: stock, slot and points again, or it is refunded."""
        try:
            _take(item_id=order.deal_ref or 0, order=order, points_suffix=":revived")
        except (PointsMallItemNotFound, PointsMallSoldOut, PointsMallLimitReached, PointsInsufficient) as exc:
            raise DealUnavailable(details={"item_id": order.deal_ref}) from exc

    def refunded(self, *, order: Order, refund: Refund) -> None:
        points_mall_refund_settle(order=order, refund=refund)
