"""Reads of orders for the shopper: list and detail in a fixed number of queries."""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet

from members.models import Member
from orders.errors import OrderNotFound
from orders.models import Order, OrderLine, OrderStatus
from orders.selectors.cart import MAX_ID


def order_list_for_member(*, member: Member, status: str | None = None) -> QuerySet[Order]:
    """The shopper's orders, newest first, lines prefetched (one extra query per page)."""
    qs = Order.objects.filter(member=member).order_by("-id")
    if status:
        qs = qs.filter(status=status)
    return qs.prefetch_related(Prefetch("lines", queryset=OrderLine.objects.order_by("id")))


def order_get_for_member(*, member: Member, no: str | None = None, order_id: int | None = None) -> Order:
    """One of the shopper's own orders by number (or id); another shopper's is ``order_not_found``."""
    qs = Order.objects.filter(member=member).prefetch_related(
        Prefetch("lines", queryset=OrderLine.objects.order_by("id"))
    )
    if no is not None:
        order = qs.filter(no=no).first()
    elif order_id is not None and 0 < order_id <= MAX_ID:
        order = qs.filter(pk=order_id).first()
    else:
        order = None
    if order is None:
        raise OrderNotFound(details={"no": no} if no is not None else {"order_id": order_id})
    return order


def order_status_values() -> list[str]:
    """Valid ``?status=`` filters."""
    return list(OrderStatus.values)
