"""F20: one check-in per shopper per shop day (Asia/Shanghai), streaks with their reward and
cycle, make-up for points exactly once, and the daily reminder exactly once."""

from __future__ import annotations

import datetime as dt
import uuid
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from mall.models import AuditLog
from mall.tests.concurrency import run_in_threads
from members.errors import AlreadyCheckedIn, CheckInRuleInvalid, MakeupNotAllowed, PointsInsufficient
from members.models import CheckIn, CheckInReminder, CheckInRule, Member, Message, PointsEntry
from members.selectors.checkin import checkin_calendar, checkin_figures
from members.selectors.points import points_balance
from members.services.checkin import (
    CheckInOutcome,
    checkin_do,
    checkin_makeup,
    checkin_remind_due,
    checkin_rule_update,
)
from members.services.points import points_grant
from members.tests.factories import MemberFactory
from members.tests.fixtures import SHOPPER_CONTEXT, guard_slider_off

SHANGHAI = ZoneInfo("Asia/Shanghai")


def _at(day: dt.date, hour: int = 10, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=SHANGHAI)


def _rule(**fields: object) -> CheckInRule:
    rule = CheckInRule.load()
    for name, value in fields.items():
        setattr(rule, name, value)
    rule.save()
    return rule


def _run(member: Member, days: list[dt.date]) -> list[CheckInOutcome]:
    return [checkin_do(member=member, context=SHOPPER_CONTEXT, now=_at(day)) for day in days]


@pytest.mark.race
@pytest.mark.django_db(transaction=True)
def test_a_double_tap_raced_gives_one_check_in_and_points_once() -> None:
    guard_slider_off()
    member = MemberFactory.create()
    now = _at(dt.date(2026, 3, 2))

    results = run_in_threads(8, lambda i: checkin_do(member=member, context=SHOPPER_CONTEXT, now=now))

    done = [r for r in results if isinstance(r, CheckInOutcome)]
    refused = [r for r in results if isinstance(r, AlreadyCheckedIn)]
    assert (len(done), len(refused)) == (1, 7), results
    assert refused[0].code == "already_checked_in"
    assert CheckIn.objects.filter(member=member).count() == 1
    assert points_balance(member_id=member.pk) == 5


@pytest.mark.django_db
def test_the_streak_crosses_the_shanghai_midnight_and_pays_its_reward_on_day_seven() -> None:
    member = MemberFactory.create()
    _rule(base_points=5, streak_days=7, streak_points=30)
    day = dt.date(2026, 3, 1)
    for offset in range(5):
        checkin_do(member=member, context=SHOPPER_CONTEXT, now=_at(day + dt.timedelta(days=offset)))
    # 23:59 on the 6th day in Shanghai (15:59 UTC), then 00:01 Shanghai the next day (16:01 UTC).
    with time_machine.travel(_at(dt.date(2026, 3, 6), 23, 59), tick=False) as clock:
        sixth = checkin_do(member=member, context=SHOPPER_CONTEXT)
        with pytest.raises(AlreadyCheckedIn):
            checkin_do(member=member, context=SHOPPER_CONTEXT)
        clock.move_to(_at(dt.date(2026, 3, 7), 0, 1))
        seventh = checkin_do(member=member, context=SHOPPER_CONTEXT)
        calendar = checkin_calendar(member=member)

    assert (sixth.check_in.day, sixth.check_in.streak) == (dt.date(2026, 3, 6), 6)
    assert (seventh.check_in.day, seventh.check_in.streak, seventh.bonus_points) == (dt.date(2026, 3, 7), 7, 30)
    assert points_balance(member_id=member.pk) == 7 * 5 + 30
    assert calendar.checked_today and calendar.streak == 7
    assert (calendar.milestone_days_left, calendar.milestone_text) == (7, "再签 7 天得 30 积分")
    # A missed day starts again at one.
    ninth = checkin_do(member=member, context=SHOPPER_CONTEXT, now=_at(dt.date(2026, 3, 9)))
    assert ninth.check_in.streak == 1


