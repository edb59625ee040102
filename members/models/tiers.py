"""Tiers that move (F14): the merchant's thresholds and perks per tier, the growth ledger that
feeds them, the monthly evaluation (exactly once per member and month) and the free-shipping
uses a tier grants each month (spent once per order, given back on cancel).

A member's tier itself stays on ``Member.tier`` (pricing reads it); these tables say why it is
what it is and when it may change.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from mall.models.fields import IdentifierField

# The order of the ladder, lowest first (Member.Tier values).
TIER_LADDER: tuple[str, ...] = ("normal", "silver", "gold", "diamond")


class TierRule(models.Model):
    """One tier's thresholds (rolling 12 months: spend and/or completed orders) and perks."""

    tier = models.CharField(_("会员等级"), max_length=16, unique=True, choices=[(t, t) for t in TIER_LADDER])
    min_spend = models.PositiveIntegerField(_("12 个月消费门槛(分)"), default=0, help_text=_("0 表示不按消费"))
    min_orders = models.PositiveIntegerField(_("12 个月完成订单数门槛"), default=0, help_text=_("0 表示不按订单数"))
    free_shipping_per_month = models.PositiveIntegerField(_("每月包邮次数"), default=0)
    priority_shipping = models.BooleanField(_("优先发货"), default=False)
    ship_within_hours = models.PositiveIntegerField(_("发货时限(小时)"), default=24)
    after_sales_green = models.BooleanField(_("售后绿色通道"), default=False)
    green_auto_approve_max = models.PositiveIntegerField(
        _("售后自动同意上限(分)"), default=0, help_text=_("绿色通道内不超过此金额的售后申请自动同意；0 表示只优先处理")
    )
    exclusive_service = models.BooleanField(_("专属客服"), default=False)
    points_price = models.PositiveIntegerField(
        _("积分购买价"), default=0, help_text=_("可用多少积分直接升到此等级；0 表示不可购买")
    )
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("会员等级规则")
        verbose_name_plural = _("会员等级规则")
        ordering = ["id"]

    def __str__(self) -> str:
        from members.models.member import Member

        return str(dict(Member.Tier.choices).get(self.tier, self.tier))


class GrowthEntry(models.Model):
    """One change of a member's growth (spend in fen and completed orders), once per (source, source id).

    An order's completion adds (``order`` / order no); each refund takes back exactly what its
    units added (``refund`` / refund no) and a refund that fails gives it back (``refund_back``).
    ``occurred_at`` is the order's completion, so a refund takes back from the same 12 months.
    """

    class Source(models.TextChoices):
        ORDER = "order", _("订单完成")
        REFUND = "refund", _("退款扣回")
        REFUND_BACK = "refund_back", _("退款失败恢复")
        IMPORT = "import", _("旧店累计消费")

    member = models.ForeignKey(
        "members.Member", verbose_name=_("会员"), on_delete=models.CASCADE, related_name="growth_entries"
    )
    source = models.CharField(_("来源"), max_length=16, choices=Source.choices)
    source_id = IdentifierField(_("来源编号"), max_length=64)
    order = models.ForeignKey(
        "orders.Order", verbose_name=_("订单"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    amount = models.IntegerField(_("消费变动(分)"))
    orders = models.IntegerField(_("订单数变动"))
    occurred_at = models.DateTimeField(_("计入时间"), db_index=True)
    created_at = models.DateTimeField(_("记录时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("成长值流水")
        verbose_name_plural = _("成长值流水")
        ordering = ["-id"]
        constraints = [models.UniqueConstraint(fields=["source", "source_id"], name="growth_entry_once")]
        indexes = [models.Index(fields=["member", "occurred_at"], name="growth_member_time")]

    def __str__(self) -> str:
        return f"{self.source} {self.source_id}"


class TierEvaluation(models.Model):
    """The monthly evaluation of one member: at most one per (member, month), whoever runs it."""

    class Outcome(models.TextChoices):
        KEPT = "kept", _("保持")
        UPGRADED = "upgraded", _("升级")
        GRACE = "grace", _("保级期")
        DOWNGRADED = "downgraded", _("降级")

    member = models.ForeignKey(
        "members.Member", verbose_name=_("会员"), on_delete=models.CASCADE, related_name="tier_evaluations"
    )
    month = models.CharField(_("月份"), max_length=7)
    tier_before = models.CharField(_("评估前等级"), max_length=16)
    tier_after = models.CharField(_("评估后等级"), max_length=16)
    outcome = models.CharField(_("结果"), max_length=16, choices=Outcome.choices)
    spend = models.IntegerField(_("12 个月消费(分)"), default=0)
    orders = models.IntegerField(_("12 个月订单数"), default=0)
    created_at = models.DateTimeField(_("评估时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("等级评估")
        verbose_name_plural = _("等级评估")
        ordering = ["-id"]
        constraints = [models.UniqueConstraint(fields=["member", "month"], name="tier_evaluation_once_a_month")]

    def __str__(self) -> str:
        return f"{self.member_id} {self.month} {self.outcome}"


class TierPurchase(models.Model):
    """A tier bought with points (where the merchant allows it): kept until ``valid_until``."""

    member = models.ForeignKey(
        "members.Member", verbose_name=_("会员"), on_delete=models.CASCADE, related_name="tier_purchases"
    )
    tier = models.CharField(_("购买等级"), max_length=16)
    points = models.PositiveIntegerField(_("花费积分"))
    ref = IdentifierField(_("请求编号"), max_length=64)
    valid_until = models.DateTimeField(_("保级至"))
    created_at = models.DateTimeField(_("购买时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("积分购买等级")
        verbose_name_plural = _("积分购买等级")
        ordering = ["-id"]
        constraints = [models.UniqueConstraint(fields=["member", "ref"], name="tier_purchase_once")]

    def __str__(self) -> str:
        return f"{self.tier} {self.points}"


class FreeShippingUse(models.Model):
    """One of a tier's monthly free-shipping uses, spent by one order.

    The unique (member, month, slot) key is the quota: slot n exists at most once, and the
    placement takes slot ``used + 1`` only while it is within the tier's allowance. Cancelling the
    order deletes its row, giving the use back.
    """

    member = models.ForeignKey(
        "members.Member", verbose_name=_("会员"), on_delete=models.CASCADE, related_name="free_shipping_uses"
    )
    month = models.CharField(_("月份"), max_length=7)
    slot = models.PositiveIntegerField(_("第几次"))
    order = models.OneToOneField(
        "orders.Order", verbose_name=_("订单"), on_delete=models.CASCADE, related_name="free_shipping_use"
    )
    tier = models.CharField(_("使用时等级"), max_length=16)
    created_at = models.DateTimeField(_("使用时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("会员包邮次数")
        verbose_name_plural = _("会员包邮次数")
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(fields=["member", "month", "slot"], name="free_shipping_use_slot_once"),
            models.CheckConstraint(condition=Q(slot__gte=1), name="free_shipping_use_slot_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.month} #{self.slot}"


__all__ = ["TIER_LADDER", "FreeShippingUse", "GrowthEntry", "TierEvaluation", "TierPurchase", "TierRule"]
