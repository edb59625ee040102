"""Invite rewards (F04): the programme the merchant sets, who invited whom, the rewards granted and
the invitees' orders that earn their inviter points.

The binding itself is ``Member.inviter``, set once when the invitee is created (first login);
an ``Invite`` row is written in the same transaction and records whether the binding counts
toward the reward (the programme was on then). A reward is one ``InviteReward`` per block of
``threshold`` counted invitees; the unique (inviter, seq) key stands behind the inviter row
lock that decides it, so a block is rewarded exactly once however many invitees sign up at once.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from django.contrib.auth.models import User
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class InviteProgram(models.Model):
    """F04's rules (one row): N newly registered invitees → the reward coupon for the inviter and
    those N; each invitee order pays the inviter points worth a share of what was paid."""

    is_active = models.BooleanField(_("启用"), default=True)
    starts_at = models.DateTimeField(_("开始时间"), null=True, blank=True, help_text=_("留空表示立即开始"))
    ends_at = models.DateTimeField(_("结束时间"), null=True, blank=True, help_text=_("留空表示长期有效"))
    threshold = models.PositiveIntegerField(_("邀请人数"), default=3, help_text=_("邀请满 N 位新用户注册后发放奖励"))
    reward_template = models.ForeignKey(
        "marketing.CouponTemplate",
        verbose_name=_("奖励优惠券"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("邀请人和这 N 位好友每人一张；须为“活动发放”的优惠券"),
    )
    reward_limit = models.PositiveIntegerField(
        _("每人最多奖励次数"), default=1, help_text=_("1 表示只奖励一次；大于 1 时每再满 N 人再奖励一次")
    )
    points_rate = models.DecimalField(
        _("好友订单返积分比例"),
        max_digits=4,
        decimal_places=3,
        default=Decimal("0.1"),
        help_text=_("0.1 = 好友每单实付的 10% 按积分价值返给邀请人；0 表示不返"),
    )
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    updated_by = models.ForeignKey(
        User, verbose_name=_("修改人"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("邀请有礼设置")
        verbose_name_plural = _("邀请有礼设置")
        constraints = [
            models.CheckConstraint(condition=Q(threshold__gte=1), name="invite_program_threshold_min"),
            models.CheckConstraint(condition=Q(reward_limit__gte=1), name="invite_program_reward_limit_min"),
            models.CheckConstraint(
                condition=Q(points_rate__gte=0, points_rate__lte=1), name="invite_program_points_rate_range"
            ),
        ]

    def __str__(self) -> str:
        return str(_("邀请有礼设置"))

    @classmethod
    def load(cls) -> InviteProgram:
        """The row, created on first use (console and the service that changes it)."""
        obj, _created = cls.objects.get_or_create(pk=1)
        return obj

    @classmethod
    def current(cls) -> InviteProgram:
        """The row, or an unsaved switched-off programme: sign-ups and orders read it inside their
        transactions, where a get_or_create racing another would take gap locks."""
        return cls.objects.filter(pk=1).first() or cls(pk=1, is_active=False)

    def is_live(self, at: datetime) -> bool:
        if not self.is_active:
            return False
        if self.starts_at is not None and at < self.starts_at:
            return False
        return self.ends_at is None or at < self.ends_at


class InviteReward(models.Model):
    """The inviter's n-th reward: the block of ``threshold`` invitees it paid for (``invites``)."""

    inviter = models.ForeignKey(
        "members.Member", verbose_name=_("邀请人"), on_delete=models.CASCADE, related_name="invite_rewards"
    )
    seq = models.PositiveIntegerField(_("第几次奖励"))
    threshold = models.PositiveIntegerField(_("邀请人数"))
    template = models.ForeignKey(
        "marketing.CouponTemplate", verbose_name=_("奖励优惠券"), null=True, on_delete=models.PROTECT, related_name="+"
    )
    coupon = models.ForeignKey(
        "marketing.Coupon",
        verbose_name=_("邀请人的券"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    coupons_missing = models.PositiveIntegerField(
        _("未发出的券"), default=0, help_text=_("券已发完或超出每人限领时，未能发出的张数")
    )
    created_at = models.DateTimeField(_("奖励时间"), auto_now_add=True, db_index=True)
    # Set when the coupons have been issued (after commit); the sweeper picks up rewards without it.
    issued_at = models.DateTimeField(_("发券时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("邀请奖励")
        verbose_name_plural = _("邀请奖励")
        ordering = ["-id"]
        constraints = [models.UniqueConstraint(fields=["inviter", "seq"], name="invite_reward_once_per_block")]

    def __str__(self) -> str:
        return f"{self.inviter_id}#{self.seq}"


class Invite(models.Model):
    """One invitee bound to one inviter, for good (the invitee row is unique)."""

    inviter = models.ForeignKey(
        "members.Member", verbose_name=_("邀请人"), on_delete=models.CASCADE, related_name="invites_sent"
    )
    invitee = models.OneToOneField(
        "members.Member", verbose_name=_("被邀请人"), on_delete=models.CASCADE, related_name="invite"
    )
    counts = models.BooleanField(_("计入奖励"), default=False, help_text=_("注册时活动进行中"))
    reward = models.ForeignKey(
        InviteReward,
        verbose_name=_("所属奖励"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="invites",
    )
    coupon = models.ForeignKey(
        "marketing.Coupon",
        verbose_name=_("好友的券"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("绑定时间"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("邀请记录")
        verbose_name_plural = _("邀请记录")
        ordering = ["-id"]
        indexes = [models.Index(fields=["inviter", "counts", "reward"])]

    def __str__(self) -> str:
        return f"{self.inviter_id} → {self.invitee_id}"


class InviteOrder(models.Model):
    """An invitee's order that earns the inviter points, with the terms fixed at placement.

    ``points_total`` is what the whole order is worth to the inviter; what the inviter holds
    is settled from the order's state (completion, refunded units) like the buyer's own points.
    """

    order = models.OneToOneField(
        "orders.Order", verbose_name=_("订单"), on_delete=models.CASCADE, related_name="invite_share"
    )
    inviter = models.ForeignKey(
        "members.Member", verbose_name=_("邀请人"), on_delete=models.CASCADE, related_name="invite_orders"
    )
    rate = models.DecimalField(_("返积分比例"), max_digits=4, decimal_places=3)
    points_per_yuan = models.PositiveIntegerField(_("多少积分抵 1 元"))
    paid_amount = models.PositiveIntegerField(_("商品实付(分)"))
    points_total = models.PositiveIntegerField(_("可得积分"))
    created_at = models.DateTimeField(_("下单时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("好友订单返积分")
        verbose_name_plural = _("好友订单返积分")
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"{self.order_id} → {self.inviter_id}"
