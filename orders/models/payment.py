"""Payments, verified provider notices (deduplicated) and refunds."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from mall.models.fields import IdentifierField


class Payment(models.Model):
    class Status(models.TextChoices):
        CREATED = "created", _("待支付")
        SUCCEEDED = "succeeded", _("已支付")
        CLOSED = "closed", _("已关闭")

    order = models.ForeignKey("orders.Order", verbose_name=_("订单"), on_delete=models.PROTECT, related_name="payments")
    provider = models.CharField(_("渠道"), max_length=16)
    out_trade_no = IdentifierField(_("商户单号"), max_length=32, unique=True)
    transaction_id = IdentifierField(_("渠道流水号"), max_length=64, null=True, blank=True, unique=True)
    amount = models.PositiveIntegerField(_("金额"))
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices, default=Status.CREATED)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    paid_at = models.DateTimeField(_("支付时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("支付单")
        verbose_name_plural = _("支付单")
        ordering = ["-id"]

    def __str__(self) -> str:
        return self.out_trade_no


class PaymentNotice(models.Model):
    """One row per distinct verified notice, so a redelivered notice has no second effect."""

    provider = models.CharField(_("支付渠道"), max_length=16)
    notice_id = IdentifierField(_("通知编号"), max_length=64)
    event_type = models.CharField(_("事件类型"), max_length=64)
    out_trade_no = IdentifierField(_("商户单号"), max_length=32, db_index=True)
    outcome = models.CharField(_("处理结果"), max_length=32)
    received_at = models.DateTimeField(_("收到时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("支付通知")
        verbose_name_plural = _("支付通知")
        constraints = [models.UniqueConstraint(fields=["provider", "notice_id"], name="payment_notice_once")]

    def __str__(self) -> str:
        return f"{self.provider}:{self.notice_id}"


class Refund(models.Model):
    class Status(models.TextChoices):
        PROCESSING = "processing", _("退款中")
        SUCCEEDED = "succeeded", _("已退款")
        FAILED = "failed", _("失败")

    order = models.ForeignKey("orders.Order", verbose_name=_("订单"), on_delete=models.PROTECT, related_name="refunds")
    out_refund_no = IdentifierField(_("退款单号"), max_length=32, unique=True)
    amount = models.PositiveIntegerField(_("金额"))
    lines = models.JSONField(_("明细"), default=list, help_text=_("[{line_id, qty, amount}]"))
    reason = models.CharField(_("原因"), max_length=200, blank=True)
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices, default=Status.PROCESSING)
    provider_refund_id = IdentifierField(_("渠道退款单号"), max_length=64, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("操作人"), null=True, blank=True, on_delete=models.SET_NULL
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    succeeded_at = models.DateTimeField(_("退款成功时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("退款")
        verbose_name_plural = _("退款")
        ordering = ["-id"]

    def __str__(self) -> str:
        return self.out_refund_no
