"""Live selling (直播带货, F24): WeChat's mini-program live rooms mirrored here, and our in-room deals.

WeChat owns the rooms (小程序直播): we create them through its API and read them back with
``getliveinfo``; :class:`LiveRoom` is our mirror, keyed by WeChat's ``roomid``, with WeChat's
``live_status`` kept as is and our own :class:`LiveRoomStatus` (预告 / 直播中 / 回放 / 已结束)
derived from it when syncing, so the mini-program's tabs are one indexed filter.

The deals bound to a room:

* 整点秒杀: :class:`LiveFlashSlot` ties one of the shop's flash slots (opening on the hour,
  inside the room's broadcast window) to the room; the flash sale itself is the usual one.
* 评论抽奖: :class:`LiveLottery`, entered once per shopper (:class:`LiveLotteryEntry`, unique),
  drawn once with a commit-reveal seed (``seed_hash`` published at creation, ``seed`` revealed
  after the draw).
* 粉丝专属价: :class:`LiveFanPrice`, a price per SKU through the room's signed share link for
  shoppers who follow the room; an optional quota spent by a guarded UPDATE.
"""

from __future__ import annotations

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _


class LiveRoomStatus(models.TextChoices):
    UPCOMING = "upcoming", _("预告")
    LIVE = "live", _("直播中")
    REPLAY = "replay", _("回放")
    ENDED = "ended", _("已结束")


# WeChat's live_status codes (getliveinfo), named for the console.
WECHAT_LIVE_STATUS: dict[int, object] = {
    101: _("直播中"),
    102: _("未开始"),
    103: _("已结束"),
    104: _("禁播"),
    105: _("暂停"),
    106: _("异常"),
    107: _("已过期"),
}


