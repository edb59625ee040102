"""Item-level rules (step 1). Each offers a unit price; the lowest one wins, nothing multiplies.

Every item offer depends only on the list price, so a rule is compiled to one ``offer``
function (list price -> unit price) that the applicator calls per covered line.
"""

from __future__ import annotations

from collections.abc import Callable

from mall.money import Fen, rate_applier
from marketing.pricing import reasons
from marketing.pricing.rules.base import ItemRule, LineOffer, RuleContext, kept, register_item
from marketing.pricing.state import LineState
from marketing.pricing.types import (
    BargainPrice,
    FanPrice,
    FlashSale,
    GroupPrice,
    LimitedDiscount,
    PriceStep,
    PricingError,
    SteppedPrice,
    TierRate,
    UnitRange,
)

_new = tuple.__new__
OFFERS_KEPT = 256  # (list price, quantity) offers a stepped rule keeps (``kept``); its lines are immutable


def fixed(price: Fen) -> Callable[[Fen], Fen]:
    return lambda _list_price: price


def unchanged(list_price: Fen) -> Fen:
    return list_price


@register_item
class FlashSaleRule(ItemRule[FlashSale]):
    """秒杀 price; its per-user limit counts units, and a cart over it is refused outright."""

    type = "flash_sale"
    special = True
    counts_orders = False
    sku_field = "sku"
    checks_winner = True

    def __init__(self, spec: FlashSale) -> None:
        super().__init__(spec)
        self.offer = fixed(spec.price)

    def check_winner(self, line: LineState, ctx: RuleContext) -> None:
        limit = self.spec.per_user_limit
        if limit is None:
            return
        used = ctx.shopper.used.get(self.spec.id, 0)
        if used + line.qty > limit:
            raise PricingError(
                reasons.PURCHASE_LIMIT_EXCEEDED,
                f"秒杀 {self.spec.id} 每人限购 {limit} 件 (已购 {used} 件, 本单 {line.qty} 件)",
            )


@register_item
class LimitedDiscountRule(ItemRule[LimitedDiscount]):
    """限时折扣 over a scope."""

    type = "limited_discount"

    def __init__(self, spec: LimitedDiscount) -> None:
        super().__init__(spec)
        self.offer = rate_applier(spec.rate)
        self.rate_fraction = spec.rate.as_integer_ratio()


@register_item
class TierRateRule(ItemRule[TierRate]):
    """会员折扣 from the shop's tier table; applies to every line."""

    type = "tier_rate"

    def __init__(self, spec: TierRate) -> None:
        super().__init__(spec)
        self.offer = rate_applier(spec.rate)
        self.rate_fraction = spec.rate.as_integer_ratio()


@register_item
class SteppedPriceRule(ItemRule[SteppedPrice]):
    """阶梯涨价: the line holds units ``sold + 1 … sold + qty`` of the campaign's sequence; each
    pays the rate of its step (list price beyond the last), so a line can straddle steps."""

    type = "stepped_price"
    sku_field = "sku"
    by_unit = True

    def __init__(self, spec: SteppedPrice) -> None:
        super().__init__(spec)
        self.steps = tuple((step.upto, step.rate, rate_applier(step.rate)) for step in sorted(spec.steps, key=_upto))
        last = self.steps[-1][0] if self.steps else 0
        first_rate = next((rate for upto, rate, _apply in self.steps if spec.sold + 1 <= upto), None)
        self.offer = rate_applier(first_rate) if first_rate is not None else unchanged
        if spec.sold >= last:
            self.blocked = (reasons.STEPS_EXHAUSTED, f"{spec.sold} units sold, beyond the last step")
        # what a line of (list price, quantity) is offered: fixed by the spec, which holds the
        # units sold, so the ranges are built once per line a cart asks about (issue 12)
        self._offers: dict[tuple[Fen, int], LineOffer] = {}

    def line_offer(self, list_price: Fen, qty: int) -> LineOffer:
        key = (list_price, qty)
        offer = self._offers.get(key)
        if offer is None:
            offer = kept(self._offers, key, self._line_offer(list_price, qty), OFFERS_KEPT)
        return offer

    def _line_offer(self, list_price: Fen, qty: int) -> LineOffer:
        first, left, amount = self.spec.sold + 1, qty, 0
        ranges: list[UnitRange] = []
        lowest = list_price
        for upto, rate, apply in self.steps:
            if left == 0:
                break
            if first > upto:
                continue
            count = min(left, upto - first + 1)
            price = apply(list_price)
            ranges.append(UnitRange(first, first + count - 1, price, rate))
            amount += price * count
            first += count
            left -= count
            if price < lowest or len(ranges) == 1:
                lowest = price
        if left:
            ranges.append(UnitRange(first, first + left - 1, list_price, None))
            amount += list_price * left
            if list_price < lowest or len(ranges) == 1:
                lowest = list_price
        # LineOffer(...) without the NamedTuple's Python frame (issue 12: per stepped line per quote)
        return _new(LineOffer, (amount, lowest, tuple(ranges)))


def _upto(step: PriceStep) -> int:
    return step.upto


@register_item
class GroupPriceRule(ItemRule[GroupPrice]):
    """拼团价 for a shopper buying within a group."""

    type = "group_price"
    special = True
    sku_field = "sku"

    def __init__(self, spec: GroupPrice) -> None:
        super().__init__(spec)
        self.offer = fixed(spec.price)


@register_item
class FanPriceRule(ItemRule[FanPrice]):
    """粉丝专属价: a live room's price for its followers."""

    type = "fan_price"
    special = True
    sku_field = "sku"

    def __init__(self, spec: FanPrice) -> None:
        super().__init__(spec)
        self.offer = fixed(spec.price)


@register_item
class BargainPriceRule(ItemRule[BargainPrice]):
    """砍价: the bargain's current price."""

    type = "bargain_price"
    special = True
    sku_field = "sku"

    def __init__(self, spec: BargainPrice) -> None:
        super().__init__(spec)
        self.offer = fixed(spec.price)
