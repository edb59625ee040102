"""Read-only console pages for payments, provider notices and refunds (finance reads these).

Imported by ``orders.admin`` so the registrations happen at admin autodiscovery. Nothing here
is editable: payments move only through verified notices, refunds through ``refund_create``.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from unfold.admin import ModelAdmin
from unfold.decorators import display

from mall.console.display import yuan
from orders.models import OrderLine, Payment, PaymentNotice, Refund


class _ReadOnlyAdmin(ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Payment)
class PaymentAdmin(_ReadOnlyAdmin):
    list_display = ("out_trade_no", "order", "provider", "amount_display", "status", "transaction_id", "created_at")
    # Detail page: money in yuan through the same column, never the fen field.
    fields = (
        "out_trade_no",
        "order",
        "provider",
        "amount_display",
        "status",
        "transaction_id",
        "created_at",
        "paid_at",
    )
    readonly_fields = fields
    list_filter = ("provider", "status")
    search_fields = ("out_trade_no", "transaction_id", "order__no")
    list_select_related = ("order",)

    @display(description=_("金额"), ordering="amount")
    def amount_display(self, obj: Payment) -> str:
        return yuan(obj.amount)


@admin.register(PaymentNotice)
class PaymentNoticeAdmin(_ReadOnlyAdmin):
    list_display = ("notice_id", "provider", "event_type", "out_trade_no", "outcome", "received_at")
    list_filter = ("provider", "event_type", "outcome")
    search_fields = ("notice_id", "out_trade_no")


@admin.register(Refund)
class RefundAdmin(_ReadOnlyAdmin):
    list_display = ("out_refund_no", "order", "amount_display", "status", "reason", "created_by", "created_at")
    fields = (
        "out_refund_no",
        "order",
        "amount_display",
        "lines_display",
        "status",
        "reason",
        "provider_refund_id",
        "created_by",
        "created_at",
        "succeeded_at",
    )
    readonly_fields = fields
    list_filter = ("status",)
    search_fields = ("out_refund_no", "order__no", "provider_refund_id")
    list_select_related = ("order", "created_by")

    @display(description=_("金额"), ordering="amount")
    def amount_display(self, obj: Refund) -> str:
        return yuan(obj.amount)

    @display(description=_("明细"))
    def lines_display(self, obj: Refund) -> str:
        """``烟酰胺身体乳 × 1：¥59.00；…`` from the stored ``[{line_id, qty, amount}]``."""
        parts = [p for p in (obj.lines if isinstance(obj.lines, list) else []) if isinstance(p, dict)]
        ids = [int(p["line_id"]) for p in parts if str(p.get("line_id", "")).isdigit()]
        titles: dict[int, str] = dict(OrderLine.objects.filter(pk__in=ids).values_list("pk", "title"))
        return "；".join(
            f"{titles.get(int(p.get('line_id') or 0), str(_('商品')))} × {p.get('qty', 0)}："
            f"{yuan(int(p.get('amount') or 0))}"
            for p in parts
        ) or str(_("运费及全部商品"))
