"""The 签到 API: the month's calendar, checking in, making up a missed day, and the refusals."""

from __future__ import annotations

import uuid
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils import translation

from members.models import CheckIn, CheckInRule, PointsEntry
from members.services.points import points_grant
from members.tests.factories import MemberFactory
from members.tests.fixtures import client_for

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")


def test_checking_in_over_the_api_then_a_second_tap_is_refused_in_chinese() -> None:
    member = MemberFactory.create()
    with time_machine.travel(datetime(2026, 3, 10, 9, tzinfo=SHANGHAI), tick=False), translation.override("zh-hans"):
        client = client_for(member)
        before = client.get("/api/v1/me/checkin").json()
        done = client.post("/api/v1/me/checkin", {}, format="json")
        again = client.post("/api/v1/me/checkin", {}, format="json")
    assert (before["checked_today"], before["today_points"], before["streak"]) == (False, 5, 0)
    assert before["milestone_text"] == "再签 7 天得 30 积分"
    assert done.status_code == 201, done.json()
    body = done.json()
    assert (body["day"], body["streak"], body["points"], body["bonus_points"]) == ("2026-03-10", 1, 5, 0)
    assert body["calendar"]["checked_days"] == ["2026-03-10"]
    assert body["calendar"]["milestone_text"] == "再签 6 天得 30 积分"
    assert body["calendar"]["points_balance"] == 5
    assert (again.status_code, again.json()["code"]) == (409, "already_checked_in")
    assert again.json()["message"] == "今天已经签到过了，明天再来吧。"
    assert CheckIn.objects.filter(member=member).count() == 1


def test_making_up_a_missed_day_over_the_api_and_its_refusals() -> None:
    CheckInRule.objects.update_or_create(pk=1, defaults={"makeup_days": 2, "makeup_cost": 10})
    member = MemberFactory.create()
    points_grant(member_id=member.pk, delta=50, reason=PointsEntry.Reason.GRANT, ref=uuid.uuid4().hex)
    with time_machine.travel(datetime(2026, 3, 10, 9, tzinfo=SHANGHAI), tick=False), translation.override("zh-hans"):
        client = client_for(member)
        calendar = client.get("/api/v1/me/checkin", {"month": "2026-03"}).json()
        made = client.post("/api/v1/me/checkin/makeup", {"day": "2026-03-09"}, format="json")
        too_old = client.post("/api/v1/me/checkin/makeup", {"day": "2026-03-01"}, format="json")
        garbage = client.post("/api/v1/me/checkin/makeup", {"day": "yesterday"}, format="json")
        bad_month = client.get("/api/v1/me/checkin", {"month": "March"})
    assert (calendar["makeup_days"], calendar["makeup_cost"]) == (["2026-03-09", "2026-03-08"], 10)
    assert made.status_code == 201, made.json()
    assert made.json()["is_makeup"] is True
    assert made.json()["calendar"]["points_balance"] == 50 - 10 + 5
    assert made.json()["calendar"]["makeup_days"] == ["2026-03-08"]
    assert (too_old.status_code, too_old.json()["code"]) == (400, "makeup_not_allowed")
    assert too_old.json()["message"] == "该日期不能补签。"
    assert (garbage.status_code, garbage.json()["code"]) == (400, "invalid_input")
    assert (bad_month.status_code, bad_month.json()["code"]) == (400, "invalid_input")


def test_the_calendar_needs_a_signed_in_shopper() -> None:
    from rest_framework.test import APIClient

    response = APIClient().get("/api/v1/me/checkin")
    assert response.status_code == 401
