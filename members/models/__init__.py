from members.models.abuse import GUARDED_ACTIONS, BlockEntry, BlockKind, CaptchaMode, GuardSettings
from members.models.address import Address
from members.models.member import Member
from members.models.messages import PUSHES_PER_MONTH, Message, PushAllowance, SubscribeCredit, SubscribeTemplate
from members.models.points import PointsEntry
from members.models.points_mall import PointsExpiryNotice, PointsExpiryRule, PointsMallItem, PointsMallRedemption
from members.models.tiers import TIER_LADDER, FreeShippingUse, GrowthEntry, TierEvaluation, TierPurchase, TierRule

__all__ = [
    "GUARDED_ACTIONS",
    "PUSHES_PER_MONTH",
    "TIER_LADDER",
    "Address",
    "BlockEntry",
    "BlockKind",
    "CaptchaMode",
    "FreeShippingUse",
    "GrowthEntry",
    "GuardSettings",
    "Member",
    "Message",
    "PointsEntry",
    "PointsExpiryNotice",
    "PointsExpiryRule",
    "PointsMallItem",
    "PointsMallRedemption",
    "PushAllowance",
    "SubscribeCredit",
    "SubscribeTemplate",
    "TierEvaluation",
    "TierPurchase",
    "TierRule",
]
