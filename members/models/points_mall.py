"""积分商城 (F15): items bought with points — coupons, and goods for points (+ cash) ordered through
the normal order path — and the points expiry rule.

Stock and the per-shopper limit are scarce: ``redeemed_count`` only moves by a guarded UPDATE
(``redeemed_count < stock``) and each redemption takes the unique (item, member, seq) slot, so
neither can be overspent by concurrent taps.
"""

from __future__ import annotations

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from mall.models.fields import IdentifierField


class PointsMallItem(models.Model):
    class Kind(models.TextChoices):
        COUPON = "coupon", _("优惠券")
        GOODS = "goods", _("实物商品")

    name = models.CharField(_("名称"), max_length=60)
    kind = models.CharField(_("类型"), max_length=16, choices=Kind.choices, default=Kind.COUPON)
    points = models.PositiveIntegerField(_("所需积分"))
    cash = models.PositiveIntegerField(_("另需现金(分)"), default=0, help_text=_("积分 + 现金兑换商品时的现金部分"))
    coupon_template = models.ForeignKey(
        "marketing.CouponTemplate",
        verbose_name=_("兑换的优惠券"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    sku = models.ForeignKey(
        "mall.Sku", verbose_name=_("兑换的商品"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    stock = models.PositiveIntegerField(_("库存"))
    redeemed_count = models.PositiveIntegerField(_("已兑换"), default=0)
    per_member_limit = models.PositiveIntegerField(_("每人限兑"), default=1)
    is_active = models.BooleanField(_("上架"), default=True)
    sort = models.IntegerField(_("排序"), default=0)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("积分商城商品")
        verbose_name_plural = _("积分商城商品")
        ordering = ["sort", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(redeemed_count__lte=F("stock")), name="points_mall_within_stock"),
            models.CheckConstraint(condition=Q(points__gte=1), name="points_mall_points_positive"),
            models.CheckConstraint(condition=Q(per_member_limit__gte=1), name="points_mall_limit_positive"),
            models.CheckConstraint(
                condition=Q(kind="coupon", coupon_template__isnull=False) | Q(kind="goods", sku__isnull=False),
                name="points_mall_item_has_what_it_gives",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def stock_left(self) -> int:
        return max(0, self.stock - self.redeemed_count)


class PointsMallRedemption(models.Model):
    """One shopper's n-th redemption of an item; the unique key backs the per-shopper limit."""

    item = models.ForeignKey(
        PointsMallItem, verbose_name=_("商品"), on_delete=models.PROTECT, related_name="redemptions"
    )
    member = models.ForeignKey(
        "members.Member", verbose_name=_("会员"), on_delete=models.CASCADE, related_name="points_redemptions"
    )
    seq = models.PositiveIntegerField(_("序号"))
    ref = IdentifierField(_("请求编号"), max_length=64)
    points = models.PositiveIntegerField(_("花费积分"))
    coupon = models.ForeignKey(
        "marketing.Coupon",
        verbose_name=_("获得的优惠券"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    cash = models.PositiveIntegerField(_("现金(分)"), default=0)
    # A goods item's order (placed through order_place); cancelling it deletes this row.
    order = models.OneToOneField(
        "orders.Order",
        verbose_name=_("商品订单"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="points_redemption",
    )
    created_at = models.DateTimeField(_("兑换时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("积分兑换记录")
        verbose_name_plural = _("积分兑换记录")
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(fields=["item", "member", "seq"], name="points_redemption_slot_once"),
            models.UniqueConstraint(fields=["member", "ref"], name="points_redemption_request_once"),
        ]

    def __str__(self) -> str:
        return f"{self.item_id} #{self.seq}"


class PointsExpiryRule(models.Model):
    """The shop's expiry rule (one row): points earned in year Y expire at the end of year Y + ``keep_years``."""

    enabled = models.BooleanField(_("积分会过期"), default=True)
    keep_years = models.PositiveIntegerField(
        _("保留年数"), default=1, help_text=_("1 表示当年获得的积分在次年年底过期")
    )
    remind_days = models.PositiveIntegerField(_("提前提醒天数"), default=30)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("积分过期规则")
        verbose_name_plural = _("积分过期规则")

    def __str__(self) -> str:
        return str(_("积分过期规则"))

    @classmethod
    def load(cls) -> PointsExpiryRule:
        row, _created = cls.objects.get_or_create(pk=1)
        return row


class PointsExpiryNotice(models.Model):
    """The reminder that a year's points are about to expire: once per (member, year)."""

    member = models.ForeignKey(
        "members.Member", verbose_name=_("会员"), on_delete=models.CASCADE, related_name="points_expiry_notices"
    )
    year = models.PositiveIntegerField(_("积分年度"))
    points = models.PositiveIntegerField(_("将过期积分"))
    created_at = models.DateTimeField(_("提醒时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("积分过期提醒")
        verbose_name_plural = _("积分过期提醒")
        ordering = ["-id"]
        constraints = [models.UniqueConstraint(fields=["member", "year"], name="points_expiry_notice_once")]

    def __str__(self) -> str:
        return f"{self.year} {self.points}"
