"""Lucky wheel services (F21): chances from paid orders, the draw, the daily slice, versions."""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

import pytest
import time_machine
from django.contrib.auth.models import User
from django.utils import timezone

from mall.models import AuditLog
from marketing.errors import WheelClosed, WheelDailyLimit, WheelFrozen, WheelInvalid, WheelNoChance
from marketing.models import (
    ChanceStatus,
    CouponStatus,
    PrizeKind,
    Wheel,
    WheelChance,
    WheelDraw,
    WheelPrize,
    WheelStatus,
)
from marketing.selectors.wheel import wheel_figures
from marketing.services.wheel import (
    wheel_draw,
    wheel_end,
    wheel_new_version,
    wheel_prize_delete,
    wheel_prize_save,
    wheel_publish,
    wheel_save,
)
from marketing.tests.wheel.helpers import add_prize, draft_wheel, live_wheel, paid_order, refund, staff_user
from members.models import Member, PointsEntry
from members.tests.fixtures import SHOPPER_CONTEXT

pytestmark = pytest.mark.django_db

SHANGHAI = dt.timezone(dt.timedelta(hours=8))


@pytest.fixture
def staff(db: Any) -> User:
    return staff_user()


class Always(random.Random):
    """An rng whose ticket is always ``ticket`` (so a test names the prize the odds pick)."""

    def __init__(self, ticket: int) -> None:
        super().__init__(0)
        self.ticket = ticket

    def randrange(self, *args: Any, **kwargs: Any) -> int:  # type: ignore[override]
        return self.ticket


# tickets with weights (30, 10, 1, 20, 39): 5 元券 0–29, 10 元券 30–39, 免单 40, 积分 41–60, 谢谢 61–99
FIVE, TEN, FREE, POINTS, THANKS = 0, 30, 40, 41, 61


def draw(member: Member, ticket: int, now: dt.datetime | None = None) -> WheelDraw:
    return wheel_draw(member=member, context=SHOPPER_CONTEXT, rng=Always(ticket), now=now).draw


# --- chances ---------------------------------------------------------------------------------


def test_a_paid_order_reaching_the_threshold_earns_one_chance(staff: User, member: Member) -> None:
    live_wheel(staff, order_threshold=5000)
    small = paid_order(member, 4999)
    big = paid_order(member, 5000)
    assert not WheelChance.objects.filter(order=small).exists()
    chance = WheelChance.objects.get(order=big)
    assert (chance.member_id, chance.order_amount, chance.status) == (member.pk, 5000, ChanceStatus.AVAILABLE)


def test_no_chance_is_granted_while_no_wheel_is_live(staff: User, member: Member) -> None:
    paid_order(member, 9900)
    assert WheelChance.objects.count() == 0


def test_a_full_refund_withdraws_an_unused_chance(staff: User, member: Member) -> None:
    live_wheel(staff)
    order = paid_order(member, 6000, qty=2)
    refund(order, qty=1)  # half back: the chance stays
    assert WheelChance.objects.get(order=order).status == ChanceStatus.AVAILABLE
    refund(order, qty=1)  # the rest: the order is fully refunded
    chance = WheelChance.objects.get(order=order)
    assert chance.status == ChanceStatus.WITHDRAWN and chance.withdrawn_at is not None
    with pytest.raises(WheelNoChance):
        draw(member, THANKS)


def test_a_chance_already_used_stays_used_after_the_refund(staff: User, member: Member) -> None:
    live_wheel(staff)
    order = paid_order(member, 6000)
    draw(member, THANKS)
    refund(order)
    assert WheelChance.objects.get(order=order).status == ChanceStatus.USED
    assert WheelDraw.objects.filter(member=member).count() == 1


# --- the draw ----------------------------------------------------------------------------------


def test_each_kind_of_prize_is_handed_out(staff: User, member: Member) -> None:
    live_wheel(staff, free_order_cap=8000)
    for amount in (5000, 6000, 9900, 5500, 7000):
        paid_order(member, amount)
    five = draw(member, FIVE)
    ten = draw(member, TEN)
    free = draw(member, FREE)  # the third chance came from the 99.00 order: capped at 80.00
    assert five.coupon is not None and (five.coupon.template.off, five.value) == (500, 500)
    assert ten.coupon is not None and (ten.coupon.template.off, ten.value) == (1000, 1000)
    assert free.coupon is not None and free.coupon.template.off == 8000 and free.value == 8000
    assert free.coupon.template.total_quantity == 1 and free.coupon.status == CouponStatus.UNUSED
    tomorrow = timezone.now() + dt.timedelta(days=1)
    points = draw(member, POINTS, now=tomorrow)
    assert points.points == 20 and points.value == 20  # 100 points are one yuan by default
    entry = PointsEntry.objects.get(member=member, reason=PointsEntry.Reason.GRANT)
    assert (entry.delta, entry.ref) == (20, f"wheel:{points.chance_id}")
    thanks = draw(member, THANKS, now=tomorrow)
    assert (thanks.kind, thanks.coupon, thanks.points, thanks.value) == (PrizeKind.THANKS, None, 0, 0)


