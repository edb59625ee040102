"""The campaign (活动, issue 17 §1): one umbrella over the tools a "618" runs.

A :class:`Campaign` owns a window, a state, a budget, a target segment and a holdout share;
its tools stay where they are (a promotion, a coupon template, a flash slot, a group buy, a
bargain) and are linked by :class:`CampaignTool` rows of ``(kind, object_id)``, so a new tool
kind needs one adapter (``marketing.services.campaign_tools``) and no schema change. A tool
belongs to at most one campaign: the budget knows whose discount an order used.

The budget (B02) is two counters on the campaign row moved by guarded UPDATEs
(``spent <= budget``); :class:`CampaignBudgetHold` is one order's reservation, so a cancel or
refund gives back exactly what that order took, once.

A campaign may have one page (``Campaign.page``, a nullable one-to-one to the editor's
``CampaignPage``): the link lives on the campaign because the campaign owns it (publishing or
ending the campaign publishes or unpublishes the page), while a page stands on its own too (the
shop's home page belongs to no campaign). :class:`CampaignTemplate` is a merchant's saved
template (JSON, validated by ``marketing.services.campaign_templates``); the built-in ones are
declared in code (``marketing.campaign_templates``).
"""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _


class CampaignStatus(models.TextChoices):
    """Stored states; 预热 and 进行中 are both ``live`` (before and after the start)."""

    DRAFT = "draft", _("草稿")
    LIVE = "live", _("已发布")
    PAUSED = "paused", _("已暂停")
    ENDED = "ended", _("已结束")


class CampaignPauseReason(models.TextChoices):
    NONE = "", _("无")
    MERCHANT = "merchant", _("商家暂停")
    BUDGET = "budget", _("预算用完")
    ANOMALY = "anomaly", _("异常自动暂停")


class Campaign(models.Model):
    name = models.CharField(_("活动名称"), max_length=60)
    starts_at = models.DateTimeField(_("开始时间"))
    ends_at = models.DateTimeField(_("结束时间"))
    status = models.CharField(_("状态"), max_length=10, choices=CampaignStatus.choices, default=CampaignStatus.DRAFT)
    pause_reason = models.CharField(
        _("暂停原因"), max_length=10, choices=CampaignPauseReason.choices, default="", blank=True
    )
    budget_amount = models.PositiveBigIntegerField(
        _("优惠预算(分)"), null=True, blank=True, help_text=_("留空表示不限优惠金额")
    )
    budget_uses = models.PositiveIntegerField(_("优惠次数预算"), null=True, blank=True, help_text=_("留空表示不限次数"))
    spent_amount = models.BigIntegerField(_("已占用优惠(分)"), default=0)
    spent_uses = models.IntegerField(_("已占用次数"), default=0)
    segment = models.ForeignKey(
        "members.Segment",
        verbose_name=_("目标人群"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="studio_campaigns",
    )
    holdout_percent = models.PositiveSmallIntegerField(
        _("对照组比例(%)"), default=0, help_text=_("目标人群中留作对照、不参与活动的比例，0–50")
    )
    page = models.OneToOneField(
        "CampaignPage",
        verbose_name=_("活动页面"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="campaign",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("创建人"), null=True, blank=True, on_delete=models.SET_NULL
    )
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True)
    ended_at = models.DateTimeField(_("结束时间(实际)"), null=True, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("营销活动")
        verbose_name_plural = _("营销活动")
        ordering = ["-starts_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")), name="studio_campaign_window_valid"),
            models.CheckConstraint(
                condition=Q(budget_amount__isnull=True) | Q(spent_amount__lte=F("budget_amount")),
                name="campaign_budget_amount_held",
            ),
            models.CheckConstraint(
                condition=Q(budget_uses__isnull=True) | Q(spent_uses__lte=F("budget_uses")),
                name="campaign_budget_uses_held",
            ),
            models.CheckConstraint(
                condition=Q(spent_amount__gte=0) & Q(spent_uses__gte=0), name="campaign_budget_spent_nonnegative"
            ),
            models.CheckConstraint(condition=Q(holdout_percent__lte=50), name="studio_campaign_holdout_at_most_half"),
        ]
        permissions = [("publish_campaign", _("可发布、暂停、延长和结束营销活动"))]

    def __str__(self) -> str:
        return self.name

    @property
    def has_budget(self) -> bool:
        return self.budget_amount is not None or self.budget_uses is not None

    def phase(self, now: datetime) -> str:
        """草稿 / 预热 / 进行中 / 已暂停 / 已结束 as a stable key (the label is :data:`PHASE_LABELS`)."""
        if self.status == CampaignStatus.LIVE:
            if now < self.starts_at:
                return "warmup"
            return "running" if now < self.ends_at else "ended"
        return str(self.status)


PHASE_LABELS = {
    "draft": _("草稿"),
    "warmup": _("预热"),
    "running": _("进行中"),
    "paused": _("已暂停"),
    "ended": _("已结束"),
}


class CampaignToolKind(models.TextChoices):
    PROMOTION = "promotion", _("价格规则")
    COUPON = "coupon", _("优惠券")
    FLASH = "flash", _("秒杀场次")
    GROUP_BUY = "group_buy", _("拼团")
    BARGAIN = "bargain", _("砍价")


class CampaignTool(models.Model):
    """One tool object the campaign runs; the tool stays in its own table."""

    campaign = models.ForeignKey(Campaign, verbose_name=_("营销活动"), on_delete=models.CASCADE, related_name="tools")
    kind = models.CharField(_("工具类型"), max_length=16, choices=CampaignToolKind.choices)
    object_id = models.PositiveBigIntegerField(_("工具对象"))
    created_at = models.DateTimeField(_("加入时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("活动工具")
        verbose_name_plural = _("活动工具")
        ordering = ["campaign", "kind", "object_id"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "object_id"], name="campaign_tool_in_one_campaign"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.object_id}"


class CampaignBudgetHold(models.Model):
    """What one order reserved of a campaign's budget, and how much of it came back."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="holds")
    order = models.ForeignKey("orders.Order", on_delete=models.CASCADE, related_name="campaign_holds")
    amount = models.PositiveBigIntegerField(_("占用优惠(分)"))
    uses = models.PositiveIntegerField(_("占用次数"), default=1)
    released_amount = models.PositiveBigIntegerField(_("已退回优惠(分)"), default=0)
    released_uses = models.PositiveIntegerField(_("已退回次数"), default=0)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("活动预算占用")
        verbose_name_plural = _("活动预算占用")
        constraints = [
            models.UniqueConstraint(fields=["campaign", "order"], name="campaign_hold_once_per_order"),
            models.CheckConstraint(
                condition=Q(released_amount__lte=F("amount")) & Q(released_uses__lte=F("uses")),
                name="campaign_hold_release_bounded",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.campaign_id} · {self.order_id}"


class CampaignTemplate(models.Model):
    """A merchant's campaign template: the template JSON (``format`` duoying.campaign_template),
    tools and page blocks with dates relative to the start. Saved from a campaign or imported."""

    name = models.CharField(_("模板名称"), max_length=60)
    description = models.CharField(_("说明"), max_length=200, blank=True)
    data = models.JSONField(_("模板内容"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("创建人"), null=True, blank=True, on_delete=models.SET_NULL
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("活动模板")
        verbose_name_plural = _("活动模板")
        ordering = ["-pk"]

    def __str__(self) -> str:
        return self.name
