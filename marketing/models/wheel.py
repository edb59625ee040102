"""Lucky wheel (幸运大转盘, F21): versions of the wheel, its prizes, shoppers' chances and draws.

A wheel is edited as a draft and then published; a published (or ended) version is frozen:
changing its prizes or weights means copying it into a new draft version (``parent``), whose
prizes carry their ``issued`` count over, so a prize cannot be won again just because the
merchant edited the wheel. At most one version is published at a time (the service retires
the previous one in the same transaction).

Scarce parts are guarded by the database: a prize's ``issued`` only grows through a
conditional UPDATE bounded by the day's released slice of its stock (CHECK ``issued <=
stock``); a chance is one row per qualifying order (unique), and a draw takes exactly one
chance (``WheelDraw.chance`` is unique).
"""

from __future__ import annotations

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _


class WheelStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    PUBLISHED = "published", _("进行中")
    ENDED = "ended", _("已结束")


class PrizeKind(models.TextChoices):
    COUPON = "coupon", _("优惠券")
    FREE_ORDER = "free_order", _("免单券")
    POINTS = "points", _("积分")
    THANKS = "thanks", _("谢谢参与")


class Wheel(models.Model):
    name = models.CharField(_("名称"), max_length=60)
    version = models.PositiveIntegerField(_("版本"), default=1)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("上一版本"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="next_versions",
    )
    status = models.CharField(
        _("状态"), max_length=12, choices=WheelStatus.choices, default=WheelStatus.DRAFT, db_index=True
    )
    order_threshold = models.PositiveIntegerField(
        _("获得抽奖机会的订单金额(分)"), default=5000, help_text=_("每笔实付满此金额的订单得 1 次抽奖机会")
    )
    daily_draw_limit = models.PositiveIntegerField(_("每人每日最多抽奖次数"), default=3)
    slice_days = models.PositiveIntegerField(
        _("奖品库存分几天放出"), default=7, help_text=_("库存按天平均放出，首日最多抽走 1/N，未抽完的顺延")
    )
    free_order_cap = models.PositiveIntegerField(
        _("免单券最高面额(分)"), default=10000, help_text=_("免单券面额 = 该机会对应订单的实付金额，最高此数")
    )
    free_order_valid_days = models.PositiveIntegerField(_("免单券有效天数"), default=7)
    rules_text = models.TextField(_("活动规则"), blank=True)
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True)
    ended_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("幸运大转盘")
        verbose_name_plural = _("幸运大转盘")
        ordering = ["-id"]
        constraints = [
            models.CheckConstraint(condition=Q(daily_draw_limit__gte=1), name="wheel_daily_limit_min"),
            models.CheckConstraint(condition=Q(slice_days__gte=1), name="wheel_slice_days_min"),
            models.CheckConstraint(condition=Q(order_threshold__gte=1), name="wheel_threshold_min"),
        ]

    def __str__(self) -> str:
        return f"{self.name} v{self.version}"

    @property
    def is_frozen(self) -> bool:
        return self.status != WheelStatus.DRAFT