@pytest.mark.django_db
def test_weekly_and_monthly_cycles_reset_the_streak() -> None:
    weekly, monthly, rolling = MemberFactory.create_batch(3)
    # Saturday 2026-03-28 to Tuesday 2026-03-31, then Wednesday 1 April.
    days = [dt.date(2026, 3, 28) + dt.timedelta(days=i) for i in range(5)]
    _rule(cycle=CheckInRule.Cycle.WEEKLY)
    assert [o.check_in.streak for o in _run(weekly, days)] == [1, 2, 1, 2, 3]  # Monday 30th resets
    _rule(cycle=CheckInRule.Cycle.MONTHLY)
    assert [o.check_in.streak for o in _run(monthly, days)] == [1, 2, 3, 4, 1]  # 1 April resets
    _rule(cycle=CheckInRule.Cycle.ROLLING)
    assert [o.check_in.streak for o in _run(rolling, days)] == [1, 2, 3, 4, 5]


@pytest.mark.django_db
def test_a_tier_multiplier_scales_the_daily_points() -> None:
    _rule(base_points=5, tier_multipliers={"gold": 2.0})
    gold = MemberFactory.create(tier=Member.Tier.GOLD)
    outcome = checkin_do(member=gold, context=SHOPPER_CONTEXT, now=_at(dt.date(2026, 3, 2)))
    assert outcome.points == 10
    assert points_balance(member_id=gold.pk) == 10


@pytest.mark.django_db
def test_a_make_up_spends_points_joins_the_streak_and_is_refused_outside_the_window() -> None:
    _rule(makeup_days=3, makeup_cost=20, streak_days=3, streak_points=30)
    member = MemberFactory.create()
    points_grant(member_id=member.pk, delta=100, reason=PointsEntry.Reason.GRANT, ref="gift")
    _run(member, [dt.date(2026, 3, 1), dt.date(2026, 3, 3)])
    now = _at(dt.date(2026, 3, 4))
    calendar = checkin_calendar(member=member, now=now)
    assert calendar.makeup_days == [dt.date(2026, 3, 2)]

    outcome = checkin_makeup(member=member, day=dt.date(2026, 3, 2), context=SHOPPER_CONTEXT, now=now)

    assert outcome.check_in.is_makeup and outcome.check_in.streak == 2
    streaks = dict(CheckIn.objects.filter(member=member).values_list("day", "streak"))
    assert streaks == {dt.date(2026, 3, 1): 1, dt.date(2026, 3, 2): 2, dt.date(2026, 3, 3): 3}
    # 100 + 3 days × 5 + the day-3 reward (30) − 20
    assert points_balance(member_id=member.pk) == 100 + 15 + 30 - 20
    with pytest.raises(AlreadyCheckedIn):
        checkin_makeup(member=member, day=dt.date(2026, 3, 2), context=SHOPPER_CONTEXT, now=now)
    with pytest.raises(MakeupNotAllowed):
        checkin_makeup(member=member, day=dt.date(2026, 2, 20), context=SHOPPER_CONTEXT, now=now)
    with pytest.raises(MakeupNotAllowed):
        checkin_makeup(member=member, day=dt.date(2026, 3, 4), context=SHOPPER_CONTEXT, now=now)
    poor = MemberFactory.create()
    with pytest.raises(PointsInsufficient):
        checkin_makeup(member=poor, day=dt.date(2026, 3, 2), context=SHOPPER_CONTEXT, now=now)
    assert not CheckIn.objects.filter(member=poor).exists()


@pytest.mark.race
@pytest.mark.django_db(transaction=True)
def test_a_make_up_raced_spends_its_points_exactly_once() -> None:
    guard_slider_off()
    _rule(makeup_days=5, makeup_cost=20)
    member = MemberFactory.create()
    points_grant(member_id=member.pk, delta=30, reason=PointsEntry.Reason.GRANT, ref=uuid.uuid4().hex)
    now = _at(dt.date(2026, 3, 10))
    days = [dt.date(2026, 3, 9), dt.date(2026, 3, 8)]

    results = run_in_threads(
        10, lambda i: checkin_makeup(member=member, day=days[i % 2], context=SHOPPER_CONTEXT, now=now)
    )

    made = [r for r in results if isinstance(r, CheckInOutcome)]
    assert len(made) == 1, results
    assert all(isinstance(r, (AlreadyCheckedIn, PointsInsufficient)) for r in results if r not in made)
    assert PointsEntry.objects.filter(member=member, reason=PointsEntry.Reason.CHECKIN_MAKEUP).count() == 1
    assert points_balance(member_id=member.pk) == 30 - 20 + 5
    assert CheckIn.objects.filter(member=member).count() == 1


