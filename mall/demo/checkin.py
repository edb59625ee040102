"""The demo shop's check-ins (签到, F20): three weeks of daily check-ins for some demo shoppers,
so the 签到 page has a calendar and a streak and the console's 签到数据 page has a chart.

Each shopper has a habit (how likely they check in on a day); streaks and the day-7 reward are
computed as the service computes them, and the points go through the ledger with the same keys.
The rule allows 补签 within 3 days for 20 points. A second run finds the check-ins and changes nothing.
"""

from __future__ import annotations

import datetime as dt
import random

from django.db import transaction
from django.utils import timezone

from mall.demo.shop import SHOPPER_OPENID_PREFIX
from members.models import CheckIn, CheckInRule, Member, PointsEntry
from members.services.checkin import day_points, is_milestone, streak_after
from members.services.points import points_grant

DAYS = 21
SHOPPERS = 40


@transaction.atomic
def build_checkin(*, seed: int) -> dict[str, int]:
    members = list(Member.objects.filter(openid__startswith=SHOPPER_OPENID_PREFIX).order_by("pk")[:SHOPPERS])
    if not members or CheckIn.objects.filter(member__in=members).exists():
        return {"check-ins": 0}
    rule = CheckInRule.load()
    if rule.makeup_days == 0:
        rule.makeup_days, rule.makeup_cost = 3, 20
        rule.save()
    rng = random.Random(seed + 20)  # noqa: S311 - demo data must be reproducible, not secret
    today = timezone.localdate()
    count = 0
    for member in members:
        habit = rng.choice((0.95, 0.85, 0.6, 0.35))
        previous: CheckIn | None = None
        for offset in range(DAYS, -1, -1):
            day = today - dt.timedelta(days=offset)
            # today only for some, so the page shows both the button and "今日已签到"
            if rng.random() > habit or (offset == 0 and rng.random() < 0.5):
                continue
            streak = streak_after(rule, day, previous)
            row = CheckIn.objects.create(member=member, day=day, streak=streak, points=day_points(rule, member.tier))
            CheckIn.objects.filter(pk=row.pk).update(
                created_at=timezone.make_aware(dt.datetime.combine(day, dt.time(8 + rng.randrange(12))))
            )
            points_grant(
                member_id=member.pk,
                delta=row.points,
                reason=PointsEntry.Reason.CHECKIN,
                ref=f"checkin:{day.isoformat()}",
                note=f"{day.isoformat()} 签到",
            )
            if is_milestone(rule, streak):
                points_grant(
                    member_id=member.pk,
                    delta=rule.streak_points,
                    reason=PointsEntry.Reason.CHECKIN,
                    ref=f"checkin-streak:{day.isoformat()}",
                    note=f"连续签到 {streak} 天奖励",
                )
                CheckIn.objects.filter(pk=row.pk).update(bonus_points=rule.streak_points)
            previous = row
            count += 1
    return {"check-ins": count}
