"""Lifecycle journeys (F17–F19): 沉睡召回, 生日福利, 复购提醒, run daily by beat.

A :class:`Journey` is the merchant's setting of one journey (on/off, days, coupon template,
text, priority). A :class:`JourneySend` is one shopper reached for one *occasion* — the start of
a dormancy, a birthday's year, a (product, purchase order) — and is unique on (journey, member,
occasion): it is written in the same transaction as the coupon and the inbox message, so beat
firing twice, two workers or a rerun after a crash reach nobody twice. A :class:`JourneyRun`
keeps what each run counted (eligible, pushed, skipped by reason) for the report.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from mall.models.fields import IdentifierField


class JourneyKind(models.TextChoices):
    DORMANT = "dormant", _("沉睡召回")
    BIRTHDAY = "birthday", _("生日福利")
    REPLENISH = "replenish", _("复购提醒")


class JourneyPush(models.TextChoices):
    """What became of the push of one send (the inbox always gets the message)."""

    QUEUED = "queued", _("已推送")
    LOWER_PRIORITY = "lower_priority", _("同一轮有更优先的旅程")
    NO_CONSENT = "no_consent", _("用户未授权")
    MONTHLY_CAP = "monthly_cap", _("超出每月 4 条上限")
    QUIET_HOURS = "quiet_hours", _("免打扰时段，早上推送")
    NO_TEMPLATE = "no_template", _("未配置订阅消息模板")
    HOLDOUT = "holdout", _("对照组（不发券不发消息）")
    GLOBAL_HOLDOUT = "global_holdout", _("全局对照组（不参与任何营销）")


class Journey(models.Model):
    kind = models.CharField(_("旅程"), max_length=16, choices=JourneyKind.choices, unique=True)
    is_enabled = models.BooleanField(_("启用"), default=False)
    days = models.PositiveSmallIntegerField(
        _("天数"),
        default=30,
        help_text=_("沉睡召回：多少天没有支付订单；生日福利：提前几天；复购提醒：到期后几天内仍提醒"),
    )
    coupon_template = models.ForeignKey(
        "marketing.CouponTemplate",
        verbose_name=_("优惠券模板"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    coupon_valid_days = models.PositiveSmallIntegerField(
        _("券有效天数"), default=7, help_text=_("生日券从发放起到生日后这么多天")
    )
    title = models.CharField(_("消息标题"), max_length=60)
    body = models.CharField(_("消息内容"), max_length=300, blank=True)
    priority = models.PositiveSmallIntegerField(
        _("优先级"), default=10, help_text=_("同一顾客同一轮命中多个旅程时，数字大的推送，其余只进站内信")
    )
    holdout_percent = models.PositiveSmallIntegerField(
        _("对照组比例（%）"),
        default=0,
        help_text=_("这部分顾客到了时机也不发券不发消息，用来衡量旅程带来的真实增量（0–50）"),
    )
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("生命周期旅程")
        verbose_name_plural = _("生命周期旅程")
        ordering = ["-priority", "kind"]
        constraints = [
            models.CheckConstraint(condition=models.Q(holdout_percent__lte=50), name="journey_holdout_at_most_half"),
        ]

    def __str__(self) -> str:
        return str(self.get_kind_display())


class JourneySend(models.Model):
    kind = models.CharField(_("旅程"), max_length=16, choices=JourneyKind.choices)
    member = models.ForeignKey("members.Member", verbose_name=_("会员"), on_delete=models.CASCADE, related_name="+")
    # The occasion: dormancy start date "2026-11-05", birthday year "2027", "p12:o345" (product, order).
    occasion = IdentifierField(_("场景"), max_length=40)
    product = models.ForeignKey(
        "mall.Product", verbose_name=_("商品"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    coupon = models.ForeignKey(
        "marketing.Coupon", verbose_name=_("优惠券"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    message = models.ForeignKey(
        "members.Message", verbose_name=_("消息"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    push = models.CharField(_("推送"), max_length=16, choices=JourneyPush.choices, default=JourneyPush.QUEUED)
    # B03: held out on purpose (nothing given or sent); the uplift report compares them.
    is_holdout = models.BooleanField(_("对照组"), default=False)
    run_token = IdentifierField(max_length=32)
    sent_at = models.DateTimeField(_("发送时间"))

    class Meta:
        verbose_name = _("旅程触达")
        verbose_name_plural = _("旅程触达")
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "member", "occasion"], name="journey_send_once_per_occasion"),
        ]
        indexes = [
            models.Index(fields=["run_token"], name="journey_send_run_idx"),
            models.Index(fields=["kind", "sent_at"], name="journey_send_kind_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.kind}/{self.member_id}/{self.occasion}"


class JourneyRun(models.Model):
    kind = models.CharField(_("旅程"), max_length=16, choices=JourneyKind.choices)
    ran_at = models.DateTimeField(_("运行时间"), db_index=True)
    eligible = models.PositiveIntegerField(_("符合条件"), default=0)
    granted = models.PositiveIntegerField(_("发券并进站内信"), default=0)
    sent = models.PositiveIntegerField(_("已推送"), default=0)
    skipped = models.JSONField(_("未推送原因"), default=dict)

    class Meta:
        verbose_name = _("旅程运行记录")
        verbose_name_plural = _("旅程运行记录")
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"{self.kind}@{self.ran_at:%Y-%m-%d %H:%M}"


class JourneyProductCoupon(models.Model):
    """The personal 9折 of 复购提醒 is for one product: a system template per (pattern, product).

    The journey's template is the pattern (rate, cap, group); the first reminder for a product
    makes a copy scoped to that product's SKUs, which later reminders reuse.
    """

    pattern = models.ForeignKey("marketing.CouponTemplate", on_delete=models.CASCADE, related_name="+")
    product = models.ForeignKey("mall.Product", on_delete=models.CASCADE, related_name="+")
    template = models.ForeignKey("marketing.CouponTemplate", on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["pattern", "product"], name="journey_product_coupon_once"),
        ]

    def __str__(self) -> str:
        return f"{self.pattern_id}/{self.product_id}"
