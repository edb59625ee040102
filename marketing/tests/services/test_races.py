"""Races with real threads against the real database: coupon quotas, limits and single use.

Each thread has its own connection (closed at the end); a barrier starts them together so they
really contend on the template row, the member row and the coupon row.
"""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from django.contrib.auth.models import User

from mall.models import Category, Product, ShopSettings, Sku
from mall.tests.concurrency import run_in_threads
from marketing.errors import CouponLimitReached, CouponSoldOut, CouponUnavailable
from marketing.models import Coupon, CouponStatus, CouponTemplate
from marketing.services.coupons import coupon_claim, coupon_template_create
from marketing.tests.conftest import template_data
from members.tests.factories import AddressFactory, MemberFactory
from members.tests.fixtures import SHOPPER_CONTEXT, guard_slider_off
from orders.models import Order
from orders.services.orders import order_place

pytestmark = [pytest.mark.race, pytest.mark.django_db(transaction=True)]


def _template(**overrides: Any) -> CouponTemplate:
    staff = User.objects.create_superuser(username=f"s{uuid.uuid4().hex[:8]}", password="x")
    return coupon_template_create(actor=staff, data=template_data(**overrides))


def test_fifty_shoppers_claiming_a_ten_coupon_quota_get_exactly_ten() -> None:
    template = _template(total_quantity=10)
    shoppers = MemberFactory.create_batch(50)

    results = run_in_threads(
        50, lambda i: coupon_claim(context=SHOPPER_CONTEXT, member=shoppers[i], template_id=template.pk)
    )

    claimed = [r for r in results if isinstance(r, Coupon)]
    refused = [r for r in results if isinstance(r, CouponSoldOut)]
    assert len(claimed) == 10, [r for r in results if not isinstance(r, Coupon | CouponSoldOut)]
    assert len(refused) == 40
    assert Coupon.objects.filter(template=template).count() == 10
    assert CouponTemplate.objects.get(pk=template.pk).issued_count == 10


def test_one_shopper_claiming_twenty_times_at_once_gets_one() -> None:
    template = _template(per_user_limit=1)
    shopper = MemberFactory.create()
    guard_slider_off()

    results = run_in_threads(
        20, lambda _i: coupon_claim(context=SHOPPER_CONTEXT, member=shopper, template_id=template.pk)
    )

    claimed = [r for r in results if isinstance(r, Coupon)]
    refused = [r for r in results if isinstance(r, CouponLimitReached)]
    assert len(claimed) == 1, [r for r in results if not isinstance(r, Coupon | CouponLimitReached)]
    assert len(refused) == 19
    assert Coupon.objects.filter(template=template, member=shopper).count() == 1
    assert CouponTemplate.objects.get(pk=template.pk).issued_count == 1


def test_fifty_checkouts_with_one_coupon_place_exactly_one_order() -> None:
    ShopSettings.load()
    product = Product.objects.create(category=Category.objects.create(name="美妆"), title="面霜", min_price=10000)
    sku = Sku.objects.create(product=product, code="CREAM", price=10000, stock=100)
    shopper = MemberFactory.create()
    address = AddressFactory.create(member=shopper)
    coupon = coupon_claim(context=SHOPPER_CONTEXT, member=shopper, template_id=_template().pk)

    def checkout(_i: int) -> Order:
        return order_place(
            context=SHOPPER_CONTEXT,
            member=shopper,
            items=[(sku.pk, 1)],
            address_id=address.pk,
            idempotency_key=uuid.uuid4().hex,
            coupon_ids=[coupon.pk],
        )

    results = run_in_threads(50, checkout)

    placed = [r for r in results if isinstance(r, Order)]
    refused = [r for r in results if isinstance(r, CouponUnavailable)]
    assert len(placed) == 1, [r for r in results if not isinstance(r, Order | CouponUnavailable)]
    assert len(refused) == 49, [repr(r) for r in results if not isinstance(r, CouponUnavailable)]
    assert all((r.code, r.status) == ("coupon_unavailable", 409) for r in refused)
    used = Coupon.objects.get(pk=coupon.pk)
    assert (used.status, used.order_id) == (CouponStatus.USED, placed[0].pk)
    assert Order.objects.count() == 1
    assert Sku.objects.get(pk=sku.pk).stock == 99  # the losers' reservations rolled back
