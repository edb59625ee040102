from members.models.abuse import GUARDED_ACTIONS, BlockEntry, BlockKind, CaptchaMode, GuardSettings
from members.models.address import Address
from members.models.campaigns import CampaignMember, SegmentCampaign
from members.models.checkin import CheckIn, CheckInReminder, CheckInRule
from members.models.member import Member
from members.models.member_import import MemberImport
from members.models.messages import PUSHES_PER_MONTH, Message, PushAllowance, SubscribeCredit, SubscribeTemplate
from members.models.points import PointsEntry
from members.models.points_mall import PointsExpiryNotice, PointsExpiryRule, PointsMallItem, PointsMallRedemption
from members.models.segments import EarlyAccess, Layer, LayerSnapshot, Segment
from members.models.tags import MemberRfm, MemberTag, RfmGroup, Tag, TagBulkJob, TagRule, TagRuleKey
from members.models.tiers import TIER_LADDER, FreeShippingUse, GrowthEntry, TierEvaluation, TierPurchase, TierRule

__all__ = [
    "GUARDED_ACTIONS",
    "PUSHES_PER_MONTH",
    "TIER_LADDER",
    "Address",
    "BlockEntry",
    "BlockKind",
    "CampaignMember",
    "CaptchaMode",
    "CheckIn",
    "CheckInReminder",
    "CheckInRule",
    "EarlyAccess",
    "FreeShippingUse",
    "GrowthEntry",
    "GuardSettings",
    "Layer",
    "LayerSnapshot",
    "Member",
    "MemberImport",
    "MemberRfm",
    "MemberTag",
    "Message",
    "PointsEntry",
    "PointsExpiryNotice",
    "PointsExpiryRule",
    "PointsMallItem",
    "PointsMallRedemption",
    "PushAllowance",
    "RfmGroup",
    "Segment",
    "SegmentCampaign",
    "SubscribeCredit",
    "SubscribeTemplate",
    "Tag",
    "TagBulkJob",
    "TagRule",
    "TagRuleKey",
    "TierEvaluation",
    "TierPurchase",
    "TierRule",
]
