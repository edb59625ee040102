"""Exactly once per occasion: beat firing twice, workers at once on MariaDB, a crash mid-run."""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from mall.tests.concurrency import run_in_threads
from marketing.models import Coupon, CouponTemplate, JourneyKind, JourneySend
from marketing.services.journeys import runner
from marketing.services.journeys.runner import lifecycle_run
from marketing.tests.journeys.helpers import journeys_on, paid_order, product
from members.models import Message
from members.tests.factories import MemberFactory

SHOP = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 12, 6, 10, 0, tzinfo=SHOP)


def _shoppers(n: int) -> list[Any]:
    shampoo = product("洗发水", cycle=30)
    found = []
    for i in range(n):
        shopper = MemberFactory.create(birthday=date(1990, 12, 7) if i % 2 else None)
        paid_order(shopper, NOW - timedelta(days=32), shampoo)
        found.append(shopper)
    return found


def _assert_once(shoppers: list[Any]) -> None:
    expected = len(shoppers) * 2 + len(shoppers) // 2  # dormant + replenish each, birthday every other
    per_occasion = Counter(JourneySend.objects.values_list("kind", "member_id", "occasion"))
    assert len(per_occasion) == expected and set(per_occasion.values()) == {1}
    assert Coupon.objects.count() == expected
    assert Message.objects.count() == expected
    assert Counter(Message.objects.values_list("member_id", "kind")).most_common(1)[0][1] == 1
    assert CouponTemplate.objects.get(name="专属回归礼").issued_count == len(shoppers)


@pytest.mark.django_db
def test_beat_firing_twice_reaches_each_shopper_once() -> None:
    journeys_on()
    shoppers = _shoppers(6)
    first = {o.journey: o for o in lifecycle_run(now=NOW, batch_size=4)}
    second = {o.journey: o for o in lifecycle_run(now=NOW + timedelta(minutes=1), batch_size=4)}
    assert first[JourneyKind.DORMANT].granted == 6 and first[JourneyKind.BIRTHDAY].granted == 3
    assert all(o.eligible == 0 for o in second.values())
    _assert_once(shoppers)


@pytest.mark.django_db
def test_a_run_killed_between_steps_rolls_its_batch_back_and_the_rerun_completes_it(monkeypatch: Any) -> None:
    journeys_on()
    shoppers = _shoppers(6)
    real = runner.messages_send_bulk
    calls = {"n": 0}

    def dies_on_the_second_batch(**kwargs: Any) -> Any:
        calls["n"] += 1
        if calls["n"] == 2:
            raise SystemExit("worker killed")  # after coupons were written, before messages
        return real(**kwargs)

    monkeypatch.setattr(runner, "messages_send_bulk", dies_on_the_second_batch)
    with pytest.raises(SystemExit):
        lifecycle_run(now=NOW, batch_size=3)
    # The first batch (3 shoppers) committed; nothing of the second is left half-written.
    assert JourneySend.objects.values("member_id").distinct().count() == 3
    assert Coupon.objects.count() == JourneySend.objects.count() == Message.objects.count()

    monkeypatch.setattr(runner, "messages_send_bulk", real)
    lifecycle_run(now=NOW + timedelta(minutes=5), batch_size=3)
    _assert_once(shoppers)


@pytest.mark.race
@pytest.mark.django_db(transaction=True)
def test_four_workers_running_at_once_reach_each_shopper_once() -> None:
    journeys_on()
    shoppers = _shoppers(12)

    results = run_in_threads(4, lambda _i: lifecycle_run(now=NOW, batch_size=5))

    errors = [r for r in results if isinstance(r, BaseException)]
    assert not errors, errors
    granted: Counter[str] = Counter()
    for outcomes in results:
        for outcome in outcomes:
            granted[outcome.journey] += outcome.granted
    assert granted == {"dormant": 12, "replenish": 12, "birthday": 6}
    _assert_once(shoppers)
