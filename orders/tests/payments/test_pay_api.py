"""POST orders/{no}/pay and the sandbox's POST payments/sandbox/{out_trade_no}/complete."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
import responses
import time_machine
from django.utils import timezone
from rest_framework.test import APIClient

from analytics.models import Event
from mall.models import Sku
from members.models import Member
from members.tests.factories import AddressFactory, MemberFactory
from members.tests.fixtures import SHOPPER_CONTEXT, client_for
from orders.models import Order, OrderStatus, Payment, PaymentNotice
from orders.services.orders import order_place
from orders.tests.payments import wechat_fake
from orders.tests.payments.wechat_fake import FakeWeChat


def pay_url(order: Order) -> str:
    return f"/api/v1/orders/{order.no}/pay"


def complete_url(out_trade_no: str) -> str:
    return f"/api/v1/payments/sandbox/{out_trade_no}/complete"


@pytest.mark.django_db
def test_pay_in_the_sandbox_returns_the_complete_url(
    shopper_client: APIClient, order_with_lines: Callable[..., Order]
) -> None:
    order = order_with_lines(lines=[(1, 5900)])
    response = shopper_client.post(pay_url(order))
    assert response.status_code == 200
    data = response.json()
    payment = Payment.objects.get(order=order)
    assert data == {
        "provider": "sandbox",
        "out_trade_no": payment.out_trade_no,
        "params": {"sandbox_pay_url": complete_url(payment.out_trade_no)},
    }
    assert (payment.provider, payment.amount, payment.status) == ("sandbox", 5900, Payment.Status.CREATED)
    assert 6 <= len(payment.out_trade_no) <= 32


@pytest.mark.django_db
def test_paying_twice_reuses_one_out_trade_no(
    shopper_client: APIClient, order_with_lines: Callable[..., Order]
) -> None:
    order = order_with_lines()
    first = shopper_client.post(pay_url(order)).json()
    second = shopper_client.post(pay_url(order)).json()
    assert first["out_trade_no"] == second["out_trade_no"]
    assert Payment.objects.filter(order=order).count() == 1


@pytest.mark.django_db
def test_pay_for_someone_elses_order_is_not_found(order_with_lines: Callable[..., Order], shopper: Member) -> None:
    order = order_with_lines()
    response = client_for(MemberFactory.create()).post(pay_url(order))
    assert response.status_code == 404
    assert response.json()["code"] == "order_not_found"
    assert not Payment.objects.exists()


@pytest.mark.django_db
def test_pay_needs_a_signed_in_shopper(order_with_lines: Callable[..., Order]) -> None:
    response = APIClient().post(pay_url(order_with_lines()))
    assert response.status_code == 401
    assert not Payment.objects.exists()


@pytest.mark.django_db
def test_pay_for_a_paid_order_is_a_conflict(
    shopper_client: APIClient, order_with_lines: Callable[..., Order], pay_sandbox: Callable[[Order], Order]
) -> None:
    order = pay_sandbox(order_with_lines())
    response = shopper_client.post(pay_url(order))
    assert response.status_code == 409
    assert response.json()["code"] == "order_not_payable"
    assert Payment.objects.filter(order=order).count() == 1


@pytest.mark.django_db
def test_pay_after_the_lock_ended_is_a_conflict(
    shopper_client: APIClient, order_with_lines: Callable[..., Order]
) -> None:
    order = order_with_lines(minutes_left=15)
    with time_machine.travel(timezone.now() + timedelta(minutes=16)):
        response = shopper_client.post(pay_url(order))
    assert response.status_code == 409
    assert response.json()["code"] == "order_not_payable"


@pytest.mark.django_db
def test_sandbox_complete_pays_through_the_notice_path(
    shopper_client: APIClient, order_with_lines: Callable[..., Order]
) -> None:
    order = order_with_lines(lines=[(3, 3000)])
    out_trade_no = shopper_client.post(pay_url(order)).json()["out_trade_no"]
    response = shopper_client.post(complete_url(out_trade_no))
    assert response.status_code == 200
    assert response.json() == {
        "out_trade_no": out_trade_no,
        "outcome": "paid",
        "order_no": order.no,
        "order_status": "paid",
    }
    assert Order.objects.get(pk=order.pk).status == OrderStatus.PAID
    payment = Payment.objects.get(out_trade_no=out_trade_no)
    assert payment.status == Payment.Status.SUCCEEDED and payment.transaction_id == f"SANDBOX{out_trade_no}"
    assert PaymentNotice.objects.filter(provider="sandbox", out_trade_no=out_trade_no).count() == 1
    assert Sku.objects.get(pk=order.lines.get().sku_id).sales_count == 3


@pytest.mark.django_db
def test_sandbox_complete_twice_is_a_duplicate(
    shopper_client: APIClient, order_with_lines: Callable[..., Order]
) -> None:
    order = order_with_lines()
    out_trade_no = shopper_client.post(pay_url(order)).json()["out_trade_no"]
    shopper_client.post(complete_url(out_trade_no))
    again = shopper_client.post(complete_url(out_trade_no))
    assert again.status_code == 200 and again.json()["outcome"] == "duplicate"
    assert Event.objects.filter(name="order_paid").count() == 1


@pytest.mark.django_db
def test_sandbox_complete_of_someone_elses_payment_is_not_found(
    shopper_client: APIClient, order_with_lines: Callable[..., Order]
) -> None:
    order = order_with_lines()
    out_trade_no = shopper_client.post(pay_url(order)).json()["out_trade_no"]
    response = client_for(MemberFactory.create()).post(complete_url(out_trade_no))
    assert response.status_code == 404
    assert response.json()["code"] == "payment_not_found"
    assert Order.objects.get(pk=order.pk).status == OrderStatus.PENDING_PAYMENT


@pytest.mark.django_db
def test_sandbox_complete_is_404_when_wechat_pay_is_configured(
    shopper_client: APIClient, order_with_lines: Callable[..., Order], settings: Any
) -> None:
    order = order_with_lines()
    out_trade_no = shopper_client.post(pay_url(order)).json()["out_trade_no"]
    settings.PAYMENT_PROVIDER = "wechat"
    response = shopper_client.post(complete_url(out_trade_no))
    assert response.status_code == 404
    assert Order.objects.get(pk=order.pk).status == OrderStatus.PENDING_PAYMENT


@pytest.mark.django_db
def test_pay_with_wechat_returns_signed_request_payment_params(
    wechat: FakeWeChat,
    wechat_api: responses.RequestsMock,
    shopper_client: APIClient,
    order_with_lines: Callable[..., Order],
) -> None:
    order = order_with_lines(lines=[(1, 5900), (2, 2000)], shipping_fee=800)
    wechat.mock(wechat_api, "POST", "/v3/pay/transactions/jsapi", {"prepay_id": "wx26112514000000abcdef"})
    response = shopper_client.post(pay_url(order))
    assert response.status_code == 200
    data = response.json()
    assert data["provider"] == "wechat"
    params = data["params"]
    assert set(params) == {"timeStamp", "nonceStr", "package", "signType", "paySign"}
    assert params["package"] == "prepay_id=wx26112514000000abcdef"
    message = f"{wechat_fake.APPID}\n{params['timeStamp']}\n{params['nonceStr']}\n{params['package']}\n"
    assert wechat_fake.rsa_verify(wechat.merchant_key.public_key(), message, params["paySign"])
    sent = wechat_fake.sent_json(wechat_api.calls[0].request)
    assert sent["out_trade_no"] == data["out_trade_no"]
    assert sent["amount"]["total"] == 8700
    assert "等2件" in sent["description"]


@pytest.mark.django_db
def test_pay_with_wechat_down_is_503_and_can_be_retried(
    wechat: FakeWeChat,
    wechat_api: responses.RequestsMock,
    shopper_client: APIClient,
    order_with_lines: Callable[..., Order],
) -> None:
    order = order_with_lines()
    wechat.mock(wechat_api, "POST", "/v3/pay/transactions/jsapi", {"code": "SYSTEM_ERROR", "message": "x"}, status=500)
    response = shopper_client.post(pay_url(order))
    assert response.status_code == 503
    assert response.json()["code"] == "payment_provider_unavailable"
    wechat_api.remove(responses.POST, wechat_fake.API + "/v3/pay/transactions/jsapi")
    wechat.mock(wechat_api, "POST", "/v3/pay/transactions/jsapi", {"prepay_id": "wx-retry"})
    retry = shopper_client.post(pay_url(order))
    assert retry.status_code == 200
    assert retry.json()["params"]["package"] == "prepay_id=wx-retry"
    assert retry.json()["out_trade_no"] == Payment.objects.get(order=order).out_trade_no


@pytest.mark.django_db
def test_placed_order_is_paid_end_to_end_in_the_sandbox(sku_factory: Callable[..., Sku]) -> None:
    member = MemberFactory.create()
    address = AddressFactory.create(member=member)
    sku = sku_factory(price=2500, stock=5)
    order = order_place(
        context=SHOPPER_CONTEXT, member=member, items=[(sku.pk, 2)], address_id=address.pk, idempotency_key="k-e2e"
    )
    client = client_for(member)
    pay = client.post(pay_url(order)).json()
    assert pay["provider"] == "sandbox"
    done = client.post(pay["params"]["sandbox_pay_url"])
    assert done.status_code == 200 and done.json()["order_status"] == "paid"
    order = Order.objects.get(pk=order.pk)
    assert order.status == OrderStatus.PAID
    assert Payment.objects.get(order=order).amount == order.payable_amount
    assert Sku.objects.get(pk=sku.pk).stock == 3
