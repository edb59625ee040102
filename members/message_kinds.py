"""Every kind of message the shop sends (F48), its name for people and the moments it follows.

A kind is what a tool passes to ``message_send`` (``group_failed``, ``flash_restock`` …). The
console shows its name, never the code. A *moment* is a shopper's action after which the
mini-program asks WeChat for one-time subscriptions (``wx.requestSubscribeMessage``): the kinds
listed under a moment are the messages that may follow from that action, so the shopper is
asked for exactly those templates there. A tool with a new kind registers it here once
(:func:`message_kind_register`, e.g. from its ``AppConfig.ready``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext_lazy as _

# The mini-program's moments (core/subscribe.js asks at each of them), named for the console.
MOMENT_LABELS: dict[str, Any] = {
    "paid": _("支付后"),
    "group_open": _("开团后"),
    "group_join": _("参团后"),
    "bargain_start": _("发起砍价时"),
    "restock_reserve": _("预约补货时"),
    "coupon_claim": _("领券时"),
    "checkin": _("签到时"),
    "team": _("开团或加入团队时"),
    "live_follow": _("关注直播间时"),
}
MOMENTS: tuple[str, ...] = tuple(MOMENT_LABELS)
# WeChat takes at most three template ids per wx.requestSubscribeMessage call.
TEMPLATES_PER_ASK = 3


@dataclass(frozen=True)
class MessageKind:
    kind: str
    label: Any  # a lazy translation
    moments: tuple[str, ...] = ()
    # Marketing (journeys, segment campaigns, coupon pushes, activity and check-in reminders) or
    # transactional (orders, payments, after-sales, group results, account notices): the global
    # holdout (``members.global_holdout``) gets no marketing message and every transactional one.
    marketing: bool = False


_KINDS: dict[str, MessageKind] = {}


def message_kind_register(
    *, kind: str, label: Any, moments: tuple[str, ...] = (), marketing: bool = False
) -> MessageKind:
    """Declare a kind (idempotent: the last declaration wins). Unknown moments are a bug."""
    unknown = set(moments) - set(MOMENTS)
    if unknown:
        raise ValueError(f"unknown subscribe moments {sorted(unknown)} for message kind {kind!r}")
    entry = MessageKind(kind=kind, label=label, moments=tuple(moments), marketing=marketing)
    _KINDS[kind] = entry
    return entry


def message_kind_label(kind: str) -> str:
    """The kind's name for people; a kind nobody declared shows as its code."""
    entry = _KINDS.get(kind)
    return str(entry.label) if entry is not None else kind


def message_kind_is_marketing(kind: str) -> bool:
    """A marketing kind; a kind nobody declared counts as transactional (never silenced)."""
    entry = _KINDS.get(kind)
    return entry is not None and entry.marketing


def message_kinds() -> list[MessageKind]:
    return list(_KINDS.values())


def kinds_for_moment(moment: str) -> list[str]:
    return [entry.kind for entry in _KINDS.values() if moment in entry.moments]


# Kinds sent to promote rather than to tell a shopper about their own order, group or account.
MARKETING_KINDS = frozenset({"flash_restock", "coupon_expiring", "segment_campaign", "checkin_reminder"})

for _kind, _label, _moments in (
    ("group_completed", _("拼团成功"), ("group_open", "group_join")),
    ("group_failed", _("拼团失败"), ("group_open", "group_join")),
    ("bargain_reached", _("砍价成功"), ("bargain_start",)),
    ("bargain_expired", _("砍价结束"), ("bargain_start",)),
    ("flash_restock", _("补货提醒"), ("restock_reserve",)),
    ("coupon_expiring", _("优惠券即将过期"), ("coupon_claim",)),
    ("invite_rewarded", _("邀请奖励到账"), ()),
    ("promoter_approved", _("推广员申请通过"), ()),
    ("promoter_rejected", _("推广员申请未通过"), ()),
    ("promoter_disabled", _("推广员资格停用"), ()),
    ("promoter_enabled", _("推广员资格恢复"), ()),
    ("withdrawal_paid", _("佣金提现已打款"), ()),
    ("withdrawal_rejected", _("佣金提现被拒绝"), ()),
    ("segment_campaign", _("会员专属活动"), ("paid", "coupon_claim")),
    ("tier_upgraded", _("会员等级升级"), ("paid",)),
    ("tier_keep_warning", _("会员保级提醒"), ()),
    ("tier_downgraded", _("会员等级调整"), ()),
    ("points_expiring", _("积分即将过期"), ()),
    ("checkin_reminder", _("签到提醒"), ("checkin",)),
):
    message_kind_register(kind=_kind, label=_label, moments=_moments, marketing=_kind in MARKETING_KINDS)