@pytest.mark.django_db
def test_the_reminder_goes_once_per_member_per_day_to_those_who_checked_in_yesterday_only() -> None:
    lapsing, done_today, never = MemberFactory.create_batch(3)
    _run(lapsing, [dt.date(2026, 3, 1)])
    _run(done_today, [dt.date(2026, 3, 1), dt.date(2026, 3, 2)])
    evening = _at(dt.date(2026, 3, 2), 19, 30)

    assert checkin_remind_due(now=evening) == 1
    assert checkin_remind_due(now=evening) == 0

    messages = Message.objects.filter(kind="checkin_reminder")
    assert list(messages.values_list("member_id", flat=True)) == [lapsing.pk]
    assert messages.get().title == "今天还没签到哦"
    assert CheckInReminder.objects.get().day == dt.date(2026, 3, 2)
    assert not Message.objects.filter(member=never).exists()


@pytest.mark.django_db
def test_the_rule_is_saved_with_an_audit_row_and_bad_values_are_refused() -> None:
    rule = CheckInRule.load()
    rule.base_points, rule.tier_multipliers = 8, {"gold": 1.5}
    checkin_rule_update(actor=None, rule=rule)
    assert CheckInRule.load().base_points == 8
    log = AuditLog.objects.get(action="checkin_rule.update")
    assert log.data["before"]["base_points"] == 5 and log.data["after"]["base_points"] == 8
    rule.tier_multipliers = {"gold": 50}
    with pytest.raises(CheckInRuleInvalid):
        checkin_rule_update(actor=None, rule=rule)
    assert CheckInRule.load().tier_multipliers == {"gold": 1.5}


@pytest.mark.django_db
def test_figures_count_participants_and_points() -> None:
    first, second = MemberFactory.create_batch(2)
    _run(first, [dt.date(2026, 3, 1), dt.date(2026, 3, 2)])
    _run(second, [dt.date(2026, 3, 2)])
    figures = checkin_figures(days=7, now=_at(dt.date(2026, 3, 2)))
    assert (figures.participants_today, figures.participants_7d, figures.points_issued_7d) == (2, 2, 15)
    assert figures.daily[-2:] == [(dt.date(2026, 3, 1), 1), (dt.date(2026, 3, 2), 2)]


@pytest.mark.race
@pytest.mark.django_db(transaction=True)
def test_two_beat_runs_at_once_remind_each_member_exactly_once() -> None:
    members = MemberFactory.create_batch(5)
    for member in members:
        _run(member, [dt.date(2026, 3, 1)])
    evening = _at(dt.date(2026, 3, 2), 19, 30)

    results = run_in_threads(4, lambda i: checkin_remind_due(now=evening))

    assert sum(results) == 5, results
    assert CheckInReminder.objects.count() == 5
    assert Message.objects.filter(kind="checkin_reminder").count() == 5


@pytest.mark.django_db
def test_the_reminder_push_goes_through_consent_like_every_message() -> None:
    from members.models import SubscribeTemplate
    from members.services.messages import message_push

    SubscribeTemplate.objects.create(kind="checkin_reminder", template_id="TPL-CHECKIN", fields={"thing1": "title"})
    member = MemberFactory.create()
    _run(member, [dt.date(2026, 3, 1)])
    with time_machine.travel(_at(dt.date(2026, 3, 2), 19, 30), tick=False):
        assert checkin_remind_due() == 1
        message = Message.objects.get(kind="checkin_reminder")
        assert message.push_status == Message.PushStatus.PENDING
        # the shopper never granted the template: the push is skipped, the inbox keeps the message
        assert message_push(message_id=message.pk) == Message.PushStatus.SKIPPED
    assert Message.objects.get(pk=message.pk).skip_reason == Message.SkipReason.NO_CONSENT
