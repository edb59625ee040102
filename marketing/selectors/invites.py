"""Invite reads: the inviter's centre (progress, rewards, points), the invitee list, console stats.

Fixed query counts whatever the number of invitees, pinned in the tests.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from mall.selectors.dashboard import shop_day_bounds, shop_today
from marketing.models import Invite, InviteProgram, InviteReward
from members.models import Member, PointsEntry
from orders.models import Order

INVITE_REASONS = [PointsEntry.Reason.INVITE_EARN, PointsEntry.Reason.INVITE_REVERSE]


@dataclass(frozen=True)
class InviteCentre:
    program: InviteProgram
    live: bool
    invited: int
    counted: int
    progress: int
    remaining: int
    limit_reached: bool
    rewards: list[InviteReward]
    points_earned: int


def invite_program_for_display() -> InviteProgram:
    """The programme with its reward template (one query)."""
    return InviteProgram.objects.select_related("reward_template").filter(pk=1).first() or InviteProgram(
        pk=1, is_active=False
    )


def invite_centre_for_member(*, member: Member, now: datetime | None = None) -> InviteCentre:
    """Four queries: the programme, the invite counts, the rewards, the points from invitees."""
    now = now or timezone.now()
    program = invite_program_for_display()
    counts = Invite.objects.filter(inviter_id=member.pk).aggregate(
        invited=Count("pk"),
        counted=Count("pk", filter=Q(counts=True)),
        waiting=Count("pk", filter=Q(counts=True, reward__isnull=True)),
    )
    rewards = list(
        InviteReward.objects.filter(inviter_id=member.pk).select_related("template", "coupon").order_by("seq")
    )
    points = PointsEntry.objects.filter(member_id=member.pk, reason__in=INVITE_REASONS).aggregate(
        total=Coalesce(Sum("delta"), 0)
    )["total"]
    limit_reached = len(rewards) >= program.reward_limit
    progress = 0 if limit_reached else min(counts["waiting"], program.threshold)
    return InviteCentre(
        program=program,
        live=program.is_live(now),
        invited=counts["invited"],
        counted=counts["counted"],
        progress=progress,
        remaining=0 if limit_reached else max(program.threshold - progress, 0),
        limit_reached=limit_reached,
        rewards=rewards,
        points_earned=int(points),
    )


def invitee_list_for_member(*, member: Member) -> QuerySet[Invite]:
    """The shopper's invitees, newest first, each with whether they have paid an order."""
    paid = Order.objects.filter(member_id=OuterRef("invitee_id"), paid_at__isnull=False)
    return (
        Invite.objects.filter(inviter_id=member.pk)
        .select_related("invitee")
        .annotate(has_ordered=Exists(paid))
        .order_by("-pk")
    )


# --- console stats ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class InviteDay:
    day: date
    bound: int
    rewarded: int


@dataclass(frozen=True)
class InviteStats:
    bound: int
    counted: int
    inviters: int
    rewards: int
    invitees_rewarded: int
    coupons_missing: int
    points_granted: int
    series: list[InviteDay]


def _daily_counts(queryset: QuerySet[Any], day_list: list[date]) -> list[int]:
    """One query: a conditional count per shop day (bounds computed in Python, no DB time zones)."""
    aggregates = {}
    for index, day in enumerate(day_list):
        start, end = shop_day_bounds(day)
        aggregates[f"d{index}"] = Count("pk", filter=Q(created_at__gte=start, created_at__lt=end))
    first_start, _end = shop_day_bounds(day_list[0])
    row = queryset.filter(created_at__gte=first_start).aggregate(**aggregates)
    return [int(row[f"d{index}"]) for index in range(len(day_list))]


def invite_stats(*, days: int = 30, now: datetime | None = None) -> InviteStats:
    """Totals and a daily series (bindings, rewards) over the last ``days`` shop days: five queries."""
    today = shop_today(now)
    day_list = [today - timedelta(days=offset) for offset in range(days - 1, -1, -1)]
    totals = Invite.objects.aggregate(
        bound=Count("pk"),
        counted=Count("pk", filter=Q(counts=True)),
        inviters=Count("inviter_id", distinct=True),
        invitees_rewarded=Count("pk", filter=Q(reward__isnull=False)),
    )
    rewards = InviteReward.objects.aggregate(n=Count("pk"), missing=Coalesce(Sum("coupons_missing"), 0))
    points = PointsEntry.objects.filter(reason__in=INVITE_REASONS).aggregate(total=Coalesce(Sum("delta"), 0))
    bound = _daily_counts(Invite.objects.all(), day_list)
    rewarded = _daily_counts(InviteReward.objects.all(), day_list)
    return InviteStats(
        bound=totals["bound"],
        counted=totals["counted"],
        inviters=totals["inviters"],
        rewards=rewards["n"],
        invitees_rewarded=totals["invitees_rewarded"],
        coupons_missing=int(rewards["missing"]),
        points_granted=int(points["total"]),
        series=[InviteDay(day=day, bound=b, rewarded=r) for day, b, r in zip(day_list, bound, rewarded, strict=True)],
    )
