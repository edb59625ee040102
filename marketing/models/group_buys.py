"""拼团 group buy (F03): campaigns, the groups shoppers open and the seats their friends take.

A campaign sets the group size (2–5), the group price per SKU (and an optional lower price for
the one who opens the group), how long a group has to fill up, whether a group still short of
members is completed anyway at its deadline (虚拟成团) and the shopper's limits.

A group is opened by the leader's order and becomes joinable when that order is paid; each
friend takes a seat with an order. Seats are spent with a guarded UPDATE
(``seats_taken < size``, a CHECK constraint behind it) so the (N+1)-th shopper cannot even
place an order, and ``(group, member)`` is unique so nobody joins a group twice. The group
completes when ``paid_count`` reaches ``size`` (then its orders may ship); at its deadline a
group still short fails and every paid member is refunded.
"""

from __future__ import annotations

import secrets

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from mall.models.fields import IdentifierField

GROUP_SIZE_MIN = 2
GROUP_SIZE_MAX = 5
SHARE_TOKEN_BYTES = 16


def new_share_token() -> str:
    """128 random bits, URL-safe (22 characters): a friend's link cannot be guessed."""
    return secrets.token_urlsafe(SHARE_TOKEN_BYTES)


class GroupBuyCampaign(models.Model):
    name = models.CharField(_("活动名称"), max_length=60)
    product = models.ForeignKey(
        "mall.Product", verbose_name=_("商品"), on_delete=models.PROTECT, related_name="group_buy_campaigns"
    )
    group_size = models.PositiveSmallIntegerField(_("成团人数"), default=3, help_text=_("2–5 人"))
    duration_minutes = models.PositiveIntegerField(
        _("成团时限(分钟)"), default=24 * 60, help_text=_("团长支付后开始计时，如 1440 = 24 小时")
    )
    auto_complete = models.BooleanField(
        _("虚拟成团"), default=False, help_text=_("到期人数不足时自动成团并发货，不退款")
    )
    starts_at = models.DateTimeField(_("开始时间"))
    ends_at = models.DateTimeField(_("结束时间"), help_text=_("结束后不能再开新团；已开的团在时限内仍可参团"))
    max_qty_per_order = models.PositiveSmallIntegerField(_("每单限购件数"), default=1)
    per_member_limit = models.PositiveIntegerField(
        _("每人限参团次数"), null=True, blank=True, default=1, help_text=_("开团和参团都算；失败的团不算；留空不限")
    )
    free_shipping = models.BooleanField(_("包邮"), default=False, help_text=_("勾选后拼团订单不收运费"))
    join_new_only = models.BooleanField(_("仅限新用户参团"), default=False, help_text=_("老带新：团长不限"))
    show_open_groups = models.BooleanField(
        _("商品页展示可参与的团"), default=True, help_text=_("顾客可直接加入别人开的团")
    )
    is_active = models.BooleanField(_("启用"), default=True)
    ended_at = models.DateTimeField(_("提前结束时间"), null=True, blank=True)
    # Who may open or join its groups (members.services.audience); empty = everyone.
    audience = models.JSONField(_("适用人群"), default=dict, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("拼团活动")
        verbose_name_plural = _("拼团活动")
        ordering = ["-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(group_size__gte=GROUP_SIZE_MIN, group_size__lte=GROUP_SIZE_MAX),
                name="group_buy_size_2_to_5",
            ),
            models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")), name="group_buy_window_valid"),
            models.CheckConstraint(condition=Q(duration_minutes__gte=1), name="group_buy_duration_positive"),
            models.CheckConstraint(condition=Q(max_qty_per_order__gte=1), name="group_buy_qty_min"),
            models.CheckConstraint(
                condition=Q(per_member_limit__isnull=True) | Q(per_member_limit__gte=1),
                name="group_buy_member_limit_min",
            ),
        ]
        indexes = [models.Index(fields=["product", "is_active", "ends_at"])]

    def __str__(self) -> str:
        return self.name


class GroupBuyItem(models.Model):
    """One SKU of the campaign with its group price (and the leader's price, when lower)."""

    campaign = models.ForeignKey(GroupBuyCampaign, on_delete=models.CASCADE, related_name="items")
    sku = models.ForeignKey("mall.Sku", verbose_name=_("SKU"), on_delete=models.PROTECT, related_name="+")
    price = models.PositiveIntegerField(_("拼团价(分)"))
    leader_price = models.PositiveIntegerField(_("团长价(分)"), null=True, blank=True)

    class Meta:
        verbose_name = _("拼团商品")
        verbose_name_plural = _("拼团商品")
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "sku"], name="group_buy_item_once"),
            models.CheckConstraint(
                condition=Q(leader_price__isnull=True) | Q(leader_price__lte=F("price")),
                name="group_buy_leader_price_le_price",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.campaign_id}:{self.sku_id}"


