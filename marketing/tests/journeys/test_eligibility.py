"""Each journey's eligibility at its edges, with time frozen (F17–F19)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils import translation

from marketing.models import Coupon, Journey, JourneyKind, JourneySend
from marketing.services.journeys.runner import lifecycle_run
from marketing.tests.journeys.helpers import journeys_on, paid_order, product
from members.models import Message
from members.tests.factories import MemberFactory
from orders.models import OrderStatus

pytestmark = pytest.mark.django_db
SHOP = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 12, 6, 10, 0, tzinfo=SHOP)


def run(kind: str, at: datetime = NOW) -> dict[str, object]:
    with time_machine.travel(at, tick=False), translation.override("zh-hans"):
        (outcome,) = lifecycle_run(kinds=[kind], now=at)
    return outcome.as_json()


# --- 沉睡召回 ---------------------------------------------------------------------------


@pytest.mark.parametrize(("days", "due"), [(29, False), (30, True), (31, True)])
def test_dormant_after_30_days_without_a_paid_order(days: int, due: bool) -> None:
    journeys_on(JourneyKind.DORMANT)
    shopper = MemberFactory.create(nickname="小美")
    paid_order(shopper, NOW - timedelta(days=days, hours=3))

    result = run(JourneyKind.DORMANT)

    assert result["eligible"] == int(due)
    assert Coupon.objects.filter(member=shopper).count() == int(due)
    if due:
        coupon = Coupon.objects.get(member=shopper)
        assert (coupon.template.name, coupon.template.off, coupon.template.threshold) == ("专属回归礼", 3000, 0)
        message = Message.objects.get(member=shopper)
        assert message.kind == "journey_dormant"
        assert message.title == "小美，好久不见，专属回归礼已到账"
        assert "30元" in message.body
        journey_id = Journey.objects.get(kind=JourneyKind.DORMANT).pk
        assert message.link == f"/package-journey/comeback/index?src=journey:{journey_id}"  # tracked (issue 15)
        send = JourneySend.objects.get(member=shopper)
        assert send.occasion == (NOW - timedelta(days=days, hours=3)).date().isoformat()
        assert (send.coupon_id, send.message_id) == (coupon.pk, message.pk)


def test_dormant_once_per_dormancy_and_again_after_a_new_one() -> None:
    journeys_on(JourneyKind.DORMANT)
    shopper = MemberFactory.create()
    paid_order(shopper, NOW - timedelta(days=30))
    never = MemberFactory.create()  # no order at all: new, not asleep
    unpaid = MemberFactory.create()
    paid_order(unpaid, NOW - timedelta(days=40))
    paid_order(unpaid, NOW - timedelta(days=2))  # came back two days ago

    assert run(JourneyKind.DORMANT)["eligible"] == 1
    assert run(JourneyKind.DORMANT, NOW + timedelta(days=1))["eligible"] == 0
    assert run(JourneyKind.DORMANT, NOW + timedelta(days=10))["eligible"] == 0
    # Comes back, buys, falls asleep again: a new dormancy.
    paid_order(shopper, NOW + timedelta(days=11))
    assert not Coupon.objects.filter(member__in=[never, unpaid]).exists()
    # 41 days on, both the shopper (second dormancy) and the one who came back are asleep.
    assert run(JourneyKind.DORMANT, NOW + timedelta(days=41))["eligible"] == 2
    assert [c.seq for c in Coupon.objects.filter(member=shopper).order_by("seq")] == [1, 2]
    assert Coupon.objects.filter(member=unpaid).count() == 1
    assert not Coupon.objects.filter(member=never).exists()


def test_a_blocked_shopper_is_not_recalled() -> None:
    journeys_on(JourneyKind.DORMANT)
    shopper = MemberFactory.create(is_blocked=True)
    paid_order(shopper, NOW - timedelta(days=45))
    assert run(JourneyKind.DORMANT)["eligible"] == 0


# --- 生日福利 ---------------------------------------------------------------------------


@pytest.mark.parametrize(("ahead", "due"), [(2, True), (3, True), (4, False)])
def test_birthday_within_three_days(ahead: int, due: bool) -> None:
    journeys_on(JourneyKind.BIRTHDAY)
    birthday = (NOW + timedelta(days=ahead)).date().replace(year=1995)
    shopper = MemberFactory.create(birthday=birthday, nickname="阿花")

    result = run(JourneyKind.BIRTHDAY)

    assert result["eligible"] == int(due)
    if due:
        coupon = Coupon.objects.get(member=shopper)
        assert (coupon.template.threshold, coupon.template.off) == (10000, 5000)
        # Valid from now until a week after the birthday (shop time).
        assert coupon.valid_from == NOW
        assert coupon.valid_until == datetime.combine(
            (NOW + timedelta(days=ahead + 8)).date(), datetime.min.time(), tzinfo=SHOP
        )
        message = Message.objects.get(member=shopper)
        assert message.title == "阿花，生日快乐！"
        assert "满100减50" in message.body
        assert JourneySend.objects.get(member=shopper).occasion == "2026"


def test_birthday_once_a_year() -> None:
    journeys_on(JourneyKind.BIRTHDAY)
    MemberFactory.create(birthday=date(1990, 12, 9))
    assert run(JourneyKind.BIRTHDAY)["eligible"] == 1
    assert run(JourneyKind.BIRTHDAY, NOW + timedelta(days=1))["eligible"] == 0
    assert run(JourneyKind.BIRTHDAY, NOW + timedelta(days=365))["eligible"] == 1
    assert sorted(JourneySend.objects.values_list("occasion", flat=True)) == ["2026", "2027"]


def test_birthday_over_the_year_end_is_next_years() -> None:
    journeys_on(JourneyKind.BIRTHDAY)
    shopper = MemberFactory.create(birthday=date(1988, 1, 2))
    assert run(JourneyKind.BIRTHDAY, datetime(2026, 12, 30, 10, tzinfo=SHOP))["eligible"] == 1
    assert JourneySend.objects.get(member=shopper).occasion == "2027"
    assert run(JourneyKind.BIRTHDAY, datetime(2026, 12, 31, 10, tzinfo=SHOP))["eligible"] == 0


def test_a_29_february_birthday_is_kept_on_28_february_in_common_years() -> None:
    journeys_on(JourneyKind.BIRTHDAY)
    leap = MemberFactory.create(birthday=date(2000, 2, 29))
    # 2027 is a common year: 25 Feb + 3 days = 28 Feb.
    assert run(JourneyKind.BIRTHDAY, datetime(2027, 2, 24, 10, tzinfo=SHOP))["eligible"] == 0
    assert run(JourneyKind.BIRTHDAY, datetime(2027, 2, 25, 10, tzinfo=SHOP))["eligible"] == 1
    assert JourneySend.objects.get(member=leap).occasion == "2027"
    # 2028 is a leap year: due from 26 Feb (29 Feb in 3 days), not on 25 Feb.
    assert run(JourneyKind.BIRTHDAY, datetime(2028, 2, 25, 10, tzinfo=SHOP))["eligible"] == 0
    assert run(JourneyKind.BIRTHDAY, datetime(2028, 2, 26, 10, tzinfo=SHOP))["eligible"] == 1


# --- 复购提醒 ---------------------------------------------------------------------------


@pytest.mark.parametrize(("days", "due"), [(29, False), (30, True), (37, True), (38, False)])
def test_replenish_from_the_cycle_until_the_window_closes(days: int, due: bool) -> None:
    journeys_on(JourneyKind.REPLENISH)  # cycle 30, window 7 days
    shampoo = product("洗发水", cycle=30)
    shopper = MemberFactory.create()
    order = paid_order(shopper, NOW - timedelta(days=days), shampoo)

    result = run(JourneyKind.REPLENISH)

    assert result["eligible"] == int(due)
    if due:
        message = Message.objects.get(member=shopper)
        assert message.title == "您的洗发水快用完了，再购享9折"
        journey_id = Journey.objects.get(kind=JourneyKind.REPLENISH).pk
        assert message.link == f"/pages/product/index?id={shampoo.pk}&src=journey:{journey_id}"
        coupon = Coupon.objects.get(member=shopper)
        # A personal 9折 for that product only: a copy of the pattern scoped to its SKUs.
        assert coupon.template.rate is not None and float(coupon.template.rate) == 0.9
        assert set(coupon.template.skus.values_list("product_id", flat=True)) == {shampoo.pk}
        assert JourneySend.objects.get(member=shopper).occasion == f"p{shampoo.pk}:o{order.pk}"


def test_replenish_skips_what_was_rebought_and_what_is_not_consumable() -> None:
    journeys_on(JourneyKind.REPLENISH)
    shampoo, lotion, chair = product("洗发水", cycle=30), product("身体乳", cycle=45), product("椅子", cycle=None)
    shopper = MemberFactory.create()
    paid_order(shopper, NOW - timedelta(days=31), shampoo, chair)
    paid_order(shopper, NOW - timedelta(days=5), shampoo)  # rebought
    paid_order(shopper, NOW - timedelta(days=46), lotion)
    paid_order(shopper, NOW - timedelta(days=20), lotion, status=OrderStatus.REFUNDED)  # refunded: not a rebuy

    result = run(JourneyKind.REPLENISH)

    assert result["eligible"] == 1
    assert list(JourneySend.objects.values_list("product_id", flat=True)) == [lotion.pk]
    assert run(JourneyKind.REPLENISH, NOW + timedelta(days=1))["eligible"] == 0


def test_a_disabled_journey_sends_nothing() -> None:
    journeys_on(JourneyKind.BIRTHDAY)
    shopper = MemberFactory.create()
    paid_order(shopper, NOW - timedelta(days=60))
    assert run(JourneyKind.DORMANT) == {"journey": "dormant", "eligible": 0, "sent": 0, "skipped": {}, "granted": 0}
    assert not Message.objects.exists()
