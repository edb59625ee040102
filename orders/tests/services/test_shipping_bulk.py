"""Bulk ship from a sheet: all or nothing, and two staff importing the same sheet at once ship
each order exactly once (the order row lock in ``order_ship`` decides, the loser changes nothing)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.contrib.auth.models import User

from mall.models import AuditLog, Sku
from mall.tests.concurrency import run_in_threads
from members.models import Member
from orders.errors import BulkShipInvalid
from orders.models import Order, OrderStatus
from orders.services.shipping import ShipRow, order_ship_bulk
from orders.tests.conftest import pay, reload


@pytest.mark.django_db
def test_one_refused_row_ships_nothing(place: Callable[..., Order], member: Member, sku: Sku, staff: User) -> None:
    first, second = pay(place(member, [(sku, 1)])), pay(place(member, [(sku, 1)]))
    # the second order is on hold: the whole sheet is refused, the good first row included
    Order.objects.filter(pk=second.pk).update(ship_hold="group_forming")
    rows = [ShipRow(2, first.no, "顺丰", "SF1234567890123"), ShipRow(3, second.no, "顺丰", "SF1234567890124")]
    with pytest.raises(BulkShipInvalid) as refused:
        order_ship_bulk(rows=rows, actor=staff)
    assert [r["line"] for r in refused.value.details["rows"]] == [3]
    assert reload(first).status == OrderStatus.PAID  # nothing half-applied
    assert not AuditLog.objects.filter(action="order.ship").exists()


@pytest.mark.django_db(transaction=True)
def test_two_staff_importing_the_same_sheet_ship_each_order_once(
    place: Callable[..., Order], member: Member, sku: Sku, staff: User
) -> None:
    sku.stock = 50
    sku.save(update_fields=["stock"])
    orders = [pay(place(member, [(sku, 1)])) for _ in range(5)]
    rows = [ShipRow(i + 2, o.no, "中通", f"78123456789{i:03d}") for i, o in enumerate(orders)]
    other = User.objects.create_superuser(username="kefu2", password="x", email="k2@example.com")
    actors = [staff, other]

    results = run_in_threads(2, lambda i: order_ship_bulk(rows=rows, actor=actors[i]))

    shipped = [r for r in results if isinstance(r, list)]
    refused = [r for r in results if isinstance(r, BulkShipInvalid)]
    assert (len(shipped), len(refused)) == (1, 1), results
    assert all(reload(o).status == OrderStatus.SHIPPED for o in orders)
    assert AuditLog.objects.filter(action="order.ship").count() == 5
