"""Team split under real concurrency (MariaDB): a full team refuses the next joiner however many
tap at once, and one shopper tapping "open" and "join" everywhere ends up in one team."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.utils import timezone

from mall.tests.concurrency import run_in_threads
from marketing.errors import TeamAlreadyJoined, TeamFull
from marketing.models import Coupon, Team, TeamMember, TeamStatus
from marketing.services.teams import team_join, team_open, teams_settle_due
from marketing.tests.conftest import pay, place
from marketing.tests.teams.helpers import make_activity
from members.errors import CaptchaRequired
from members.tests.factories import MemberFactory
from members.tests.fixtures import SHOPPER_CONTEXT

pytestmark = [pytest.mark.race, pytest.mark.django_db(transaction=True)]


def _staff() -> User:
    return User.objects.create_superuser(username=f"ops-{uuid.uuid4().hex[:6]}", password="x", email="o@e.com")


def test_twenty_friends_joining_a_team_of_five_at_once_fill_exactly_four_seats() -> None:
    activity = make_activity(_staff(), team_size=5)
    leader = MemberFactory.create()
    team = team_open(member=leader, activity_id=activity.pk, context=SHOPPER_CONTEXT)
    friends = MemberFactory.create_batch(20)

    results = run_in_threads(
        20, lambda i: team_join(member=friends[i], token=team.share_token, context=SHOPPER_CONTEXT)
    )

    joined = [r for r in results if isinstance(r, Team)]
    assert len(joined) == 4, results
    assert all(isinstance(r, TeamFull) for r in results if not isinstance(r, Team)), results
    fresh = Team.objects.get(pk=team.pk)
    assert fresh.members_count == 5 == TeamMember.objects.filter(team=team).count()


def test_one_shopper_opening_and_joining_at_once_is_in_one_team_per_activity() -> None:
    activity = make_activity(_staff(), team_size=5)
    leaders = MemberFactory.create_batch(3)
    teams = [team_open(member=m, activity_id=activity.pk, context=SHOPPER_CONTEXT) for m in leaders]
    shopper = MemberFactory.create()

    def work(i: int) -> Any:
        if i % 4 == 3:
            return team_open(member=shopper, activity_id=activity.pk, context=SHOPPER_CONTEXT)
        return team_join(member=shopper, token=teams[i % 3].share_token, context=SHOPPER_CONTEXT)

    results = run_in_threads(12, work)

    assert sum(isinstance(r, Team) for r in results) == 1, results
    # the guard may see the burst as velocity and ask for the slider: a refusal too, never a second seat
    refusals = (TeamAlreadyJoined, CaptchaRequired)
    assert all(isinstance(r, refusals) for r in results if not isinstance(r, Team)), results
    assert TeamMember.objects.filter(activity=activity, member=shopper).count() == 1
    counts = sorted(Team.objects.filter(activity=activity).values_list("members_count", flat=True))
    assert sum(counts) == TeamMember.objects.filter(activity=activity).count() == 4


def test_the_settlement_fired_twice_at_once_splits_the_reward_once(make_sku: Any, snacks: Any, shop: Any) -> None:
    activity = make_activity(_staff(), team_size=3, goal=50_000)
    members = MemberFactory.create_batch(3)
    team = team_open(member=members[0], activity_id=activity.pk, context=SHOPPER_CONTEXT)
    for friend in members[1:]:
        team_join(member=friend, token=team.share_token, context=SHOPPER_CONTEXT)
    pay(place(members[1], [(make_sku("RACE-T", 50_000, snacks), 1)]))
    later = timezone.now() + dt.timedelta(days=8)

    results = run_in_threads(6, lambda i: teams_settle_due(now=later))

    assert sum(r.settled for r in results) == 1, results
    assert Team.objects.get(pk=team.pk).status == TeamStatus.SETTLED
    shares = list(TeamMember.objects.filter(team=team).order_by("id").values_list("share", flat=True))
    assert shares == [3334, 3333, 3333]
    assert Coupon.objects.filter(member__in=members).count() == 3
