"""The demo shop's team split (组队瓜分, F22): one running activity and a dozen teams of demo
shoppers opened over the last ten days, so the console shows teams in every state (组队中, 已达标
待瓜分, 已瓜分, 未达标) and the 组队瓜分数据 page has figures, and a shopper's team page has progress.

The teams' seats are written as the service writes them (back-dated opening times cannot go
through the guard); the spending is counted by the real hook service from the shoppers' own paid
orders in each team's window, and the split and the endings by the real settlement job. The demo
goal is lower than the default (¥300 instead of ¥2,000, five days a team) so that demo shoppers reach it. A second
run finds the activity and changes nothing.
"""

from __future__ import annotations

import datetime as dt
import random

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from mall.demo.shop import SHOPPER_OPENID_PREFIX
from marketing.models import SplitMode, Team, TeamActivity, TeamMember
from marketing.services.teams import TeamActivityData, team_activity_create, team_order_paid, teams_settle_due
from members.models import Member
from orders.models import Order

ACTIVITY_NAME = "冬日组队瓜分 100 元券包"
TEAMS = 12
TEAM_SIZE = 3


@transaction.atomic
def build_team(*, seed: int) -> dict[str, int]:
    if TeamActivity.objects.filter(name=ACTIVITY_NAME).exists():
        return {"teams": 0}
    shoppers = list(Member.objects.filter(openid__startswith=SHOPPER_OPENID_PREFIX).order_by("pk"))
    teams = min(TEAMS, len(shoppers) // TEAM_SIZE)  # a small demo shop gets fewer teams
    if teams == 0:
        return {"teams": 0}
    now = timezone.now()
    activity = team_activity_create(
        actor=None,
        data=TeamActivityData(
            name=ACTIVITY_NAME,
            team_size=TEAM_SIZE,
            goal=30_000,
            reward_total=10_000,
            split_mode=SplitMode.CONTRIBUTION,
            team_hours=120,
            settle_days=2,
            starts_at=now - dt.timedelta(days=12),
            ends_at=now + dt.timedelta(days=18),
        ),
    )
    rng = random.Random(seed + 22)  # noqa: S311 - demo data must be reproducible, not secret
    # the most active shoppers of the last weeks team up, so some teams reach the goal
    recent = now - dt.timedelta(days=14)
    busy = dict(
        Order.objects.filter(member__in=shoppers, paid_at__gte=recent)
        .values("member_id")
        .annotate(n=Sum("payable_amount"))
        .values_list("member_id", "n")
    )
    ranked = sorted(shoppers, key=lambda m: (-busy.get(m.pk, 0), m.pk))[: teams * TEAM_SIZE]
    rng.shuffle(ranked)
    for index in range(teams):
        opened = now - dt.timedelta(days=11) + dt.timedelta(hours=20 * index)
        crew = ranked[index * TEAM_SIZE : (index + 1) * TEAM_SIZE]
        joined = 1 + rng.randrange(TEAM_SIZE) if index % 4 == 3 else TEAM_SIZE  # a few never fill up
        team = Team.objects.create(
            activity=activity,
            leader=crew[0],
            size=TEAM_SIZE,
            members_count=joined,
            goal=activity.goal,
            opened_at=opened,
            expires_at=min(opened + dt.timedelta(hours=activity.team_hours), activity.ends_at),
        )
        for seat, member in enumerate(crew[:joined]):
            TeamMember.objects.create(
                team=team,
                activity=activity,
                member=member,
                is_leader=seat == 0,
                joined_at=opened + dt.timedelta(minutes=37 * seat),
            )
    # the shoppers' own paid orders count toward their teams, in payment order
    members = TeamMember.objects.filter(activity=activity).values("member_id")
    paid = Order.objects.filter(member_id__in=members, paid_at__gte=activity.starts_at, paid_at__lte=now).order_by(
        "paid_at", "pk"
    )
    for order in paid.only("pk", "member_id", "payable_amount", "paid_at"):
        assert order.paid_at is not None  # noqa: S101 - filtered on paid_at
        team_order_paid(
            order_id=order.pk, member_id=order.member_id, amount=order.payable_amount, paid_at=order.paid_at
        )
    teams_settle_due(now=now)
    return {"teams": teams}
