"""Daily check-in (签到, F20): check in once per shop day, make up a missed day for points, the
daily reminder and the merchant's rule.

One row per (member, shop day) is the database's promise (a unique key): a double tap writes one
row and the loser is told ``already_checked_in``. Points go through the ledger with a key per
day, so a grant happens once however the calls race. A make-up locks the member row, then spends
the points (``points_spend``, which refuses to overdraw) and writes the day in one transaction.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from analytics.services.events import event_record
from mall.errors import NotFound
from mall.services.audit import audit_record
from members.errors import AlreadyCheckedIn, CheckInClosed, CheckInRuleInvalid, MakeupNotAllowed
from members.models import CheckIn, CheckInReminder, CheckInRule, Member, PointsEntry
from members.services.abuse import RequestContext, abuse_check
from members.services.messages import message_send
from members.services.points import points_grant, points_spend

Actor = AbstractBaseUser | AnonymousUser | None
CHECKIN_LINK = "/package-member/checkin/index"
MULTIPLIER_MAX = 10.0
MAKEUP_DAYS_MAX = 30


def shop_day(now: dt.datetime | None = None) -> dt.date:
    """The shop's date (Asia/Shanghai, the project's TIME_ZONE) at ``now``."""
    return timezone.localdate(now or timezone.now())


def cycle_start(rule: CheckInRule, day: dt.date) -> dt.date | None:
    """The first day of the streak cycle ``day`` is in (None: the streak never resets)."""
    if rule.cycle == CheckInRule.Cycle.WEEKLY:
        return day - dt.timedelta(days=day.weekday())
    if rule.cycle == CheckInRule.Cycle.MONTHLY:
        return day.replace(day=1)
    return None


def streak_after(rule: CheckInRule, day: dt.date, previous: CheckIn | None) -> int:
    """The streak on ``day`` given the row of the day before (if any)."""
    if previous is None or previous.day != day - dt.timedelta(days=1):
        return 1
    start = cycle_start(rule, day)
    if start is not None and day == start:
        return 1
    return previous.streak + 1


def is_milestone(rule: CheckInRule, streak: int) -> bool:
    return rule.streak_days > 0 and rule.streak_points > 0 and streak > 0 and streak % rule.streak_days == 0


def day_points(rule: CheckInRule, tier: str) -> int:
    """Base points with the tier's multiplier, rounded down (at least the base when the multiplier is ≥ 1)."""
    return math.floor(rule.base_points * rule.multiplier_for(tier))


def _grant_day(*, member_id: int, row: CheckIn, rule: CheckInRule, tier: str) -> None:
    if row.points > 0:
        points_grant(
            member_id=member_id,
            delta=row.points,
            reason=PointsEntry.Reason.CHECKIN,
            ref=f"checkin:{row.day.isoformat()}",
            note=_("%(day)s 签到") % {"day": row.day.isoformat()},
        )


def _grant_bonus(*, member_id: int, row: CheckIn, rule: CheckInRule) -> int:
    if not is_milestone(rule, row.streak):
        return 0
    entry = points_grant(
        member_id=member_id,
        delta=rule.streak_points,
        reason=PointsEntry.Reason.CHECKIN,
        ref=f"checkin-streak:{row.day.isoformat()}",
        note=_("连续签到 %(days)s 天奖励") % {"days": row.streak},
    )
    return entry.delta


@dataclass(frozen=True)
class CheckInOutcome:
    check_in: CheckIn
    points: int
    bonus_points: int


