"""F13 under concurrency (real threads on the real database): no step of a stepped-price
campaign ever sells more units than it has, every unit number is sold once, and the
counter stops at the last step."""

from __future__ import annotations

import random
import uuid
from collections import Counter

import pytest
from django.contrib.auth.models import User

from mall.models import Category, Product, ShopSettings, Sku
from mall.tests.concurrency import run_in_threads
from marketing.models import StepCounter
from marketing.services.promotions import promotion_create
from marketing.tests.conftest import promotion_data
from members.tests.factories import AddressFactory, MemberFactory
from members.tests.fixtures import SHOPPER_CONTEXT
from orders.models import Order, OrderLine
from orders.services.orders import order_cancel, order_place

pytestmark = [pytest.mark.race, pytest.mark.django_db(transaction=True)]

# Units 1–10 at 5折, 11–25 at 6折, 26–40 at 8折; the list price is 100.00.
STEPS = [{"upto": 10, "rate": "0.5"}, {"upto": 25, "rate": "0.6"}, {"upto": 40, "rate": "0.8"}]
STEP_OF_PRICE = {5000: (1, 10), 6000: (11, 25), 8000: (26, 40), 10000: None}


def _campaign() -> tuple[Sku, int]:
    ShopSettings.load()
    staff = User.objects.create_superuser(username=f"s{uuid.uuid4().hex[:8]}", password="x")
    product = Product.objects.create(category=Category.objects.create(name="新品"), title="新品面霜", min_price=10000)
    sku = Sku.objects.create(product=product, code="LAUNCH", price=10000, stock=1000)
    promotion = promotion_create(
        actor=staff,
        data=promotion_data(type="stepped_price", name="阶梯价", rules={"sku": "LAUNCH", "steps": STEPS}),
    )
    return sku, promotion.pk


def _units_sold_per_step(orders: list[Order]) -> Counter[int]:
    lines = OrderLine.objects.filter(order__in=orders, is_gift=False)
    sold: Counter[int] = Counter()
    for unit_price, qty in lines.values_list("unit_price", "qty"):
        sold[unit_price] += qty
    return sold


def _numbers(orders: list[Order]) -> list[int]:
    """Every unit number the orders hold in the steps (their counter reading plus their units)."""
    numbers: list[int] = []
    for order in orders:
        taken = order.pricing["stepped_taken"][0][1]
        bought = sum(line.qty for line in order.lines.all())
        numbers.extend(range(taken + 1, min(taken + bought, 40) + 1))
    return numbers


def _expected_prices(taken: int, qty: int) -> Counter[int]:
    """What units ``taken + 1 … taken + qty`` cost, step by step."""
    expected: Counter[int] = Counter()
    for n in range(taken + 1, taken + qty + 1):
        price = next((p for p, span in STEP_OF_PRICE.items() if span and span[0] <= n <= span[1]), 10000)
        expected[price] += 1
    return expected


def test_thirty_shoppers_buying_at_once_never_oversell_a_step() -> None:
    sku, promotion_pk = _campaign()
    rng = random.Random(13)
    wanted = [rng.randint(1, 4) for _ in range(30)]  # 75 units asked for, 40 in the steps
    shoppers = MemberFactory.create_batch(30)
    addresses = [AddressFactory.create(member=s) for s in shoppers]

    def buy(i: int) -> Order:
        return order_place(
            context=SHOPPER_CONTEXT,
            member=shoppers[i],
            items=[(sku.pk, wanted[i])],
            address_id=addresses[i].pk,
            idempotency_key=uuid.uuid4().hex,
        )

    results = run_in_threads(30, buy)

    orders = [r for r in results if isinstance(r, Order)]
    assert len(orders) == 30, [r for r in results if not isinstance(r, Order)]
    sold = _units_sold_per_step(orders)
    assert (sold[5000], sold[6000], sold[8000]) == (10, 15, 15)  # each step exactly full, none over
    assert sold[10000] == sum(wanted) - 40
    assert StepCounter.objects.get(promotion_id=promotion_pk).sold == 40
    numbers = _numbers(orders)
    assert sorted(numbers) == list(range(1, 41))  # every number sold once
    for order in orders:  # and each order paid its own numbers' steps
        taken = order.pricing["stepped_taken"][0][1]
        bought = sum(line.qty for line in order.lines.all())
        assert _units_sold_per_step([order]) == _expected_prices(taken, bought), (order.no, taken)
    assert Sku.objects.get(pk=sku.pk).stock == 1000 - sum(wanted)


def test_cancelling_during_the_rush_gives_no_step_back() -> None:
    sku, promotion_pk = _campaign()
    shoppers = MemberFactory.create_batch(12)
    addresses = [AddressFactory.create(member=s) for s in shoppers]
    first = [
        order_place(
            context=SHOPPER_CONTEXT,
            member=shoppers[i],
            items=[(sku.pk, 1)],
            address_id=addresses[i].pk,
            idempotency_key=f"a{i}",
        )
        for i in range(6)
    ]

    def work(i: int) -> object:
        if i < 6:
            return order_cancel(order_id=first[i].pk, reason="shopper")
        return order_place(
            context=SHOPPER_CONTEXT,
            member=shoppers[i],
            items=[(sku.pk, 1)],
            address_id=addresses[i].pk,
            idempotency_key=f"b{i}",
        )

    results = run_in_threads(12, work)

    assert results[:6] == [True] * 6
    later = [r for r in results[6:] if isinstance(r, Order)]
    assert len(later) == 6
    assert sorted(o.pricing["stepped_taken"][0][1] for o in later) == [6, 7, 8, 9, 10, 11]
    assert _units_sold_per_step(later) == Counter({5000: 4, 6000: 2})  # units 7–10 and 11–12
    assert StepCounter.objects.get(promotion_id=promotion_pk).sold == 12
