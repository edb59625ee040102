"""Team split (F22) services: open, join, count paid orders net of refunds, settle once."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.contrib.auth.models import User
from django.utils import timezone

from analytics.models import Event
from mall.models import AuditLog, Sku
from marketing.errors import TeamActivityInvalid, TeamAlreadyJoined, TeamClosed, TeamFull
from marketing.models import Coupon, SplitMode, Team, TeamMember, TeamOrder, TeamStatus
from marketing.selectors.teams import progress_text, team_page
from marketing.services.teams import (
    team_activity_update,
    team_join,
    team_open,
    team_shares,
    teams_settle_due,
)
from marketing.tests.conftest import pay, place
from marketing.tests.teams.helpers import activity_data, make_activity
from members.models import Message
from members.tests.factories import MemberFactory
from members.tests.fixtures import SHOPPER_CONTEXT
from orders.services.refunds import refund_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def speaker(make_sku: Any, snacks: Any) -> Sku:
    return make_sku("SPK-01", 50_000, snacks, stock=500)


def _team_of(staff: User, size: int = 3, **overrides: Any) -> tuple[Team, list[Any]]:
    activity = make_activity(staff, team_size=size, **overrides)
    members = MemberFactory.create_batch(size)
    team = team_open(member=members[0], activity_id=activity.pk, context=SHOPPER_CONTEXT)
    for friend in members[1:]:
        team_join(member=friend, token=team.share_token, context=SHOPPER_CONTEXT)
    return Team.objects.get(pk=team.pk), members


def test_a_full_team_refuses_the_next_joiner_and_a_shopper_joins_one_team_per_activity(staff: User) -> None:
    team, members = _team_of(staff)
    assert team.members_count == 3
    with pytest.raises(TeamFull):
        team_join(member=MemberFactory.create(), token=team.share_token, context=SHOPPER_CONTEXT)
    with pytest.raises(TeamAlreadyJoined):
        team_open(member=members[1], activity_id=team.activity_id, context=SHOPPER_CONTEXT)
    assert Event.objects.filter(name="team_open").count() == 1
    assert Event.objects.filter(name="team_join").count() == 2


def test_paid_orders_move_the_team_and_the_page_says_how_much_is_left(staff: User, speaker: Sku, shop: Any) -> None:
    team, members = _team_of(staff)
    pay(place(members[0], [(speaker, 1)]))
    pay(place(members[1], [(speaker, 1)]))
    team.refresh_from_db()
    assert team.spent == 100_000
    assert team.status == TeamStatus.OPEN
    page = team_page(team=team, member=members[0])
    assert page.progress_text == "团队已消费 ¥1,000 / ¥2,000，还差 ¥1,000"
    assert [seat.contribution for seat in page.seats] == [50_000, 50_000, 0]
    assert progress_text(spent=134_000, goal=200_000) == "团队已消费 ¥1,340 / ¥2,000，还差 ¥660"


def test_an_order_outside_the_team_window_does_not_count(staff: User, speaker: Sku, shop: Any) -> None:
    team, members = _team_of(staff, team_hours=2)
    with time_machine.travel(timezone.now() + dt.timedelta(hours=3)):
        pay(place(members[0], [(speaker, 1)]))
    assert Team.objects.get(pk=team.pk).spent == 0
    assert not TeamOrder.objects.exists()


def test_reaching_the_goal_waits_the_after_sales_days_then_splits_equally_once(
    staff: User, speaker: Sku, shop: Any
) -> None:
    team, members = _team_of(staff, settle_days=7)
    for shopper in (members[0], members[0], members[1], members[1]):
        pay(place(shopper, [(speaker, 1)]))
    team.refresh_from_db()
    assert (team.status, team.spent) == (TeamStatus.REACHED, 200_000)
    assert teams_settle_due().settled == 0  # the after-sales wait is not over

    later = timezone.now() + dt.timedelta(days=7, minutes=1)
    assert teams_settle_due(now=later).settled == 1
    assert teams_settle_due(now=later).settled == 0  # fired twice: exactly once
    shares = list(TeamMember.objects.filter(team=team).order_by("id").values_list("share", flat=True))
    assert shares == [3334, 3333, 3333]
    coupons = Coupon.objects.filter(member__in=members).order_by("member_id")
    assert sorted(c.template.off for c in coupons) == [3333, 3333, 3334]
    assert Team.objects.get(pk=team.pk).status == TeamStatus.SETTLED
    assert Message.objects.filter(kind="team_won").count() == 3


def test_split_by_contribution_follows_each_members_net_spending(staff: User, speaker: Sku, shop: Any) -> None:
    team, members = _team_of(staff, split_mode=SplitMode.CONTRIBUTION, goal=150_000)
    pay(place(members[0], [(speaker, 2)]))
    pay(place(members[1], [(speaker, 1)]))
    assert teams_settle_due(now=timezone.now() + dt.timedelta(days=8)).settled == 1
    shares = list(TeamMember.objects.filter(team=team).order_by("id").values_list("share", flat=True))
    assert shares == [6667, 3333, 0]
    assert not TeamMember.objects.get(team=team, member=members[2]).coupon_id
    told = Message.objects.get(kind="team_won", member=members[2])
    assert "未分得奖励" in told.body


def test_a_refund_during_the_wait_takes_the_team_back_below_the_goal(staff: User, speaker: Sku, shop: Any) -> None:
    team, members = _team_of(staff, goal=100_000)
    first = pay(place(members[0], [(speaker, 1)]))
    pay(place(members[1], [(speaker, 1)]))
    assert Team.objects.get(pk=team.pk).status == TeamStatus.REACHED
    refund_create(order_id=first.pk, lines=None, reason="不想要了", actor=staff)
    team.refresh_from_db()
    assert (team.status, team.spent, team.settle_at) == (TeamStatus.OPEN, 50_000, None)
    # the deadline passes short: the team ends and the members are told once
    run = teams_settle_due(now=team.expires_at + dt.timedelta(seconds=1))
    assert (run.settled, run.failed) == (0, 1)
    assert teams_settle_due(now=team.expires_at + dt.timedelta(seconds=2)).failed == 0
    assert Team.objects.get(pk=team.pk).status == TeamStatus.FAILED
    assert Message.objects.filter(kind="team_failed").count() == 3
    assert not Coupon.objects.exists()


def test_a_refund_after_the_split_keeps_the_shares(staff: User, speaker: Sku, shop: Any) -> None:
    team, members = _team_of(staff, goal=50_000)
    order = pay(place(members[0], [(speaker, 1)]))
    teams_settle_due(now=timezone.now() + dt.timedelta(days=8))
    refund_create(order_id=order.pk, lines=None, reason="破损", actor=staff)
    team.refresh_from_db()
    assert team.status == TeamStatus.SETTLED
    assert TeamMember.objects.filter(team=team, coupon__isnull=False).count() == 3


def test_joining_a_closed_team_is_refused(staff: User) -> None:
    team, _members = _team_of(staff, size=4, team_hours=1)
    with time_machine.travel(timezone.now() + dt.timedelta(hours=2)), pytest.raises(TeamClosed):
        team_join(member=MemberFactory.create(), token=team.share_token, context=SHOPPER_CONTEXT)


def test_shares_are_exact_to_the_fen() -> None:
    assert team_shares(total=10_000, mode=SplitMode.EQUAL, member_ids=[1, 2, 3], contributions={}) == [3334, 3333, 3333]
    split = team_shares(
        total=10_000, mode=SplitMode.CONTRIBUTION, member_ids=[1, 2, 3], contributions={1: 1, 2: 1, 3: 1}
    )
    assert sum(split) == 10_000


def test_the_promise_cannot_change_once_teams_exist_and_edits_are_audited(staff: User) -> None:
    team, _members = _team_of(staff)
    with pytest.raises(TeamActivityInvalid):
        team_activity_update(actor=staff, activity_id=team.activity_id, data=activity_data(goal=300_000))
    team_activity_update(actor=staff, activity_id=team.activity_id, data=activity_data(name="新名字"))
    assert AuditLog.objects.filter(action="team_activity.update").count() == 1
    assert AuditLog.objects.filter(action="team_activity.create").count() == 1
