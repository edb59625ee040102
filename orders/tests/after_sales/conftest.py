"""Fixtures for after-sales tests: the payment tests' orders (built row by row, paid through the
real notice path), plus a paid order moved on to shipped / completed through the order services.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import User

from mall.console.roles import ROLE_SERVICE
from mall.services.staff import staff_create, staff_roles_sync
from members.models import Member
from orders.models import Order
from orders.services.orders import order_confirm_receipt, order_ship
from orders.tests.payments.conftest import (  # noqa: F401 - fixtures shared with the refund tests
    finance,
    order_with_lines,
    pay_sandbox,
    pay_wechat,
    shopper,
    shopper_client,
    sku_factory,
    wechat,
    wechat_api,
)


@pytest.fixture
def paid(
    order_with_lines: Callable[..., Order],  # noqa: F811 - the imported fixture, requested by name
    pay_sandbox: Callable[[Order], Order],  # noqa: F811
) -> Callable[..., Order]:
    """``paid(lines=[(qty, paid)], shipping_fee=0)`` → an order paid through the sandbox."""

    def make(**kwargs: Any) -> Order:
        return pay_sandbox(order_with_lines(**kwargs))

    return make


@pytest.fixture
def ship(finance: User) -> Callable[[Order], Order]:  # noqa: F811 - the imported fixture
    def run(order: Order) -> Order:
        return order_ship(order_id=order.pk, carrier="顺丰", tracking_no="SF100200300", actor=finance)

    return run


@pytest.fixture
def receive(ship: Callable[[Order], Order], shopper: Member) -> Callable[[Order], Order]:  # noqa: F811
    """Ship, then the shopper confirms receipt: the order is completed."""

    def run(order: Order) -> Order:
        ship(order)
        return order_confirm_receipt(member=shopper, order_id=order.pk)

    return run


@pytest.fixture
def service_staff(db: Any) -> User:
    """A 客服 (customer service) account with the role's real permissions (not a superuser)."""
    staff_roles_sync()
    return staff_create(username="kefu", password="Kefu-2026-strong", role=ROLE_SERVICE, actor=None)
