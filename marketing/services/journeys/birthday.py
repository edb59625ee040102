"""生日福利 (F18): shoppers whose birthday is within ``journey.days`` (3) days, once a year.

The window is today … today + days, so a day beat missed (or a birthday entered late) still
gets its greeting; the occasion is the year of the birthday being celebrated (a run on 30
December for a 2 January birthday sends the next year's). A 29 February birthday is kept on 28
February in common years. One indexed-range query per batch, filtered by month and day in SQL.
"""

from __future__ import annotations

import calendar
from datetime import date, datetime, timedelta

from django.db.models import Q

from marketing.models import Journey
from marketing.services.journeys.common import Candidate, local_date
from members.models import Member


def celebration_days(today: date, days: int) -> dict[tuple[int, int], date]:
    """(month, day) of a birthday → the date it is celebrated on, for the days in the window."""
    found: dict[tuple[int, int], date] = {}
    for offset in range(days + 1):
        day = today + timedelta(days=offset)
        found[(day.month, day.day)] = day
        if day.month == 2 and day.day == 28 and not calendar.isleap(day.year):
            found[(2, 29)] = day
    return found


def candidates(*, journey: Journey, lo: int, hi: int, now: datetime) -> list[Candidate]:
    window = celebration_days(local_date(now), journey.days)
    match = Q()
    for month, day in window:
        match |= Q(birthday__month=month, birthday__day=day)
    rows = (
        Member.objects.filter(pk__gte=lo, pk__lte=hi, is_blocked=False, birthday__isnull=False)
        .filter(match)
        .values_list("pk", "birthday")
        .order_by("pk")
    )
    found = []
    for member_id, birthday in rows:
        assert birthday is not None  # noqa: S101 - filtered in SQL
        celebrated = window[(birthday.month, birthday.day)]
        found.append(Candidate(member_id=member_id, occasion=str(celebrated.year), birthday=celebrated))
    return found
