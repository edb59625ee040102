"""Coupon kinds (step 3). Thresholds and rates are measured on the coupon's scope amount after
item and order promotions, never after other coupons, so each coupon's saving stands alone."""

from __future__ import annotations

from mall.money import Fen, rate_applier
from marketing.pricing.rules.base import CouponRule, register_coupon
from marketing.pricing.types import CouponSpec


@register_coupon
class AmountOffRule(CouponRule):
    """满X减Y."""

    kind = "amount_off"

    def discount(self, amount: Fen) -> Fen:
        return min(self.spec.off, amount)


@register_coupon
class RateOffRule(CouponRule):
    """满X打折: the paid amount is rounded half up, the saving is the rest, capped by max_off."""

    kind = "rate_off"

    def __init__(self, spec: CouponSpec) -> None:
        super().__init__(spec)
        self.apply = None if spec.rate is None else rate_applier(spec.rate)

    def discount(self, amount: Fen) -> Fen:
        off = 0 if self.apply is None else amount - self.apply(amount)
        if self.spec.max_off is not None:
            off = min(off, self.spec.max_off)
        return off


@register_coupon
class NoThresholdRule(CouponRule):
    """无门槛: any amount in scope."""

    kind = "no_threshold"

    def reaches(self, amount: Fen) -> bool:
        return amount > 0

    def discount(self, amount: Fen) -> Fen:
        return min(self.spec.off, amount)
