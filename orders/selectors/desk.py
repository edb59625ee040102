"""Reads for the console's order desk: the status tabs and their counts.

A tab is a named filter over orders. The counts of every tab come from one query (conditional
counts over one scan), so the list page's header costs the same with 10 or 100,000 orders.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Q
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from orders.models import Order, OrderStatus


def order_after_sales_q() -> Q:
    """Orders in after-sales ("售后中"): today those with a refund under way.

    The one place the tab's meaning lives: when shoppers' after-sales requests arrive, OR their
    open requests in here (e.g. ``| Q(Exists(open requests of OuterRef("pk")))``) and the tab, its count
    and its filter all follow.
    """
    return Q(status=OrderStatus.REFUNDING)


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
