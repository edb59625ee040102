"""Order attribution (issue 15 §2): what touched each paid order, what it cost, and the daily rollups.

``OrderTouch`` is one row per (order, tool, tool object, refund): written once when the order is
paid (``refund_key`` 0) and once more, negative, for every refund that succeeds (``refund_key`` =
the refund's id), so summing the rows of an order gives what it is worth after refunds. The
unique key makes writing twice (a redelivered payment notice, a backfill run again) a no-op.

``LineFigure`` is the same for each order line (product analytics, F38): units, paid, cost of
goods, the line's share of discounts, and whether a marketing tool touched the line.

``ToolDailyFigure`` / ``ProductDailyFigure`` are the rollups the dashboards read (one row per
Shanghai day and tool object / product), recomputed idempotently from the rows above by
``analytics.services.figure_rollups``; dashboards never scan orders.

Money is integer fen; refund rows carry negative amounts.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from mall.models.fields import IdentifierField


class Tool(models.TextChoices):
    """Every kind of thing that can touch an order. A "campaign" is (tool, object id)."""

    PROMOTION = "promotion", _("价格规则")
    STEPPED = "stepped", _("阶梯价")
    TIER = "tier", _("会员价")
    COUPON = "coupon", _("优惠券")
    FLASH = "flash", _("秒杀")
    RELEASE = "release", _("限量首发")
    GROUP_BUY = "group_buy", _("拼团")
    BARGAIN = "bargain", _("砍价")
    INVITE = "invite", _("邀请有礼")
    DISTRIBUTION = "distribution", _("分销")
    POINTS = "points", _("积分抵扣")
    FREE_SHIPPING = "free_shipping", _("满额包邮")
    MESSAGE = "message", _("消息推送")
    SEGMENT = "segment", _("分群活动")
    JOURNEY = "journey", _("生命周期旅程")
    SHARE = "share", _("分享")
    WHEEL = "wheel", _("幸运大转盘")  # F21: orders paid with a coupon the wheel gave
    LIVE = "live", _("直播带货")  # F24: orders from a live room (src live:<room id>) or at its fan price
    DIRECT = "direct", _("自然成交")


class OrderTouch(models.Model):
    order = models.ForeignKey("orders.Order", verbose_name=_("订单"), on_delete=models.CASCADE, related_name="+")
    member = models.ForeignKey("members.Member", verbose_name=_("会员"), on_delete=models.CASCADE, related_name="+")
    # 0 for the payment's row; the refund's id for the row that takes a refund back.
    refund_key = models.PositiveBigIntegerField(_("退款单"), default=0)
    tool = models.CharField(_("营销工具"), max_length=16, choices=Tool.choices)
    object_id = models.PositiveBigIntegerField(_("活动对象"), default=0)
    object_name = models.CharField(_("活动名称"), max_length=120, blank=True)
    src = IdentifierField(_("来源追踪"), max_length=64, blank=True, default="")
    day = models.DateField(_("日期"), help_text=_("北京时间：支付日或退款日"))
    # Shanghai hour of the payment or refund (0–23): hour-of-day participation for suggestions.
    hour = models.PositiveSmallIntegerField(_("时段"), default=0)
    first_order = models.BooleanField(_("首单"), default=False)
    orders = models.SmallIntegerField(_("订单数"), default=0, help_text=_("支付 +1，全额退款 -1"))
    gmv = models.BigIntegerField(_("成交额(分)"), default=0)
    discount = models.BigIntegerField(_("优惠让利(分)"), default=0)
    coupon = models.BigIntegerField(_("券面抵扣(分)"), default=0)
    gift = models.BigIntegerField(_("赠品成本(分)"), default=0)
    shipping = models.BigIntegerField(_("免运费(分)"), default=0)
    points = models.BigIntegerField(_("积分抵扣(分)"), default=0)
    commission = models.BigIntegerField(_("佣金(分)"), default=0)
    invite_reward = models.BigIntegerField(_("邀请奖励(分)"), default=0)
    cogs = models.BigIntegerField(_("商品成本(分)"), default=0)
    # Per-line shares of each cost column ({line id: {column: fen}}), so a refund of some units
    # takes back exactly those units' share (largest remainder over units, like refunds do).
    lines = models.JSONField(_("明细"), default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    COST_FIELDS = ("discount", "coupon", "gift", "shipping", "points", "commission", "invite_reward")

    class Meta:
        verbose_name = _("订单归因")
        verbose_name_plural = _("订单归因")
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(fields=["order", "tool", "object_id", "refund_key"], name="order_touch_once"),
        ]
        indexes = [models.Index(fields=["day", "tool", "object_id"]), models.Index(fields=["tool", "object_id"])]

    def __str__(self) -> str:
        return f"{self.order_id}:{self.tool}:{self.object_id}"

    @property
    def cost(self) -> int:
        return sum(int(getattr(self, name)) for name in self.COST_FIELDS)


class LineFigure(models.Model):
    """One order line's figures at payment (``refund_key`` 0) and per refund (negative)."""

    line = models.ForeignKey("orders.OrderLine", verbose_name=_("订单明细"), on_delete=models.CASCADE, related_name="+")
    order = models.ForeignKey("orders.Order", verbose_name=_("订单"), on_delete=models.CASCADE, related_name="+")
    product = models.ForeignKey("mall.Product", verbose_name=_("商品"), on_delete=models.CASCADE, related_name="+")
    refund_key = models.PositiveBigIntegerField(_("退款单"), default=0)
    day = models.DateField(_("日期"))
    first_order = models.BooleanField(_("首单"), default=False)
    in_campaign = models.BooleanField(_("活动成交"), default=False)
    units = models.IntegerField(_("件数"), default=0)
    paid = models.BigIntegerField(_("实付(分)"), default=0)
    cogs = models.BigIntegerField(_("商品成本(分)"), default=0)
    cost_known = models.BooleanField(_("已填成本价"), default=False)
    tool_cost = models.BigIntegerField(_("营销成本(分)"), default=0)
    cash_cost = models.BigIntegerField(_("佣金与奖励(分)"), default=0)

    class Meta:
        verbose_name = _("商品成交明细")
        verbose_name_plural = _("商品成交明细")
        constraints = [models.UniqueConstraint(fields=["line", "refund_key"], name="line_figure_once")]
        indexes = [models.Index(fields=["day", "product"])]

    def __str__(self) -> str:
        return f"{self.line_id}:{self.refund_key}"