def checkin_do(*, member: Member, context: RequestContext, now: dt.datetime | None = None) -> CheckInOutcome:
    """Check in for today's shop day: base points (× the tier's multiplier) and, on a streak
    milestone, the streak reward. A second check-in the same day raises ``already_checked_in``."""
    abuse_check(action="claim", member=member, context=context)
    rule = CheckInRule.load()
    if not rule.enabled:
        raise CheckInClosed()
    day = shop_day(now)
    try:
        with transaction.atomic():
            previous = CheckIn.objects.filter(member_id=member.pk, day__lt=day).order_by("-day").first()
            row = CheckIn.objects.create(
                member_id=member.pk,
                day=day,
                streak=streak_after(rule, day, previous),
                points=day_points(rule, member.tier),
            )
            _grant_day(member_id=member.pk, row=row, rule=rule, tier=member.tier)
            bonus = _grant_bonus(member_id=member.pk, row=row, rule=rule)
            if bonus:
                row.bonus_points = bonus
                row.save(update_fields=["bonus_points"])
            event_record(
                name="checkin",
                member_id=member.pk,
                props={"day": day.isoformat(), "streak": row.streak, "points": row.points + row.bonus_points},
            )
    except IntegrityError as exc:
        if CheckIn.objects.filter(member_id=member.pk, day=day).exists():
            raise AlreadyCheckedIn(details={"day": day.isoformat()}) from exc
        raise
    return CheckInOutcome(check_in=row, points=row.points, bonus_points=row.bonus_points)


def makeup_days(rule: CheckInRule, *, member_id: int, today: dt.date) -> list[dt.date]:
    """The missed days the shopper may still make up (newest first): within ``makeup_days`` before today."""
    if not rule.enabled or rule.makeup_days <= 0:
        return []
    first = today - dt.timedelta(days=rule.makeup_days)
    done = set(CheckIn.objects.filter(member_id=member_id, day__gte=first, day__lt=today).values_list("day", flat=True))
    return [
        today - dt.timedelta(days=offset)
        for offset in range(1, rule.makeup_days + 1)
        if today - dt.timedelta(days=offset) not in done
    ]


def _restreak_from(*, member_id: int, rule: CheckInRule, day: dt.date) -> None:
    """Recompute the stored streaks from ``day`` on (a made-up day joins the runs around it) and
    grant a milestone reward a row newly reaches (once per day by its ledger key)."""
    previous = CheckIn.objects.filter(member_id=member_id, day__lt=day).order_by("-day").first()
    for row in CheckIn.objects.filter(member_id=member_id, day__gte=day).order_by("day"):
        streak = streak_after(rule, row.day, previous)
        if streak != row.streak:
            row.streak = streak
            row.save(update_fields=["streak"])
        if not row.bonus_points:
            bonus = _grant_bonus(member_id=member_id, row=row, rule=rule)
            if bonus:
                row.bonus_points = bonus
                row.save(update_fields=["bonus_points"])
        previous = row


def checkin_makeup(
    *, member: Member, day: dt.date, context: RequestContext, now: dt.datetime | None = None
) -> CheckInOutcome:
    """Make up a missed ``day`` (补签) within the merchant's window, for ``makeup_cost`` points.

    The member row is locked first, so concurrent make-ups of one shopper queue; the points are
    spent with a key per day and the row is unique per day: the cost is paid exactly once.
    """
    abuse_check(action="claim", member=member, context=context)
    rule = CheckInRule.load()
    today = shop_day(now)
    with transaction.atomic():
        locked = Member.objects.select_for_update().filter(pk=member.pk).first()
        if locked is None:
            raise NotFound()
        if CheckIn.objects.filter(member_id=locked.pk, day=day).exists():
            raise AlreadyCheckedIn(details={"day": day.isoformat()})
        if day not in makeup_days(rule, member_id=locked.pk, today=today):
            raise MakeupNotAllowed(details={"day": day.isoformat(), "makeup_days": rule.makeup_days})
        if rule.makeup_cost > 0:
            points_spend(
                member_id=locked.pk,
                amount=rule.makeup_cost,
                reason=PointsEntry.Reason.CHECKIN_MAKEUP,
                ref=f"makeup:{day.isoformat()}",
                note=_("补签 %(day)s") % {"day": day.isoformat()},
            )
        row = CheckIn.objects.create(
            member_id=locked.pk,
            day=day,
            points=day_points(rule, locked.tier),
            is_makeup=True,
            makeup_cost=rule.makeup_cost,
        )
        _grant_day(member_id=locked.pk, row=row, rule=rule, tier=locked.tier)
        _restreak_from(member_id=locked.pk, rule=rule, day=day)
        row.refresh_from_db()
        event_record(
            name="checkin_makeup",
            member_id=locked.pk,
            props={"day": day.isoformat(), "cost": rule.makeup_cost, "points": row.points + row.bonus_points},
        )
    return CheckInOutcome(check_in=row, points=row.points, bonus_points=row.bonus_points)


