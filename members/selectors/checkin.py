"""What the 签到 page and the console read: a shopper's month, streak and next milestone; the
shop's daily participants and points issued."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Sum
from django.utils.translation import gettext as _

from members.models import CheckIn, CheckInRule, Member, PointsEntry
from members.services.checkin import day_points, is_milestone, makeup_days, shop_day, streak_after


@dataclass(frozen=True)
class CheckInCalendar:
    enabled: bool
    month: str
    today: dt.date
    checked_days: list[dt.date]
    checked_today: bool
    streak: int
    today_points: int
    today_bonus: int
    milestone_days_left: int
    milestone_points: int
    milestone_text: str
    makeup_days: list[dt.date]
    makeup_cost: int
    cycle: str


def _month_bounds(month: dt.date) -> tuple[dt.date, dt.date]:
    first = month.replace(day=1)
    following = (first + dt.timedelta(days=32)).replace(day=1)
    return first, following


def checkin_calendar(
    *, member: Member, month: dt.date | None = None, now: dt.datetime | None = None
) -> CheckInCalendar:
    """The month's checked days (default: this month), the streak now and what checking in today gives."""
    rule = CheckInRule.load()
    today = shop_day(now)
    first, following = _month_bounds(month or today)
    checked = list(
        CheckIn.objects.filter(member_id=member.pk, day__gte=first, day__lt=following)
        .order_by("day")
        .values_list("day", flat=True)
    )
    since = today - dt.timedelta(days=1)
    recent = {row.day: row for row in CheckIn.objects.filter(member_id=member.pk, day__gte=since)}
    today_row = recent.get(today)
    if today_row is not None:
        streak = today_row.streak
        points, bonus = today_row.points, today_row.bonus_points
    else:
        would_be = streak_after(rule, today, recent.get(today - dt.timedelta(days=1)))
        streak = would_be - 1
        points = day_points(rule, member.tier)
        bonus = rule.streak_points if is_milestone(rule, would_be) else 0
    days_left, text = 0, ""
    if rule.streak_days > 0 and rule.streak_points > 0:
        target = (streak // rule.streak_days + 1) * rule.streak_days
        days_left = target - streak
        text = _("再签 %(days)s 天得 %(points)s 积分") % {"days": days_left, "points": rule.streak_points}
    return CheckInCalendar(
        enabled=rule.enabled,
        month=first.strftime("%Y-%m"),
        today=today,
        checked_days=checked,
        checked_today=today_row is not None,
        streak=streak,
        today_points=points,
        today_bonus=bonus,
        milestone_days_left=days_left,
        milestone_points=rule.streak_points,
        milestone_text=text,
        makeup_days=makeup_days(rule, member_id=member.pk, today=today),
        makeup_cost=rule.makeup_cost,
        cycle=rule.cycle,
    )


@dataclass(frozen=True)
class CheckInFigures:
    participants_today: int
    participants_7d: int
    points_issued_7d: int
    points_issued_total: int
    makeups_7d: int
    daily: list[tuple[dt.date, int]]
    participants_total: int = 0  # every shopper who ever checked in
    daily_actives_avg: int = 0  # average shoppers checking in per day over the chart's days


def checkin_figures(*, days: int = 30, now: dt.datetime | None = None) -> CheckInFigures:
    """Participants (today, 7 days, ever), points issued, and daily actives for the chart (5 queries)."""
    today = shop_day(now)
    first = today - dt.timedelta(days=days - 1)
    per_day = dict(
        CheckIn.objects.filter(day__gte=first, day__lte=today)
        .values_list("day")
        .annotate(n=Count("id"))
        .values_list("day", "n")
    )
    week_start = today - dt.timedelta(days=6)
    week = CheckIn.objects.filter(day__gte=week_start, day__lte=today).aggregate(
        members=Count("member_id", distinct=True),
        points=Sum("points"),
        bonus=Sum("bonus_points"),
    )
    makeups = CheckIn.objects.filter(day__gte=week_start, is_makeup=True).count()
    total = PointsEntry.objects.filter(reason=PointsEntry.Reason.CHECKIN).aggregate(n=Sum("delta"))["n"] or 0
    everyone = CheckIn.objects.aggregate(n=Count("member_id", distinct=True))["n"] or 0
    return CheckInFigures(
        participants_today=per_day.get(today, 0),
        participants_7d=week["members"] or 0,
        points_issued_7d=(week["points"] or 0) + (week["bonus"] or 0),
        points_issued_total=total,
        makeups_7d=makeups,
        daily=[(first + dt.timedelta(days=i), per_day.get(first + dt.timedelta(days=i), 0)) for i in range(days)],
        participants_total=everyone,
        daily_actives_avg=round(sum(per_day.values()) / days) if days else 0,
    )
