"""manage.py payments_reconcile: lost notices are caught up through the same idempotent path."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from io import StringIO

import pytest
import responses
import time_machine
from django.contrib.auth.models import User
from django.core.management import call_command
from django.utils import timezone

from analytics.models import Event
from orders.models import Order, OrderStatus, Payment, PaymentNotice, Refund
from orders.services.orders import order_expire
from orders.services.payments import out_trade_no_new, payments_reconcile
from orders.services.refunds import refund_create
from orders.tasks import payments_reconcile_task
from orders.tests.payments import wechat_fake
from orders.tests.payments.wechat_fake import FakeWeChat


def _query_path(out_trade_no: str) -> str:
    return f"/v3/pay/transactions/out-trade-no/{out_trade_no}?mchid={wechat_fake.MCHID}"


def _stale_payment(order: Order, provider: str = "wechat") -> Payment:
    payment = Payment.objects.create(
        order=order, provider=provider, out_trade_no=out_trade_no_new(), amount=order.payable_amount
    )
    Payment.objects.filter(pk=payment.pk).update(created_at=timezone.now() - timedelta(minutes=11))
    return payment


def _run(*args: str) -> str:
    out = StringIO()
    call_command("payments_reconcile", *args, stdout=out)
    return out.getvalue().strip()


@pytest.mark.django_db
def test_a_lost_notice_is_applied_from_the_query(
    wechat: FakeWeChat, wechat_api: responses.RequestsMock, order_with_lines: Callable[..., Order]
) -> None:
    order = order_with_lines(lines=[(1, 4500)], minutes_left=5)
    payment = _stale_payment(order)
    wechat.mock(
        wechat_api,
        "GET",
        _query_path(payment.out_trade_no),
        wechat.transaction(out_trade_no=payment.out_trade_no, total=4500, transaction_id="4200000123"),
    )
    line = _run("--older-than-minutes", "10")
    assert line == (
        "payments_reconcile: checked=1 paid=1 closed=0 pending=0 errors=0 refunds_checked=0 refunds_settled=0"
    )
    assert Order.objects.get(pk=order.pk).status == OrderStatus.PAID
    payment.refresh_from_db()
    assert (payment.status, payment.transaction_id) == (Payment.Status.SUCCEEDED, "4200000123")
    assert wechat.verify_merchant_authorization(wechat_api.calls[0].request)
    # Run again: the payment is settled, nothing is asked and nothing changes.
    assert "checked=0 paid=0" in _run()
    assert len(wechat_api.calls) == 1
    assert Event.objects.filter(name="order_paid").count() == 1


@pytest.mark.django_db
def test_the_notice_arriving_after_reconcile_is_a_no_op(
    wechat: FakeWeChat, wechat_api: responses.RequestsMock, order_with_lines: Callable[..., Order]
) -> None:
    from django.test import Client

    order = order_with_lines(lines=[(1, 4500)])
    payment = _stale_payment(order)
    paid = wechat.transaction(out_trade_no=payment.out_trade_no, total=4500, transaction_id="4200000124")
    wechat.mock(wechat_api, "GET", _query_path(payment.out_trade_no), paid)
    payments_reconcile(older_than_minutes=10)
    late = wechat.notice(paid)
    response = Client().post(
        "/api/v1/payments/wechat/notify", data=late.body, content_type="application/json", headers=late.headers
    )
    assert response.status_code == 200
    assert PaymentNotice.objects.get(event_type="TRANSACTION.SUCCESS").outcome == "already_paid"
    assert Event.objects.filter(name="order_paid").count() == 1


@pytest.mark.django_db
def test_recent_payments_are_left_alone(
    wechat: FakeWeChat, wechat_api: responses.RequestsMock, order_with_lines: Callable[..., Order]
) -> None:
    order = order_with_lines()
    Payment.objects.create(order=order, provider="wechat", out_trade_no=out_trade_no_new(), amount=1000)
    summary = payments_reconcile(older_than_minutes=10)
    assert summary.checked == 0
    assert not wechat_api.calls


@pytest.mark.django_db
def test_an_unpaid_payment_of_a_cancelled_order_is_closed_at_wechat(
    wechat: FakeWeChat, wechat_api: responses.RequestsMock, order_with_lines: Callable[..., Order]
) -> None:
    order = order_with_lines(minutes_left=1)
    payment = _stale_payment(order)
    assert order_expire(order_id=order.pk, now=order.expires_at)
    wechat.mock(
        wechat_api,
        "GET",
        _query_path(payment.out_trade_no),
        wechat.transaction(out_trade_no=payment.out_trade_no, total=1000, trade_state="NOTPAY"),
    )
    wechat.mock(wechat_api, "POST", f"/v3/pay/transactions/out-trade-no/{payment.out_trade_no}/close", None, 204)
    summary = payments_reconcile(older_than_minutes=10)
    assert (summary.checked, summary.closed) == (1, 1)
    assert Payment.objects.get(pk=payment.pk).status == Payment.Status.CLOSED
    assert str(wechat_api.calls[1].request.url).endswith("/close")


@pytest.mark.django_db
def test_a_pending_order_still_being_paid_stays_pending(
    wechat: FakeWeChat, wechat_api: responses.RequestsMock, order_with_lines: Callable[..., Order]
) -> None:
    order = order_with_lines()
    payment = _stale_payment(order)
    wechat.mock(
        wechat_api,
        "GET",
        _query_path(payment.out_trade_no),
        wechat.transaction(out_trade_no=payment.out_trade_no, total=1000, trade_state="USERPAYING"),
    )
    summary = payments_reconcile(older_than_minutes=10)
    assert (summary.pending, summary.closed, summary.paid) == (1, 0, 0)
    assert Payment.objects.get(pk=payment.pk).status == Payment.Status.CREATED
    assert Order.objects.get(pk=order.pk).status == OrderStatus.PENDING_PAYMENT


@pytest.mark.django_db
def test_one_failing_query_does_not_stop_the_others(
    wechat: FakeWeChat, wechat_api: responses.RequestsMock, order_with_lines: Callable[..., Order]
) -> None:
    broken, fine = _stale_payment(order_with_lines()), _stale_payment(order_with_lines())
    wechat.mock(wechat_api, "GET", _query_path(broken.out_trade_no), {"code": "SYSTEM_ERROR", "message": "x"}, 500)
    wechat.mock(
        wechat_api,
        "GET",
        _query_path(fine.out_trade_no),
        wechat.transaction(out_trade_no=fine.out_trade_no, total=1000),
    )
    summary = payments_reconcile(older_than_minutes=10)
    assert (summary.checked, summary.errors, summary.paid) == (2, 1, 1)
    assert Payment.objects.get(pk=broken.pk).status == Payment.Status.CREATED
    assert Payment.objects.get(pk=fine.pk).status == Payment.Status.SUCCEEDED


@pytest.mark.django_db
def test_a_query_with_a_wrong_amount_is_not_applied(
    wechat: FakeWeChat, wechat_api: responses.RequestsMock, order_with_lines: Callable[..., Order]
) -> None:
    payment = _stale_payment(order_with_lines(lines=[(1, 1000)]))
    wechat.mock(
        wechat_api,
        "GET",
        _query_path(payment.out_trade_no),
        wechat.transaction(out_trade_no=payment.out_trade_no, total=1),
    )
    summary = payments_reconcile(older_than_minutes=10)
    assert summary.errors == 1
    assert Payment.objects.get(pk=payment.pk).status == Payment.Status.CREATED
    assert not PaymentNotice.objects.exists()


@pytest.mark.django_db
def test_processing_refunds_are_resent_or_queried(
    wechat: FakeWeChat,
    wechat_api: responses.RequestsMock,
    order_with_lines: Callable[..., Order],
    pay_wechat: Callable[[Order], Order],
    finance: User,
) -> None:
    order = pay_wechat(order_with_lines(lines=[(2, 3000)]))
    refund = refund_create(order_id=order.pk, lines=None, reason="全退", actor=finance)
    answer = {
        "refund_id": "50300000000777",
        "out_refund_no": refund.out_refund_no,
        "out_trade_no": order.payments.get().out_trade_no,
        "status": "PROCESSING",
        "amount": {"total": 3000, "refund": 3000, "currency": "CNY"},
    }
    wechat.mock(wechat_api, "POST", "/v3/refund/domestic/refunds", answer)
    wechat.mock(
        wechat_api, "GET", f"/v3/refund/domestic/refunds/{refund.out_refund_no}", {**answer, "status": "SUCCESS"}
    )
    later = timezone.now() + timedelta(minutes=11)
    with time_machine.travel(later, tick=False):
        first = payments_reconcile(older_than_minutes=10)  # never sent (the task was lost): send it
    assert (first.refunds_checked, first.refunds_settled) == (1, 0)
    assert Refund.objects.get(pk=refund.pk).provider_refund_id == "50300000000777"
    with time_machine.travel(later, tick=False):
        second = payments_reconcile(older_than_minutes=10)  # accepted: ask how it went
    assert (second.refunds_checked, second.refunds_settled) == (1, 1)
    assert Refund.objects.get(pk=refund.pk).status == Refund.Status.SUCCEEDED
    assert Order.objects.get(pk=order.pk).status == OrderStatus.REFUNDED


@pytest.mark.django_db
def test_the_periodic_task_runs_the_reconciliation(order_with_lines: Callable[..., Order]) -> None:
    order = order_with_lines(minutes_left=1)
    payment = _stale_payment(order, provider="sandbox")
    assert order_expire(order_id=order.pk, now=order.expires_at)
    line = payments_reconcile_task()
    assert line.startswith("payments_reconcile: checked=1 paid=0 closed=1")
    assert Payment.objects.get(pk=payment.pk).status == Payment.Status.CLOSED
