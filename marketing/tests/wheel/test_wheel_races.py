"""Lucky-wheel races with real threads against the real database (MariaDB in CI) and Redis.

* 50 shoppers drawing at once for a prize with 10 left: exactly 10 won, the rest fell back;
* one shopper firing 15 draws with 5 chances: 5 draws, no chance spent twice;
* one shopper firing 15 draws with a daily limit of 3: 3 draws;
* a draw and a full refund racing for the same chance: it is spent or withdrawn, never both.
"""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.utils import timezone

from mall.tests.concurrency import run_in_threads
from marketing.errors import WheelDailyLimit, WheelNoChance
from marketing.models import ChanceStatus, Coupon, WheelChance, WheelDraw, WheelPrize
from marketing.services.wheel import wheel_chance_withdraw, wheel_draw
from marketing.tests.wheel.helpers import live_wheel, staff_user
from marketing.tests.wheel.test_wheel_services import FIVE, Always
from members.models import Member
from members.selectors.abuse import guard_config
from members.tests.fixtures import SHOPPER_CONTEXT, guard_slider_off
from orders.models import Order

pytestmark = [pytest.mark.race, pytest.mark.django_db(transaction=True)]


def _chances(member: Member, n: int, amount: int = 5000) -> list[WheelChance]:
    """``n`` chances of ``member``, each from an order of ``amount`` fen."""
    chances = []
    for _i in range(n):
        order = Order.objects.create(
            no=uuid.uuid4().hex[:20],
            member=member,
            goods_amount=amount,
            payable_amount=amount,
            idempotency_key=uuid.uuid4().hex,
            expires_at=timezone.now() + timedelta(minutes=15),
        )
        chances.append(WheelChance.objects.create(member=member, order=order, order_amount=amount))
    return chances


def _shoppers(n: int) -> list[Member]:
    return list(Member.objects.bulk_create([Member(openid=f"wheel-{uuid.uuid4().hex}") for _i in range(n)]))


def _draw(member: Member) -> Any:
    return wheel_draw(member=member, context=SHOPPER_CONTEXT, rng=Always(FIVE)).draw


def _ready() -> None:
    guard_slider_off()
    guard_config()
    connection.close()


def test_fifty_shoppers_never_take_more_than_the_stock(redis_client: Any) -> None:
    wheel = live_wheel(staff_user(), stock5=10, daily_draw_limit=3)
    members = _shoppers(50)
    for member in members:
        _chances(member, 1)
    _ready()

    results = run_in_threads(50, lambda i: _draw(members[i]))

    assert [r for r in results if not isinstance(r, WheelDraw)] == []
    five = WheelPrize.objects.get(wheel=wheel, name="5 元券")
    assert five.issued == 10
    assert Coupon.objects.filter(template=five.coupon_template).count() == 10
    won = WheelDraw.objects.filter(prize=five)
    assert won.count() == 10 and len(set(won.values_list("member_id", flat=True))) == 10
    assert WheelDraw.objects.filter(fell_back=True, prize__is_fallback=True).count() == 40
    assert WheelDraw.objects.values("chance_id").distinct().count() == 50
    assert set(WheelChance.objects.values_list("status", flat=True)) == {ChanceStatus.USED}


def test_one_shopper_firing_at_once_spends_each_chance_once(redis_client: Any) -> None:
    live_wheel(staff_user(), daily_draw_limit=10)
    (member,) = _shoppers(1)
    _chances(member, 5)
    _ready()

    results = run_in_threads(15, lambda _i: _draw(member))

    draws = [r for r in results if isinstance(r, WheelDraw)]
    refused = [r for r in results if isinstance(r, WheelNoChance)]
    assert (len(draws), len(refused), len(results)) == (5, 10, 15)
    assert len({d.chance_id for d in draws}) == 5
    assert WheelChance.objects.filter(member=member, status=ChanceStatus.USED).count() == 5


def test_the_daily_limit_holds_under_parallel_draws(redis_client: Any) -> None:
    live_wheel(staff_user(), daily_draw_limit=3)
    (member,) = _shoppers(1)
    _chances(member, 10)
    _ready()

    results = run_in_threads(15, lambda _i: _draw(member))

    draws = [r for r in results if isinstance(r, WheelDraw)]
    limited = [r for r in results if isinstance(r, WheelDailyLimit)]
    assert (len(draws), len(limited)) == (3, 12)
    assert WheelChance.objects.filter(member=member, status=ChanceStatus.AVAILABLE).count() == 7


def test_a_draw_and_a_refund_settle_a_chance_one_way(redis_client: Any) -> None:
    live_wheel(staff_user())
    members = _shoppers(10)
    chances = [_chances(member, 1)[0] for member in members]
    Order.objects.filter(pk__in=[c.order_id for c in chances]).update(refunded_amount=5000)
    orders = {o.pk: o for o in Order.objects.filter(pk__in=[c.order_id for c in chances])}
    _ready()

    def work(i: int) -> Any:
        chance = chances[i // 2]
        if i % 2:
            return wheel_chance_withdraw(order=orders[chance.order_id])
        return _draw(members[i // 2])

    results = run_in_threads(20, work)

    assert [r for r in results if not isinstance(r, WheelDraw | WheelNoChance | int)] == []
    for chance in WheelChance.objects.filter(pk__in=[c.pk for c in chances]):
        drawn = WheelDraw.objects.filter(chance=chance).exists()
        assert (chance.status, drawn) in {(ChanceStatus.USED, True), (ChanceStatus.WITHDRAWN, False)}
