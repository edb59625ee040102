"""Messages to shoppers (F48): an in-app inbox, and WeChat subscribe pushes capped per month.

Every tool that tells a shopper something (a restock, a failed group, an approved promoter…)
writes one :class:`Message`. When the merchant has mapped the message's ``kind`` to a WeChat
subscribe-message template (:class:`SubscribeTemplate`), the message is also pushed, at most
``PUSHES_PER_MONTH`` times per shopper per calendar month (Asia/Shanghai), counted by
:class:`PushAllowance` with a guarded UPDATE so concurrent workers cannot go past the cap.
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
        CAPPED = "capped", _("超出本月上限")
        FAILED = "failed", _("推送失败")

    member = models.ForeignKey(
        "members.Member", verbose_name=_("会员"), on_delete=models.CASCADE, related_name="messages"
    )
    kind = models.CharField(_("类型"), max_length=32, db_index=True)
    title = models.CharField(_("标题"), max_length=60)
    body = models.CharField(_("内容"), max_length=300, blank=True)
    link = models.CharField(_("小程序页面"), max_length=200, blank=True)
    push_status = models.CharField(_("推送"), max_length=10, choices=PushStatus.choices, default=PushStatus.NONE)
    push_error = models.CharField(_("推送结果"), max_length=200, blank=True)
    read_at = models.DateTimeField(_("已读时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("站内消息")
        verbose_name_plural = _("站内消息")
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["member", "-id"]),
            models.Index(fields=["member"], condition=Q(read_at__isnull=True), name="message_unread_idx"),
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
