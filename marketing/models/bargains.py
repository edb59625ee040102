"""助力砍价 bargain (F05): campaigns, the bargains shoppers start and their friends' helps.

A campaign prices one SKU from ``start_price`` down to ``floor_price`` (0 = free) with
``helpers_min``–``helpers_max`` friends each cutting ``cut_min``–``cut_max``. When a shopper
starts a bargain, a cut plan is drawn from a stored seed (``marketing.services.bargain_plans``):
its cuts sum exactly to start − floor, each inside the cut range, and their number is inside
the helper range, so the floor is always reached by the planned number of friends. The n-th
help applies the n-th cut under the bargain's row lock; ``(bargain, helper)`` is unique, so
one friend helps once.

The initiator may buy at the current price at any time before the deadline: the order closes
the bargain (``ordered``, a guarded UPDATE) and takes one unit of the campaign's quantity;
cancelling the unpaid order reopens it.
"""

from __future__ import annotations

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from mall.models.fields import IdentifierField
from marketing.models.group_buys import new_share_token

HELPERS_MAX = 200


class BargainCampaign(models.Model):
    name = models.CharField(_("活动名称"), max_length=60)
    sku = models.ForeignKey("mall.Sku", verbose_name=_("SKU"), on_delete=models.PROTECT, related_name="+")
    start_price = models.PositiveIntegerField(_("起砍价(分)"))
    floor_price = models.PositiveIntegerField(_("底价(分)"), default=0, help_text=_("0 表示砍到免费拿"))
    helpers_min = models.PositiveSmallIntegerField(_("最少帮砍人数"), default=10)
    helpers_max = models.PositiveSmallIntegerField(_("最多帮砍人数"), default=20)
    cut_min = models.PositiveIntegerField(_("每刀最少(分)"), default=100)
    cut_max = models.PositiveIntegerField(_("每刀最多(分)"), default=1000)
    duration_minutes = models.PositiveIntegerField(
        _("砍价时限(分钟)"), default=24 * 60, help_text=_("发起后多久内可帮砍和购买，不超过活动结束时间")
    )
    starts_at = models.DateTimeField(_("开始时间"))
    ends_at = models.DateTimeField(_("结束时间"))
    total_quantity = models.PositiveIntegerField(_("活动库存"), null=True, blank=True, help_text=_("留空表示不限量"))
    sold_count = models.PositiveIntegerField(_("已下单件数"), default=0)
    per_member_limit = models.PositiveIntegerField(_("每人可发起次数"), default=1)
    free_shipping = models.BooleanField(_("包邮"), default=False, help_text=_("勾选后砍价订单不收运费"))
    helper_new_only = models.BooleanField(_("仅限新用户帮砍"), default=False)
    helps_per_helper_per_day = models.PositiveSmallIntegerField(
        _("每人每天可帮砍次数"), default=3, help_text=_("同一活动内，按自然日计")
    )
    helps_per_ip = models.PositiveSmallIntegerField(
        _("同一 IP 每个砍价最多帮砍"), default=3, help_text=_("防刷：同一网络下的多个账号")
    )
    is_active = models.BooleanField(_("启用"), default=True)
    ended_at = models.DateTimeField(_("提前结束时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("砍价活动")
        verbose_name_plural = _("砍价活动")
        ordering = ["-id"]
        constraints = [
            models.CheckConstraint(condition=Q(floor_price__lt=F("start_price")), name="bargain_floor_below_start"),
            models.CheckConstraint(
                condition=Q(cut_min__gte=1, cut_max__gte=F("cut_min")), name="bargain_cut_range_valid"
            ),
            models.CheckConstraint(
                condition=Q(helpers_min__gte=1, helpers_max__gte=F("helpers_min"), helpers_max__lte=HELPERS_MAX),
                name="bargain_helpers_range_valid",
            ),
            models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")), name="bargain_window_valid"),
            models.CheckConstraint(
                condition=Q(total_quantity__isnull=True) | Q(sold_count__lte=F("total_quantity")),
                name="bargain_sold_within_quantity",
            ),
            models.CheckConstraint(condition=Q(per_member_limit__gte=1), name="bargain_member_limit_min"),
        ]
        indexes = [models.Index(fields=["sku", "is_active", "ends_at"])]

    def __str__(self) -> str:
        return self.name


class BargainStatus(models.TextChoices):
    ONGOING = "ongoing", _("砍价中")
    REACHED = "reached", _("已砍到底价")
    ORDERED = "ordered", _("已下单")  # an unpaid order holds it; cancelling reopens it
    BOUGHT = "bought", _("已购买")
    EXPIRED = "expired", _("已结束")


OPEN_BARGAIN_STATUSES = (BargainStatus.ONGOING, BargainStatus.REACHED)


class Bargain(models.Model):
    campaign = models.ForeignKey(
        BargainCampaign, verbose_name=_("砍价活动"), on_delete=models.PROTECT, related_name="bargains"
    )
    member = models.ForeignKey(
        "members.Member", verbose_name=_("发起人"), on_delete=models.PROTECT, related_name="bargains"
    )
    share_token = IdentifierField(_("分享码"), max_length=32, unique=True, default=new_share_token)
    start_price = models.PositiveIntegerField(_("起砍价(分)"))
    floor_price = models.PositiveIntegerField(_("底价(分)"))
    current_price = models.PositiveIntegerField(_("当前价(分)"))
    # The cut plan (fen per help, in order) drawn from ``seed`` when the bargain started.
    plan = models.JSONField(_("砍价计划"), default=list)
    seed = models.CharField(_("随机种子"), max_length=32)
    helps_count = models.PositiveSmallIntegerField(_("帮砍人数"), default=0)
    status = models.CharField(
        _("状态"), max_length=16, choices=BargainStatus.choices, default=BargainStatus.ONGOING, db_index=True
    )
    order = models.ForeignKey(
        "orders.Order", verbose_name=_("订单"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    expires_at = models.DateTimeField(_("截止时间"))
    reached_at = models.DateTimeField(_("砍到底价时间"), null=True, blank=True)
    bought_at = models.DateTimeField(_("购买时间"), null=True, blank=True)
    closed_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("发起时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("砍价记录")
        verbose_name_plural = _("砍价记录")
        ordering = ["-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(current_price__gte=F("floor_price"), current_price__lte=F("start_price")),
                name="bargain_price_between_floor_and_start",
            ),
            models.CheckConstraint(
                condition=~Q(status="ordered") | Q(order__isnull=False), name="bargain_ordered_has_order"
            ),
        ]
        indexes = [models.Index(fields=["status", "expires_at"]), models.Index(fields=["campaign", "member"])]

    def __str__(self) -> str:
        return f"#{self.pk}"

    @property
    def remaining(self) -> int:
        """再砍 ¥X: what is left to cut down to the floor (fen)."""
        return self.current_price - self.floor_price


class BargainHelp(models.Model):
    bargain = models.ForeignKey(Bargain, verbose_name=_("砍价"), on_delete=models.CASCADE, related_name="helps")
    helper = models.ForeignKey(
        "members.Member", verbose_name=_("帮砍人"), on_delete=models.PROTECT, related_name="bargain_helps"
    )
    seq = models.PositiveSmallIntegerField(_("第几刀"))
    cut = models.PositiveIntegerField(_("砍掉(分)"))
    price_after = models.PositiveIntegerField(_("砍后价(分)"))
    ip = models.GenericIPAddressField(_("IP"), null=True, blank=True)
    device_id = IdentifierField(_("设备"), max_length=64, blank=True)
    created_at = models.DateTimeField(_("帮砍时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("帮砍记录")
        verbose_name_plural = _("帮砍记录")
        ordering = ["seq"]
        constraints = [
            models.UniqueConstraint(fields=["bargain", "helper"], name="bargain_help_once_per_helper"),
            models.UniqueConstraint(fields=["bargain", "seq"], name="bargain_help_seq_once"),
        ]
        indexes = [models.Index(fields=["helper", "created_at"])]

    def __str__(self) -> str:
        return f"{self.bargain_id}#{self.seq}"
