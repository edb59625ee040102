"""Order, trade, refund and transaction numbers match exactly: case and trailing spaces count.

The database's default collation (utf8mb4_unicode_ci) ignores both, so before identifier columns
were exact a platform-signed notice for "p2612…" or "P2612… " paid order "P2612…".
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from django.db import IntegrityError, transaction
from django.test import Client
from django.utils import timezone

from members.models import Member
from members.tests.fixtures import client_for
from orders.models import Order, OrderStatus, Payment, PaymentNotice, Refund
from orders.tests.payments.wechat_fake import FakeWeChat, SignedNotice

pytestmark = pytest.mark.django_db

URL = "/api/v1/payments/wechat/notify"
TRADE_NO = "P2612061200001234567890"


def deliver(notice: SignedNotice) -> Any:
    return Client().post(URL, data=notice.body, content_type="application/json", headers=notice.headers)


def variants(value: str) -> list[str]:
    """What a case- and pad-insensitive collation would take for ``value``."""
    return [value.lower(), value + " ", value.lower() + "  "]


@pytest.fixture
def wechat_payment(order_with_lines: Callable[..., Order], wechat: FakeWeChat) -> Payment:
    order = order_with_lines(lines=[(1, 6700)])
    return Payment.objects.create(order=order, provider="wechat", out_trade_no=TRADE_NO, amount=6700)


@pytest.mark.parametrize("variant", variants(TRADE_NO))
def test_a_signed_notice_for_a_variant_trade_number_pays_nothing(
    wechat: FakeWeChat, wechat_payment: Payment, variant: str
) -> None:
    resource = wechat.transaction(out_trade_no=variant, total=6700, transaction_id="4200000000000000000000000001")
    response = deliver(wechat.notice(resource, notice_id=f"EV-{variant!r}"))
    assert response.status_code == 404
    assert response.json()["message"].startswith("payment_notice_unknown_trade")
    payment = Payment.objects.get(pk=wechat_payment.pk)
    assert (payment.status, payment.transaction_id) == (Payment.Status.CREATED, None)
    assert Order.objects.get(pk=wechat_payment.order_id).status == OrderStatus.PENDING_PAYMENT
    assert PaymentNotice.objects.count() == 0


def test_the_exact_trade_number_still_pays(wechat: FakeWeChat, wechat_payment: Payment) -> None:
    resource = wechat.transaction(out_trade_no=TRADE_NO, total=6700, transaction_id="4200000000000000000000000001")
    response = deliver(wechat.notice(resource, notice_id="EV-EXACT"))
    assert response.status_code == 200 and response.json()["code"] == "SUCCESS"
    assert Order.objects.get(pk=wechat_payment.order_id).status == OrderStatus.PAID


def test_a_redelivered_notice_id_differing_in_case_is_a_different_notice(
    wechat: FakeWeChat, wechat_payment: Payment
) -> None:
    """Notice ids deduplicate exactly: "ev-a" is not a redelivery of "EV-A" (so it is checked again)."""
    resource = wechat.transaction(out_trade_no=TRADE_NO, total=6700, transaction_id="4200000000000000000000000001")
    assert deliver(wechat.notice(resource, notice_id="EV-A")).status_code == 200
    assert deliver(wechat.notice(resource, notice_id="ev-a")).status_code == 200
    assert deliver(wechat.notice(resource, notice_id="EV-A ")).status_code == 200
    assert sorted(PaymentNotice.objects.values_list("notice_id", flat=True)) == ["EV-A", "EV-A ", "ev-a"]
    # The payment was recorded once, by the first notice; the others found it paid already.
    assert Payment.objects.get(pk=wechat_payment.pk).transaction_id == "4200000000000000000000000001"


@pytest.mark.parametrize("variant", ["r2612061200009876543210", "R2612061200009876543210 "])
def test_a_refund_notice_for_a_variant_refund_number_settles_nothing(
    wechat: FakeWeChat,
    order_with_lines: Callable[..., Order],
    pay_wechat: Callable[[Order], Order],
    variant: str,
) -> None:
    order = pay_wechat(order_with_lines(lines=[(1, 5000)]))
    refund = Refund.objects.create(order=order, out_refund_no="R2612061200009876543210", amount=5000)
    payment = order.payments.get()
    resource = wechat.refund_resource(out_trade_no=payment.out_trade_no, out_refund_no=variant, refund=5000, total=5000)
    response = deliver(wechat.notice(resource, event_type="REFUND.SUCCESS"))
    assert response.status_code == 404
    assert response.json()["message"].startswith("payment_notice_unknown_trade")
    refund.refresh_from_db()
    assert (refund.status, refund.succeeded_at) == (Refund.Status.PROCESSING, None)


def _lettered(order: Order) -> Order:
    """Today's order numbers are digits; the column must be exact whatever the format."""
    order.no = "G" + order.no
    order.save(update_fields=["no"])
    return order


