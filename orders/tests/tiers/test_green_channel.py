"""F16 售后绿色通道: a tier's after-sales requests up to the merchant's amount are approved at once."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.contrib.auth.models import User

from members.models import Member, TierRule
from members.services.tiers import tier_rules
from orders.models import AfterSaleStatus, Order
from orders.services.after_sales import after_sale_request
from orders.services.orders import order_ship

pytestmark = pytest.mark.django_db


def _shipped(
    make: Callable[..., Order], pay: Callable[[Order], Order], staff: User, member: Member, paid: int
) -> Order:
    order = pay(make(lines=[(1, paid)], member=member))
    return order_ship(order_id=order.pk, carrier="顺丰", tracking_no=f"SF{order.pk:08d}", actor=staff)


@pytest.mark.parametrize(
    ("tier", "paid", "status"),
    [
        ("diamond", 20_000, AfterSaleStatus.REFUNDED),  # ¥200 = the default 钻石 limit: approved and refunded
        ("diamond", 20_001, AfterSaleStatus.PENDING),  # above it: first in line, a person decides
        ("gold", 5_000, AfterSaleStatus.PENDING),  # 黄金's green channel only goes first by default
        ("normal", 100, AfterSaleStatus.PENDING),
    ],
)
def test_requests_within_the_tiers_amount_are_approved_at_once(
    order_with_lines: Callable[..., Order],
    pay_sandbox: Callable[[Order], Order],
    finance: User,
    shopper: Member,
    tier: str,
    paid: int,
    status: str,
) -> None:
    Member.objects.filter(pk=shopper.pk).update(tier=tier)
    shopper.refresh_from_db()
    order = _shipped(order_with_lines, pay_sandbox, finance, shopper, paid)
    line = order.lines.get()
    after_sale = after_sale_request(
        member=shopper, order_id=order.pk, line_id=line.pk, qty=1, kind="refund_only", reason="quality"
    )
    assert after_sale.status == status


def test_the_merchant_sets_the_amount(
    order_with_lines: Callable[..., Order], pay_sandbox: Callable[[Order], Order], finance: User, shopper: Member
) -> None:
    tier_rules()
    TierRule.objects.filter(tier="gold").update(green_auto_approve_max=10_000)
    Member.objects.filter(pk=shopper.pk).update(tier="gold")
    shopper.refresh_from_db()
    order = _shipped(order_with_lines, pay_sandbox, finance, shopper, 8_000)
    after_sale = after_sale_request(
        member=shopper,
        order_id=order.pk,
        line_id=order.lines.get().pk,
        qty=1,
        kind="refund_only",
        reason="quality",
    )
    assert after_sale.status == AfterSaleStatus.REFUNDED
    assert after_sale.history[1]["note"] == "会员售后绿色通道自动同意"
