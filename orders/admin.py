"""Console pages for orders: find, read, ship. Orders change only through the order services.

Nothing on an order is edited in a form: shipping goes through ``order_ship`` (state check,
audit row), refunds through the payments engineer's ``refund_create`` (action below).
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from unfold.admin import ModelAdmin, TabularInline
from unfold.decorators import action, display
from unfold.forms import BaseDialogForm

from mall.console.exports import can_export, export_csv_response
from mall.errors import ApplicationError
from mall.money import format_yuan
from orders.console import payments_admin  # noqa: F401 - registers Payment, PaymentNotice, Refund
from orders.console.refunds import OrderRefundForm
from orders.models import Order, OrderLine
from orders.selectors.exports import order_export_rows
from orders.services.orders import order_ship
from orders.services.refunds import refund_create


class OrderLineInline(TabularInline):
    """The lines as snapshotted at placement (title, specs, prices), read-only."""

    model = OrderLine
    fields = (
        "title",
        "specs",
        "unit_price",
        "qty",
        "item_amount",
        "discount_amount",
        "paid_amount",
        "is_gift",
        "refunded_qty",
        "refunded_amount",
    )
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class OrderShipForm(BaseDialogForm):
    carrier = forms.CharField(label=_("快递公司"), max_length=30)
    tracking_no = forms.CharField(label=_("运单号"), max_length=64)


@admin.register(Order)
class OrderAdmin(ModelAdmin):
    list_display = (
        "no",
        "member",
        "status",
        "payable_display",
        "deal_kind",
        "ship_hold",
        "needs_attention",
        "created_at",
        "paid_at",
    )
    # No date_hierarchy: it needs MySQL's time zone tables (CONVERT_TZ), often absent.
    list_filter = ("status", "deal_kind", "needs_attention", "created_at")
    search_fields = ("no", "member__nickname", "member__phone", "tracking_no")
    list_select_related = ("member",)
    list_per_page = 50
    actions = ("export_orders_csv",)
    fields = (
        "no",
        "member",
        "status",
        "deal_kind",
        "deal_ref",
        "ship_hold",
        "needs_attention",
        "attention_note",
        "goods_amount",
        "discount_amount",
        "points_used",
        "points_discount",
        "shipping_fee",
        "payable_amount",
        "refunded_amount",
        "address",
        "remark",
        "created_at",
        "expires_at",
        "paid_at",
        "carrier",
        "tracking_no",
        "shipped_at",
        "completed_at",
        "cancelled_at",
        "cancel_reason",
        "pricing",
    )
    readonly_fields = fields
    inlines = [OrderLineInline]
    # Detail-page actions; the payments engineer adds the refund action next to "ship".
    actions_detail = ["ship", "refund"]

    @display(description=_("应付"), ordering="payable_amount")
    def payable_display(self, obj: Order) -> str:
        return format_yuan(obj.payable_amount)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # Read-only page: every change is an action calling a service.
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_export_orders_permission(self, request: HttpRequest) -> bool:
        return can_export(request, "orders")

    @action(description=_("导出所选订单（CSV，含收货地址）"), permissions=["export_orders"])
    def export_orders_csv(self, request: HttpRequest, queryset: QuerySet[Order]) -> HttpResponse:
        """Personal data: its own permission, recorded and audited with the row count."""
        return export_csv_response(request, dataset="orders", queryset=queryset, rows_of=order_export_rows)

    @action(
        description=_("发货"),
        permissions=["ship"],
        icon="local_shipping",
        dialog={
            "title": _("发货"),
            "description": _("填写快递公司和运单号；发货会写入操作日志。"),
            "form_class": OrderShipForm,
            "form_submit_text": _("确认发货"),
        },
    )
    def ship(self, request: HttpRequest, form: OrderShipForm, object_id: str) -> HttpResponse:
        try:
            order = order_ship(
                order_id=int(object_id),
                carrier=form.cleaned_data["carrier"],
                tracking_no=form.cleaned_data["tracking_no"],
                actor=request.user,
            )
        except ApplicationError as exc:
            messages.error(request, str(exc.message))
        else:
            messages.success(request, _("订单 %(no)s 已发货") % {"no": order.no})
        return HttpResponse(headers={"HX-Redirect": reverse("admin:orders_order_change", args=[object_id])})

    def has_ship_permission(self, request: HttpRequest, object_id: Any = None) -> bool:
        # A method, not "orders.ship_order": unfold checks dotted permissions against the
        # database at system-check time, which fails before the first migrate.
        return request.user.has_perm("orders.ship_order")

    # --- refunds (payments engineer): a "refund" action calling refund_create goes here ---

    def has_refund_permission(self, request: HttpRequest, object_id: Any = None) -> bool:
        # A method rather than "orders.add_refund": unfold checks dotted permissions against
        # the database at system-check time, which fails before the first migrate.
        return request.user.has_perm("orders.add_refund")

    @action(
        description=_("退款"),
        permissions=["refund"],
        icon="currency_yuan",
        dialog={
            "title": _("退款"),
            "description": _("金额按各商品实付自动计算，不会超过实付；退款会写入操作日志。"),
            "form_class": OrderRefundForm,
            "form_submit_text": _("确认退款"),
        },
    )
    def refund(self, request: HttpRequest, form: OrderRefundForm, object_id: str) -> HttpResponse:
        try:
            refund = refund_create(
                order_id=int(object_id),
                lines=form.refund_lines(),
                reason=form.cleaned_data["reason"],
                actor=request.user,
            )
        except ApplicationError as exc:
            messages.error(request, str(exc.message))
        else:
            messages.success(
                request,
                _("已提交退款 %(no)s，金额 %(amount)s 元")
                % {"no": refund.out_refund_no, "amount": format_yuan(refund.amount)},
            )
        return HttpResponse(headers={"HX-Redirect": reverse("admin:orders_order_change", args=[object_id])})