def test_order_numbers_are_exact_in_the_api(order_with_lines: Callable[..., Order], shopper: Member) -> None:
    order = _lettered(order_with_lines())
    client = client_for(shopper)
    assert client.get(f"/api/v1/orders/{order.no}").status_code == 200
    for variant in variants(order.no):
        response = client.get(f"/api/v1/orders/{variant}")
        assert response.status_code == 404, variant
        assert response.json()["code"] == "order_not_found"


def test_numbers_differing_only_in_case_or_trailing_space_are_distinct_rows(
    order_with_lines: Callable[..., Order], shopper: Member
) -> None:
    order = _lettered(order_with_lines())
    base = dict(member=shopper, expires_at=timezone.now(), payable_amount=1)
    # Order numbers and idempotency keys (one shopper's "Key-1" is not their "key-1").
    order.idempotency_key = "Key-1"
    order.save(update_fields=["idempotency_key"])
    for i, variant in enumerate(variants(order.no)):
        Order.objects.create(no=variant, idempotency_key=variants("Key-1")[i], **base)
    assert Order.objects.filter(no=order.no).get().pk == order.pk
    assert Order.objects.filter(member=shopper, idempotency_key="Key-1").get().pk == order.pk
    assert Order.objects.filter(member=shopper, idempotency_key="key-1").get().no == order.no.lower()
    # Trade numbers, transaction ids and refund numbers.
    for i, variant in enumerate([TRADE_NO, *variants(TRADE_NO)]):
        Payment.objects.create(
            order=order, provider="wechat", out_trade_no=variant, transaction_id=f"4200ABC{' ' * i}", amount=1
        )
        Refund.objects.create(
            order=order, out_refund_no=variant.replace("P", "R"), amount=1, provider_refund_id=variant
        )
    assert Payment.objects.get(out_trade_no=TRADE_NO).transaction_id == "4200ABC"
    assert Payment.objects.filter(transaction_id="4200abc").count() == 0
    assert Refund.objects.filter(out_refund_no="R" + TRADE_NO[1:]).count() == 1
    assert Refund.objects.filter(provider_refund_id=TRADE_NO.lower()).count() == 1
    # …and the unique indexes still refuse the exact same value.
    for make in (
        lambda: Order.objects.create(no=order.no, idempotency_key="fresh", **base),
        lambda: Order.objects.create(no="P-NEW", idempotency_key="Key-1", **base),
        lambda: Payment.objects.create(order=order, provider="wechat", out_trade_no=TRADE_NO, amount=1),
        lambda: Payment.objects.create(
            order=order, provider="wechat", out_trade_no="P-NEW", transaction_id="4200ABC", amount=1
        ),
        lambda: Refund.objects.create(order=order, out_refund_no="R" + TRADE_NO[1:], amount=1),
    ):
        with pytest.raises(IntegrityError), transaction.atomic():
            make()


def test_a_body_over_the_upload_limit_to_the_notice_is_a_json_413(wechat: FakeWeChat, settings: Any) -> None:
    """The notice view reads ``request.body`` (raw bytes for the signature): Django's limit applies."""
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 4096
    resource = wechat.transaction(out_trade_no=TRADE_NO, total=6700)
    resource["attach"] = "x" * 5000
    response = deliver(wechat.notice(resource))
    assert response.status_code == 413
    body = response.json()
    assert body == {"code": "request_too_large", "message": body["message"], "details": {"max_bytes": 4096}}
    assert json.dumps(body, ensure_ascii=False).count("请求内容过大") == 1