class ToolDailyFigure(models.Model):
    """One Shanghai day of one tool object (campaign): the dashboards' only source for F36/F29."""

    day = models.DateField(_("日期"))
    tool = models.CharField(_("营销工具"), max_length=16, choices=Tool.choices)
    object_id = models.PositiveBigIntegerField(_("活动对象"), default=0)
    object_name = models.CharField(_("活动名称"), max_length=120, blank=True)
    participants = models.IntegerField(_("参与人数"), default=0)
    new_shoppers = models.IntegerField(_("新客"), default=0)
    orders = models.IntegerField(_("订单数"), default=0)
    gmv = models.BigIntegerField(_("成交额(分)"), default=0)
    cost = models.BigIntegerField(_("营销成本(分)"), default=0)
    cash_cost = models.BigIntegerField(_("佣金与奖励(分)"), default=0)
    cogs = models.BigIntegerField(_("商品成本(分)"), default=0)
    refunds = models.BigIntegerField(_("退款(分)"), default=0)

    class Meta:
        verbose_name = _("营销工具日报")
        verbose_name_plural = _("营销工具日报")
        ordering = ["-day", "tool", "object_id"]
        constraints = [
            models.UniqueConstraint(fields=["day", "tool", "object_id"], name="tool_daily_figure_once"),
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.tool}:{self.object_id}"


class ProductDailyFigure(models.Model):
    day = models.DateField(_("日期"))
    product = models.ForeignKey("mall.Product", verbose_name=_("商品"), on_delete=models.CASCADE, related_name="+")
    buyers = models.IntegerField(_("买家数"), default=0)
    first_orders = models.IntegerField(_("首单数"), default=0)
    orders = models.IntegerField(_("订单数"), default=0)
    units = models.IntegerField(_("件数"), default=0)
    campaign_units = models.IntegerField(_("活动件数"), default=0)
    paid = models.BigIntegerField(_("实付(分)"), default=0)
    cogs = models.BigIntegerField(_("商品成本(分)"), default=0)
    cash_cost = models.BigIntegerField(_("佣金与奖励(分)"), default=0)
    cost_missing = models.IntegerField(_("缺成本价件数"), default=0)

    class Meta:
        verbose_name = _("商品日报")
        verbose_name_plural = _("商品日报")
        ordering = ["-day", "product_id"]
        constraints = [models.UniqueConstraint(fields=["day", "product"], name="product_daily_figure_once")]

    def __str__(self) -> str:
        return f"{self.day} {self.product_id}"
