"""Fixtures for cart, checkout and order tests, built through the real services where it matters.

``placed_order`` goes through ``order_place`` (stock reserved, lines snapshotted), and
``paid_order`` / ``shipped_order`` move it on through ``order_mark_paid`` / ``order_ship``,
so each scenario is one the shop can actually reach (Saleor-style composable fixtures).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.utils import timezone

from mall.models import ShopSettings, Sku
from members.models import Address, Member, PointsEntry
from members.services.points import points_grant
from members.tests.factories import AddressFactory
from members.tests.fixtures import SHOPPER_CONTEXT
from orders.models import Order
from orders.services.orders import order_mark_paid, order_place, order_ship
from orders.tests.factories import SkuFactory


@pytest.fixture
def shop(db: Any) -> ShopSettings:
    """The default shop rules: 8.00 yuan shipping, free from 99.00 yuan, auto-complete after 7 days."""
    shop = ShopSettings.load()
    shop.shipping_flat_fee, shop.free_shipping_threshold, shop.auto_complete_days = 800, 9900, 7
    shop.save()
    return shop


@pytest.fixture
def sku(db: Any) -> Sku:
    return SkuFactory.create(price=5900, stock=10)


@pytest.fixture
def address(member: Member) -> Address:
    return AddressFactory.create(member=member)


@pytest.fixture
def other_address(other_member: Member) -> Address:
    return AddressFactory.create(member=other_member)


@pytest.fixture
def staff(db: Any) -> User:
    return User.objects.create_superuser(username="kefu", password="x", email="kefu@example.com")


def grant_points(member: Member, points: int) -> None:
    points_grant(member_id=member.pk, delta=points, reason=PointsEntry.Reason.GRANT, ref=uuid.uuid4().hex)


@pytest.fixture
def place(shop: ShopSettings) -> Callable[..., Order]:
    """``place(member, [(sku, qty)], key=None, points=0, coupon_ids=())`` → an order placed through ``order_place``."""

    def make(
        member: Member,
        items: list[tuple[Sku, int]] | None,
        *,
        key: str | None = None,
        points: int | str = 0,
        coupon_ids: tuple[int, ...] = (),
        address: Address | None = None,
    ) -> Order:
        address = address or Address.objects.filter(member=member).first() or AddressFactory.create(member=member)
        return order_place(
            context=SHOPPER_CONTEXT,
            member=member,
            items=None if items is None else [(s.pk, q) for s, q in items],
            address_id=address.pk,
            idempotency_key=key or uuid.uuid4().hex,
            points=points,  # type: ignore[arg-type]
            coupon_ids=coupon_ids,
        )

    return make


@pytest.fixture
def placed_order(place: Callable[..., Order], member: Member, address: Address, sku: Sku) -> Order:
    """Two units of a 59.00-yuan SKU: 118.00 yuan, free shipping, stock 10 → 8."""
    return place(member, [(sku, 2)])


def pay(order: Order) -> Order:
    order_mark_paid(
        order_id=order.pk,
        amount=order.payable_amount,
        transaction_id=f"T{order.no}",
        paid_at=timezone.now(),
        provider="sandbox",
    )
    return Order.objects.get(pk=order.pk)


@pytest.fixture
def paid_order(placed_order: Order) -> Order:
    return pay(placed_order)


@pytest.fixture
def shipped_order(paid_order: Order, staff: User) -> Order:
    return order_ship(order_id=paid_order.pk, carrier="顺丰", tracking_no="SF1234567890", actor=staff)


def reload(obj: Any) -> Any:
    """A fresh copy from the database (Order.status is protected, so no refresh_from_db)."""
    return type(obj).objects.get(pk=obj.pk)
