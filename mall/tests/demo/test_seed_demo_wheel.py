"""``seed_demo`` makes the lucky wheel visible: a published wheel, chances from recent paid orders
and draws through the services, once."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User

from mall.demo.shop import SHOPPER_OPENID_PREFIX
from mall.demo.wheel import build_wheel
from marketing.models import ChanceStatus, Wheel, WheelChance, WheelDraw, WheelStatus
from marketing.tests.wheel.helpers import paid_order
from members.tests.factories import MemberFactory

pytestmark = pytest.mark.django_db


def test_the_demo_wheel_has_chances_and_draws_and_is_built_once(redis_client: object) -> None:
    User.objects.create_superuser(username="owner", password="x", email="owner@example.com")
    members = [MemberFactory.create(openid=f"{SHOPPER_OPENID_PREFIX}{i}") for i in range(4)]
    for member in members:
        for amount in (6800, 12900, 3000):
            paid_order(member, amount)
    draws = build_wheel(seed=1)["wheel draws"]
    wheel = Wheel.objects.get()
    assert (wheel.status, wheel.prizes.count(), wheel.order_threshold) == (WheelStatus.PUBLISHED, 5, 5000)
    assert WheelChance.objects.count() == 8  # the 30.00 orders earn none
    assert draws == WheelDraw.objects.count() > 0
    assert WheelChance.objects.filter(status=ChanceStatus.USED).count() == draws
    assert build_wheel(seed=1) == {"wheel draws": 0}
    assert Wheel.objects.count() == 1
