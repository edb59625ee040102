"""The single call path for prices at checkout: preview and ``order_place`` both ask here.

This first version prices every line at its list price and adds the shop's shipping rule and
points redemption; the promotion engine in ``marketing.pricing`` replaces the body of
:func:`quote_for_checkout` without changing :class:`CheckoutQuote`, so orders never change.

Invariants every version keeps (``order_place`` and refunds rely on them):

* ``line.item_amount == line.unit_price * line.qty`` (after item-level promotions);
* ``line.paid_amount == line.item_amount - line.discount_amount`` and
  ``line.discount_amount == sum(a["amount"] for a in line.allocations)`` (order-level rules,
  coupons and points spread over lines);
* ``goods_amount - discount_amount - points_discount + shipping_fee == payable_amount ==
  sum(line.paid_amount) + shipping_fee``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Literal

from mall.models import ShopSettings, Sku
from mall.money import Fen, allocate, apply_rate, format_yuan
from members.selectors.points import points_balance

if TYPE_CHECKING:
    from members.models import Member

PointsRequest = int | Literal["max"]

# F15: 100 points = 1 yuan, so one point is worth one fen; at most half of the goods may be
# paid with points (the pricing engine's StackingPolicy carries the same defaults).
POINTS_FEN_PER_POINT = 1
POINTS_CAP_RATE = Decimal("0.5")


@dataclass(frozen=True, kw_only=True)
class QuoteLine:
    """One priced line; amounts are integer fen for the whole line unless named unit_."""

    sku_id: int
    qty: int
    list_price: Fen
    unit_price: Fen
    item_amount: Fen
    discount_amount: Fen
    paid_amount: Fen
    allocations: tuple[dict[str, Any], ...] = ()
    is_gift: bool = False


@dataclass(frozen=True, kw_only=True)
class CheckoutQuote:
    """The priced checkout: what the preview shows and what ``order_place`` persists."""

    lines: tuple[QuoteLine, ...]
    goods_amount: Fen
    discount_amount: Fen
    shipping_fee: Fen
    points_used: int
    points_discount: Fen
    payable_amount: Fen
    applied: tuple[dict[str, Any], ...] = ()
    rejected: tuple[dict[str, Any], ...] = ()
    hints: tuple[dict[str, Any], ...] = field(default_factory=tuple)

    def as_json(self) -> dict[str, Any]:
        """The breakdown an order keeps in ``Order.pricing`` (plain JSON types only)."""
        return {
            "goods_amount": self.goods_amount,
            "discount_amount": self.discount_amount,
            "shipping_fee": self.shipping_fee,
            "points_used": self.points_used,
            "points_discount": self.points_discount,
            "payable_amount": self.payable_amount,
            "applied": list(self.applied),
            "rejected": list(self.rejected),
            "hints": list(self.hints),
        }


def shipping_fee_for(*, goods_after_discounts: Fen, shop: ShopSettings) -> Fen:
    """Flat fee, free at or above the threshold measured on goods after discounts (before points)."""
    if goods_after_discounts <= 0 or goods_after_discounts >= shop.free_shipping_threshold:
        return 0
    return shop.shipping_flat_fee


def quote_for_checkout(
    *,
    member: Member,
    items: Sequence[tuple[Sku, int]],
    coupon_ids: Sequence[int | str] = (),
    points: PointsRequest = 0,
) -> CheckoutQuote:
    """Price ``items`` (SKU, qty) for ``member``. Reads only; callers validate SKUs and quantities."""
    shop = ShopSettings.load()
    base_lines = [(sku, qty, sku.price * qty) for sku, qty in items]
    goods_amount = sum(amount for _sku, _qty, amount in base_lines)
    discount_amount = 0
    goods_after_discounts = goods_amount - discount_amount

    rejected: list[dict[str, Any]] = [
        {"rule_id": str(coupon_id), "rule_type": "coupon", "reason": "coupon_not_applicable"}
        for coupon_id in coupon_ids
    ]
    hints: list[dict[str, Any]] = []
    applied: list[dict[str, Any]] = []

    points_used, points_rejection = _points_to_use(member=member, requested=points, base=goods_after_discounts)
    if points_rejection:
        rejected.append(points_rejection)
    points_discount = points_used * POINTS_FEN_PER_POINT
    if points_used:
        applied.append({"rule_id": "points", "rule_type": "points", "level": "points", "amount": points_discount})

    shipping_fee = shipping_fee_for(goods_after_discounts=goods_after_discounts, shop=shop)
    if shipping_fee:
        short_by = shop.free_shipping_threshold - goods_after_discounts
        hints.append(
            {
                "rule_id": "free_shipping",
                "rule_type": "free_shipping",
                "short_by": short_by,
                "reward": shipping_fee,
                "text": f"再买 {format_yuan(short_by)} 元即可包邮",
            }
        )

    points_shares = allocate(points_discount, [amount for _sku, _qty, amount in base_lines])
    lines = tuple(
        QuoteLine(
            sku_id=sku.pk,
            qty=qty,
            list_price=sku.price,
            unit_price=sku.price,
            item_amount=amount,
            discount_amount=share,
            paid_amount=amount - share,
            allocations=({"rule_id": "points", "rule_type": "points", "amount": share},) if share else (),
        )
        for (sku, qty, amount), share in zip(base_lines, points_shares, strict=True)
    )
    return CheckoutQuote(
        lines=lines,
        goods_amount=goods_amount,
        discount_amount=discount_amount,
        shipping_fee=shipping_fee,
        points_used=points_used,
        points_discount=points_discount,
        payable_amount=goods_after_discounts - points_discount + shipping_fee,
        applied=tuple(applied),
        rejected=tuple(rejected),
        hints=tuple(hints),
    )


def _points_to_use(*, member: Member, requested: PointsRequest, base: Fen) -> tuple[int, dict[str, Any] | None]:
    """Clamp the request to the balance and the cap; say why when the shopper asked for more."""
    if requested == 0:
        return 0, None
    cap = apply_rate(base, POINTS_CAP_RATE) // POINTS_FEN_PER_POINT
    balance = points_balance(member_id=member.pk)
    usable = max(0, min(balance, cap))
    if requested == "max":
        return usable, None
    wanted = max(0, int(requested))
    if wanted <= usable:
        return wanted, None
    reason = "points_insufficient" if wanted > balance else "points_over_cap"
    return usable, {"rule_id": "points", "rule_type": "points", "reason": reason, "detail": f"max {usable}"}
