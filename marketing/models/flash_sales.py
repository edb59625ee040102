"""Flash sales (F02) and limited releases (F12): quota campaigns on single SKUs.

A :class:`FlashSlot` is a window of time; ``kind`` says whether it is one of the shop's daily
整点秒杀 slots (10:00 / 15:00 / 20:00 by default, 1–3 items) or a 限量发售 release (one item,
any window, "仅售 N 件", reservations when sold out). Both sell :class:`FlashItem` rows the
same way: a flash price and a **quota** carved out of ``Sku.stock`` when the slot is
published, so flash units and shelf units never mix.

An item's counters obey ``available + locked + sold == quota`` at every moment, where
``available = quota - locked - sold``; CHECK constraints keep ``locked`` and ``sold`` non-negative
and ``locked + sold <= quota``, and every change is a guarded UPDATE. ``locked`` units belong to
unpaid orders (the 15-minute lock), ``sold`` to paid ones. When the slot ends the available
units go back to the shelf (``quota`` shrinks, ``returned`` grows) and the item is ``closed``;
a locked unit released after that goes back to the shelf too.

:class:`FlashPurchase` is one order's claim on an item (the database's final truth; the Redis
gate in front of it is rebuilt from these rows). :class:`FlashReservation` is a shopper's
"notify me when it is back" on a sold-out item.
"""

from __future__ import annotations

from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from mall.models.fields import IdentifierField

DEFAULT_SLOT_TIMES = ["10:00", "15:00", "20:00"]
DEFAULT_SLOT_MINUTES = 120
MAX_ITEMS_PER_SLOT = 3


def default_slot_times() -> list[str]:
    return list(DEFAULT_SLOT_TIMES)


class FlashSettings(models.Model):
    """The merchant's daily slot plan (one row): start times in Asia/Shanghai and a length."""

    slot_times = models.JSONField(
        _("每日场次"), default=default_slot_times, help_text=_('如 ["10:00", "15:00", "20:00"]')
    )
    slot_minutes = models.PositiveIntegerField(_("每场时长(分钟)"), default=DEFAULT_SLOT_MINUTES)
    per_shopper_limit = models.PositiveIntegerField(_("默认每人限购"), default=1)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("秒杀设置")
        verbose_name_plural = _("秒杀设置")

    def __str__(self) -> str:
        return " / ".join(str(t) for t in self.slot_times or [])

    @classmethod
    def load(cls) -> FlashSettings:
        obj, _created = cls.objects.get_or_create(pk=1)
        return obj


class FlashSlotKind(models.TextChoices):
    SLOT = "slot", _("整点秒杀")
    RELEASE = "release", _("限量发售")


class FlashSlotStatus(models.TextChoices):
    """The merchant's lifecycle; what shoppers see (即将开始 / 抢购中 / 已抢光 / 已结束) is derived
    from it, the clock and the counters (``marketing.selectors.flash_sales``)."""

    DRAFT = "draft", _("草稿")
    PUBLISHED = "published", _("已发布")
    PAUSED = "paused", _("已暂停")
    ENDED = "ended", _("已结束")


