"""Rows of the orders export, with the shipping address (personal data); amounts in yuan."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from mall.money import format_yuan
from orders.models import Order


def order_export_rows(queryset: QuerySet[Order]) -> tuple[list[str], list[list[Any]]]:
    """Header and rows for the selected orders, in one query (the address is the order's snapshot)."""
    header = [
        _("订单号"),
        _("状态"),
        _("下单时间"),
        _("应付金额（元）"),
        _("已退金额（元）"),
        _("收货人"),
        _("收货电话"),
        _("收货地址"),
        _("快递公司"),
        _("运单号"),
    ]
    rows = []
    for order in queryset.order_by("pk"):
        address = order.address or {}
        rows.append(
            [
                order.no,
                order.get_status_display(),
                timezone.localtime(order.created_at).strftime("%Y-%m-%d %H:%M"),
                format_yuan(order.payable_amount),
                format_yuan(order.refunded_amount),
                address.get("receiver", ""),
                address.get("phone", ""),
                "".join(str(address.get(part, "")) for part in ("province", "city", "district", "detail")),
                order.carrier,
                order.tracking_no,
            ]
        )
    return header, rows