def checkin_remind_due(*, now: dt.datetime | None = None) -> int:
    """Beat: remind shoppers who checked in yesterday but not yet today. Once per (member, day)
    by the reminder's unique key; consent, the monthly cap and quiet hours are the message
    system's to apply when it pushes."""
    rule = CheckInRule.load()
    if not rule.enabled:
        return 0
    today = shop_day(now)
    yesterday = today - dt.timedelta(days=1)
    done_today = CheckIn.objects.filter(day=today).values("member_id")
    candidates = (
        CheckIn.objects.filter(day=yesterday)
        .exclude(member_id__in=done_today)
        .exclude(member__checkin_reminders__day=today)
        .values_list("member_id", "streak")
    )
    count = 0
    for member_id, streak in list(candidates):
        with transaction.atomic():
            try:
                with transaction.atomic():
                    CheckInReminder.objects.create(member_id=member_id, day=today)
            except IntegrityError:
                continue
            message_send(
                member_id=member_id,
                kind="checkin_reminder",
                title=_("今天还没签到哦"),
                body=_("您已连续签到 %(days)s 天，今天签到可得积分，别让连续记录中断。") % {"days": streak},
                link=CHECKIN_LINK,
            )
            count += 1
    return count


def _clean_multipliers(value: object) -> dict[str, float]:
    if not isinstance(value, dict):
        raise CheckInRuleInvalid(details={"field": "tier_multipliers"})
    valid = set(Member.Tier.values)
    cleaned: dict[str, float] = {}
    for tier, multiplier in value.items():
        try:
            number = float(multiplier)
        except (TypeError, ValueError) as exc:
            raise CheckInRuleInvalid(details={"field": "tier_multipliers", "tier": tier}) from exc
        if tier not in valid or not (1.0 <= number <= MULTIPLIER_MAX):
            raise CheckInRuleInvalid(details={"field": "tier_multipliers", "tier": tier})
        cleaned[str(tier)] = number
    return cleaned


RULE_FIELDS = (
    "enabled",
    "base_points",
    "streak_days",
    "streak_points",
    "cycle",
    "makeup_days",
    "makeup_cost",
    "tier_multipliers",
)


def checkin_rule_update(*, actor: Actor, rule: CheckInRule) -> CheckInRule:
    """Save the merchant's edited rule (from the console form) with an audit row of before/after."""
    if rule.cycle not in CheckInRule.Cycle.values:
        raise CheckInRuleInvalid(details={"field": "cycle"})
    if rule.streak_days < 1:
        raise CheckInRuleInvalid(details={"field": "streak_days"})
    if rule.makeup_days > MAKEUP_DAYS_MAX:
        raise CheckInRuleInvalid(details={"field": "makeup_days", "max": MAKEUP_DAYS_MAX})
    rule.tier_multipliers = _clean_multipliers(rule.tier_multipliers)
    with transaction.atomic():
        stored = CheckInRule.load()
        before = {field: getattr(stored, field) for field in RULE_FIELDS}
        rule.pk = stored.pk
        rule.save()
        after = {field: getattr(rule, field) for field in RULE_FIELDS}
        audit_record(actor=actor, action="checkin_rule.update", target=rule, data={"before": before, "after": after})
    return rule
