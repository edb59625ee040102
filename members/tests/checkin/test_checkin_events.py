"""F20 emits behaviour events (issue 18): a check-in and a make-up each record one server event
declared in the catalogue, a refused second check-in records none, and the figures count
participants and daily actives."""

from __future__ import annotations

import datetime as dt
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from analytics.catalogue import CATALOGUE, SERVER_EVENTS, event_problem
from analytics.models import Event
from members.errors import AlreadyCheckedIn
from members.models import CheckInRule, PointsEntry
from members.selectors.checkin import checkin_figures
from members.services.checkin import checkin_do, checkin_makeup
from members.services.points import points_grant
from members.tests.factories import MemberFactory
from members.tests.fixtures import SHOPPER_CONTEXT

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")


def _at(day: dt.date) -> datetime:
    return datetime(day.year, day.month, day.day, 10, tzinfo=SHANGHAI)


def test_check_in_and_make_up_record_their_events_once() -> None:
    rule = CheckInRule.load()
    rule.makeup_days, rule.makeup_cost = 3, 20
    rule.save()
    member = MemberFactory.create()
    points_grant(member_id=member.pk, delta=100, reason=PointsEntry.Reason.GRANT, ref="seed")
    today = dt.date(2026, 3, 5)
    checkin_do(member=member, context=SHOPPER_CONTEXT, now=_at(today))
    with pytest.raises(AlreadyCheckedIn):
        checkin_do(member=member, context=SHOPPER_CONTEXT, now=_at(today))
    checkin_makeup(member=member, day=today - dt.timedelta(days=1), context=SHOPPER_CONTEXT, now=_at(today))

    events = list(Event.objects.filter(member_id=member.pk).order_by("id").values_list("name", "props"))
    assert events == [
        ("checkin", {"day": "2026-03-05", "streak": 1, "points": 5}),
        ("checkin_makeup", {"day": "2026-03-04", "cost": 20, "points": 5}),
    ]
    for name, props in events:
        assert name in SERVER_EVENTS and name not in CATALOGUE  # the client cannot send them
        spec = SERVER_EVENTS[name]
        assert all(spec.props[key].check(value) is None for key, value in props.items())
    assert event_problem("checkin", {"day": "2026-03-05", "streak": 1}) == "unknown_event"


def test_figures_count_participants_and_daily_actives() -> None:
    first, second = MemberFactory.create_batch(2)
    day = dt.date(2026, 3, 10)
    for member in (first, second):
        checkin_do(member=member, context=SHOPPER_CONTEXT, now=_at(day - dt.timedelta(days=1)))
    checkin_do(member=first, context=SHOPPER_CONTEXT, now=_at(day))
    figures = checkin_figures(days=3, now=_at(day))
    assert (figures.participants_total, figures.participants_today, figures.participants_7d) == (2, 1, 2)
    assert [n for _day, n in figures.daily] == [0, 2, 1]
    assert figures.daily_actives_avg == 1
