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
    RuleContext,
    coupon_rule,
    item_rule,
    order_rule,
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
    "RuleContext",
    "coupon_rule",
    "coupons",
    "item",
    "item_rule",
    "order",
    "order_rule",
    "screen",
]
