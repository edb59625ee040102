from members.models.abuse import GUARDED_ACTIONS, BlockEntry, BlockKind, CaptchaMode, GuardSettings
from members.models.address import Address
from members.models.campaigns import CampaignMember, SegmentCampaign
from members.models.member import Member
from members.models.messages import PUSHES_PER_MONTH, Message, PushAllowance, SubscribeCredit, SubscribeTemplate
from members.models.points import PointsEntry
from members.models.segments import EarlyAccess, Layer, LayerSnapshot, Segment
from members.models.tags import MemberRfm, MemberTag, RfmGroup, Tag, TagBulkJob, TagRule, TagRuleKey

__all__ = [
    "GUARDED_ACTIONS",
    "PUSHES_PER_MONTH",
    "Address",
    "BlockEntry",
    "BlockKind",
    "CampaignMember",
    "CaptchaMode",
    "EarlyAccess",
    "GuardSettings",
    "Layer",
    "LayerSnapshot",
    "Member",
    "MemberRfm",
    "MemberTag",
    "Message",
    "PointsEntry",
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
]
