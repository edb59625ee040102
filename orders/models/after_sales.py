"""Shopper after-sales requests (P04): refund only, or return and refund, for units of one line.

A request moves only through ``orders.services.after_sales``. While it is open, ``open_line``
holds its line's id: the unique index on it is what keeps a line to one open request even when
two taps race. Photos are uploaded first (``AfterSalePhoto`` without a request) and attached
when the request is made; files go through Django's storage API, so a cloud bucket can replace
the disk without a code change.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from mall.models.fields import IdentifierField


class AfterSaleKind(models.TextChoices):
    REFUND_ONLY = "refund_only", _("仅退款")
    RETURN_REFUND = "return_refund", _("退货退款")


class AfterSaleStatus(models.TextChoices):
    PENDING = "pending", _("待审核")
    APPROVED = "approved", _("已同意")
    AWAITING_RETURN = "awaiting_return", _("待退货")
    RETURNED = "returned", _("已寄回")
    RECEIVED = "received", _("已收货")
    REFUNDING = "refunding", _("退款中")
    REFUNDED = "refunded", _("已退款")
    REJECTED = "rejected", _("已拒绝")
    CANCELLED = "cancelled", _("已撤销")
    CLOSED = "closed", _("已关闭")


# Finished requests: the line is free for a new one.
AFTER_SALE_FINAL = (
    AfterSaleStatus.REFUNDED,
    AfterSaleStatus.REJECTED,
    AfterSaleStatus.CANCELLED,
    AfterSaleStatus.CLOSED,
)


class AfterSaleReason(models.TextChoices):
    NOT_WANTED = "not_wanted", _("不想要了")
    WRONG_ORDER = "wrong_order", _("拍错了 / 多拍了")
    NOT_RECEIVED = "not_received", _("未收到货")
    QUALITY = "quality", _("质量问题")
    DAMAGED = "damaged", _("商品破损")
    WRONG_ITEM = "wrong_item", _("发错货 / 少件")
    NOT_AS_DESCRIBED = "not_as_described", _("与描述不符")
    OTHER = "other", _("其他")


class AfterSale(models.Model):
    no = IdentifierField(_("售后单号"), max_length=32, unique=True)
    order = models.ForeignKey(
        "orders.Order", verbose_name=_("订单"), on_delete=models.PROTECT, related_name="after_sales"
    )
    line = models.ForeignKey(
        "orders.OrderLine", verbose_name=_("商品"), on_delete=models.PROTECT, related_name="after_sales"
    )
    member = models.ForeignKey(
        "members.Member", verbose_name=_("会员"), on_delete=models.PROTECT, related_name="after_sales"
    )
    kind = models.CharField(_("类型"), max_length=16, choices=AfterSaleKind.choices)
    status = models.CharField(
        _("状态"), max_length=20, choices=AfterSaleStatus.choices, default=AfterSaleStatus.PENDING, db_index=True
    )
    qty = models.PositiveIntegerField(_("数量"))
    # What the units were worth when asked (fen); the refund itself is computed again by refund_create.
    amount = models.PositiveIntegerField(_("申请金额"))
    reason = models.CharField(_("原因"), max_length=20, choices=AfterSaleReason.choices)
    description = models.CharField(_("问题描述"), max_length=300, blank=True)
    # The line's id while the request is open, NULL once it is final: one open request per line.
    open_line = models.PositiveBigIntegerField(null=True, blank=True, unique=True, editable=False)
    reject_reason = models.CharField(_("拒绝原因"), max_length=200, blank=True)
    return_carrier = models.CharField(_("退货快递公司"), max_length=30, blank=True)
    return_tracking_no = IdentifierField(_("退货运单号"), max_length=64, blank=True)
    refund = models.ForeignKey(
        "orders.Refund",
        verbose_name=_("退款"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="after_sales",
    )
    # [{"status", "at", "note"}]: the steps the shopper sees as progress.
    history = models.JSONField(_("进度"), default=list, blank=True)
    created_at = models.DateTimeField(_("申请时间"), auto_now_add=True, db_index=True)
    # When the current step started: the 48-hour review and the 7-day return clocks run from here.
    status_changed_at = models.DateTimeField(_("状态变更时间"), db_index=True)
    closed_at = models.DateTimeField(_("完结时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("售后")
        verbose_name_plural = _("售后")
        ordering = ["-id"]
        constraints = [
            models.CheckConstraint(condition=Q(qty__gte=1), name="aftersale_qty_positive"),
        ]
        indexes = [models.Index(fields=["status", "status_changed_at"])]
        permissions = [("handle_aftersale", _("可以处理售后"))]

    def __str__(self) -> str:
        return self.no

    @property
    def is_open(self) -> bool:
        return self.status not in AFTER_SALE_FINAL


class AfterSalePhoto(models.Model):
    """A shopper's photo; ``after_sale`` stays empty until the request that uses it is made."""

    member = models.ForeignKey("members.Member", on_delete=models.CASCADE, related_name="+")
    after_sale = models.ForeignKey(AfterSale, null=True, blank=True, on_delete=models.CASCADE, related_name="photos")
    image = models.ImageField(_("图片"), upload_to="after_sales/%Y/%m/")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("售后图片")
        verbose_name_plural = _("售后图片")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.image.name or ""
