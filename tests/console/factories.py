"""Orders as rows, for the console's read-side tests (the dashboard only reads Order fields).

The order services have their own tests; here each test states exactly when an order was
placed and paid, so day boundaries can be checked to the minute.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import factory
import time_machine
from django.utils import timezone
from factory.django import DjangoModelFactory

from members.models import Member
from members.tests.factories import MemberFactory
from orders.models import Order, OrderStatus


class OrderFactory(DjangoModelFactory[Order]):
    class Meta:
        model = Order

    no = factory.Sequence(lambda n: f"T{n:012d}")
    member = factory.SubFactory(MemberFactory)
    idempotency_key = factory.Sequence(lambda n: f"idem-{n}")
    goods_amount = 5900
    payable_amount = 5900
    expires_at = factory.LazyFunction(lambda: timezone.now() + dt.timedelta(minutes=15))


def order_at(
    placed_at: dt.datetime,
    *,
    paid_at: dt.datetime | None = None,
    payable: int = 5900,
    status: str | None = None,
    member: Member | None = None,
    **fields: Any,
) -> Order:
    """An order placed at ``placed_at`` (created_at is auto_now_add, so the clock is moved there).

    With ``paid_at`` the order is paid (status 待发货 unless ``status`` says otherwise).
    """
    if status is None:
        status = OrderStatus.PAID if paid_at else OrderStatus.PENDING_PAYMENT
    extra: dict[str, Any] = {"member": member} if member is not None else {}
    with time_machine.travel(placed_at, tick=False):
        return OrderFactory.create(
            payable_amount=payable,
            goods_amount=payable,
            paid_at=paid_at,
            status=status,
            expires_at=placed_at + dt.timedelta(minutes=15),
            **extra,
            **fields,
        )


def member_at(joined_at: dt.datetime, **fields: Any) -> Member:
    with time_machine.travel(joined_at, tick=False):
        return MemberFactory.create(**fields)
