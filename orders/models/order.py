"""Orders and their lines. Every amount is integer fen; lines keep what was paid for them."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, transition

from mall.models.fields import IdentifierField


class OrderStatus(models.TextChoices):
    PENDING_PAYMENT = "pending_payment", _("待付款")
    PAID = "paid", _("待发货")
    SHIPPED = "shipped", _("已发货")
    DELIVERED = "delivered", _("已送达")
    COMPLETED = "completed", _("已完成")
    CANCELLED = "cancelled", _("已取消")
    REFUNDING = "refunding", _("退款中")
    REFUNDED = "refunded", _("已退款")


class Order(models.Model):
    no = IdentifierField(_("订单号"), max_length=32, unique=True)
    member = models.ForeignKey(
        "members.Member", verbose_name=_("会员"), on_delete=models.PROTECT, related_name="orders"
    )
    # protected: the state only moves through the transitions called by order services.
    status = FSMField(
        _("状态"),
        max_length=20,
        choices=OrderStatus.choices,
        default=OrderStatus.PENDING_PAYMENT,
        protected=True,
        db_index=True,
    )
    goods_amount = models.PositiveIntegerField(_("商品原价合计"), default=0)
    discount_amount = models.PositiveIntegerField(_("优惠合计"), default=0)
    points_used = models.PositiveIntegerField(_("使用积分"), default=0)
    points_discount = models.PositiveIntegerField(_("积分抵扣"), default=0)
    shipping_fee = models.PositiveIntegerField(_("运费"), default=0)
    payable_amount = models.PositiveIntegerField(_("应付金额"), default=0)
    refunded_amount = models.PositiveIntegerField(_("已退金额"), default=0)
    pricing = models.JSONField(_("价格明细"), default=dict, blank=True)
    address = models.JSONField(_("收货地址"), default=dict, blank=True)
    remark = models.CharField(_("备注"), max_length=200, blank=True)
    idempotency_key = IdentifierField(max_length=64)
    expires_at = models.DateTimeField(_("支付截止"), db_index=True)
    paid_at = models.DateTimeField(_("支付时间"), null=True, blank=True)
    shipped_at = models.DateTimeField(_("发货时间"), null=True, blank=True)
    carrier = models.CharField(_("快递公司"), max_length=30, blank=True)
    tracking_no = IdentifierField(_("运单号"), max_length=64, blank=True)
    delivered_at = models.DateTimeField(_("送达时间"), null=True, blank=True)
    completed_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("取消时间"), null=True, blank=True)
    cancel_reason = models.CharField(_("取消原因"), max_length=100, blank=True)
    # Orders placed through a marketing tool (marketing.services.deals): which tool and which of
    # its rows (the flash-sale item, the group, the bargain) the order spent.
    deal_kind = models.CharField(_("活动类型"), max_length=16, blank=True)
    deal_ref = models.PositiveBigIntegerField(_("活动记录"), null=True, blank=True)
    # The tracking parameter (``src``) of the push or share that brought the shopper, carried
    # through the mini-program to placement (analytics.services.attribution reads it at payment).
    src = IdentifierField(_("来源追踪"), max_length=64, blank=True, default="")
    # Set while a paid order must not ship yet (a group buy waiting for its group); order_ship refuses it.
    ship_hold = models.CharField(_("暂缓发货"), max_length=32, blank=True)
    needs_attention = models.BooleanField(_("需人工处理"), default=False, db_index=True)
    attention_note = models.CharField(_("处理说明"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("下单时间"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("订单")
        verbose_name_plural = _("订单")
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(fields=["member", "idempotency_key"], name="order_idempotency_key_once"),
        ]
        indexes = [
            models.Index(fields=["status", "expires_at"]),
            models.Index(fields=["deal_kind", "deal_ref"]),
            # Lifecycle journeys (F17–F19) read each shopper's last paid order by this.
            models.Index(fields=["member", "paid_at"], name="order_member_paid_idx"),
        ]
        # Customer service ships orders without being able to edit them freely, and sees shoppers'
        # full phone numbers one reveal at a time (audited) (mall.console.roles).
        permissions = [("ship_order", _("可以发货")), ("reveal_phone", _("可以查看完整手机号"))]

    def __str__(self) -> str:
        return self.no

    # --- state machine: called only by order/payment services, which save and audit ----
    S = OrderStatus

    @transition(field=status, source=S.PENDING_PAYMENT, target=S.PAID)
    def mark_paid(self) -> None:
        """Payment confirmed by a verified notice (or the sandbox)."""

    @transition(field=status, source=S.PENDING_PAYMENT, target=S.CANCELLED)
    def cancel(self) -> None:
        """Shopper cancelled, or the 15-minute lock expired."""

    @transition(field=status, source=S.CANCELLED, target=S.PAID)
    def revive_paid(self) -> None:
        """A late payment notice arrived after expiry and the stock could be locked again."""

    @transition(field=status, source=S.PAID, target=S.SHIPPED)
    def ship(self) -> None:
        """The merchant shipped with a carrier and tracking number."""

    @transition(field=status, source=S.SHIPPED, target=S.DELIVERED)
    def deliver(self) -> None:
        """The carrier reported delivery."""

    @transition(field=status, source=[S.SHIPPED, S.DELIVERED], target=S.COMPLETED)
    def complete(self) -> None:
        """The shopper confirmed receipt, or the auto-complete window passed."""

    @transition(field=status, source=[S.PAID, S.SHIPPED, S.DELIVERED, S.COMPLETED, S.CANCELLED], target=S.REFUNDING)
    def start_refund(self) -> None:
        """A full refund was requested from the provider (async for WeChat Pay)."""

    @transition(
        field=status, source=[S.PAID, S.SHIPPED, S.DELIVERED, S.COMPLETED, S.REFUNDING, S.CANCELLED], target=S.REFUNDED
    )
    def finish_refund(self) -> None:
        """Everything paid has been returned."""


class OrderLine(models.Model):
    order = models.ForeignKey(Order, verbose_name=_("订单"), on_delete=models.CASCADE, related_name="lines")
    sku = models.ForeignKey("mall.Sku", verbose_name=_("SKU"), on_delete=models.PROTECT, related_name="+")
    product = models.ForeignKey("mall.Product", verbose_name=_("商品"), on_delete=models.PROTECT, related_name="+")
    title = models.CharField(_("商品"), max_length=120)
    specs = models.JSONField(_("规格"), default=dict, blank=True)
    image = models.CharField(_("图片"), max_length=300, blank=True)
    unit_price = models.PositiveIntegerField(_("单价"))
    qty = models.PositiveIntegerField(_("数量"))
    item_amount = models.PositiveIntegerField(_("商品金额"), help_text=_("单品级优惠后"))
    discount_amount = models.PositiveIntegerField(_("分摊优惠"), default=0)
    paid_amount = models.PositiveIntegerField(_("实付"))
    allocations = models.JSONField(_("优惠分摊"), default=list, blank=True)
    is_gift = models.BooleanField(_("赠品"), default=False)
    refunded_qty = models.PositiveIntegerField(_("已退数量"), default=0)
    refunded_amount = models.PositiveIntegerField(_("已退金额"), default=0)

    class Meta:
        verbose_name = _("订单明细")
        verbose_name_plural = _("订单明细")
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(condition=Q(refunded_qty__lte=models.F("qty")), name="orderline_refund_qty_le_qty"),
            models.CheckConstraint(
                condition=Q(refunded_amount__lte=models.F("paid_amount")), name="orderline_refund_le_paid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} × {self.qty}"
