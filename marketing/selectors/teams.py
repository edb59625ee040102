"""Reads of team split (F22): the activity a shopper sees, a team's page in one request, and the
console's figures. Each runs a fixed number of queries (pinned in tests)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Count, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from marketing.models import CouponStatus, Team, TeamActivity, TeamMember, TeamOrder, TeamStatus
from marketing.selectors.marketing_centre import MAX_PER_STATE, UPCOMING_DAYS, Entry, centre_source
from members.models import Member
from orders.models import Order

FIGURE_DAYS = 30


def yuan_short(fen: int) -> str:
    """200000 → ``¥2,000``, 134050 → ``¥1,340.50`` (the team page's progress line)."""
    sign = "-" if fen < 0 else ""
    whole, cents = divmod(abs(fen), 100)
    return f"{sign}¥{whole:,}" + (f".{cents:02d}" if cents else "")


def progress_text(*, spent: int, goal: int) -> str:
    """团队已消费 ¥1,340 / ¥2,000，还差 ¥660 (or 已达标 once the goal is reached)."""
    spent = max(0, spent)
    if spent >= goal:
        return _("团队已消费 %(spent)s / %(goal)s，已达标") % {"spent": yuan_short(spent), "goal": yuan_short(goal)}
    return _("团队已消费 %(spent)s / %(goal)s，还差 %(left)s") % {
        "spent": yuan_short(spent),
        "goal": yuan_short(goal),
        "left": yuan_short(goal - spent),
    }


def refund_rule_text(activity: TeamActivity) -> str:
    return _("团队消费达标后等待 %(days)s 天售后期再瓜分，期间的退款会从团队消费中扣除；瓜分后退款不影响已发的券。") % {
        "days": activity.settle_days
    }


@dataclass(frozen=True)
class TeamSeat:
    member_id: int
    nickname: str
    avatar_url: str
    is_leader: bool
    contribution: int
    share: int


@dataclass(frozen=True)
class TeamPage:
    team: Team
    activity: TeamActivity
    seats: list[TeamSeat]
    spent: int
    progress_text: str
    is_member: bool
    can_join: bool
    rule_text: str


def team_page(*, team: Team, member: Member | None, now: dt.datetime | None = None) -> TeamPage:
    """The team's page: progress, members with avatars and contributions (3 queries with the team)."""
    now = now or timezone.now()
    activity = team.activity
    seats = list(TeamMember.objects.filter(team_id=team.pk).select_related("member").order_by("id"))
    contributions = dict(
        TeamOrder.objects.filter(team_id=team.pk)
        .values("member_id")
        .annotate(net=Sum("amount") - Sum("refunded"))
        .values_list("member_id", "net")
    )
    is_member = member is not None and any(seat.member_id == member.pk for seat in seats)
    collecting = team.status in (TeamStatus.OPEN, TeamStatus.REACHED) and team.expires_at > now
    return TeamPage(
        team=team,
        activity=activity,
        seats=[
            TeamSeat(
                member_id=seat.member_id,
                nickname=seat.member.nickname or _("微信用户"),
                avatar_url=seat.member.avatar_url,
                is_leader=seat.is_leader,
                contribution=max(0, contributions.get(seat.member_id, 0) or 0),
                share=seat.share,
            )
            for seat in seats
        ],
        spent=max(0, team.spent),
        progress_text=progress_text(spent=team.spent, goal=team.goal),
        is_member=is_member,
        can_join=not is_member and collecting and len(seats) < team.size and activity.ends_at > now,
        rule_text=refund_rule_text(activity),
    )


def team_activities_running(*, now: dt.datetime | None = None) -> list[TeamActivity]:
    now = now or timezone.now()
    return list(TeamActivity.objects.filter(is_active=True, starts_at__lte=now, ends_at__gt=now).order_by("ends_at"))


@centre_source
def team_entries(now: dt.datetime) -> list[Entry]:
    """The marketing centre's 组队瓜分 entries (F46): running or starting within the week, one query."""
    rows = TeamActivity.objects.filter(
        is_active=True, ends_at__gt=now, starts_at__lt=now + dt.timedelta(days=UPCOMING_DAYS)
    ).order_by("starts_at", "pk")[: MAX_PER_STATE * 2]
    return [
        {
            "type": "team",
            "id": a.pk,
            "kind": a.split_mode,
            "title": a.name,
            "subtitle": _("%(size)s 人组队，消费满 %(goal)s 瓜分 %(reward)s")
            % {"size": a.team_size, "goal": yuan_short(a.goal), "reward": yuan_short(a.reward_total)},
            "start_at": timezone.localtime(a.starts_at).isoformat(),
            "end_at": timezone.localtime(a.ends_at).isoformat(),
            "path": f"/package-social/team/index?activity={a.pk}",
        }
        for a in rows
    ]


def team_activity_get(*, activity_id: int) -> TeamActivity | None:
    return TeamActivity.objects.filter(pk=activity_id).first()


def my_team_for_activity(*, member: Member, activity_id: int) -> Team | None:
    seat = (
        TeamMember.objects.filter(activity_id=activity_id, member_id=member.pk).select_related("team__activity").first()
    )
    return seat.team if seat is not None else None


@dataclass(frozen=True)
class TeamFigures:
    """What a team-split activity earned (console)."""

    teams: int
    teams_reached: int
    teams_settled: int
    teams_failed: int
    participants: int
    daily_actives_avg: int
    rewards_issued: int  # coupons
    rewards_issued_amount: int  # fen
    rewards_used: int
    cost: int  # fen: face value of the used reward coupons
    orders: int  # counted orders of participants in their teams' windows
    gmv: int  # fen, net of refunds
    daily: list[tuple[dt.date, int]] = field(default_factory=list)


def team_figures(
    *, activity_id: int | None = None, days: int = FIGURE_DAYS, now: dt.datetime | None = None
) -> TeamFigures:
    """Participants, daily actives (shoppers opening, joining or paying in a team), rewards issued
    and used, cost, orders and GMV of participants — for one activity or all (5 queries)."""
    now = now or timezone.now()
    scope = Q(activity_id=activity_id) if activity_id else Q()
    team_scope = Q(team__activity_id=activity_id) if activity_id else Q()
    teams = Team.objects.filter(scope).aggregate(
        n=Count("id"),
        reached=Count("id", filter=Q(status=TeamStatus.REACHED)),
        settled=Count("id", filter=Q(status=TeamStatus.SETTLED)),
        failed=Count("id", filter=Q(status=TeamStatus.FAILED)),
    )
    seats = TeamMember.objects.filter(scope).aggregate(
        people=Count("member_id", distinct=True),
        issued=Count("coupon_id"),
        issued_amount=Sum("share", filter=Q(coupon__isnull=False)),
        used=Count("coupon_id", filter=Q(coupon__status=CouponStatus.USED)),
        cost=Sum("share", filter=Q(coupon__status=CouponStatus.USED)),
    )
    orders = TeamOrder.objects.filter(team_scope).aggregate(
        n=Count("order_id", distinct=True), gmv=Sum("amount"), refunded=Sum("refunded")
    )
    first = timezone.localdate(now) - dt.timedelta(days=days - 1)
    start = timezone.make_aware(dt.datetime.combine(first, dt.time.min))
    # Shop days in Python (Asia/Shanghai): MariaDB without time-zone tables cannot convert.
    joined = TeamMember.objects.filter(scope, joined_at__gte=start).values_list("joined_at", "member_id")
    paid = TeamOrder.objects.filter(team_scope, paid_at__gte=start).values_list("paid_at", "member_id")
    active: dict[dt.date, set[int]] = {}
    for moment, member_id in [*joined, *paid]:
        active.setdefault(timezone.localdate(moment), set()).add(member_id)
    daily = [(first + dt.timedelta(days=i), len(active.get(first + dt.timedelta(days=i), ()))) for i in range(days)]
    return TeamFigures(
        teams=teams["n"] or 0,
        teams_reached=teams["reached"] or 0,
        teams_settled=teams["settled"] or 0,
        teams_failed=teams["failed"] or 0,
        participants=seats["people"] or 0,
        daily_actives_avg=round(sum(n for _day, n in daily) / days) if days else 0,
        rewards_issued=seats["issued"] or 0,
        rewards_issued_amount=seats["issued_amount"] or 0,
        rewards_used=seats["used"] or 0,
        cost=seats["cost"] or 0,
        orders=orders["n"] or 0,
        gmv=(orders["gmv"] or 0) - (orders["refunded"] or 0),
        daily=daily,
    )


def participant_orders_in_window(*, team: Team) -> int:
    """Paid orders of the team's members in its window (for the console's team detail)."""
    members = TeamMember.objects.filter(team_id=team.pk).values("member_id")
    return Order.objects.filter(member_id__in=members, paid_at__gte=team.opened_at, paid_at__lt=team.expires_at).count()
