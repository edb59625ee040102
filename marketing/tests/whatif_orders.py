"""Paid orders written straight to the tables for what-if tests: exact baskets, exact days."""

from __future__ import annotations

import itertools
from datetime import datetime, timedelta
from typing import cast
from zoneinfo import ZoneInfo

from mall.models import Sku
from members.models import Member
from members.tests.factories import MemberFactory
from orders.models import Order, OrderLine, OrderStatus

SHANGHAI = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 6, 20, 15, 0, tzinfo=SHANGHAI)
_seq = itertools.count(1)


def shopper() -> Member:
    return cast(Member, MemberFactory())


def paid(member: Member, *lines: tuple[Sku, int], days_ago: float = 1, status: str = OrderStatus.COMPLETED) -> Order:
    """An order paid ``days_ago`` before NOW with ``lines`` at the SKUs' list prices."""
    at = NOW - timedelta(days=days_ago)
    n = next(_seq)
    order = Order.objects.create(
        no=f"WHATIF{n:08d}", member=member, idempotency_key=f"w-{n}", status=status, expires_at=at, paid_at=at
    )
    OrderLine.objects.bulk_create(
        OrderLine(
            order=order,
            sku=sku,
            product=sku.product,
            title=sku.code,
            unit_price=sku.price,
            qty=qty,
            item_amount=sku.price * qty,
            paid_amount=sku.price * qty,
        )
        for sku, qty in lines
    )
    return order
