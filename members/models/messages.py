"""Messages to shoppers (F48): an in-app inbox, and WeChat subscribe pushes capped per month.

Every tool that tells a shopper something (a restock, a failed group, an approved promoter…)
writes one :class:`Message`. When the merchant has mapped the message's ``kind`` to a WeChat
subscribe-message template (:class:`SubscribeTemplate`), the message is also pushed — but only
when the shopper granted that template (:class:`SubscribeCredit`: WeChat's one-time
subscription, one push per "accept"), at most ``PUSHES_PER_MONTH`` times per shopper per
calendar month (Asia/Shanghai, :class:`PushAllowance`), and never in the quiet hours (held until
morning). Both counters move by guarded UPDATEs, so concurrent workers cannot overspend them.
A message not pushed says why (``skip_reason``).
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

PUSHES_PER_MONTH = 4


class Message(models.Model):
    class PushStatus(models.TextChoices):
        NONE = "none", _("不推送")
        PENDING = "pending", _("待推送")
        SENDING = "sending", _("推送中")
        SENT = "sent", _("已推送")
        HELD = "held", _("免打扰时段，待早上推送")
        SKIPPED = "skipped", _("未授权，未推送")
        CAPPED = "capped", _("超出本月上限")
        FAILED = "failed", _("推送失败")

    class SkipReason(models.TextChoices):
        """Why a push did not go out (now): one of these on every message not sent."""

        NO_CONSENT = "no_consent", _("用户未授权")
        MONTHLY_CAP = "monthly_cap", _("超出每月上限")
        QUIET_HOURS = "quiet_hours", _("免打扰时段")
        WECHAT_ERROR = "wechat_error", _("微信接口报错")
        # B03: a marketing message to a shopper in the global holdout is recorded, never shown or pushed.
        GLOBAL_HOLDOUT = "global_holdout", _("全局对照组")

    member = models.ForeignKey(
        "members.Member", verbose_name=_("会员"), on_delete=models.CASCADE, related_name="messages"
    )
    kind = models.CharField(_("类型"), max_length=32, db_index=True)
    title = models.CharField(_("标题"), max_length=60)
    body = models.CharField(_("内容"), max_length=300, blank=True)
    link = models.CharField(_("小程序页面"), max_length=200, blank=True)
    push_status = models.CharField(_("推送"), max_length=10, choices=PushStatus.choices, default=PushStatus.NONE)
    push_error = models.CharField(_("推送结果"), max_length=200, blank=True)
    skip_reason = models.CharField(_("未推送原因"), max_length=16, choices=SkipReason.choices, blank=True)
    # Set when quiet hours held the push: the moment it may go (the end of the quiet hours).
    push_after = models.DateTimeField(_("延后推送至"), null=True, blank=True)
    read_at = models.DateTimeField(_("已读时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("站内消息")
        verbose_name_plural = _("站内消息")
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["member", "-id"]),
            models.Index(fields=["member"], condition=Q(read_at__isnull=True), name="message_unread_idx"),
            models.Index(fields=["push_status", "push_after"], name="message_held_idx"),
            models.Index(fields=["created_at"], name="message_created_idx"),
        ]

    def __str__(self) -> str:
        return self.title


class SubscribeTemplate(models.Model):
    """The merchant's WeChat subscribe-message template for one kind of message.

    ``fields`` maps the template's keys to what fills them: ``{"thing1": "title",
    "thing2": "body", "time3": "time"}`` (``title``, ``body``, ``time`` or ``"text:固定文字"``).
    """

    kind = models.CharField(_("消息类型"), max_length=32, unique=True)
    template_id = models.CharField(_("模板 ID"), max_length=64)
    fields = models.JSONField(_("字段映射"), default=dict)
    page = models.CharField(_("跳转页面"), max_length=200, blank=True, help_text=_("留空则使用消息自带的页面"))
    is_active = models.BooleanField(_("启用"), default=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("订阅消息模板")
        verbose_name_plural = _("订阅消息模板")
        ordering = ["kind"]

    def __str__(self) -> str:
        return self.kind


class PushAllowance(models.Model):
    """Pushes one shopper has used in one month ("2026-12"); never above the cap."""

    member = models.ForeignKey("members.Member", on_delete=models.CASCADE, related_name="+")
    month = models.CharField(max_length=7)
    used = models.PositiveSmallIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["member", "month"], name="push_allowance_once"),
            models.CheckConstraint(condition=Q(used__lte=PUSHES_PER_MONTH), name="push_allowance_cap"),
        ]

    def __str__(self) -> str:
        return f"{self.member_id}@{self.month}: {self.used}"


class SubscribeCredit(models.Model):
    """How many one-time pushes a shopper granted for one WeChat template id.

    WeChat's one-time subscription lets the app send one message per "accept" the shopper gave
    in ``wx.requestSubscribeMessage``: each accept adds one credit, each push spends one (a
    guarded UPDATE, never below zero), and WeChat's refusal (43101) zeroes it — the shopper's
    grants were used up or withdrawn. Keyed by WeChat's template id, since that is what the
    shopper granted (a kind re-mapped to another template needs a new grant).
    """

    member = models.ForeignKey("members.Member", on_delete=models.CASCADE, related_name="+")
    template_id = models.CharField(_("模板 ID"), max_length=64)
    credits = models.PositiveIntegerField(_("可推送次数"), default=0)
    accepted_total = models.PositiveIntegerField(_("累计授权次数"), default=0)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("订阅授权")
        verbose_name_plural = _("订阅授权")
        constraints = [
            models.UniqueConstraint(fields=["member", "template_id"], name="subscribe_credit_once"),
            models.CheckConstraint(condition=Q(credits__gte=0), name="subscribe_credit_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.member_id}/{self.template_id}: {self.credits}"
