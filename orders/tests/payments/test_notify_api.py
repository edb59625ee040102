"""POST /api/v1/payments/wechat/notify: real signed v3 notices, forgeries, redeliveries, races."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.utils import timezone

from analytics.models import Event
from mall.models import AuditLog, Sku
from orders.models import Order, OrderStatus, Payment, PaymentNotice
from orders.services.payments import out_trade_no_new
from orders.tests.payments import wechat_fake
from orders.tests.payments.wechat_fake import FakeWeChat, SignedNotice

URL = "/api/v1/payments/wechat/notify"


def deliver(notice: SignedNotice, client: Client | None = None) -> Any:
    return (client or Client()).post(URL, data=notice.body, content_type="application/json", headers=notice.headers)


@pytest.fixture
def wechat_order(order_with_lines: Callable[..., Order], wechat: FakeWeChat) -> tuple[Order, Payment]:
    order = order_with_lines(lines=[(2, 5900)], shipping_fee=800)
    payment = Payment.objects.create(order=order, provider="wechat", out_trade_no=out_trade_no_new(), amount=6700)
    return order, payment


def _state() -> dict[str, Any]:
    """Everything a notice could write, to prove a refused one wrote nothing."""
    return {
        "notices": PaymentNotice.objects.count(),
        "payments": list(Payment.objects.values_list("status", "transaction_id").order_by("pk")),
        "orders": list(Order.objects.values_list("status", "paid_at", "needs_attention").order_by("pk")),
        "events": Event.objects.count(),
        "audit": AuditLog.objects.count(),
        "stock": list(Sku.objects.values_list("stock", "sales_count").order_by("pk")),
    }


@pytest.mark.django_db
def test_a_verified_notice_pays_the_order(wechat: FakeWeChat, wechat_order: tuple[Order, Payment]) -> None:
    order, payment = wechat_order
    resource = wechat.transaction(out_trade_no=payment.out_trade_no, total=6700, transaction_id="4200000000001")
    response = deliver(wechat.notice(resource, notice_id="EV-PAY-1"))
    assert response.status_code == 200
    assert response.json()["code"] == "SUCCESS"
    order = Order.objects.get(pk=order.pk)
    assert order.status == OrderStatus.PAID
    assert order.paid_at is not None and order.paid_at.isoformat() == "2026-03-01T02:00:05+00:00"
    payment = Payment.objects.get(pk=payment.pk)
    assert (payment.status, payment.transaction_id) == (Payment.Status.SUCCEEDED, "4200000000001")
    notice = PaymentNotice.objects.get()
    assert (notice.provider, notice.notice_id, notice.outcome) == ("wechat", "EV-PAY-1", "paid")
    assert Event.objects.filter(name="order_paid").count() == 1


@pytest.mark.django_db
def test_ten_deliveries_of_one_notice_have_one_effect(
    wechat: FakeWeChat, wechat_order: tuple[Order, Payment], django_assert_max_num_queries: Any
) -> None:
    order, payment = wechat_order
    resource = wechat.transaction(out_trade_no=payment.out_trade_no, total=6700)
    notice = wechat.notice(resource, notice_id="EV-REDELIVERED")
    assert deliver(notice).status_code == 200
    after_first = _state()
    for _ in range(9):
        # WeChat re-signs every delivery; each one is fresh and valid, and a no-op.
        again = wechat.sign_body(notice.body)
        with django_assert_max_num_queries(1):
            response = deliver(again)
        assert response.status_code == 200 and response.json()["code"] == "SUCCESS"
    assert _state() == after_first
    assert PaymentNotice.objects.get().outcome == "paid"
    assert Event.objects.filter(name="order_paid").count() == 1
    assert Order.objects.get(pk=order.pk).status == OrderStatus.PAID


@pytest.mark.race
@pytest.mark.django_db(transaction=True)
def test_ten_concurrent_deliveries_have_one_effect(wechat: FakeWeChat, wechat_order: tuple[Order, Payment]) -> None:
    order, payment = wechat_order
    notice = wechat.notice(wechat.transaction(out_trade_no=payment.out_trade_no, total=6700), notice_id="EV-RACE")
    deliveries = [wechat.sign_body(notice.body) for _ in range(10)]
    barrier = threading.Barrier(len(deliveries))
    results: list[int] = []
    errors: list[BaseException] = []

    def run(signed: SignedNotice) -> None:
        try:
            barrier.wait(timeout=10)
            results.append(deliver(signed).status_code)
        except BaseException as exc:  # surfaced below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(signed,)) for signed in deliveries]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    assert results == [200] * 10
    assert PaymentNotice.objects.count() == 1
    assert Payment.objects.get(pk=payment.pk).status == Payment.Status.SUCCEEDED
    assert Order.objects.get(pk=order.pk).status == OrderStatus.PAID
    assert Event.objects.filter(name="order_paid").count() == 1
    assert list(Sku.objects.values_list("sales_count", flat=True)) == [2]


def _forge(kind: str, wechat: FakeWeChat, payment: Payment) -> SignedNotice:
    resource = wechat.transaction(out_trade_no=payment.out_trade_no, total=6700)
    if kind == "bad_signature":
        return wechat.notice(resource, key=wechat_fake.new_rsa_key())
    if kind == "tampered_body":
        notice = wechat.notice(resource)
        notice.body = notice.body.replace(b'"TRANSACTION.SUCCESS"', b'"TRANSACTION.SUCCESS" ')
        return notice
    if kind == "wrong_amount":
        resource["amount"]["total"] = resource["amount"]["payer_total"] = 1
        return wechat.notice(resource)
    if kind == "unknown_order":
        resource["out_trade_no"] = "P000000000000NOSUCH"
        return wechat.notice(resource)
    if kind == "wrong_mchid":
        resource["mchid"] = "1900000999"
        return wechat.notice(resource)
    if kind == "wrong_appid":
        resource["appid"] = "wx0000000000000000"
        return wechat.notice(resource)
    if kind == "wrong_currency":
        resource["amount"]["currency"] = "USD"
        return wechat.notice(resource)
    if kind == "not_success":
        return wechat.notice(wechat.transaction(out_trade_no=payment.out_trade_no, total=6700, trade_state="NOTPAY"))
    if kind == "wrong_serial":
        return wechat.notice(resource, serial="PUB_KEY_ID_0000000000000000000000000000")
    if kind == "stale_timestamp":
        return wechat.notice(resource, timestamp=int(timezone.now().timestamp()) - 301)
    if kind == "replay_new_timestamp_old_signature":
        with time_machine.travel(timezone.now() - timedelta(hours=3), tick=False):
            old = wechat.notice(resource)
        old.headers["Wechatpay-Timestamp"] = str(int(timezone.now().timestamp()))
        return old
    if kind == "not_encrypted":
        notice = wechat.notice(resource)
        return wechat.sign_body(notice.body.replace(b'"encrypt-resource"', b'"plain"'))
    raise AssertionError(kind)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("kind", "status", "code"),
    [
        ("bad_signature", 401, "payment_notice_signature_invalid"),
        ("tampered_body", 401, "payment_notice_signature_invalid"),
        ("wrong_amount", 400, "payment_notice_mismatch"),
        ("unknown_order", 404, "payment_notice_unknown_trade"),
        ("wrong_mchid", 400, "payment_notice_mismatch"),
        ("wrong_appid", 400, "payment_notice_mismatch"),
        ("wrong_currency", 400, "payment_notice_mismatch"),
        ("not_success", 400, "payment_notice_mismatch"),
        ("wrong_serial", 401, "payment_notice_signature_invalid"),
        ("stale_timestamp", 401, "payment_notice_stale"),
        ("replay_new_timestamp_old_signature", 401, "payment_notice_signature_invalid"),
        ("not_encrypted", 400, "payment_notice_rejected"),
    ],
)
def test_forged_notices_are_refused_and_write_nothing(
    wechat: FakeWeChat, wechat_order: tuple[Order, Payment], kind: str, status: int, code: str
) -> None:
    _order, payment = wechat_order
    before = _state()
    response = deliver(_forge(kind, wechat, payment))
    assert response.status_code == status
    body = response.json()
    assert body["code"] == "FAIL"
    assert body["message"].startswith(code)
    assert _state() == before


@pytest.mark.django_db
def test_an_old_notice_replayed_after_success_is_refused(
    wechat: FakeWeChat, wechat_order: tuple[Order, Payment]
) -> None:
    _order, payment = wechat_order
    notice = wechat.notice(wechat.transaction(out_trade_no=payment.out_trade_no, total=6700))
    assert deliver(notice).status_code == 200
    state = _state()
    with time_machine.travel(timezone.now() + timedelta(hours=1), tick=False):
        response = deliver(notice)  # the captured request, byte for byte, an hour later
    assert response.status_code == 401
    assert _state() == state


@pytest.mark.django_db
def test_a_second_transaction_for_a_paid_payment_is_refused(
    wechat: FakeWeChat, wechat_order: tuple[Order, Payment]
) -> None:
    _order, payment = wechat_order
    assert deliver(wechat.notice(wechat.transaction(out_trade_no=payment.out_trade_no, total=6700))).status_code == 200
    state = _state()
    other = wechat.notice(wechat.transaction(out_trade_no=payment.out_trade_no, total=6700, transaction_id="42009"))
    response = deliver(other)
    assert response.status_code == 400
    assert _state() == state


@pytest.mark.django_db
def test_notify_without_wechat_configuration_fails_politely(settings: Any) -> None:
    settings.WECHAT_PAY_MCHID = ""
    response = Client().post(URL, data=b"{}", content_type="application/json")
    assert response.status_code == 404
    assert response.json()["code"] == "FAIL"