class WheelPrize(models.Model):
    wheel = models.ForeignKey(Wheel, verbose_name=_("大转盘"), on_delete=models.CASCADE, related_name="prizes")
    # The same prize in the version this one was copied from (its issued count came with it).
    source = models.ForeignKey(
        "self", verbose_name=_("来源奖品"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    position = models.PositiveSmallIntegerField(_("位置"), default=0)
    name = models.CharField(_("奖品名称"), max_length=40)
    kind = models.CharField(_("奖品类型"), max_length=12, choices=PrizeKind.choices)
    coupon_template = models.ForeignKey(
        "marketing.CouponTemplate",
        verbose_name=_("优惠券模板"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="wheel_prizes",
    )
    points = models.PositiveIntegerField(_("积分数"), default=0)
    weight = models.PositiveIntegerField(_("权重"), default=1, help_text=_("中奖概率 = 权重 ÷ 全部奖品权重之和"))
    stock = models.PositiveIntegerField(_("库存"), null=True, blank=True, help_text=_("留空表示不限量"))
    issued = models.PositiveIntegerField(_("已发出"), default=0)
    is_fallback = models.BooleanField(
        _("兜底奖品"), default=False, help_text=_("抽中的奖品已抽完时改发此奖品；须不限量，通常为谢谢参与")
    )

    class Meta:
        verbose_name = _("大转盘奖品")
        verbose_name_plural = _("大转盘奖品")
        ordering = ["wheel", "position", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(stock__isnull=True) | Q(issued__lte=F("stock")), name="wheel_prize_issued_within_stock"
            ),
            models.CheckConstraint(condition=Q(weight__gte=1), name="wheel_prize_weight_min"),
        ]

    def __str__(self) -> str:
        return self.name


class ChanceStatus(models.TextChoices):
    AVAILABLE = "available", _("可用")
    USED = "used", _("已使用")
    WITHDRAWN = "withdrawn", _("已收回")


class WheelChance(models.Model):
    """One draw earned by one paid order; withdrawn if the order is fully refunded first."""

    member = models.ForeignKey(
        "members.Member", verbose_name=_("会员"), on_delete=models.CASCADE, related_name="wheel_chances"
    )
    order = models.OneToOneField(
        "orders.Order", verbose_name=_("订单"), on_delete=models.CASCADE, related_name="wheel_chance"
    )
    order_amount = models.PositiveIntegerField(_("订单实付(分)"))
    status = models.CharField(_("状态"), max_length=12, choices=ChanceStatus.choices, default=ChanceStatus.AVAILABLE)
    granted_at = models.DateTimeField(_("获得时间"), auto_now_add=True)
    used_at = models.DateTimeField(_("使用时间"), null=True, blank=True)
    withdrawn_at = models.DateTimeField(_("收回时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("抽奖机会")
        verbose_name_plural = _("抽奖机会")
        ordering = ["-id"]
        indexes = [models.Index(fields=["member", "status"], name="wheel_chance_member_status")]

    def __str__(self) -> str:
        return f"{self.member_id}:{self.order_id}"


class WheelDraw(models.Model):
    wheel = models.ForeignKey(Wheel, verbose_name=_("大转盘"), on_delete=models.PROTECT, related_name="draws")
    prize = models.ForeignKey(WheelPrize, verbose_name=_("奖品"), on_delete=models.PROTECT, related_name="draws")
    # The prize the odds picked (differs from ``prize`` when that one was out of stock).
    picked = models.ForeignKey(WheelPrize, verbose_name=_("抽中奖品"), on_delete=models.PROTECT, related_name="+")
    member = models.ForeignKey(
        "members.Member", verbose_name=_("会员"), on_delete=models.CASCADE, related_name="wheel_draws"
    )
    chance = models.OneToOneField(
        WheelChance, verbose_name=_("抽奖机会"), on_delete=models.PROTECT, related_name="draw"
    )
    day = models.DateField(_("抽奖日"), help_text=_("店铺所在时区（上海）的日期"))
    kind = models.CharField(_("奖品类型"), max_length=12, choices=PrizeKind.choices)
    coupon = models.OneToOneField(
        "marketing.Coupon",
        verbose_name=_("优惠券"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="wheel_draw",
    )
    points = models.PositiveIntegerField(_("积分"), default=0)
    value = models.PositiveIntegerField(_("奖品面值(分)"), default=0, help_text=_("券面额；积分按抵扣比例折算"))
    fell_back = models.BooleanField(_("改发兜底奖品"), default=False)
    created_at = models.DateTimeField(_("抽奖时间"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("抽奖记录")
        verbose_name_plural = _("抽奖记录")
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["member", "day"], name="wheel_draw_member_day"),
            models.Index(fields=["day"], name="wheel_draw_day"),
        ]

    def __str__(self) -> str:
        return f"{self.member_id}:{self.prize_id}"
