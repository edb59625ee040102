"""Fixtures for payment tests: orders built straight in the database, WeChat Pay played by a test key.

Orders are created row by row (``order_with_lines``) so each test states exactly what was paid
per line; they are then paid through the real services (``pay_sandbox`` / ``pay_wechat``), so a
"paid order" is always one that went through ``payment_notice_handle``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import responses
from django.contrib.auth.models import User
from django.utils import timezone
from rest_framework.test import APIClient

from mall.models import Category, Product, Sku
from members.models import Member
from members.tests.factories import MemberFactory
from members.tests.fixtures import client_for
from orders.models import Order, OrderLine, Payment
from orders.payments import VerifiedNotice
from orders.services.payments import out_trade_no_new, payment_notice_handle
from orders.tests.payments import wechat_fake
from orders.tests.payments.wechat_fake import FakeWeChat

_KEYS: dict[str, Any] = {}


def _key(name: str) -> Any:
    """RSA key generation is slow-ish: one platform and one merchant key per test session."""
    if name not in _KEYS:
        _KEYS[name] = wechat_fake.new_rsa_key()
    return _KEYS[name]


@pytest.fixture
def shopper(db: Any) -> Member:
    return MemberFactory.create(nickname="买家")


@pytest.fixture
def shopper_client(shopper: Member) -> APIClient:
    return client_for(shopper)


@pytest.fixture
def finance(db: Any) -> User:
    """A staff user allowed to refund (superuser: every permission)."""
    return User.objects.create_superuser(username="finance", password="x", email="finance@example.com")


@pytest.fixture
def sku_factory(db: Any) -> Callable[..., Sku]:
    category = Category.objects.create(name="测试分类")
    counter = iter(range(1, 10_000))

    def make(*, price: int = 1000, stock: int = 100) -> Sku:
        n = next(counter)
        product = Product.objects.create(category=category, title=f"商品{n}", min_price=price)
        return Sku.objects.create(product=product, code=f"SKU-{n}", price=price, stock=stock)

    return make


@pytest.fixture
def order_with_lines(sku_factory: Callable[..., Sku], shopper: Member) -> Callable[..., Order]:
    """``order_with_lines(lines=[(qty, paid_amount)], shipping_fee=0)`` → a pending order."""

    def make(
        *,
        lines: Sequence[tuple[int, int]] = ((1, 1000),),
        shipping_fee: int = 0,
        member: Member | None = None,
        stock: int = 100,
        minutes_left: int = 15,
    ) -> Order:
        payable = sum(paid for _qty, paid in lines) + shipping_fee
        order = Order.objects.create(
            no=out_trade_no_new()[1:],
            member=member or shopper,
            goods_amount=payable - shipping_fee,
            shipping_fee=shipping_fee,
            payable_amount=payable,
            idempotency_key=out_trade_no_new(),
            expires_at=timezone.now() + timedelta(minutes=minutes_left),
        )
        for qty, paid in lines:
            sku = sku_factory(price=max(1, paid // max(qty, 1)), stock=stock)
            OrderLine.objects.create(
                order=order,
                sku=sku,
                product=sku.product,
                title=sku.product.title,
                unit_price=sku.price,
                qty=qty,
                item_amount=paid,
                paid_amount=paid,
            )
        return order

    return make


def _payment_for(order: Order, provider: str) -> Payment:
    return Payment.objects.create(
        order=order, provider=provider, out_trade_no=out_trade_no_new(), amount=order.payable_amount
    )


@pytest.fixture
def pay_sandbox() -> Callable[[Order], Order]:
    """Pay an order through the sandbox's verified-notice path."""

    def pay(order: Order) -> Order:
        payment = _payment_for(order, "sandbox")
        payment_notice_handle(
            notice=VerifiedNotice(
                provider="sandbox",
                notice_id=f"sandbox-{payment.out_trade_no}",
                event_type="TRANSACTION.SUCCESS",
                kind="transaction",
                out_trade_no=payment.out_trade_no,
                transaction_id=f"SANDBOX{payment.out_trade_no}",
                trade_state="SUCCESS",
                amount=payment.amount,
                paid_at=timezone.now(),
            )
        )
        return Order.objects.get(pk=order.pk)

    return pay


@pytest.fixture
def wechat(settings: Any, tmp_path: Path) -> FakeWeChat:
    """Configure the shop for WeChat Pay with test keys; the returned object plays WeChat."""
    fake = FakeWeChat(platform_key=_key("platform"), merchant_key=_key("merchant"))
    private_path = tmp_path / "apiclient_key.pem"
    private_path.write_text(wechat_fake.private_pem(fake.merchant_key))
    public_path = tmp_path / "pub_key.pem"
    public_path.write_text(wechat_fake.public_pem(fake.platform_key))
    settings.PAYMENT_PROVIDER = "wechat"
    settings.WECHAT_APPID = wechat_fake.APPID
    settings.WECHAT_PAY_MCHID = wechat_fake.MCHID
    settings.WECHAT_PAY_APIV3_KEY = wechat_fake.APIV3_KEY
    settings.WECHAT_PAY_CERT_SERIAL_NO = wechat_fake.CERT_SERIAL_NO
    settings.WECHAT_PAY_PRIVATE_KEY_PATH = str(private_path)
    settings.WECHAT_PAY_PUBLIC_KEY_PATH = str(public_path)
    settings.WECHAT_PAY_PUBLIC_KEY_ID = wechat_fake.PUBLIC_KEY_ID
    settings.WECHAT_PAY_NOTIFY_URL = "https://shop.example.com/api/v1/payments/wechat/notify"
    return fake


@pytest.fixture
def wechat_api(wechat: FakeWeChat) -> Iterator[responses.RequestsMock]:
    """WeChat Pay's HTTPS API replaced at the HTTP boundary; unexpected calls fail the test."""
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        yield rsps


@pytest.fixture
def pay_wechat(wechat: FakeWeChat) -> Callable[[Order], Order]:
    """Pay an order with a verified WeChat notice (parsed by the provider from a signed body)."""

    def pay(order: Order) -> Order:
        payment = _payment_for(order, "wechat")
        payment_notice_handle(
            notice=VerifiedNotice(
                provider="wechat",
                notice_id=f"n-{payment.out_trade_no}",
                event_type="TRANSACTION.SUCCESS",
                kind="transaction",
                out_trade_no=payment.out_trade_no,
                transaction_id=f"4200{payment.out_trade_no}",
                trade_state="SUCCESS",
                amount=payment.amount,
                paid_at=timezone.now(),
            )
        )
        return Order.objects.get(pk=order.pk)

    return pay
