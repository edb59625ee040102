"""The WeChat Pay provider at its HTTP boundary: notice verification, prepay, query, signing."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
import responses
import time_machine
from django.test import RequestFactory
from django.utils import timezone

from orders.errors import (
    PaymentNoticeMismatch,
    PaymentNoticeRejected,
    PaymentNoticeSignatureInvalid,
    PaymentNoticeStale,
    PaymentProviderUnavailable,
)
from orders.models import Order, Payment
from orders.payments import get_provider
from orders.payments.wechat import WeChatPayProvider
from orders.tests.payments import wechat_fake
from orders.tests.payments.wechat_fake import FakeWeChat, SignedNotice

NOTIFY_PATH = "/api/v1/payments/wechat/notify"


def _request(notice: SignedNotice) -> Any:
    return RequestFactory().post(NOTIFY_PATH, data=notice.body, content_type="application/json", headers=notice.headers)


def _provider() -> WeChatPayProvider:
    provider = get_provider("wechat")
    assert isinstance(provider, WeChatPayProvider)
    return provider


def test_provider_builds_without_network_in_public_key_mode(wechat: FakeWeChat) -> None:
    with responses.RequestsMock() as rsps:  # any HTTP call would raise ConnectionError
        provider = _provider()
        client = provider.client
        assert client._core._public_key_id == wechat_fake.PUBLIC_KEY_ID
        assert len(rsps.calls) == 0
    assert get_provider() is provider  # PAYMENT_PROVIDER=wechat; keys parsed once per configuration


def test_parse_notice_returns_the_verified_transaction(wechat: FakeWeChat) -> None:
    resource = wechat.transaction(out_trade_no="P2603011000001234", total=5900, transaction_id="4200000001")
    notice = _provider().parse_notice(_request(wechat.notice(resource, notice_id="EV-1")))
    assert notice.kind == "transaction"
    assert notice.notice_id == "EV-1"
    assert notice.event_type == "TRANSACTION.SUCCESS"
    assert (notice.out_trade_no, notice.transaction_id, notice.amount) == ("P2603011000001234", "4200000001", 5900)
    assert notice.trade_state == "SUCCESS" and notice.currency == "CNY"
    assert notice.paid_at is not None and timezone.is_aware(notice.paid_at)
    assert notice.paid_at.isoformat() == "2026-03-01T10:00:05+08:00"


def test_parse_notice_decodes_a_refund_notice(wechat: FakeWeChat) -> None:
    resource = wechat.refund_resource(out_trade_no="P1", out_refund_no="R1", refund=300, total=900)
    notice = _provider().parse_notice(_request(wechat.notice(resource, event_type="REFUND.SUCCESS")))
    assert notice.kind == "refund"
    assert (notice.out_refund_no, notice.refund_status, notice.refund_amount) == ("R1", "SUCCESS", 300)


@pytest.mark.parametrize(
    ("forge", "error"),
    [
        ("other_key", PaymentNoticeSignatureInvalid),
        ("tampered_body", PaymentNoticeSignatureInvalid),
        ("wrong_serial", PaymentNoticeSignatureInvalid),
        ("missing_signature", PaymentNoticeSignatureInvalid),
        ("garbage_signature", PaymentNoticeSignatureInvalid),
        ("wrong_apiv3_key", PaymentNoticeRejected),
        ("wrong_appid", PaymentNoticeMismatch),
        ("wrong_mchid", PaymentNoticeMismatch),
    ],
)
def test_parse_notice_refuses_forgeries(wechat: FakeWeChat, forge: str, error: type[Exception]) -> None:
    resource = wechat.transaction(out_trade_no="P1", total=100)
    if forge == "wrong_appid":
        resource["appid"] = "wx-someone-else"
    if forge == "wrong_mchid":
        resource["mchid"] = "1900000999"
    if forge == "wrong_apiv3_key":
        wechat.apiv3_key = "ffffffffffffffffffffffffffffffff"
    notice = wechat.notice(
        resource,
        key=wechat_fake.new_rsa_key() if forge == "other_key" else None,
        serial="PUB_KEY_ID_SOMEBODY_ELSE" if forge == "wrong_serial" else None,
    )
    if forge == "tampered_body":
        notice.body = notice.body.replace(b'"summary": "', b'"summary": "x')
    if forge == "missing_signature":
        del notice.headers["Wechatpay-Signature"]
    if forge == "garbage_signature":
        notice.headers["Wechatpay-Signature"] = "not base64 at all!"
    with pytest.raises(error):
        _provider().parse_notice(_request(notice))


def test_parse_notice_refuses_a_notice_older_than_five_minutes(wechat: FakeWeChat) -> None:
    signed_at = timezone.now()
    with time_machine.travel(signed_at, tick=False):
        notice = wechat.notice(wechat.transaction(out_trade_no="P1", total=100))
    with time_machine.travel(signed_at + timedelta(minutes=4, seconds=59), tick=False):
        assert _provider().parse_notice(_request(notice)).out_trade_no == "P1"
    with (
        time_machine.travel(signed_at + timedelta(minutes=5, seconds=1), tick=False),
        pytest.raises(PaymentNoticeStale),
    ):
        _provider().parse_notice(_request(notice))


def test_parse_notice_refuses_a_timestamp_from_the_future(wechat: FakeWeChat) -> None:
    future = int(timezone.now().timestamp()) + 600
    with pytest.raises(PaymentNoticeStale):
        _provider().parse_notice(
            _request(wechat.notice(wechat.transaction(out_trade_no="P1", total=1), timestamp=future))
        )


def test_request_payment_params_are_signed_with_the_merchant_key(wechat: FakeWeChat) -> None:
    params = _provider().request_payment_params(prepay_id="wx201410272009395522657a690389285100")
    assert params["package"] == "prepay_id=wx201410272009395522657a690389285100"
    assert params["signType"] == "RSA"
    assert params["timeStamp"].isdigit() and len(params["nonceStr"]) == 32
    message = f"{wechat_fake.APPID}\n{params['timeStamp']}\n{params['nonceStr']}\n{params['package']}\n"
    assert wechat_fake.rsa_verify(wechat.merchant_key.public_key(), message, params["paySign"])
    assert not wechat_fake.rsa_verify(wechat.platform_key.public_key(), message, params["paySign"])


@pytest.mark.django_db
def test_create_payment_calls_jsapi_prepay_signed_by_the_merchant(
    wechat: FakeWeChat, wechat_api: responses.RequestsMock, order_with_lines: Any
) -> None:
    order: Order = order_with_lines(lines=[(2, 5900)])
    payment = Payment.objects.create(order=order, provider="wechat", out_trade_no="P260301100000000001", amount=5900)
    wechat.mock(wechat_api, "POST", "/v3/pay/transactions/jsapi", {"prepay_id": "wx2016121516420242444321ca0631331346"})
    params = _provider().create_payment(order=order, payment=payment)
    assert params["package"] == "prepay_id=wx2016121516420242444321ca0631331346"
    sent = wechat_api.calls[0].request
    body = wechat_fake.sent_json(sent)
    assert body["appid"] == wechat_fake.APPID and body["mchid"] == wechat_fake.MCHID
    assert body["out_trade_no"] == "P260301100000000001"
    assert body["amount"] == {"total": 5900, "currency": "CNY"}
    assert body["payer"] == {"openid": order.member.openid}
    assert body["notify_url"].endswith("/api/v1/payments/wechat/notify")
    assert body["time_expire"].endswith("+08:00")
    assert wechat.verify_merchant_authorization(sent)


@pytest.mark.django_db
def test_create_payment_refuses_an_answer_not_signed_by_wechat(
    wechat: FakeWeChat, wechat_api: responses.RequestsMock, order_with_lines: Any
) -> None:
    order: Order = order_with_lines()
    payment = Payment.objects.create(order=order, provider="wechat", out_trade_no="P260301100000000002", amount=1000)
    impostor = FakeWeChat(platform_key=wechat_fake.new_rsa_key(), merchant_key=wechat.merchant_key)
    impostor.mock(wechat_api, "POST", "/v3/pay/transactions/jsapi", {"prepay_id": "wx-forged"})
    with pytest.raises(PaymentProviderUnavailable):
        _provider().create_payment(order=order, payment=payment)


@pytest.mark.django_db
def test_create_payment_reports_wechat_errors(
    wechat: FakeWeChat, wechat_api: responses.RequestsMock, order_with_lines: Any
) -> None:
    order: Order = order_with_lines()
    payment = Payment.objects.create(order=order, provider="wechat", out_trade_no="P260301100000000003", amount=1000)
    wechat.mock(
        wechat_api, "POST", "/v3/pay/transactions/jsapi", {"code": "PARAM_ERROR", "message": "参数错误"}, status=400
    )
    with pytest.raises(PaymentProviderUnavailable) as info:
        _provider().create_payment(order=order, payment=payment)
    assert info.value.details["provider_code"] == "PARAM_ERROR"


def test_query_turns_the_signed_answer_into_a_notice(wechat: FakeWeChat, wechat_api: responses.RequestsMock) -> None:
    paid = wechat.transaction(out_trade_no="P9", total=1200, transaction_id="4200009")
    wechat.mock(wechat_api, "GET", f"/v3/pay/transactions/out-trade-no/P9?mchid={wechat_fake.MCHID}", paid)
    state = _provider().query(out_trade_no="P9")
    assert (state.trade_state, state.amount, state.transaction_id) == ("SUCCESS", 1200, "4200009")
    assert state.event_type == "QUERY"


def test_query_of_a_trade_wechat_never_saw_is_notpay(wechat: FakeWeChat, wechat_api: responses.RequestsMock) -> None:
    wechat.mock(
        wechat_api,
        "GET",
        f"/v3/pay/transactions/out-trade-no/P10?mchid={wechat_fake.MCHID}",
        {"code": "ORDER_NOT_EXIST", "message": "订单不存在"},
        status=404,
    )
    assert _provider().query(out_trade_no="P10").trade_state == "NOTPAY"