class GroupStatus(models.TextChoices):
    PENDING = "pending", _("待开团")  # the leader's order is not paid yet: nobody can join
    OPEN = "open", _("拼团中")
    COMPLETED = "completed", _("已成团")
    FAILED = "failed", _("未成团")
    CANCELLED = "cancelled", _("已取消")  # the leader never paid


class GroupOutcome(models.TextChoices):
    FULL = "full", _("人满成团")
    VIRTUAL = "virtual", _("到期虚拟成团")
    EXPIRED = "expired", _("到期未成团")
    STAFF_COMPLETED = "staff_completed", _("商家提前成团")
    STAFF_FAILED = "staff_failed", _("商家提前结束")
    LEADER_UNPAID = "leader_unpaid", _("团长未支付")


class GroupBuyGroup(models.Model):
    campaign = models.ForeignKey(
        GroupBuyCampaign, verbose_name=_("拼团活动"), on_delete=models.PROTECT, related_name="groups"
    )
    leader = models.ForeignKey("members.Member", verbose_name=_("团长"), on_delete=models.PROTECT, related_name="+")
    share_token = IdentifierField(_("分享码"), max_length=32, unique=True, default=new_share_token)
    size = models.PositiveSmallIntegerField(_("成团人数"))
    seats_taken = models.PositiveSmallIntegerField(_("已占名额"), default=0)
    paid_count = models.PositiveSmallIntegerField(_("已支付人数"), default=0)
    status = models.CharField(
        _("状态"), max_length=16, choices=GroupStatus.choices, default=GroupStatus.PENDING, db_index=True
    )
    outcome = models.CharField(_("结果"), max_length=16, choices=GroupOutcome.choices, blank=True)
    opened_at = models.DateTimeField(_("开团时间"), null=True, blank=True)
    expires_at = models.DateTimeField(_("截止时间"), null=True, blank=True)
    completed_at = models.DateTimeField(_("成团时间"), null=True, blank=True)
    failed_at = models.DateTimeField(_("失败时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("拼团记录")
        verbose_name_plural = _("拼团记录")
        ordering = ["-id"]
        constraints = [
            models.CheckConstraint(condition=Q(seats_taken__lte=F("size")), name="group_seats_within_size"),
            models.CheckConstraint(condition=Q(paid_count__lte=F("seats_taken")), name="group_paid_within_seats"),
        ]
        indexes = [models.Index(fields=["status", "expires_at"]), models.Index(fields=["campaign", "status"])]
        permissions = [("close_groupbuygroup", _("可以提前成团或结束拼团"))]

    def __str__(self) -> str:
        return f"#{self.pk}"

    @property
    def seats_left(self) -> int:
        """还差 N 人成团: the members still to pay (0 once complete)."""
        if self.status == GroupStatus.COMPLETED:
            return 0
        return max(0, self.size - self.paid_count)


class GroupMemberStatus(models.TextChoices):
    PENDING = "pending", _("待支付")
    PAID = "paid", _("已支付")
    REFUNDED = "refunded", _("已退款")


class GroupBuyMember(models.Model):
    """A seat: one shopper's order in one group. A seat of an unpaid order is deleted when the
    order is cancelled or expires, so the seat (and a second try by the same shopper) is free."""

    group = models.ForeignKey(GroupBuyGroup, verbose_name=_("团"), on_delete=models.PROTECT, related_name="members")
    member = models.ForeignKey(
        "members.Member", verbose_name=_("会员"), on_delete=models.PROTECT, related_name="group_memberships"
    )
    order = models.OneToOneField(
        "orders.Order", verbose_name=_("订单"), on_delete=models.PROTECT, related_name="group_membership"
    )
    is_leader = models.BooleanField(_("团长"), default=False)
    status = models.CharField(
        _("状态"), max_length=16, choices=GroupMemberStatus.choices, default=GroupMemberStatus.PENDING
    )
    joined_at = models.DateTimeField(_("参团时间"), auto_now_add=True)
    paid_at = models.DateTimeField(_("支付时间"), null=True, blank=True)
    refund = models.ForeignKey(
        "orders.Refund", verbose_name=_("退款"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("团成员")
        verbose_name_plural = _("团成员")
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["group", "member"], name="group_member_once")]
        indexes = [models.Index(fields=["member", "status"]), models.Index(fields=["group", "status"])]

    def __str__(self) -> str:
        return f"{self.group_id}:{self.member_id}"
