"""Distribution (F06): promoters, the clicks that attribute shoppers to them, commission per order
line, and withdrawals.

Commission is a row per order line (rate and base snapshotted at placement), and what it is
worth now (``held_amount``) and its state are settled from the order's state, never added up
from events: pending while unpaid, frozen once paid, available when the after-sales window
after completion has closed, reversed when nothing of it is left (cancelled, fully refunded).
A promoter's withdrawable balance is derived (available commission minus withdrawals asked for
or paid), and withdrawals are taken under the promoter row lock, so they can never overdraw it.
"""

from __future__ import annotations

import secrets
from decimal import Decimal

from django.contrib.auth.models import User
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from mall.models.fields import IdentifierField


def new_promoter_code() -> str:
    return "P" + secrets.token_hex(4).upper()


class DistributionProgram(models.Model):
    """F06's rules (one row)."""

    is_active = models.BooleanField(_("启用"), default=True, help_text=_("停用后不再接受申请、不再产生新佣金"))
    default_rate = models.DecimalField(
        _("默认佣金比例"), max_digits=4, decimal_places=3, default=Decimal("0.1"), help_text=_("0.1 表示 10%")
    )
    min_rate = models.DecimalField(_("最低佣金比例"), max_digits=4, decimal_places=3, default=Decimal("0.05"))
    max_rate = models.DecimalField(_("最高佣金比例"), max_digits=4, decimal_places=3, default=Decimal("0.15"))
    attribution_days = models.PositiveIntegerField(
        _("归属有效期(天)"), default=7, help_text=_("好友点击推广链接后多少天内下单计佣，以最后一次点击为准")
    )
    settle_days = models.PositiveIntegerField(
        _("售后期(天)"), default=7, help_text=_("订单完成后多少天佣金解冻为可提现")
    )
    min_withdrawal = models.PositiveIntegerField(_("最低提现金额(分)"), default=1000)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    updated_by = models.ForeignKey(
        User, verbose_name=_("修改人"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("分销设置")
        verbose_name_plural = _("分销设置")
        constraints = [
            models.CheckConstraint(
                condition=Q(min_rate__gte=0, max_rate__lte=Decimal("0.5"), min_rate__lte=F("max_rate")),
                name="distribution_program_rate_range",
            ),
            models.CheckConstraint(
                condition=Q(default_rate__gte=F("min_rate"), default_rate__lte=F("max_rate")),
                name="distribution_program_default_in_range",
            ),
            models.CheckConstraint(condition=Q(attribution_days__gte=1), name="distribution_program_attribution_min"),
            models.CheckConstraint(condition=Q(min_withdrawal__gte=1), name="distribution_program_min_withdrawal"),
        ]

    def __str__(self) -> str:
        return str(_("分销设置"))

    @classmethod
    def load(cls) -> DistributionProgram:
        obj, _created = cls.objects.get_or_create(pk=1)
        return obj

    @classmethod
    def current(cls) -> DistributionProgram:
        """The row, or the defaults unsaved (read inside order transactions: no get_or_create there)."""
        return cls.objects.filter(pk=1).first() or cls(pk=1)


class ProductCommission(models.Model):
    """A product's own commission rate; products without one pay the programme's default."""

    product = models.OneToOneField(
        "mall.Product", verbose_name=_("商品"), on_delete=models.CASCADE, related_name="commission"
    )
    rate = models.DecimalField(_("佣金比例"), max_digits=4, decimal_places=3, help_text=_("0.08 表示 8%"))
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("商品佣金")
        verbose_name_plural = _("商品佣金")
        ordering = ["product_id"]
        constraints = [
            models.CheckConstraint(condition=Q(rate__gte=0, rate__lte=Decimal("0.5")), name="product_commission_range")
        ]

    def __str__(self) -> str:
        return f"{self.product_id} {self.rate}"


class PromoterStatus(models.TextChoices):
    APPLIED = "applied", _("待审核")
    APPROVED = "approved", _("已通过")
    REJECTED = "rejected", _("已拒绝")
    DISABLED = "disabled", _("已停用")


class Promoter(models.Model):
    """A shopper's promoter account: the application, the merchant's decision, the share code."""

    member = models.OneToOneField(
        "members.Member", verbose_name=_("会员"), on_delete=models.CASCADE, related_name="promoter"
    )
    code = IdentifierField(_("推广码"), max_length=16, unique=True, default=new_promoter_code)
    status = models.CharField(
        _("状态"), max_length=10, choices=PromoterStatus.choices, default=PromoterStatus.APPLIED, db_index=True
    )
    real_name = models.CharField(_("真实姓名"), max_length=30)
    phone = models.CharField(_("手机号"), max_length=20)
    reason = models.CharField(_("申请理由"), max_length=200, blank=True)
    applied_at = models.DateTimeField(_("申请时间"))
    reviewed_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        User, verbose_name=_("审核人"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    review_note = models.CharField(_("审核说明"), max_length=200, blank=True)
    approved_at = models.DateTimeField(_("成为推广员时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("推广员")
        verbose_name_plural = _("推广员")
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"{self.real_name}（{self.code}）"


class Attribution(models.Model):
    """A shopper opened a promoter's link: the latest click within the window wins the order."""

    member = models.ForeignKey(
        "members.Member", verbose_name=_("顾客"), on_delete=models.CASCADE, related_name="attributions"
    )
    promoter = models.ForeignKey(
        Promoter, verbose_name=_("推广员"), on_delete=models.CASCADE, related_name="attributions"
    )
    product = models.ForeignKey(
        "mall.Product", verbose_name=_("推广商品"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    first_clicked_at = models.DateTimeField(_("首次点击"))
    last_clicked_at = models.DateTimeField(_("最近点击"))
    clicks = models.PositiveIntegerField(_("点击次数"), default=1)

    class Meta:
        verbose_name = _("推广归属")
        verbose_name_plural = _("推广归属")
        ordering = ["-last_clicked_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["member", "promoter"], name="attribution_once_per_pair")]
        indexes = [
            models.Index(fields=["member", "last_clicked_at"]),
            models.Index(fields=["promoter", "last_clicked_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.member_id} ← {self.promoter_id}"


class CommissionStatus(models.TextChoices):
    PENDING = "pending", _("待付款")
    FROZEN = "frozen", _("冻结中")
    AVAILABLE = "available", _("可提现")
    REVERSED = "reversed", _("已退回")


class Commission(models.Model):
    """The commission one order line pays one promoter: base × rate, round half up, in fen."""

    promoter = models.ForeignKey(
        Promoter, verbose_name=_("推广员"), on_delete=models.PROTECT, related_name="commissions"
    )
    order = models.ForeignKey(
        "orders.Order", verbose_name=_("订单"), on_delete=models.PROTECT, related_name="commissions"
    )
    # The order's lines are written after the benefits are taken: the line is found by its SKU
    # (a SKU is one non-gift line of an order) at the first settlement.
    sku = models.ForeignKey("mall.Sku", verbose_name=_("SKU"), on_delete=models.PROTECT, related_name="+")
    line = models.ForeignKey(
        "orders.OrderLine",
        verbose_name=_("订单明细"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    attribution = models.ForeignKey(
        Attribution, verbose_name=_("归属点击"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    title = models.CharField(_("商品"), max_length=120)
    qty = models.PositiveIntegerField(_("数量"))
    base_amount = models.PositiveIntegerField(_("计佣金额(分)"), help_text=_("该商品的实付，不含运费"))
    rate = models.DecimalField(_("佣金比例"), max_digits=4, decimal_places=3)
    amount = models.PositiveIntegerField(_("佣金(分)"))
    held_amount = models.PositiveIntegerField(_("当前佣金(分)"), help_text=_("扣除已退款件数后的佣金"))
    status = models.CharField(
        _("状态"), max_length=10, choices=CommissionStatus.choices, default=CommissionStatus.PENDING, db_index=True
    )
    available_at = models.DateTimeField(_("解冻时间"), null=True, blank=True, db_index=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("佣金明细")
        verbose_name_plural = _("佣金明细")
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(fields=["order", "sku"], name="commission_once_per_line"),
            models.CheckConstraint(condition=Q(held_amount__lte=F("amount")), name="commission_held_le_amount"),
        ]
        indexes = [models.Index(fields=["promoter", "status"])]

    def __str__(self) -> str:
        return f"{self.order_id}/{self.sku_id} {self.amount}"


class WithdrawalStatus(models.TextChoices):
    REQUESTED = "requested", _("待审核")
    PAID = "paid", _("已打款")
    REJECTED = "rejected", _("已拒绝")


class Withdrawal(models.Model):
    """A promoter asks for available commission; finance pays it (with a reference) or rejects it."""

    promoter = models.ForeignKey(
        Promoter, verbose_name=_("推广员"), on_delete=models.PROTECT, related_name="withdrawals"
    )
    amount = models.PositiveIntegerField(_("金额(分)"))
    status = models.CharField(
        _("状态"), max_length=10, choices=WithdrawalStatus.choices, default=WithdrawalStatus.REQUESTED, db_index=True
    )
    # A retried request (double tap) with the same key returns the first withdrawal.
    request_key = IdentifierField(max_length=64, null=True, blank=True)
    requested_at = models.DateTimeField(_("申请时间"), auto_now_add=True, db_index=True)
    reviewed_at = models.DateTimeField(_("处理时间"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        User, verbose_name=_("处理人"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    payout_reference = models.CharField(_("打款凭证号"), max_length=64, blank=True)
    note = models.CharField(_("说明"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("佣金提现")
        verbose_name_plural = _("佣金提现")
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(fields=["promoter", "request_key"], name="withdrawal_request_once"),
            models.CheckConstraint(condition=Q(amount__gte=1), name="withdrawal_amount_positive"),
        ]
        # Paying out is money leaving the shop: finance's permission, not implied by "change".
        permissions = [("pay_withdrawal", _("可以审核佣金提现"))]

    def __str__(self) -> str:
        return f"{self.promoter_id} {self.amount}"