def test_free_order_is_worth_the_chance_order_payment_under_the_cap(staff: User, member: Member) -> None:
    live_wheel(staff, free_order_cap=8000)
    paid_order(member, 5600)
    won = draw(member, FREE)
    assert won.coupon is not None and won.coupon.template.off == 5600
    assert won.coupon.template.name == "大转盘免单券 ¥56.00"


def test_the_oldest_chance_is_spent_first_and_only_once(staff: User, member: Member) -> None:
    live_wheel(staff)
    first, second = paid_order(member, 5000), paid_order(member, 5000)
    one = draw(member, THANKS)
    two = draw(member, THANKS)
    assert (one.chance.order_id, two.chance.order_id) == (first.pk, second.pk)
    assert set(WheelChance.objects.values_list("status", flat=True)) == {ChanceStatus.USED}
    with pytest.raises(WheelNoChance):
        draw(member, THANKS)


def test_the_daily_limit_counts_shop_days(staff: User, member: Member) -> None:
    live_wheel(staff, daily_draw_limit=2)
    for _i in range(3):
        paid_order(member, 5000)
    late = dt.datetime(2026, 3, 10, 23, 50, tzinfo=SHANGHAI)
    draw(member, THANKS, now=late)
    draw(member, THANKS, now=late)
    with pytest.raises(WheelDailyLimit) as refused:
        draw(member, THANKS, now=late)
    assert refused.value.details == {"limit": 2}
    assert WheelChance.objects.filter(status=ChanceStatus.AVAILABLE).count() == 1  # the refused draw spent nothing
    after_midnight = dt.datetime(2026, 3, 11, 0, 5, tzinfo=SHANGHAI)
    assert draw(member, THANKS, now=after_midnight).day == dt.date(2026, 3, 11)


def test_an_out_of_stock_prize_falls_back(staff: User, member: Member) -> None:
    live_wheel(staff, stock5=1)
    for _i in range(2):
        paid_order(member, 5000)
    assert draw(member, FIVE).prize.name == "5 元券"
    fell = draw(member, FIVE)
    assert (fell.prize.name, fell.picked.name, fell.fell_back, fell.coupon) == ("谢谢参与", "5 元券", True, None)
    assert WheelPrize.objects.get(name="5 元券").issued == 1


def test_a_sold_out_coupon_template_falls_back_and_keeps_the_stock(staff: User, member: Member) -> None:
    wheel = live_wheel(staff)
    template = WheelPrize.objects.get(wheel=wheel, name="10 元券").coupon_template
    assert template is not None
    template.total_quantity = template.issued_count = 0
    type(template).objects.filter(pk=template.pk).update(total_quantity=None, is_active=False)
    paid_order(member, 5000)
    fell = draw(member, TEN)
    assert fell.fell_back and fell.prize.is_fallback
    assert WheelPrize.objects.get(name="10 元券").issued == 0  # the savepoint gave the unit back


def test_the_first_day_cannot_drain_the_stock(staff: User, member: Member, other_member: Member) -> None:
    start = dt.datetime(2026, 3, 10, 9, 0, tzinfo=SHANGHAI)
    with time_machine.travel(start, tick=False):
        live_wheel(staff, stock5=7, slice_days=7, daily_draw_limit=10)
    shoppers = [member, other_member]
    for shopper in shoppers:
        for _i in range(4):
            paid_order(shopper, 5000)
    day_one = [draw(shopper, FIVE, now=start + dt.timedelta(hours=1)) for shopper in shoppers for _i in range(2)]
    assert [d.prize.name for d in day_one].count("5 元券") == 1  # 7 units over 7 days: one on day one
    day_two = [draw(shopper, FIVE, now=start + dt.timedelta(days=1)) for shopper in shoppers for _i in range(2)]
    assert [d.prize.name for d in day_two].count("5 元券") == 1
    assert WheelPrize.objects.get(name="5 元券").issued == 2


def test_nothing_is_drawn_while_no_wheel_is_live(staff: User, member: Member) -> None:
    with pytest.raises(WheelClosed):
        draw(member, THANKS)


def test_draws_record_behaviour_events(staff: User, member: Member) -> None:
    from analytics.models import Event

    live_wheel(staff)
    paid_order(member, 5000)
    won = draw(member, POINTS)
    events = list(
        Event.objects.filter(member_id=member.pk, name__startswith="wheel_").order_by("id").values_list("name", "props")
    )
    assert [name for name, _props in events] == ["wheel_chance_granted", "wheel_draw"]
    assert events[1][1] == {"wheel_id": won.wheel_id, "prize_id": won.prize_id, "kind": "points", "value": 20}


# --- the merchant's versions ------------------------------------------------------------------


