"""Team split through the mini-program API: open, the friend's page by share token, join, a full
team's refusal, the progress line — with the team page's query count pinned."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import User
from rest_framework.test import APIClient

from mall.models import Sku
from marketing.tests.conftest import pay, place
from marketing.tests.teams.helpers import make_activity
from members.models import Member
from members.tests.factories import MemberFactory
from members.tests.fixtures import client_for

pytestmark = pytest.mark.django_db


def test_open_share_join_and_watch_the_team_progress(
    staff: User, member: Member, member_client: APIClient, other_member: Member, make_sku: Any, snacks: Any, shop: Any
) -> None:
    activity = make_activity(staff, team_size=3)
    listed = member_client.get("/api/v1/teams/activities").json()
    assert [(a["id"], a["goal"], a["my_team_token"]) for a in listed] == [(activity.pk, 200_000, None)]

    opened = member_client.post(f"/api/v1/teams/activities/{activity.pk}/open")
    assert opened.status_code == 201, opened.json()
    page = opened.json()
    token = page["token"]
    assert (page["members_count"], page["is_member"], page["can_join"]) == (1, True, False)
    assert page["progress_text"] == "团队已消费 ¥0 / ¥2,000，还差 ¥2,000"
    assert member_client.get(f"/api/v1/teams/activities/{activity.pk}").json()["my_team_token"] == token

    landing = APIClient().get(f"/api/v1/teams/{token}").json()
    assert (landing["can_join"], landing["members"][0]["nickname"], landing["members"][0]["is_leader"]) == (
        True,
        "小明",
        True,
    )
    joined = client_for(other_member).post(f"/api/v1/teams/{token}/join")
    assert joined.status_code == 200, joined.json()
    assert joined.json()["members_count"] == 2
    twice = client_for(other_member).post(f"/api/v1/teams/{token}/join")
    assert (twice.status_code, twice.json()["code"]) == (409, "team_already_joined")
    client_for(MemberFactory.create()).post(f"/api/v1/teams/{token}/join")
    full = client_for(MemberFactory.create()).post(f"/api/v1/teams/{token}/join")
    assert (full.status_code, full.json()["code"]) == (409, "team_full")

    sku: Sku = make_sku("TEAM-1", 67_000, snacks)
    pay(place(member, [(sku, 2)]))
    body = member_client.get(f"/api/v1/teams/{token}").json()
    assert body["progress_text"] == "团队已消费 ¥1,340 / ¥2,000，还差 ¥660"
    assert [m["contribution"] for m in body["members"]] == [134_000, 0, 0]
    assert body["members"][0]["is_me"] is True


def test_the_team_page_is_one_request_with_a_fixed_number_of_queries(
    staff: User, member_client: APIClient, django_assert_max_num_queries: Any
) -> None:
    activity = make_activity(staff, team_size=5)
    token = member_client.post(f"/api/v1/teams/activities/{activity.pk}/open").json()["token"]
    for friend in MemberFactory.create_batch(4):
        assert client_for(friend).post(f"/api/v1/teams/{token}/join").status_code == 200
    anonymous = APIClient()
    with django_assert_max_num_queries(3):
        response = anonymous.get(f"/api/v1/teams/{token}")
    assert len(response.json()["members"]) == 5


def test_unknown_team_and_activity_are_404(member_client: APIClient) -> None:
    assert member_client.get("/api/v1/teams/nope").json()["code"] == "team_not_found"
    assert member_client.post("/api/v1/teams/activities/999/open").json()["code"] == "team_activity_not_found"
    assert APIClient().post("/api/v1/teams/nope/join").status_code == 401


def test_a_running_activity_is_in_the_marketing_centre_with_its_page(staff: User) -> None:
    from marketing.selectors.marketing_centre import marketing_centre_data

    activity = make_activity(staff, team_size=4)
    middle = activity.starts_at + (activity.ends_at - activity.starts_at) / 2
    entries = [e for e in marketing_centre_data(now=middle)["ongoing"] if e["type"] == "team"]
    assert [(e["id"], e["subtitle"], e["path"]) for e in entries] == [
        (activity.pk, "4 人组队，消费满 ¥2,000 瓜分 ¥100", f"/package-social/team/index?activity={activity.pk}")
    ]
