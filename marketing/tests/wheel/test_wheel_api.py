"""The 幸运大转盘 API: the wheel page, the draw (the server picks; the client animates), my prizes."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import User
from django.utils import translation
from rest_framework.test import APIClient

from marketing.models import WheelDraw
from marketing.services.wheel import wheel_draw
from marketing.tests.wheel.helpers import live_wheel, paid_order, staff_user
from marketing.tests.wheel.test_wheel_services import FIVE, POINTS, THANKS, Always
from members.models import Member
from members.tests.fixtures import SHOPPER_CONTEXT, client_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(db: Any) -> User:
    return staff_user()


def test_the_wheel_page_shows_sectors_chances_and_draws_left(
    staff: User, member: Member, django_assert_max_num_queries: Any
) -> None:
    live_wheel(staff, daily_draw_limit=3, order_threshold=5000, rules_text="每笔满 50 元得 1 次机会")
    for _i in range(5):
        paid_order(member, 5000)
    client = client_for(member)
    with django_assert_max_num_queries(5):
        body = client.get("/api/v1/wheel").json()
    assert (body["open"], body["name"], body["threshold"], body["rules_text"]) == (
        True,
        "幸运大转盘",
        "50.00",
        "每笔满 50 元得 1 次机会",
    )
    assert [(p["position"], p["name"], p["kind"]) for p in body["prizes"]] == [
        (0, "5 元券", "coupon"),
        (1, "10 元券", "coupon"),
        (2, "免单", "free_order"),
        (3, "20 积分", "points"),
        (4, "谢谢参与", "thanks"),
    ]
    assert "weight" not in body["prizes"][0] and "stock" not in body["prizes"][0]  # odds stay on the server
    assert (body["chances_left"], body["draws_left_today"]) == (5, 3)


def test_a_closed_wheel_says_so(member: Member) -> None:
    body = client_for(member).get("/api/v1/wheel").json()
    assert (body["open"], body["prizes"], body["chances_left"]) == (False, [], 0)


def test_drawing_over_the_api_names_the_sector_and_my_prizes_list_it(staff: User, member: Member) -> None:
    live_wheel(staff, weights=(1, 1, 1, 1, 1), daily_draw_limit=2)
    for _i in range(3):
        paid_order(member, 5000)
    client = client_for(member)
    drawn = [client.post("/api/v1/wheel/draw", {}, format="json") for _i in range(2)]
    for response in drawn:
        assert response.status_code == 201, response.json()
    body = drawn[1].json()
    draw = WheelDraw.objects.order_by("id").last()
    assert draw is not None
    assert body["prize"]["id"] == draw.prize_id and body["prize"]["name"] == draw.prize.name
    assert body["prize"]["position"] == list(draw.wheel.prizes.values_list("pk", flat=True)).index(draw.prize_id)
    assert (body["chances_left"], body["draws_left_today"]) == (1, 0)
    with translation.override("zh-hans"):
        limited = client.post("/api/v1/wheel/draw", {}, format="json")
    assert (limited.status_code, limited.json()["code"]) == (409, "wheel_daily_limit")
    assert limited.json()["message"] == "今天的抽奖次数已用完，明天再来吧。"
    mine = client.get("/api/v1/wheel/prizes").json()
    won = WheelDraw.objects.exclude(kind="thanks").order_by("-id")
    assert [row["id"] for row in mine] == [d.pk for d in won]


def test_no_chance_is_a_conflict_in_chinese(staff: User, member: Member) -> None:
    live_wheel(staff)
    with translation.override("zh-hans"):
        response = client_for(member).post("/api/v1/wheel/draw", {}, format="json")
    assert (response.status_code, response.json()["code"]) == (409, "wheel_no_chance")
    assert response.json()["message"] == "您还没有抽奖机会，下单满额即可获得。"


def test_my_prizes_show_coupon_status_and_points_text(
    staff: User, member: Member, django_assert_max_num_queries: Any
) -> None:
    live_wheel(staff)
    for _i in range(3):
        paid_order(member, 5000)
    for ticket in (FIVE, POINTS, THANKS):
        wheel_draw(member=member, context=SHOPPER_CONTEXT, rng=Always(ticket))
    client = client_for(member)
    with django_assert_max_num_queries(3), translation.override("zh-hans"):
        mine = client.get("/api/v1/wheel/prizes").json()
    assert [(row["kind"], row["text"], row["coupon_status"], row["points"]) for row in mine] == [
        ("points", "20 积分", None, 20),
        ("coupon", "5 元券 ¥5.00", "unused", 0),
    ]


def test_signed_out_shoppers_are_refused() -> None:
    assert APIClient().get("/api/v1/wheel").status_code == 401
    assert APIClient().post("/api/v1/wheel/draw", {}, format="json").status_code == 401
