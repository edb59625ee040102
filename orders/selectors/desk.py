"""Reads for the console's order desk: the status tabs and their counts.

A tab is a named filter over orders. The counts of every tab come from one query (conditional
counts over one scan), so the list page's header costs the same with 10 or 100,000 orders.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Exists, OuterRef, Q
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from orders.models import AfterSale, Order, OrderStatus


def order_after_sales_q() -> Q:
    """Orders in after-sales ("售后中"): a refund under way, or a shopper's after-sales request
    still open (``open_line`` is set exactly while a request is open).

    The one place the tab's meaning lives: the tab, its count and its filter all follow it.
    """
    open_request = AfterSale.objects.filter(order_id=OuterRef("pk"), open_line__isnull=False)
    return Q(status=OrderStatus.REFUNDING) | Q(Exists(open_request))


@dataclass(frozen=True)
class OrderTab:
    key: str
    label: str | Promise
    condition: Q


def order_desk_tabs() -> tuple[OrderTab, ...]:
    """The order list's tabs, in the order staff work through them."""
    return (
        OrderTab("pending_payment", _("待付款"), Q(status=OrderStatus.PENDING_PAYMENT)),
        OrderTab("to_ship", _("待发货"), Q(status=OrderStatus.PAID)),
        OrderTab("shipped", _("已发货"), Q(status__in=(OrderStatus.SHIPPED, OrderStatus.DELIVERED))),
        OrderTab("completed", _("已完成"), Q(status=OrderStatus.COMPLETED)),
        OrderTab("after_sales", _("售后中"), order_after_sales_q()),
        OrderTab("cancelled", _("已取消"), Q(status=OrderStatus.CANCELLED)),
    )


def order_tab_get(key: str | None) -> OrderTab | None:
    return next((tab for tab in order_desk_tabs() if tab.key == key), None)


def order_tab_counts() -> dict[str, int]:
    """``{tab key: orders in it}`` plus ``"all"``, in one query."""
    tabs = order_desk_tabs()
    counts = Order.objects.aggregate(all=Count("pk"), **{tab.key: Count("pk", filter=tab.condition) for tab in tabs})
    return {key: int(value or 0) for key, value in counts.items()}
