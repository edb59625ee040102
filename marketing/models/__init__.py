"""Models of this app; each entity family in its own module, re-exported here."""

from marketing.models.coupons import Coupon, CouponChannel, CouponGroup, CouponKind, CouponStatus, CouponTemplate
from marketing.models.policy import DEFAULT_TIER_RATES, PricingPolicy, SameTypeResolution, TierRate
from marketing.models.promotions import SCOPED_TYPES, Promotion, PromotionType, PromotionUsage, StepCounter

__all__ = [
    "DEFAULT_TIER_RATES",
    "SCOPED_TYPES",
    "Coupon",
    "CouponChannel",
    "CouponGroup",
    "CouponKind",
    "CouponStatus",
    "CouponTemplate",
    "PricingPolicy",
    "Promotion",
    "PromotionType",
    "PromotionUsage",
    "SameTypeResolution",
    "StepCounter",
    "TierRate",
]
