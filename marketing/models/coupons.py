"""Coupon templates (what the merchant designs) and coupons (one issued to one shopper).

A template's quota is guarded by a conditional UPDATE on ``issued_count`` (never a
read-then-write); a shopper's share by the member row lock taken while claiming and, as the
last line of defence, the unique (template, member, seq) key. A coupon is ``used`` exactly when
it points at an order: that is a CHECK constraint, so a cancelled order that forgets to give
a coupon back cannot leave it half used.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _


class CouponKind(models.TextChoices):
    AMOUNT_OFF = "amount_off", _("满减券")
    RATE_OFF = "rate_off", _("折扣券")
    NO_THRESHOLD = "no_threshold", _("无门槛券")


class CouponGroup(models.TextChoices):
    """The stacking slot: by default one coupon of each group may be used in one order."""

    SHOP = "shop", _("店铺券")
    CATEGORY = "category", _("品类券")
    PLATFORM = "platform", _("平台券")


class CouponChannel(models.TextChoices):
    """How coupons of a template reach shoppers."""

    CLAIM = "claim", _("领券中心")
    NEW_USER_PACK = "new_user_pack", _("新人券包")
    SYSTEM = "system", _("活动发放")


class CouponTemplate(models.Model):
    name = models.CharField(_("名称"), max_length=60)
    kind = models.CharField(_("类型"), max_length=16, choices=CouponKind.choices)
    group = models.CharField(_("叠加分组"), max_length=16, choices=CouponGroup.choices, default=CouponGroup.SHOP)
    channel = models.CharField(_("发放方式"), max_length=16, choices=CouponChannel.choices, default=CouponChannel.CLAIM)
    threshold = models.PositiveIntegerField(_("使用门槛(分)"), default=0, help_text=_("0 表示无门槛"))
    off = models.PositiveIntegerField(_("减免金额(分)"), default=0)
    rate = models.DecimalField(_("折扣率"), max_digits=4, decimal_places=3, null=True, blank=True)
    max_off = models.PositiveIntegerField(_("最多减(分)"), null=True, blank=True)
    categories = models.ManyToManyField(
        "mall.Category", verbose_name=_("适用分类"), blank=True, related_name="coupon_templates"
    )
    skus = models.ManyToManyField("mall.Sku", verbose_name=_("适用 SKU"), blank=True, related_name="coupon_templates")
    exclude_skus = models.ManyToManyField(
        "mall.Sku", verbose_name=_("排除 SKU"), blank=True, related_name="coupon_templates_excluding"
    )
    valid_from = models.DateTimeField(_("有效期开始"), null=True, blank=True)
    valid_until = models.DateTimeField(_("有效期结束"), null=True, blank=True)
    valid_days = models.PositiveIntegerField(_("领取后有效天数"), null=True, blank=True)
    total_quantity = models.PositiveIntegerField(_("发放总量"), null=True, blank=True, help_text=_("留空表示不限量"))
    issued_count = models.PositiveIntegerField(_("已发放"), default=0)
    per_user_limit = models.PositiveIntegerField(_("每人限领"), default=1)
    new_user_only = models.BooleanField(_("仅限新用户领取"), default=False)
    is_active = models.BooleanField(_("启用"), default=True)
    # Who may claim or be given it: {"segment": id} / {"tag": id} / {"tiers": [...]} (members.services.audience).
    audience = models.JSONField(_("适用人群"), default=dict, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("优惠券模板")
        verbose_name_plural = _("优惠券模板")
        ordering = ["-id"]
        # P06: granting to a sheet of shoppers and the coupon sheets each need their own permission.
        permissions = [("grant_coupons", _("可以按名单批量发券")), ("export_coupons", _("可以导出优惠券"))]
        constraints = [
            models.CheckConstraint(
                condition=Q(total_quantity__isnull=True) | Q(issued_count__lte=F("total_quantity")),
                name="coupon_template_issued_within_quota",
            ),
            models.CheckConstraint(
                condition=(
                    Q(valid_days__isnull=False, valid_days__gte=1, valid_from__isnull=True, valid_until__isnull=True)
                    | Q(valid_days__isnull=True, valid_from__isnull=False, valid_until__gt=F("valid_from"))
                ),
                name="coupon_template_one_validity",
            ),
            models.CheckConstraint(condition=Q(per_user_limit__gte=1), name="coupon_template_per_user_limit_min"),
            models.CheckConstraint(
                condition=Q(kind="rate_off", rate__gt=0, rate__lt=1) | (~Q(kind="rate_off") & Q(off__gt=0)),
                name="coupon_template_benefit_positive",
            ),
            models.CheckConstraint(
                condition=~Q(kind="no_threshold") | Q(threshold=0), name="coupon_template_no_threshold_is_zero"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def validity_for(self, claimed_at: datetime) -> tuple[datetime, datetime]:
        """The window of a coupon claimed at ``claimed_at``: the fixed window, or N days from now."""
        if self.valid_days:
            return claimed_at, claimed_at + timedelta(days=self.valid_days)
        assert self.valid_from is not None and self.valid_until is not None  # noqa: S101 - CHECK constraint
        return self.valid_from, self.valid_until


class CouponStatus(models.TextChoices):
    UNUSED = "unused", _("未使用")
    USED = "used", _("已使用")
    EXPIRED = "expired", _("已过期")


class Coupon(models.Model):
    template = models.ForeignKey(
        CouponTemplate, verbose_name=_("模板"), on_delete=models.PROTECT, related_name="coupons"
    )
    member = models.ForeignKey(
        "members.Member", verbose_name=_("会员"), on_delete=models.CASCADE, related_name="coupons"
    )
    # n-th coupon of this template for this shopper (1..per_user_limit): the unique key backs the limit.
    seq = models.PositiveIntegerField(_("序号"), default=1)
    status = models.CharField(
        _("状态"), max_length=10, choices=CouponStatus.choices, default=CouponStatus.UNUSED, db_index=True
    )
    valid_from = models.DateTimeField(_("生效时间"))
    valid_until = models.DateTimeField(_("失效时间"), db_index=True)
    order = models.ForeignKey(
        "orders.Order",
        verbose_name=_("使用订单"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="coupons",
    )
    used_at = models.DateTimeField(_("使用时间"), null=True, blank=True)
    claimed_at = models.DateTimeField(_("领取时间"), auto_now_add=True)
    # F48: when the shopper was told this coupon is about to expire (once per coupon).
    reminded_at = models.DateTimeField(_("过期提醒时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("优惠券")
        verbose_name_plural = _("优惠券")
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(fields=["template", "member", "seq"], name="coupon_once_per_seq"),
            models.CheckConstraint(condition=Q(valid_until__gt=F("valid_from")), name="coupon_window_valid"),
            models.CheckConstraint(
                condition=Q(status="used", order__isnull=False, used_at__isnull=False)
                | (~Q(status="used") & Q(order__isnull=True, used_at__isnull=True)),
                name="coupon_used_iff_order",
            ),
        ]
        indexes = [models.Index(fields=["member", "status", "valid_until"])]

    def __str__(self) -> str:
        return f"{self.template_id}#{self.pk}"
