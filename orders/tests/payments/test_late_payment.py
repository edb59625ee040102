"""A payment that arrives after the order was cancelled at expiry: revive it, or refund it in full."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
import responses
from django.test import Client

from mall.models import Sku
from orders.models import Order, OrderStatus, Payment, PaymentNotice, Refund
from orders.services.orders import order_expire
from orders.services.payments import NoticeOutcome, out_trade_no_new, payment_sandbox_complete
from orders.services.refunds import refund_submit
from orders.tests.payments import wechat_fake
from orders.tests.payments.wechat_fake import FakeWeChat


def _expire(order: Order) -> None:
    assert order_expire(order_id=order.pk, now=order.expires_at)
    assert Order.objects.get(pk=order.pk).status == OrderStatus.CANCELLED


@pytest.mark.django_db
def test_late_payment_revives_the_order_when_stock_can_be_locked_again(
    order_with_lines: Callable[..., Order],
) -> None:
    order = order_with_lines(lines=[(2, 4000)], stock=5)
    sku_id = order.lines.get().sku_id
    payment = Payment.objects.create(order=order, provider="sandbox", out_trade_no=out_trade_no_new(), amount=4000)
    _expire(order)
    assert Sku.objects.get(pk=sku_id).stock == 7  # released at expiry
    _payment, outcome = payment_sandbox_complete(member=order.member, out_trade_no=payment.out_trade_no)
    assert outcome == NoticeOutcome.REVIVED
    order = Order.objects.get(pk=order.pk)
    assert order.status == OrderStatus.PAID
    assert Sku.objects.get(pk=sku_id).stock == 5  # locked again
    assert not Refund.objects.exists()
    assert PaymentNotice.objects.get().outcome == "revived"


@pytest.mark.django_db
def test_late_payment_is_refunded_in_full_when_the_stock_is_gone(order_with_lines: Callable[..., Order]) -> None:
    order = order_with_lines(lines=[(2, 4000)], shipping_fee=800, stock=5)
    payment = Payment.objects.create(order=order, provider="sandbox", out_trade_no=out_trade_no_new(), amount=4800)
    _expire(order)
    Sku.objects.update(stock=0)  # sold to somebody else meanwhile
    _payment, outcome = payment_sandbox_complete(member=order.member, out_trade_no=payment.out_trade_no)
    assert outcome == NoticeOutcome.REFUNDED
    order = Order.objects.get(pk=order.pk)
    assert order.needs_attention is True
    assert order.status == OrderStatus.REFUNDED
    assert order.refunded_amount == 4800
    refund = Refund.objects.get(order=order)
    assert (refund.amount, refund.status, refund.created_by) == (4800, Refund.Status.SUCCEEDED, None)
    assert Payment.objects.get(pk=payment.pk).status == Payment.Status.SUCCEEDED
    assert Sku.objects.get().stock == 0


@pytest.mark.django_db
def test_late_wechat_payment_without_stock_is_refunded_through_wechat(
    wechat: FakeWeChat,
    wechat_api: responses.RequestsMock,
    order_with_lines: Callable[..., Order],
    django_capture_on_commit_callbacks: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    order = order_with_lines(lines=[(1, 9900)], stock=1)
    payment = Payment.objects.create(order=order, provider="wechat", out_trade_no=out_trade_no_new(), amount=9900)
    _expire(order)
    Sku.objects.update(stock=0)
    queued: list[int] = []
    monkeypatch.setattr("orders.tasks.refund_submit_task.delay", lambda *, refund_id: queued.append(refund_id))

    notice = wechat.notice(wechat.transaction(out_trade_no=payment.out_trade_no, total=9900, transaction_id="4200077"))
    with django_capture_on_commit_callbacks(execute=True):
        response = Client().post(
            "/api/v1/payments/wechat/notify",
            data=notice.body,
            content_type="application/json",
            headers=notice.headers,
        )
    assert response.status_code == 200 and response.json()["code"] == "SUCCESS"
    refund = Refund.objects.get(order=order)
    assert queued == [refund.pk]
    assert refund.status == Refund.Status.PROCESSING
    assert Order.objects.get(pk=order.pk).status == OrderStatus.REFUNDING

    wechat.mock(
        wechat_api,
        "POST",
        "/v3/refund/domestic/refunds",
        {
            "refund_id": "50300000000001",
            "out_refund_no": refund.out_refund_no,
            "transaction_id": "4200077",
            "out_trade_no": payment.out_trade_no,
            "status": "PROCESSING",
            "amount": {"total": 9900, "refund": 9900, "payer_total": 9900, "payer_refund": 9900, "currency": "CNY"},
        },
    )
    refund = refund_submit(refund_id=refund.pk)
    sent = wechat_fake.sent_json(wechat_api.calls[0].request)
    assert sent["amount"] == {"refund": 9900, "total": 9900, "currency": "CNY"}
    assert sent["transaction_id"] == "4200077"
    assert (refund.status, refund.provider_refund_id) == (Refund.Status.PROCESSING, "50300000000001")
