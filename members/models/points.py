"""Points are a ledger (F15): the balance is the sum of entries, never a stored number."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from mall.models.fields import IdentifierField


class PointsEntry(models.Model):
    class Reason(models.TextChoices):
        ORDER_EARN = "order_earn", _("订单获得")
        ORDER_REDEEM = "order_redeem", _("下单抵扣")
        ORDER_REDEEM_RETURN = "order_redeem_return", _("抵扣退回")
        REFUND_REVERSE = "refund_reverse", _("退款扣回")
        ADJUST = "adjust", _("后台调整")
        GRANT = "grant", _("活动奖励")
        INVITE_EARN = "invite_earn", _("好友下单奖励")
        INVITE_REVERSE = "invite_reverse", _("好友退款扣回")
        MALL_REDEEM = "mall_redeem", _("积分商城兑换")
        MALL_RETURN = "mall_return", _("积分兑换退回")
        TIER_PURCHASE = "tier_purchase", _("积分购买等级")
        EXPIRE = "expire", _("积分过期")
        MIGRATE = "migrate", _("迁移")
        CHECKIN = "checkin", _("签到奖励")
        CHECKIN_MAKEUP = "checkin_makeup", _("补签消耗")
        COMMUNITY_AWARD = "community_award", _("优质内容奖励")
        COMMUNITY_REVERSE = "community_reverse", _("优质内容奖励撤回")

    member = models.ForeignKey(
        "members.Member", verbose_name=_("会员"), on_delete=models.CASCADE, related_name="points_entries"
    )
    delta = models.IntegerField(_("变动"))
    reason = models.CharField(_("原因"), max_length=32, choices=Reason.choices)
    # A unique key makes each grant/reversal happen once, whoever triggers it.
    ref = IdentifierField(_("关联"), max_length=64)
    note = models.CharField(_("备注"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("时间"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("积分流水")
        verbose_name_plural = _("积分流水")
        ordering = ["-id"]
        constraints = [models.UniqueConstraint(fields=["member", "reason", "ref"], name="points_entry_once")]
        # The balance is a sum over the member's entries, read by every checkout preview and
        # placement: with ``delta`` in the index it is read from the index alone, not row by row
        # (issue 12: a 2,000-entry ledger among other shoppers' rows cost a preview ≈ 1.26 ms more
        # of MariaDB's CPU read row by row, ≈ 0.28 ms from this index).
        indexes = [models.Index(fields=["member", "delta"], name="points_member_balance_idx")]

    def __str__(self) -> str:
        return f"{self.reason} {self.delta:+d}"