def test_a_published_wheel_is_frozen(staff: User) -> None:
    wheel = live_wheel(staff)
    prize = WheelPrize.objects.filter(wheel=wheel).first()
    assert prize is not None
    prize.weight = 1000
    with pytest.raises(WheelFrozen):
        wheel_prize_save(actor=staff, prize=prize)
    with pytest.raises(WheelFrozen):
        wheel_prize_delete(actor=staff, prize_id=prize.pk)
    with pytest.raises(WheelFrozen):
        add_prize(staff, wheel, name="再来一次")
    wheel.daily_draw_limit = 99
    with pytest.raises(WheelFrozen):
        wheel_save(actor=staff, wheel=wheel)
    assert Wheel.objects.get(pk=wheel.pk).daily_draw_limit == 3


def test_a_new_version_keeps_the_issued_counts_and_replaces_the_live_one(staff: User, member: Member) -> None:
    wheel = live_wheel(staff, stock5=1)
    paid_order(member, 5000)
    draw(member, FIVE)
    copy = wheel_new_version(actor=staff, wheel_id=wheel.pk)
    assert (copy.status, copy.version, copy.parent_id) == (WheelStatus.DRAFT, 2, wheel.pk)
    five = WheelPrize.objects.get(wheel=copy, name="5 元券")
    assert (five.issued, five.stock, five.source.wheel_id if five.source else None) == (1, 1, wheel.pk)
    five.weight = 99
    wheel_prize_save(actor=staff, prize=five)
    wheel_publish(actor=staff, wheel_id=copy.pk)
    assert Wheel.objects.get(pk=wheel.pk).status == WheelStatus.ENDED
    paid_order(member, 5000)
    again = draw(member, FIVE)
    assert again.prize.is_fallback  # the top prize was won already: the edit did not bring it back
    actions = list(AuditLog.objects.filter(action__startswith="wheel.").values_list("action", flat=True))
    assert {"wheel.create", "wheel.prize_save", "wheel.publish", "wheel.new_version", "wheel.end"} <= set(actions)


def test_publishing_needs_one_unlimited_fallback(staff: User) -> None:
    wheel = draft_wheel(staff)
    add_prize(staff, wheel, kind=PrizeKind.POINTS, name="10 积分", points=10, stock=5)
    with pytest.raises(WheelInvalid):
        wheel_publish(actor=staff, wheel_id=wheel.pk)  # one prize only
    add_prize(staff, wheel, name="谢谢参与")
    with pytest.raises(WheelInvalid) as refused:
        wheel_publish(actor=staff, wheel_id=wheel.pk)
    assert refused.value.details["field"] == "is_fallback"
    with pytest.raises(WheelInvalid):
        add_prize(staff, wheel, name="限量兜底", is_fallback=True, stock=3)
    fallback = WheelPrize.objects.get(wheel=wheel, name="谢谢参与")
    fallback.is_fallback = True
    wheel_prize_save(actor=staff, prize=fallback)
    assert wheel_publish(actor=staff, wheel_id=wheel.pk).status == WheelStatus.PUBLISHED


def test_prize_rules_are_checked(staff: User) -> None:
    wheel = draft_wheel(staff)
    with pytest.raises(WheelInvalid) as refused:
        add_prize(staff, wheel, kind=PrizeKind.COUPON, name="券")
    assert refused.value.details["field"] == "coupon_template"
    with pytest.raises(WheelInvalid):
        add_prize(staff, wheel, kind=PrizeKind.POINTS, name="积分", points=0)
    with pytest.raises(WheelInvalid):
        draft_wheel(staff, free_order_cap=0)


def test_ending_the_wheel_stops_draws_but_keeps_chances(staff: User, member: Member) -> None:
    wheel = live_wheel(staff)
    paid_order(member, 5000)
    wheel_end(actor=staff, wheel_id=wheel.pk)
    with pytest.raises(WheelClosed):
        draw(member, THANKS)
    assert WheelChance.objects.get(member=member).status == ChanceStatus.AVAILABLE


def test_the_figures_take_a_fixed_number_of_queries(
    staff: User, member: Member, other_member: Member, django_assert_max_num_queries: Any
) -> None:
    wheel = live_wheel(staff, daily_draw_limit=10)
    for shopper in (member, other_member):
        for ticket in (FIVE, POINTS, THANKS):
            paid_order(shopper, 5000)
            draw(shopper, ticket)
    paid_order(member, 8000)  # paid after the first draw: a participant's order
    with django_assert_max_num_queries(7):
        figures = wheel_figures(wheel=wheel)
    assert (figures.participants, figures.draws_total, figures.prizes_issued) == (2, 6, 4)
    assert (figures.coupons_issued, figures.cost_issued, figures.cost_used) == (2, 2 * 500 + 2 * 20, 2 * 20)
    # each shopper's first order was paid before their first draw: not counted
    assert (figures.orders, figures.gmv) == (5, 5000 * 4 + 8000)
    assert [row.draws for row in figures.prizes] == [2, 0, 0, 2, 2]
    with django_assert_max_num_queries(7):
        assert wheel_figures().participants == 2
