"""Orders paid with a coupon the wheel gave are the wheel's in the attribution figures (issue 15)."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import User

from analytics.models import OrderTouch, Tool
from mall.models import ShopSettings, Sku
from marketing.selectors.wheel import wheel_figures
from marketing.services.coupons import coupon_claim
from marketing.services.wheel import wheel_draw
from marketing.tests.conftest import pay, place
from marketing.tests.wheel.helpers import live_wheel, paid_order, staff_user
from marketing.tests.wheel.test_wheel_services import FIVE, Always
from members.models import Member
from members.tests.fixtures import SHOPPER_CONTEXT

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(db: Any) -> User:
    return staff_user()


def test_an_order_paid_with_a_wheel_coupon_is_the_wheels(
    staff: User, member: Member, shop: ShopSettings, lipstick: Sku, make_template: Any
) -> None:
    wheel = live_wheel(staff)
    paid_order(member, 5000)
    won = wheel_draw(member=member, context=SHOPPER_CONTEXT, rng=Always(FIVE)).draw
    assert won.coupon is not None
    order = pay(place(member, [(lipstick, 1)], coupon_ids=(won.coupon.pk,)))
    touch = OrderTouch.objects.get(order=order, tool=Tool.WHEEL)
    assert (touch.object_id, touch.object_name, touch.coupon, touch.gmv) == (
        wheel.pk,
        "幸运大转盘",
        500,
        order.payable_amount,
    )
    assert not OrderTouch.objects.filter(order=order, tool=Tool.COUPON).exists()
    figures = wheel_figures(wheel=wheel)
    assert (figures.coupon_orders, figures.coupon_gmv) == (1, order.payable_amount)
    assert (figures.orders, figures.gmv) == (1, order.payable_amount)  # paid after the shopper's first draw
    # a coupon from the coupon centre stays the coupon's
    other = make_template(name="店铺券", off=300)
    coupon = coupon_claim(member=member, template_id=other.pk, context=SHOPPER_CONTEXT)
    second = pay(place(member, [(lipstick, 1)], coupon_ids=(coupon.pk,)))
    assert OrderTouch.objects.get(order=second, tool=Tool.COUPON).object_id == other.pk
