"""Models of this app; each entity family in its own module, re-exported here."""

from marketing.models.bargains import (
    OPEN_BARGAIN_STATUSES,
    Bargain,
    BargainCampaign,
    BargainHelp,
    BargainStatus,
)
from marketing.models.coupons import Coupon, CouponChannel, CouponGroup, CouponKind, CouponStatus, CouponTemplate
from marketing.models.distribution import (
    Attribution,
    Commission,
    CommissionStatus,
    DistributionProgram,
    ProductCommission,
    Promoter,
    PromoterStatus,
    Withdrawal,
    WithdrawalStatus,
)
from marketing.models.group_buys import (
    GroupBuyCampaign,
    GroupBuyGroup,
    GroupBuyItem,
    GroupBuyMember,
    GroupMemberStatus,
    GroupOutcome,
    GroupStatus,
)
from marketing.models.invites import Invite, InviteOrder, InviteProgram, InviteReward
from marketing.models.policy import DEFAULT_TIER_RATES, PricingPolicy, SameTypeResolution, TierRate
from marketing.models.promotions import SCOPED_TYPES, Promotion, PromotionType, PromotionUsage, StepCounter

__all__ = [
    "DEFAULT_TIER_RATES",
    "OPEN_BARGAIN_STATUSES",
    "SCOPED_TYPES",
    "Attribution",
    "Bargain",
    "BargainCampaign",
    "BargainHelp",
    "BargainStatus",
    "Commission",
    "CommissionStatus",
    "Coupon",
    "CouponChannel",
    "CouponGroup",
    "CouponKind",
    "CouponStatus",
    "CouponTemplate",
    "DistributionProgram",
    "GroupBuyCampaign",
    "GroupBuyGroup",
    "GroupBuyItem",
    "GroupBuyMember",
    "GroupMemberStatus",
    "GroupOutcome",
    "GroupStatus",
    "Invite",
    "InviteOrder",
    "InviteProgram",
    "InviteReward",
    "PricingPolicy",
    "ProductCommission",
    "Promoter",
    "PromoterStatus",
    "Promotion",
    "PromotionType",
    "PromotionUsage",
    "SameTypeResolution",
    "StepCounter",
    "TierRate",
    "Withdrawal",
    "WithdrawalStatus",
]
