"""Campaigns aimed at a segment (F34 targeting, B03 holdout).

When a campaign starts its segment's members are frozen into :class:`CampaignMember` rows, each
either treated or held out (a stable hash of campaign and shopper), so the report compares the
same people however the segment changes later.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class SegmentCampaign(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("草稿")
        SENDING = "sending", _("发放中")
        SENT = "sent", _("已发放")

    name = models.CharField(_("名称"), max_length=40)
    segment = models.ForeignKey(
        "members.Segment", verbose_name=_("人群"), on_delete=models.PROTECT, related_name="campaigns"
    )
    coupon_template = models.ForeignKey(
        "marketing.CouponTemplate",
        verbose_name=_("赠送优惠券"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    message_title = models.CharField(_("消息标题"), max_length=60, blank=True)
    message_body = models.CharField(_("消息内容"), max_length=300, blank=True)
    points = models.PositiveIntegerField(_("赠送积分"), default=0)
    holdout_percent = models.PositiveSmallIntegerField(_("对照组比例（%）"), default=0)
    window_days = models.PositiveSmallIntegerField(_("效果统计天数"), default=14)
    status = models.CharField(_("状态"), max_length=8, choices=Status.choices, default=Status.DRAFT)
    started_at = models.DateTimeField(_("开始时间"), null=True, blank=True)
    follow_up = models.BooleanField(_("生成客服回访任务"), default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("创建人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("人群活动")
        verbose_name_plural = _("人群活动")
        ordering = ["-id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(holdout_percent__lte=50), name="campaign_holdout_at_most_half"),
        ]

    def __str__(self) -> str:
        return self.name


class CampaignMember(models.Model):
    class Skip(models.TextChoices):
        NONE = "", _("—")
        COUPON_LIMIT = "coupon_limit", _("已达领取上限")
        COUPON_SOLD_OUT = "coupon_sold_out", _("优惠券已发完")
        BLOCKED = "blocked", _("会员已封禁")
        AUDIENCE = "audience", _("不在优惠券适用人群内")
        # B03: in the shop's global holdout, so left out of the campaign (neither treated nor its holdout).
        GLOBAL_HOLDOUT = "global_holdout", _("全局对照组")

    campaign = models.ForeignKey(
        SegmentCampaign, verbose_name=_("活动"), on_delete=models.CASCADE, related_name="members"
    )
    member = models.ForeignKey("members.Member", verbose_name=_("会员"), on_delete=models.CASCADE, related_name="+")
    is_holdout = models.BooleanField(_("对照组"), default=False)
    delivered = models.BooleanField(_("已处理"), default=False)
    coupon = models.ForeignKey(
        "marketing.Coupon", verbose_name=_("优惠券"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    message = models.ForeignKey(
        "members.Message", verbose_name=_("消息"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    skip_reason = models.CharField(_("未送达原因"), max_length=16, choices=Skip.choices, blank=True, default="")
    # 专属客服回访 (churn-risk playbook): customer service ticks it off.
    followed_up_at = models.DateTimeField(_("已回访"), null=True, blank=True)
    follow_up_note = models.CharField(_("回访记录"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("客服回访")
        verbose_name_plural = _("客服回访")
        constraints = [models.UniqueConstraint(fields=["campaign", "member"], name="campaign_member_once")]
        indexes = [models.Index(fields=["campaign", "is_holdout", "delivered"])]

    def __str__(self) -> str:
        return f"{self.campaign_id}:{self.member_id}"