class LiveRoom(models.Model):
    wx_room_id = models.PositiveBigIntegerField(_("微信直播间号"), unique=True)
    name = models.CharField(_("直播间名称"), max_length=60)
    anchor_name = models.CharField(_("主播昵称"), max_length=60, blank=True)
    cover_img = models.URLField(_("封面图"), max_length=500, blank=True)
    share_img = models.URLField(_("分享图"), max_length=500, blank=True)
    wx_status = models.PositiveIntegerField(_("微信直播状态"), default=102)
    status = models.CharField(
        _("状态"), max_length=10, choices=LiveRoomStatus.choices, default=LiveRoomStatus.UPCOMING, db_index=True
    )
    start_time = models.DateTimeField(_("开播时间"))
    end_time = models.DateTimeField(_("结束时间"))
    # [{"media_url": …, "expire_time": iso, "create_time": iso}] from get_replay
    replays = models.JSONField(_("回放"), default=list, blank=True)
    is_hidden = models.BooleanField(_("小程序中隐藏"), default=False)
    # Set by a full sync when WeChat no longer lists the room (deleted in the live console); the
    # row stays for its orders, lotteries and follows, but shoppers no longer see it. Cleared if
    # the room comes back.
    gone_at = models.DateTimeField(
        _("微信已删除"), null=True, blank=True, help_text=_("全量同步时微信直播列表中已没有该直播间")
    )
    synced_at = models.DateTimeField(_("同步时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("直播间")
        verbose_name_plural = _("直播间")
        ordering = ["-start_time", "-id"]
        indexes = [models.Index(fields=["status", "start_time"], name="live_room_status_start")]

    def __str__(self) -> str:
        return self.name

    @property
    def shown(self) -> bool:
        """Shoppers see the room: not hidden by the merchant and still listed by WeChat."""
        return not self.is_hidden and self.gone_at is None

    @property
    def wx_status_label(self) -> str:
        return str(WECHAT_LIVE_STATUS.get(self.wx_status, self.wx_status))


class LiveRoomGoods(models.Model):
    """A product on the room's shelf (WeChat's goods library entry, linked to our product)."""

    room = models.ForeignKey(LiveRoom, verbose_name=_("直播间"), on_delete=models.CASCADE, related_name="goods")
    wx_goods_id = models.PositiveBigIntegerField(_("微信商品号"))
    product = models.ForeignKey(
        "mall.Product", verbose_name=_("商品"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    name = models.CharField(_("商品名称"), max_length=60)
    price = models.PositiveIntegerField(_("价格(分)"), default=0)
    cover_img = models.URLField(_("封面图"), max_length=500, blank=True)
    url = models.CharField(_("小程序路径"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("直播间商品")
        verbose_name_plural = _("直播间商品")
        ordering = ["room", "id"]
        constraints = [models.UniqueConstraint(fields=["room", "wx_goods_id"], name="live_goods_once_per_room")]

    def __str__(self) -> str:
        return self.name


class LiveFollow(models.Model):
    """A shopper follows (subscribes to) a room: one reminder before it starts, and its fan prices."""

    room = models.ForeignKey(LiveRoom, verbose_name=_("直播间"), on_delete=models.CASCADE, related_name="follows")
    member = models.ForeignKey(
        "members.Member", verbose_name=_("会员"), on_delete=models.CASCADE, related_name="live_follows"
    )
    reminded_at = models.DateTimeField(_("提醒时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("关注时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("直播间关注")
        verbose_name_plural = _("直播间关注")
        ordering = ["-id"]
        constraints = [models.UniqueConstraint(fields=["room", "member"], name="live_follow_once")]

    def __str__(self) -> str:
        return f"{self.room_id}:{self.member_id}"


class LiveFlashSlot(models.Model):
    """整点秒杀 of a room: one of the shop's flash slots, shown on the room's companion page."""

    room = models.ForeignKey(
        LiveRoom, verbose_name=_("直播间"), on_delete=models.CASCADE, related_name="flash_bindings"
    )
    slot = models.OneToOneField(
        "marketing.FlashSlot", verbose_name=_("秒杀场次"), on_delete=models.CASCADE, related_name="live_binding"
    )
    created_at = models.DateTimeField(_("绑定时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("直播间整点秒杀")
        verbose_name_plural = _("直播间整点秒杀")
        ordering = ["slot__starts_at", "id"]

    def __str__(self) -> str:
        return f"{self.room_id}:{self.slot_id}"


class LotteryPrizeKind(models.TextChoices):
    COUPON = "coupon", _("优惠券")
    POINTS = "points", _("积分")


class LotteryStatus(models.TextChoices):
    OPEN = "open", _("进行中")
    DRAWN = "drawn", _("已开奖")
    CANCELLED = "cancelled", _("已取消")


class LiveLottery(models.Model):
    """评论抽奖: shoppers send ``keyword`` within [opens_at, closes_at); N winners drawn once.

    Commit-reveal: ``seed`` (32 random bytes, hex) is chosen at creation and only its SHA-256
    (``seed_hash``) is shown until the draw; the draw ranks entries by HMAC-SHA256(seed, entry
    id) and reveals ``seed``, so anyone can check both the hash and the ranking.
    """

    room = models.ForeignKey(LiveRoom, verbose_name=_("直播间"), on_delete=models.CASCADE, related_name="lotteries")
    title = models.CharField(_("抽奖名称"), max_length=60)
    keyword = models.CharField(_("口令"), max_length=20)
    opens_at = models.DateTimeField(_("开始参与"))
    closes_at = models.DateTimeField(_("截止参与"))
    winners_count = models.PositiveIntegerField(_("中奖人数"))
    prize_kind = models.CharField(_("奖品类型"), max_length=10, choices=LotteryPrizeKind.choices)
    coupon_template = models.ForeignKey(
        "marketing.CouponTemplate",
        verbose_name=_("优惠券模板"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="live_lotteries",
    )
    points = models.PositiveIntegerField(_("积分数"), default=0)
    seed_hash = models.CharField(_("种子哈希 SHA-256"), max_length=64)
    seed = models.CharField(_("随机种子"), max_length=64)
    status = models.CharField(
        _("状态"), max_length=10, choices=LotteryStatus.choices, default=LotteryStatus.OPEN, db_index=True
    )
    # Written by the draw (the final count); open lotteries count their entry rows.
    entries_count = models.PositiveIntegerField(_("参与人数"), default=0)
    drawn_at = models.DateTimeField(_("开奖时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("评论抽奖")
        verbose_name_plural = _("评论抽奖")
        ordering = ["-opens_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(closes_at__gt=F("opens_at")), name="live_lottery_window_valid"),
            models.CheckConstraint(condition=Q(winners_count__gte=1), name="live_lottery_winners_min"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def seed_revealed(self) -> str:
        """The seed, once the draw made it public; empty before."""
        return self.seed if self.status == LotteryStatus.DRAWN else ""


class LiveLotteryEntry(models.Model):
    lottery = models.ForeignKey(LiveLottery, verbose_name=_("抽奖"), on_delete=models.CASCADE, related_name="entries")
    member = models.ForeignKey(
        "members.Member", verbose_name=_("会员"), on_delete=models.CASCADE, related_name="live_lottery_entries"
    )
    # 1-based place in the draw's ranking (winners are 1..N); null before the draw.
    rank = models.PositiveIntegerField(_("排名"), null=True, blank=True)
    won = models.BooleanField(_("中奖"), default=False)
    coupon = models.OneToOneField(
        "marketing.Coupon",
        verbose_name=_("优惠券"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="live_lottery_entry",
    )
    points = models.PositiveIntegerField(_("积分"), default=0)
    prize_issued_at = models.DateTimeField(_("发奖时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("参与时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("抽奖参与")
        verbose_name_plural = _("抽奖参与")
        ordering = ["lottery", "id"]
        constraints = [models.UniqueConstraint(fields=["lottery", "member"], name="live_lottery_entry_once")]

    def __str__(self) -> str:
        return f"{self.lottery_id}:{self.member_id}"


class LiveFanPrice(models.Model):
    """粉丝专属价: ``price`` for ``sku`` through the room's share link, for the room's followers."""

    room = models.ForeignKey(LiveRoom, verbose_name=_("直播间"), on_delete=models.CASCADE, related_name="fan_prices")
    sku = models.ForeignKey("mall.Sku", verbose_name=_("SKU"), on_delete=models.PROTECT, related_name="+")
    price = models.PositiveIntegerField(_("粉丝价(分)"))
    quota = models.PositiveIntegerField(_("限量"), null=True, blank=True, help_text=_("留空表示不限量"))
    sold = models.PositiveIntegerField(_("已售"), default=0)
    is_active = models.BooleanField(_("启用"), default=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("粉丝专属价")
        verbose_name_plural = _("粉丝专属价")
        ordering = ["room", "id"]
        constraints = [
            models.UniqueConstraint(fields=["room", "sku"], name="live_fan_price_once_per_sku"),
            models.CheckConstraint(
                condition=Q(quota__isnull=True) | Q(sold__lte=F("quota")), name="live_fan_sold_le_quota"
            ),
            models.CheckConstraint(condition=Q(price__gte=1), name="live_fan_price_min"),
        ]

    def __str__(self) -> str:
        return f"{self.room_id}:{self.sku_id}"

    @property
    def left(self) -> int | None:
        return None if self.quota is None else max(0, self.quota - self.sold)


class LiveFanPurchase(models.Model):
    """One order's units at a fan price: what a cancellation gives back to the quota, once."""

    fan_price = models.ForeignKey(
        LiveFanPrice, verbose_name=_("粉丝专属价"), on_delete=models.PROTECT, related_name="purchases"
    )
    order = models.OneToOneField(
        "orders.Order", verbose_name=_("订单"), on_delete=models.CASCADE, related_name="live_fan_purchase"
    )
    qty = models.PositiveIntegerField(_("数量"))
    released_at = models.DateTimeField(_("退回时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("下单时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("粉丝价购买")
        verbose_name_plural = _("粉丝价购买")
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"{self.fan_price_id}:{self.order_id}"
