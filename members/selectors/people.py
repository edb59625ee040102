"""Shared building blocks of tags and segments: which orders count as spending, and a line's
top-level category. Everything here returns querysets, so callers stay set-based."""

from __future__ import annotations

from datetime import datetime

from django.db.models import F, QuerySet
from django.db.models.functions import Coalesce

from orders.models import Order, OrderLine, OrderStatus

# Orders a shopper paid for and did not get fully refunded or cancelled.
SPENDING_STATUSES = (OrderStatus.PAID, OrderStatus.SHIPPED, OrderStatus.DELIVERED, OrderStatus.COMPLETED)


def spending_orders(*, since: datetime | None = None) -> QuerySet[Order]:
    orders = Order.objects.filter(status__in=SPENDING_STATUSES, paid_at__isnull=False)
    if since is not None:
        orders = orders.filter(paid_at__gte=since)
    return orders.order_by()


def spending_lines(*, since: datetime | None = None) -> QuerySet[OrderLine]:
    lines = OrderLine.objects.filter(order__status__in=SPENDING_STATUSES, order__paid_at__isnull=False)
    if since is not None:
        lines = lines.filter(order__paid_at__gte=since)
    return lines.order_by()


def order_net_amount() -> F:
    """What an order spent after partial refunds (fen)."""
    return F("payable_amount") - F("refunded_amount")  # type: ignore[return-value]


def line_top_category() -> Coalesce:
    """The line's product's top-level category (trees up to three levels deep)."""
    return Coalesce("product__category__parent__parent_id", "product__category__parent_id", "product__category_id")
