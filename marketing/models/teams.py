"""组队瓜分 team split (F22): the merchant's activity, the teams shoppers open and the orders
that count toward a team's goal.

A shopper opens a team for an activity and shares its link; friends join until the team is
full (``members_count < size`` is spent with a guarded UPDATE, a CHECK constraint behind it) and
``(activity, member)`` is unique, so a shopper is in at most one team per activity. Every paid
order of a member inside the team's window counts (a ``TeamOrder``, one per order); refunds
reduce it. When the team's net spending reaches the goal the team is *reached* and waits the
merchant's after-sales days; a refund in that time can take it back below the goal. Once the
wait is over the reward is split (equally or by contribution, largest remainder to the fen)
into one coupon per member, exactly once (``settled``). Refunds after the split do not claw
coupons back: that is what the wait is for.
"""

from __future__ import annotations

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from mall.models.fields import IdentifierField
from marketing.models.group_buys import new_share_token

TEAM_SIZE_MIN = 3
TEAM_SIZE_MAX = 5
DEFAULT_GOAL = 200_000  # ¥2,000
DEFAULT_REWARD = 10_000  # ¥100


class SplitMode(models.TextChoices):
    EQUAL = "equal", _("平均瓜分")
    CONTRIBUTION = "contribution", _("按贡献瓜分")


class TeamActivity(models.Model):
    name = models.CharField(_("活动名称"), max_length=60)
    team_size = models.PositiveSmallIntegerField(_("组队人数"), default=3, help_text=_("3–5 人"))
    goal = models.PositiveIntegerField(_("目标消费(分)"), default=DEFAULT_GOAL)
    reward_total = models.PositiveIntegerField(_("瓜分奖励(分)"), default=DEFAULT_REWARD)
    split_mode = models.CharField(_("瓜分方式"), max_length=16, choices=SplitMode.choices, default=SplitMode.EQUAL)
    team_hours = models.PositiveIntegerField(
        _("组队时限(小时)"), default=72, help_text=_("开团后多少小时内的消费计入团队，最晚到活动结束")
    )
    settle_days = models.PositiveIntegerField(
        _("售后等待天数"), default=7, help_text=_("达标后等待多少天再瓜分；期间退款会从团队消费中扣除")
    )
    coupon_valid_days = models.PositiveIntegerField(_("奖励券有效天数"), default=30)
    starts_at = models.DateTimeField(_("开始时间"))
    ends_at = models.DateTimeField(_("结束时间"), help_text=_("结束后不能再开团或参团"))
    is_active = models.BooleanField(_("启用"), default=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("组队瓜分活动")
        verbose_name_plural = _("组队瓜分活动")
        ordering = ["-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(team_size__gte=TEAM_SIZE_MIN, team_size__lte=TEAM_SIZE_MAX), name="team_size_3_to_5"
            ),
            models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")), name="team_activity_window_valid"),
            models.CheckConstraint(condition=Q(goal__gt=0, reward_total__gt=0), name="team_goal_reward_positive"),
            models.CheckConstraint(condition=Q(team_hours__gte=1), name="team_hours_positive"),
            models.CheckConstraint(condition=Q(coupon_valid_days__gte=1), name="team_coupon_days_positive"),
        ]

    def __str__(self) -> str:
        return self.name


class TeamStatus(models.TextChoices):
    OPEN = "open", _("组队中")
    REACHED = "reached", _("已达标待瓜分")
    SETTLED = "settled", _("已瓜分")
    FAILED = "failed", _("未达标")


class Team(models.Model):
    activity = models.ForeignKey(
        TeamActivity, verbose_name=_("组队瓜分活动"), on_delete=models.PROTECT, related_name="teams"
    )
    leader = models.ForeignKey("members.Member", verbose_name=_("队长"), on_delete=models.PROTECT, related_name="+")
    share_token = IdentifierField(_("分享码"), max_length=32, unique=True, default=new_share_token)
    size = models.PositiveSmallIntegerField(_("组队人数"))
    members_count = models.PositiveSmallIntegerField(_("已加入人数"), default=0)
    goal = models.PositiveIntegerField(_("目标消费(分)"))
    spent = models.IntegerField(_("团队消费(分)"), default=0, help_text=_("已支付减已退款"))
    status = models.CharField(
        _("状态"), max_length=16, choices=TeamStatus.choices, default=TeamStatus.OPEN, db_index=True
    )
    opened_at = models.DateTimeField(_("开团时间"))
    expires_at = models.DateTimeField(_("截止时间"), db_index=True)
    reached_at = models.DateTimeField(_("达标时间"), null=True, blank=True)
    settle_at = models.DateTimeField(_("瓜分时间"), null=True, blank=True, help_text=_("达标后等待售后期结束"))
    settled_at = models.DateTimeField(_("已瓜分时间"), null=True, blank=True)
    failed_at = models.DateTimeField(_("结束时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("组队记录")
        verbose_name_plural = _("组队记录")
        ordering = ["-id"]
        constraints = [
            models.CheckConstraint(condition=Q(members_count__lte=F("size")), name="team_members_within_size"),
        ]
        indexes = [models.Index(fields=["status", "settle_at"]), models.Index(fields=["activity", "status"])]

    def __str__(self) -> str:
        return f"#{self.pk}"

    @property
    def left(self) -> int:
        """还差 ¥X: what the team still has to spend (0 once reached)."""
        return max(0, self.goal - self.spent)


class TeamMember(models.Model):
    team = models.ForeignKey(Team, verbose_name=_("团队"), on_delete=models.CASCADE, related_name="members")
    # Denormalised from the team so the database keeps "one team per shopper per activity".
    activity = models.ForeignKey(TeamActivity, on_delete=models.PROTECT, related_name="+")
    member = models.ForeignKey(
        "members.Member", verbose_name=_("会员"), on_delete=models.PROTECT, related_name="team_memberships"
    )
    is_leader = models.BooleanField(_("队长"), default=False)
    joined_at = models.DateTimeField(_("加入时间"))
    share = models.PositiveIntegerField(_("瓜分金额(分)"), default=0)
    coupon = models.OneToOneField(
        "marketing.Coupon", verbose_name=_("奖励券"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("队员")
        verbose_name_plural = _("队员")
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["activity", "member"], name="team_member_once_per_activity")]

    def __str__(self) -> str:
        return str(self.member)


class TeamOrder(models.Model):
    """A paid order of a member that counts toward the team: its payment and what was refunded."""

    team = models.ForeignKey(Team, verbose_name=_("团队"), on_delete=models.CASCADE, related_name="orders")
    member = models.ForeignKey("members.Member", verbose_name=_("会员"), on_delete=models.PROTECT, related_name="+")
    order = models.ForeignKey("orders.Order", verbose_name=_("订单"), on_delete=models.PROTECT, related_name="+")
    amount = models.PositiveIntegerField(_("支付金额(分)"))
    refunded = models.PositiveIntegerField(_("已退金额(分)"), default=0)
    paid_at = models.DateTimeField(_("支付时间"))

    class Meta:
        verbose_name = _("团队订单")
        verbose_name_plural = _("团队订单")
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(fields=["team", "order"], name="team_order_once"),
            models.CheckConstraint(condition=Q(refunded__lte=F("amount")), name="team_order_refund_le_amount"),
        ]

    def __str__(self) -> str:
        return str(self.order)
