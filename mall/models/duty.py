"""The duty roster (系统 › 值班) and the staff alerts delivered to whoever is on duty.

A :class:`DutyShift` says who watches the shop on which weekdays between which hours (shop
time, Asia/Shanghai) and where to reach them: an e-mail address and/or a 企业微信 group
robot's webhook. When something needs a person (an anomaly paused a campaign, F31), one
:class:`StaffAlertDelivery` row is made per destination of the staff on duty; the row is the
"send it once" ticket: unique per alert, channel and destination, claimed by one worker with a
conditional UPDATE before anything is sent.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

WEEKDAY_CHOICES = (
    (0, _("周一")),
    (1, _("周二")),
    (2, _("周三")),
    (3, _("周四")),
    (4, _("周五")),
    (5, _("周六")),
    (6, _("周日")),
)


class DutyShift(models.Model):
    """One staff member on duty on some weekdays between two times (past midnight when the end
    is not after the start: 22:00–08:00 covers the night)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("值班员工"), on_delete=models.CASCADE, related_name="duty_shifts"
    )
    weekdays = models.JSONField(_("值班日"), default=list)
    starts_at = models.TimeField(_("开始时间"))
    ends_at = models.TimeField(_("结束时间"))
    email = models.EmailField(_("通知邮箱"), blank=True)
    wecom_webhook = models.URLField(_("企业微信群机器人地址"), max_length=300, blank=True)
    is_active = models.BooleanField(_("启用"), default=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("值班安排")
        verbose_name_plural = _("值班安排")
        ordering = ["starts_at", "pk"]

    def __str__(self) -> str:
        return f"{self.user} {self.starts_at:%H:%M}–{self.ends_at:%H:%M}"


class AlertChannel(models.TextChoices):
    EMAIL = "email", _("邮件")
    WECOM = "wecom", _("企业微信群")


class AlertDeliveryStatus(models.TextChoices):
    PENDING = "pending", _("待发送")
    SENDING = "sending", _("发送中")
    SENT = "sent", _("已送达")
    FAILED = "failed", _("发送失败")
    # The worker stopped between claiming and recording the answer: it may have gone out, so it is
    # never sent again on its own (a duplicate is worse than asking the staff to look).
    UNCERTAIN = "uncertain", _("结果未知")


class StaffAlertDelivery(models.Model):
    """One alert to one destination of the staff on duty (e-mail address or group robot)."""

    kind = models.CharField(_("告警类型"), max_length=40)
    ref_id = models.PositiveBigIntegerField(_("告警编号"))
    channel = models.CharField(_("渠道"), max_length=10, choices=AlertChannel.choices)
    target = models.CharField(_("发送地址"), max_length=300)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("值班员工"), null=True, blank=True, on_delete=models.SET_NULL
    )
    status = models.CharField(
        _("状态"), max_length=10, choices=AlertDeliveryStatus.choices, default=AlertDeliveryStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("尝试次数"), default=0)
    last_error = models.CharField(_("失败原因"), max_length=300, blank=True)
    claimed_at = models.DateTimeField(_("开始发送时间"), null=True, blank=True)
    sent_at = models.DateTimeField(_("送达时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("告警通知")
        verbose_name_plural = _("告警通知")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "ref_id", "channel", "target"], name="staff_alert_delivery_once_per_target"
            )
        ]
        indexes = [models.Index(fields=["status", "created_at"], name="staff_alert_delivery_due_idx")]

    def __str__(self) -> str:
        return f"{self.kind}#{self.ref_id} → {self.get_channel_display()}"