class FlashSlot(models.Model):
    kind = models.CharField(_("类型"), max_length=10, choices=FlashSlotKind.choices, default=FlashSlotKind.SLOT)
    title = models.CharField(_("标题"), max_length=60, blank=True)
    starts_at = models.DateTimeField(_("开始时间"))
    ends_at = models.DateTimeField(_("结束时间"))
    status = models.CharField(
        _("状态"), max_length=10, choices=FlashSlotStatus.choices, default=FlashSlotStatus.DRAFT, db_index=True
    )
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True)
    ended_at = models.DateTimeField(_("结束处理时间"), null=True, blank=True)
    # Who may buy in it (members.services.audience); empty = everyone.
    audience = models.JSONField(_("适用人群"), default=dict, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("秒杀场次")
        verbose_name_plural = _("秒杀场次")
        ordering = ["starts_at", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")), name="flash_slot_window_valid"),
        ]
        indexes = [models.Index(fields=["kind", "starts_at"]), models.Index(fields=["status", "ends_at"])]
        permissions = [("publish_flashslot", _("可以发布、暂停、延长秒杀场次并追加库存"))]

    def __str__(self) -> str:
        return self.title or f"{self.get_kind_display()} {timezone.localtime(self.starts_at):%Y-%m-%d %H:%M}"


class LimitedRelease(FlashSlot):
    """The console's view of 限量发售 releases (same table, ``kind = release``)."""

    class Meta:
        proxy = True
        verbose_name = _("限量发售")
        verbose_name_plural = _("限量发售")


class FlashItem(models.Model):
    slot = models.ForeignKey(FlashSlot, verbose_name=_("场次"), on_delete=models.CASCADE, related_name="items")
    sku = models.ForeignKey("mall.Sku", verbose_name=_("SKU"), on_delete=models.PROTECT, related_name="flash_items")
    flash_price = models.PositiveIntegerField(_("秒杀价(分)"))
    quota = models.IntegerField(_("秒杀库存"), help_text=_("发布时从商品库存中划出"))
    locked = models.IntegerField(_("待支付锁定"), default=0)
    sold = models.IntegerField(_("已售"), default=0)
    returned = models.IntegerField(_("已退回商品库存"), default=0)
    per_shopper_limit = models.PositiveIntegerField(_("每人限购"), default=1)
    per_order_limit = models.PositiveIntegerField(_("每单限购"), default=1)
    free_shipping = models.BooleanField(_("包邮"), default=False, help_text=_("勾选后以秒杀价购买时不收运费"))
    sort_order = models.PositiveIntegerField(_("排序"), default=0)
    closed = models.BooleanField(_("已收尾"), default=False, help_text=_("场次结束后剩余库存已退回"))
    # Bumped (under this row's lock) by every change the Redis gate mirrors after commit — a
    # unit released or taken back, quota added — so a gate rebuilt from this row knows which
    # of those changes it already counts (marketing.services.flash_gate).
    gate_seq = models.PositiveBigIntegerField(
        _("闸门同步序号"), default=0, editable=False, help_text=_("每次释放、补回或追加库存时加一，用于 Redis 闸门重建")
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("秒杀商品")
        verbose_name_plural = _("秒杀商品")
        ordering = ["slot_id", "sort_order", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(locked__gte=0), name="flash_item_locked_not_negative"),
            models.CheckConstraint(condition=Q(sold__gte=0), name="flash_item_sold_not_negative"),
            models.CheckConstraint(condition=Q(returned__gte=0), name="flash_item_returned_not_negative"),
            # available = quota - locked - sold >= 0, so available + locked + sold == quota always holds.
            models.CheckConstraint(condition=Q(quota__gte=F("locked") + F("sold")), name="flash_item_within_quota"),
            models.CheckConstraint(condition=Q(flash_price__gte=1), name="flash_item_price_positive"),
            models.CheckConstraint(
                condition=Q(per_shopper_limit__gte=1, per_order_limit__gte=1), name="flash_item_limits_min"
            ),
            models.UniqueConstraint(fields=["slot", "sku"], name="flash_item_once_per_slot"),
        ]

    def __str__(self) -> str:
        return f"{self.slot_id}:{self.sku_id}"

    @property
    def available(self) -> int:
        return self.quota - self.locked - self.sold


class FlashPurchaseStatus(models.TextChoices):
    LOCKED = "locked", _("待支付")
    PAID = "paid", _("已支付")
    RELEASED = "released", _("已释放")


ACTIVE_PURCHASE = (FlashPurchaseStatus.LOCKED, FlashPurchaseStatus.PAID)


class FlashPurchase(models.Model):
    """One order's units of one item: ``locked`` at placement, ``paid`` or ``released`` once."""

    item = models.ForeignKey(FlashItem, verbose_name=_("秒杀商品"), on_delete=models.PROTECT, related_name="purchases")
    member = models.ForeignKey(
        "members.Member", verbose_name=_("会员"), on_delete=models.PROTECT, related_name="flash_purchases"
    )
    order = models.OneToOneField(
        "orders.Order", verbose_name=_("订单"), on_delete=models.PROTECT, related_name="flash_purchase"
    )
    qty = models.PositiveIntegerField(_("件数"))
    status = models.CharField(
        _("状态"), max_length=10, choices=FlashPurchaseStatus.choices, default=FlashPurchaseStatus.LOCKED
    )
    # The Redis gate's admission this purchase came through ("" without the gate): lets the
    # reconciler tell an admission still in flight from one already written here.
    gate_token = IdentifierField(max_length=32, blank=True, default="")
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("秒杀购买记录")
        verbose_name_plural = _("秒杀购买记录")
        ordering = ["-id"]
        constraints = [models.CheckConstraint(condition=Q(qty__gte=1), name="flash_purchase_qty_min")]
        indexes = [models.Index(fields=["item", "member", "status"]), models.Index(fields=["item", "status"])]

    def __str__(self) -> str:
        return f"{self.item_id}@{self.order_id}"


class FlashReservation(models.Model):
    """A shopper waiting for a sold-out item; notified first come first served on restock."""

    item = models.ForeignKey(
        FlashItem, verbose_name=_("秒杀商品"), on_delete=models.CASCADE, related_name="reservations"
    )
    member = models.ForeignKey(
        "members.Member", verbose_name=_("会员"), on_delete=models.CASCADE, related_name="flash_reservations"
    )
    created_at = models.DateTimeField(_("预约时间"), auto_now_add=True)
    notified_at = models.DateTimeField(_("通知时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("补货预约")
        verbose_name_plural = _("补货预约")
        ordering = ["created_at", "id"]
        constraints = [models.UniqueConstraint(fields=["item", "member"], name="flash_reservation_once")]
        indexes = [models.Index(fields=["item", "notified_at", "created_at"])]

    def __str__(self) -> str:
        return f"{self.item_id}:{self.member_id}"
