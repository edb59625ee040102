"""The shop's pricing settings: member tier rates (F14) and the stacking policy (one row).

Services change them (audited, cache version bumped after commit), so a quote reflects a
change at once; the engine reads them as ``tier_rates`` and a ``StackingPolicy``.
"""

from __future__ import annotations

from decimal import Decimal

from django.contrib.auth.models import User
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

# F14: 普通 → 白银 9.5折 → 黄金 9折 → 钻石 8.5折. A tier without a row takes its default.
DEFAULT_TIER_RATES: dict[str, Decimal] = {
    "normal": Decimal("1"),
    "silver": Decimal("0.95"),
    "gold": Decimal("0.9"),
    "diamond": Decimal("0.85"),
}


class TierRate(models.Model):
    tier = models.CharField(_("会员等级"), max_length=16, unique=True)
    rate = models.DecimalField(_("折扣率"), max_digits=4, decimal_places=3, help_text=_("1 表示不打折，0.9 表示 9 折"))
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("会员折扣")
        verbose_name_plural = _("会员折扣")
        ordering = ["-rate", "id"]
        constraints = [models.CheckConstraint(condition=Q(rate__gt=0, rate__lte=1), name="tier_rate_in_range")]

    def __str__(self) -> str:
        return f"{self.tier} {self.rate}"


class SameTypeResolution(models.TextChoices):
    BEST = "best", _("同类型只取最优")
    STACK = "stack", _("同类型全部叠加")


class PricingPolicy(models.Model):
    """How discounts combine (the scenarios README's default stacking policy, editable)."""

    shop_coupons_stack = models.BooleanField(_("店铺券可与其他券叠加"), default=True)
    category_coupons_stack = models.BooleanField(_("品类券可与其他券叠加"), default=True)
    platform_coupons_stack = models.BooleanField(_("平台券可与其他券叠加"), default=True)
    coupons_per_group = models.PositiveIntegerField(_("每组最多用券数"), default=1)
    special_price_lines_join_order_promotions = models.BooleanField(
        _("秒杀/拼团/砍价商品参与满减等订单优惠"), default=False
    )
    special_price_lines_take_coupons = models.BooleanField(_("秒杀/拼团/砍价商品可用券"), default=True)
    points_cap_rate = models.DecimalField(
        _("积分抵扣上限比例"), max_digits=4, decimal_places=3, default=Decimal("0.5"), help_text=_("0.5 = 最多抵扣 50%")
    )
    points_per_yuan = models.PositiveIntegerField(_("多少积分抵 1 元"), default=100)
    points_earned_per_yuan = models.PositiveIntegerField(_("每实付 1 元获得积分"), default=1)
    same_type = models.CharField(
        _("同类型订单优惠"), max_length=8, choices=SameTypeResolution.choices, default=SameTypeResolution.BEST
    )
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    updated_by = models.ForeignKey(
        User, verbose_name=_("修改人"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("叠加规则")
        verbose_name_plural = _("叠加规则")
        constraints = [
            models.CheckConstraint(
                condition=Q(points_cap_rate__gte=0, points_cap_rate__lte=1), name="pricing_policy_points_cap_range"
            ),
            models.CheckConstraint(condition=Q(points_per_yuan__gte=1), name="pricing_policy_points_per_yuan_min"),
            models.CheckConstraint(condition=Q(coupons_per_group__gte=1), name="pricing_policy_coupons_per_group_min"),
        ]

    def __str__(self) -> str:
        return str(_("叠加规则"))

    @classmethod
    def load(cls) -> PricingPolicy:
        """The row, created on first use (console and services that change it)."""
        obj, _created = cls.objects.get_or_create(pk=1)
        return obj

    @classmethod
    def current(cls) -> PricingPolicy:
        """The row, or the defaults unsaved: quotes read it inside order transactions, where a
        get_or_create racing another would take gap locks (and deadlock on MariaDB)."""
        return cls.objects.filter(pk=1).first() or cls(pk=1)

    def stacking_groups(self) -> tuple[str, ...]:
        """The coupon groups whose coupons may be combined with coupons of other groups."""
        flags = (
            ("shop", self.shop_coupons_stack),
            ("category", self.category_coupons_stack),
            ("platform", self.platform_coupons_stack),
        )
        return tuple(group for group, on in flags if on)
