"""The console's order page: read-only, filters, and the ship dialog that calls order_ship."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Permission, User
from django.test import Client
from django.urls import reverse

from mall.models import AuditLog
from orders.models import Order, OrderStatus
from orders.tests.conftest import reload

pytestmark = pytest.mark.django_db


@pytest.fixture
def console(staff: User) -> Client:
    client = Client()
    client.force_login(staff)
    return client


def test_order_list_filters_by_status_and_attention(console: Client, paid_order: Order) -> None:
    url = reverse("admin:orders_order_changelist")
    assert paid_order.no in console.get(url, {"status__exact": "paid"}).content.decode()
    assert paid_order.no not in console.get(url, {"status__exact": "cancelled"}).content.decode()
    assert paid_order.no not in console.get(url, {"needs_attention__exact": "1"}).content.decode()


def test_order_page_is_read_only_with_lines(console: Client, paid_order: Order) -> None:
    page = console.get(reverse("admin:orders_order_change", args=[paid_order.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert paid_order.lines.get().title in html
    assert reverse("admin:orders_order_ship", args=[paid_order.pk]) in html


def test_ship_dialog_ships_through_the_service(console: Client, paid_order: Order, staff: User) -> None:
    url = reverse("admin:orders_order_ship", args=[paid_order.pk])
    assert "tracking_no" in console.get(url).content.decode()
    response = console.post(url, {"carrier": "sf", "tracking_no": "sf1234567890", "_form_submitted": "on"})
    assert response.headers["HX-Redirect"] == reverse("admin:orders_order_change", args=[paid_order.pk])
    order = reload(paid_order)
    # the carrier is stored by its name from the list, the number upper-cased
    assert (order.status, order.carrier, order.tracking_no) == (OrderStatus.SHIPPED, "顺丰速运", "SF1234567890")
    assert AuditLog.objects.get(action="order.ship").actor == staff


def test_ship_dialog_refuses_an_unshipable_order_with_a_message(console: Client, placed_order: Order) -> None:
    url = reverse("admin:orders_order_ship", args=[placed_order.pk])
    console.post(url, {"carrier": "sf", "tracking_no": "SF1234567890", "_form_submitted": "on"})
    page = console.get(reverse("admin:orders_order_change", args=[placed_order.pk]))
    assert "订单当前状态不允许该操作" in page.content.decode()
    assert reload(placed_order).status == OrderStatus.PENDING_PAYMENT


def test_ship_dialog_needs_the_ship_permission(paid_order: Order) -> None:
    viewer = User.objects.create_user(username="viewer", password="x", is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_order"))
    client = Client()
    client.force_login(viewer)
    response = client.post(
        reverse("admin:orders_order_ship", args=[paid_order.pk]),
        {"carrier": "sf", "tracking_no": "SF1234567890", "_form_submitted": "on"},
    )
    assert response.status_code == 403
    assert reload(paid_order).status == OrderStatus.PAID
