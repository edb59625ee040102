"""Rule classes, registered by ``type`` (promotions) or ``kind`` (coupons) on import."""

from marketing.pricing.rules import coupons, item, order
from marketing.pricing.rules.base import (
    COUPON_RULES,
    ITEM_RULES,
    ORDER_RULES,
    CouponRule,
    ItemRule,
    OrderOutcome,
    OrderRule,
    Rule,
    RuleContext,
    coupon_rule,
    screen,
)

__all__ = [
    "COUPON_RULES",
    "ITEM_RULES",
    "ORDER_RULES",
    "CouponRule",
    "ItemRule",
    "OrderOutcome",
    "OrderRule",
    "Rule",
    "RuleContext",
    "coupon_rule",
    "coupons",
    "item",
    "order",
    "screen",
]
