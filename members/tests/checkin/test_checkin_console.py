"""The console's check-in pages: the rule saved through the audited service (tier multipliers as
one box per tier), the records list and the 签到数据 page with its figures and chart."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.utils import timezone, translation

from mall.models import AuditLog
from members.models import CheckIn, CheckInRule
from members.tests.factories import MemberFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def owner_client() -> Client:
    owner = User.objects.create_superuser(username="owner", password="x", email="owner@example.com")
    client = Client()
    client.force_login(owner)
    return client


def _post(**changes: str) -> dict[str, str]:
    data = {
        "enabled": "on",
        "base_points": "5",
        "streak_days": "7",
        "streak_points": "30",
        "cycle": "rolling",
        "makeup_days": "3",
        "makeup_cost": "20",
        "multiplier_normal": "1",
        "multiplier_silver": "1",
        "multiplier_gold": "1.5",
        "multiplier_diamond": "2",
    }
    data.update(changes)
    return data


def test_the_rule_page_saves_through_the_service_with_an_audit_row(owner_client: Client) -> None:
    listing = owner_client.get("/admin/members/checkinrule/")
    assert listing.status_code == 302
    with translation.override("zh-hans"):
        page = owner_client.get(listing["Location"]).content.decode()
    assert "黄金会员 积分倍数" in page and "可补签天数" in page
    saved = owner_client.post(listing["Location"], _post(base_points="8", cycle="weekly"))
    assert saved.status_code == 302, saved.content.decode()[:2000]
    rule = CheckInRule.load()
    assert (rule.base_points, rule.cycle, rule.makeup_days) == (8, "weekly", 3)
    assert rule.tier_multipliers == {"gold": 1.5, "diamond": 2.0}
    assert AuditLog.objects.filter(action="checkin_rule.update").count() == 1
    with translation.override("zh-hans"):
        refused = owner_client.post(listing["Location"], _post(multiplier_gold="50"))
    assert refused.status_code == 200
    assert CheckInRule.load().tier_multipliers == {"gold": 1.5, "diamond": 2.0}


def test_records_and_figures_pages(owner_client: Client) -> None:
    today = timezone.localdate()
    member = MemberFactory.create(nickname="签到达人")
    CheckIn.objects.create(member=member, day=today, points=5, streak=3)
    CheckIn.objects.create(member=member, day=today - dt.timedelta(days=1), points=5, streak=2)
    with translation.override("zh-hans"):
        records = owner_client.get("/admin/members/checkin/").content.decode()
        stats = owner_client.get("/console/members/checkin-stats/")
        home = owner_client.get("/admin/").content.decode()
    assert "签到达人" in records and "连续天数" in records
    assert stats.status_code == 200
    body = stats.content.decode()
    assert 'data-testid="kpi-today">1<' in body
    assert 'data-testid="kpi-points_7d">10<' in body
    assert "近 30 天每日签到人数" in body
    assert "签到数据" in home and "签到规则" in home
