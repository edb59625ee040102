"""Order lifecycle hooks fire once per state change, inside the change's transaction."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.contrib.auth.models import User

from members.models import Member
from orders.models import Order, OrderStatus
from orders.services.hooks import order_hook, order_hook_unregister
from orders.services.orders import order_cancel
from orders.services.refunds import refund_create, refund_mark_succeeded


@pytest.fixture
def heard() -> Iterator[list[tuple[str, int, str, int | None]]]:
    calls: list[tuple[str, int, str, int | None]] = []
    registered: list[tuple[Any, Any]] = []
    for moment in ("paid", "refunded", "completed", "cancelled"):

        def hook(*, order: Order, refund: Any, moment: str = moment) -> None:
            calls.append((moment, order.pk, order.status, refund.amount if refund else None))

        registered.append((moment, order_hook(moment)(hook)))  # type: ignore[arg-type]
    yield calls
    for moment, hook in registered:
        order_hook_unregister(moment, hook)


def test_paid_and_full_refund_are_heard_once_each(
    heard: list[tuple[str, int, str, int | None]],
    order_with_lines: Callable[..., Order],
    pay_wechat: Callable[[Order], Order],
    shopper: Member,
    finance: User,
) -> None:
    order = pay_wechat(order_with_lines(lines=[(2, 2500)]))
    assert heard == [("paid", order.pk, OrderStatus.PAID, None)]

    refund = refund_create(order_id=order.pk, lines=None, reason="客户取消", actor=finance)
    assert refund_mark_succeeded(refund_id=refund.pk, provider_refund_id="50300001")
    assert refund_mark_succeeded(refund_id=refund.pk, provider_refund_id="50300001") is False  # the notice again
    assert heard[1:] == [("refunded", order.pk, OrderStatus.REFUNDED, refund.amount)]


def test_cancelling_an_unpaid_order_is_heard_once(
    heard: list[tuple[str, int, str, int | None]], order_with_lines: Callable[..., Order]
) -> None:
    order = order_with_lines(lines=[(1, 1000)])
    assert order_cancel(order_id=order.pk, reason="shopper") is True
    assert order_cancel(order_id=order.pk, reason="shopper") is False
    assert heard == [("cancelled", order.pk, OrderStatus.CANCELLED, None)]


def test_an_unknown_moment_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown order moment"):
        order_hook("shipped")  # type: ignore[arg-type]
