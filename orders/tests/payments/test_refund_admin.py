"""The console's refund dialog on the order page, and the read-only payment/refund pages."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.contrib.auth.models import Permission, User
from django.test import Client
from django.urls import reverse

from mall.models import AuditLog
from orders.models import Order, OrderStatus, Refund

pytestmark = pytest.mark.django_db


@pytest.fixture
def console(finance: User) -> Client:
    client = Client()
    client.force_login(finance)
    return client


@pytest.fixture
def paid(order_with_lines: Callable[..., Order], pay_sandbox: Callable[[Order], Order]) -> Order:
    return pay_sandbox(order_with_lines(lines=[(3, 1000), (1, 500)], shipping_fee=800))


def test_the_dialog_offers_each_line_with_what_is_left(console: Client, paid: Order) -> None:
    html = console.get(reverse("admin:orders_order_refund", args=[paid.pk])).content.decode()
    for line in paid.lines.all():
        assert f'name="line_{line.pk}"' in html
    assert "可退 3 件" in html and "实付 ¥10.00" in html
    assert (
        reverse("admin:orders_order_refund", args=[paid.pk])
        in console.get(reverse("admin:orders_order_change", args=[paid.pk])).content.decode()
    )


def test_a_line_refund_from_the_dialog(console: Client, paid: Order, finance: User) -> None:
    first = paid.lines.order_by("pk").first()
    assert first is not None
    response = console.post(
        reverse("admin:orders_order_refund", args=[paid.pk]),
        {f"line_{first.pk}": "1", "reason": "破损", "_form_submitted": "on"},
    )
    assert response.headers["HX-Redirect"] == reverse("admin:orders_order_change", args=[paid.pk])
    refund = Refund.objects.get()
    assert (refund.amount, refund.reason, refund.created_by) == (334, "破损", finance)
    assert AuditLog.objects.get(action="order.refund_create").actor == finance
    # the refund's page: money in yuan, its lines by title (not the stored JSON in fen)
    page = console.get(reverse("admin:orders_refund_change", args=[refund.pk])).content.decode()
    assert f"{first.title} × 1：¥3.34" in page and "¥3.34" in page
    assert "line_id" not in page and ">334<" not in page
    payment = console.get(reverse("admin:orders_payment_change", args=[paid.payments.get().pk])).content.decode()
    assert f">{paid.payable_amount}<" not in payment and f"¥{paid.payable_amount // 100}." in payment


def test_a_full_refund_from_the_dialog(console: Client, paid: Order) -> None:
    console.post(
        reverse("admin:orders_order_refund", args=[paid.pk]),
        {"full": "on", "reason": "客户取消", "_form_submitted": "on"},
    )
    assert Refund.objects.get().amount == 2300
    assert Order.objects.get(pk=paid.pk).status == OrderStatus.REFUNDED


def test_the_dialog_needs_a_choice(console: Client, paid: Order) -> None:
    response = console.post(
        reverse("admin:orders_order_refund", args=[paid.pk]), {"reason": "x", "_form_submitted": "on"}
    )
    assert "请勾选全额退款" in response.content.decode()
    assert not Refund.objects.exists()


def test_the_dialog_shows_service_refusals(console: Client, order_with_lines: Callable[..., Order]) -> None:
    unpaid = order_with_lines()
    console.post(
        reverse("admin:orders_order_refund", args=[unpaid.pk]), {"full": "on", "reason": "x", "_form_submitted": "on"}
    )
    page = console.get(reverse("admin:orders_order_change", args=[unpaid.pk])).content.decode()
    assert "订单未支付或已全额退款" in page
    assert not Refund.objects.exists()


def test_refunds_need_the_refund_permission_in_the_console(paid: Order) -> None:
    viewer = User.objects.create_user(username="kefu2", password="x", is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_order"))
    client = Client()
    client.force_login(viewer)
    url = reverse("admin:orders_order_refund", args=[paid.pk])
    assert url not in client.get(reverse("admin:orders_order_change", args=[paid.pk])).content.decode()
    response = client.post(url, {"full": "on", "reason": "x", "_form_submitted": "on"})
    assert response.status_code == 403
    assert not Refund.objects.exists()


def test_payment_notice_and_refund_pages_list_rows(console: Client, paid: Order) -> None:
    payment = paid.payments.get()
    assert payment.out_trade_no in console.get(reverse("admin:orders_payment_changelist")).content.decode()
    assert payment.out_trade_no in console.get(reverse("admin:orders_paymentnotice_changelist")).content.decode()
    console.post(
        reverse("admin:orders_order_refund", args=[paid.pk]), {"full": "on", "reason": "x", "_form_submitted": "on"}
    )
    refund = Refund.objects.get()
    assert refund.out_refund_no in console.get(reverse("admin:orders_refund_changelist")).content.decode()
