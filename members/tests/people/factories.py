"""Hand-built shops for the people tests: shoppers who joined at a given time and spending
orders with lines in a given category, written as rows (the order services have their own tests)."""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

import time_machine
from django.utils import timezone

from mall.models import Sku
from members.models import Member
from members.tests.factories import MemberFactory
from orders.models import Order, OrderLine, OrderStatus
from orders.tests.factories import SkuFactory

_seq = itertools.count(1)


def shopper(*, joined: dt.datetime | None = None, **fields: Any) -> Member:
    with time_machine.travel(joined or timezone.now() - dt.timedelta(days=400), tick=False):
        return MemberFactory.create(**fields)


def spend(
    member: Member,
    *,
    days_ago: float,
    amount: int = 10_000,
    discount: int = 0,
    sku: Sku | None = None,
    status: str = OrderStatus.COMPLETED,
    refunded: int = 0,
    deal_kind: str = "",
) -> Order:
    """A paid order ``days_ago`` days before now, with one line of ``sku`` worth ``amount``."""
    n = next(_seq)
    paid_at = timezone.now() - dt.timedelta(days=days_ago)
    order = Order.objects.create(
        no=f"P{n:012d}",
        member=member,
        idempotency_key=f"people-{n}",
        status=status,
        goods_amount=amount + discount,
        discount_amount=discount,
        payable_amount=amount,
        refunded_amount=refunded,
        expires_at=paid_at + dt.timedelta(minutes=15),
        paid_at=paid_at,
        deal_kind=deal_kind,
    )
    sku = sku or SkuFactory.create()
    OrderLine.objects.create(
        order=order,
        sku=sku,
        product=sku.product,
        title=sku.product.title,
        unit_price=amount,
        qty=1,
        item_amount=amount,
        paid_amount=amount,
        refunded_amount=refunded,
    )
    return order
