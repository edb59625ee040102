"""The console's 组队瓜分 pages: an activity saved through the audited service (money in yuan),
the teams list with progress in yuan, and the figures page (participants, daily actives,
rewards issued and used, cost, orders and GMV of participants)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.utils import timezone, translation

from mall.models import AuditLog
from marketing.models import TeamActivity
from marketing.selectors.teams import team_figures
from marketing.services.teams import team_join, team_open, teams_settle_due
from marketing.tests.conftest import pay, place
from marketing.tests.teams.helpers import make_activity
from members.tests.factories import MemberFactory
from members.tests.fixtures import SHOPPER_CONTEXT

pytestmark = pytest.mark.django_db


@pytest.fixture
def owner_client(staff: User) -> Client:
    client = Client()
    client.force_login(staff)
    return client


def _form(**changes: str) -> dict[str, str]:
    now = timezone.localtime()
    data = {
        "name": "年货组队瓜分",
        "team_size": "4",
        "goal_yuan": "2000",
        "reward_yuan": "100",
        "split_mode": "contribution",
        "team_hours": "48",
        "settle_days": "7",
        "coupon_valid_days": "30",
        "starts_at_0": now.strftime("%Y-%m-%d"),
        "starts_at_1": "00:00:00",
        "ends_at_0": (now + dt.timedelta(days=10)).strftime("%Y-%m-%d"),
        "ends_at_1": "00:00:00",
        "is_active": "on",
    }
    data.update(changes)
    return data


def test_the_activity_form_saves_yuan_as_fen_through_the_audited_service(owner_client: Client) -> None:
    with translation.override("zh-hans"):
        page = owner_client.get("/admin/marketing/teamactivity/add/").content.decode()
    assert "团队目标消费(元)" in page and "售后" in page
    saved = owner_client.post("/admin/marketing/teamactivity/add/", _form())
    assert saved.status_code == 302, saved.content.decode()[:3000]
    activity = TeamActivity.objects.get()
    assert (activity.goal, activity.reward_total, activity.team_size) == (200_000, 10_000, 4)
    assert AuditLog.objects.filter(action="team_activity.create").count() == 1
    with translation.override("zh-hans"):
        refused = owner_client.post("/admin/marketing/teamactivity/add/", _form(team_size="8"))
    assert refused.status_code == 200
    assert TeamActivity.objects.count() == 1
    listing = owner_client.get("/admin/marketing/teamactivity/").content.decode()
    assert "¥2,000.00" in listing and "¥100.00" in listing


def test_teams_list_and_figures_page_show_yuan(
    staff: User, owner_client: Client, make_sku: Any, snacks: Any, shop: Any, django_assert_max_num_queries: Any
) -> None:
    activity = make_activity(staff, goal=100_000)
    members = MemberFactory.create_batch(3)
    team = team_open(member=members[0], activity_id=activity.pk, context=SHOPPER_CONTEXT)
    for friend in members[1:]:
        team_join(member=friend, token=team.share_token, context=SHOPPER_CONTEXT)
    sku = make_sku("TEAM-C", 60_000, snacks)
    order = pay(place(members[0], [(sku, 2)]))
    teams_settle_due(now=timezone.now() + dt.timedelta(days=8))

    with django_assert_max_num_queries(5):
        figures = team_figures(activity_id=activity.pk)
    assert (figures.participants, figures.rewards_issued, figures.rewards_issued_amount) == (3, 3, 10_000)
    assert (figures.orders, figures.gmv, figures.rewards_used, figures.cost) == (1, order.payable_amount, 0, 0)
    assert figures.daily[-1][1] == 3

    listing = owner_client.get("/admin/marketing/team/").content.decode()
    assert "¥1,000.00" in listing
    detail = owner_client.get(f"/admin/marketing/team/{team.pk}/change/").content.decode()
    assert "¥33.34" in detail
    with translation.override("zh-hans"):
        stats = owner_client.get(f"/console/marketing/team-stats/?activity={activity.pk}").content.decode()
    assert "组队瓜分数据" in stats and 'data-testid="kpi-participants">3<' in stats
    assert "¥100.00" in stats
