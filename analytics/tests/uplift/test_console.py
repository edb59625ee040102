"""The 对照组效果 console pages (B03): Chinese, money in yuan, "显著"/"不显著" said plainly, the
uplift column in the campaign list at a fixed query count, permissions, and the JSON command."""

from __future__ import annotations

import json
from datetime import timedelta
from io import StringIO

import pytest
import time_machine
from django.contrib.auth.models import User
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from analytics.tests.uplift.helpers import TIERS, campaign_with_holdout
from mall.services.staff import staff_create
from marketing.models import Journey, JourneyKind
from marketing.services.journeys.runner import journeys_ensure
from members.models import SegmentCampaign
from members.tests.people.factories import spend

pytestmark = pytest.mark.django_db


def console(role: str = "owner") -> Client:
    owner = User.objects.filter(username="owner").first() or User.objects.create_superuser(
        username="owner", password="x", email="owner@example.com"
    )
    user = owner if role == "owner" else staff_create(username=role, password="pass-123-xyz", role=role, actor=owner)
    client = Client()
    client.force_login(user)
    return client


def _started_ten_days_ago(campaign_id: int) -> None:
    """The 7-day window is over (moving the start back keeps the staff session valid)."""
    SegmentCampaign.objects.filter(pk=campaign_id).update(started_at=timezone.now() - timedelta(days=10))


def _worked(tier: str = TIERS[0]) -> int:
    """A campaign whose treated shoppers all bought ¥300 and whose holdout bought nothing."""
    campaign_id, treated, holdout = campaign_with_holdout("回购礼", 24, tier)
    _started_ten_days_ago(campaign_id)
    for member in treated:
        spend(member, days_ago=8, amount=30_000)
    spend(holdout[0], days_ago=7, amount=1_000)
    return campaign_id


def _flat(tier: str = TIERS[1]) -> int:
    """A campaign where both groups bought alike."""
    campaign_id, treated, holdout = campaign_with_holdout("新品通知", 24, tier)
    _started_ten_days_ago(campaign_id)
    for member in treated[:3] + holdout[:3]:
        spend(member, days_ago=8, amount=10_000)
    return campaign_id


def test_a_campaign_that_worked_and_one_that_did_not():
    worked, flat = _worked(), _flat()
    client = console()
    with translation.override("zh-hans"):
        good = client.get(f"/console/analytics/uplift/campaign/{worked}/").content.decode()
        bad = client.get(f"/console/analytics/uplift/campaign/{flat}/").content.decode()
    assert "「回购礼」对照组效果" in good
    assert "显著：实验组人均成交额比对照组多" in good
    assert "¥300.00" in good  # per treated shopper, in yuan
    assert "30000" not in good  # never fen
    assert "显著提升" in good and "增量 ROI" in good and "无成本" in good
    assert "不显著：人均成交额差" in bad and "跨过 0" in bad
    assert 'data-testid="uplift-verdict-gmv">不显著' in bad


def test_the_campaign_list_has_an_uplift_column_at_a_fixed_query_count():
    _worked()
    client = console()
    client.get("/admin/members/segmentcampaign/")  # warm the session, content types and sidebar
    with CaptureQueriesContext(connection) as one, translation.override("zh-hans"):
        page = client.get("/admin/members/segmentcampaign/")
    assert "对照组效果" in page.content.decode()
    assert "人均 +¥" in page.content.decode() or "不显著" in page.content.decode()
    _flat()
    campaign_with_holdout("第三个", 10, TIERS[2])
    with CaptureQueriesContext(connection) as three:
        page = client.get("/admin/members/segmentcampaign/")
    assert page.status_code == 200
    assert len(three) == len(one)


def test_overview_and_journey_pages_and_permissions():
    worked = _worked()
    journeys_ensure()
    Journey.objects.filter(kind=JourneyKind.DORMANT).update(holdout_percent=20)
    owner = console()
    with translation.override("zh-hans"):
        overview = owner.get("/console/analytics/uplift/").content.decode()
        journey = owner.get(f"/console/analytics/uplift/journey/{JourneyKind.DORMANT}/").content.decode()
        journeys = owner.get("/admin/marketing/journey/").content.decode()
        change = owner.get(f"/admin/members/segmentcampaign/{worked}/change/").content.decode()
    assert "对照组效果" in overview and "回购礼" in overview
    assert "「沉睡召回」对照组效果" in journey and "尚未开始" in journey
    assert "尚无对照数据" in journeys and "未设对照组" in journeys
    assert f"/console/analytics/uplift/campaign/{worked}/" in change
    assert owner.get("/console/analytics/uplift/journey/nope/").status_code == 404
    assert owner.get("/console/analytics/uplift/campaign/999999/").status_code == 404
    service = console("customer_service")
    assert service.get("/console/analytics/uplift/").status_code == 403
    assert service.get(f"/console/analytics/uplift/campaign/{worked}/").status_code == 403
    operator = console("operator")
    assert operator.get(f"/console/analytics/uplift/journey/{JourneyKind.DORMANT}/").status_code == 200
    assert operator.get("/console/analytics/uplift/").status_code == 200


def test_the_command_prints_one_json_line():
    worked = _worked()
    out = StringIO()
    call_command("uplift", campaign=worked, stdout=out)
    (line,) = out.getvalue().splitlines()
    data = json.loads(line)
    assert data["name"] == "回购礼" and data["finished"] is True and data["significant"] is True
    assert data["gmv_per_shopper_treated"] == "300.00"
    assert set(data["gmv_diff"]) == {"value", "low", "high"} and float(data["gmv_diff"]["low"]) > 0
    out = StringIO()
    call_command("uplift", journey="dormant", stdout=out)
    assert json.loads(out.getvalue())["significant"] is None


def test_the_owner_switches_the_global_holdout_on_and_reads_its_report():
    from analytics.tests.uplift.global_helpers import global_holdout_on
    from mall.models import AuditLog, ShopSettings
    from members.tests.factories import MemberFactory

    owner = console()
    with translation.override("zh-hans"):
        off = owner.get("/console/analytics/uplift/global/").content.decode()
        overview = owner.get("/console/analytics/uplift/").content.decode()
    assert "全局对照组尚未开启" in off and "/admin/mall/shopsettings/" in off
    assert "全局对照组未开启" in overview
    pk = ShopSettings.load().pk
    form = {"name": "多营商城", "shipping_flat_fee": "8.00", "free_shipping_threshold": "99.00"}
    form |= {"auto_complete_days": "7", "global_holdout_enabled": "on", "global_holdout_percent": "5"}
    assert owner.post(f"/admin/mall/shopsettings/{pk}/change/", form).status_code == 302
    audit = AuditLog.objects.get(action="shop_settings.update")
    assert audit.actor is not None and audit.actor.username == "owner"
    assert audit.data["global_holdout_enabled"] == {"from": False, "to": True}
    assert ShopSettings.load().global_holdout_salt
    too_many = owner.post(f"/admin/mall/shopsettings/{pk}/change/", {**form, "global_holdout_percent": "30"})
    assert too_many.status_code == 200 and ShopSettings.load().global_holdout_percent == 5

    held = MemberFactory.create_batch(3)
    others = MemberFactory.create_batch(9)
    with time_machine.travel(timezone.now() - timedelta(days=10), tick=False):
        global_holdout_on(held, others)
    for member in [*held[:1], *others[:3]]:  # both groups bought alike: no evidence either way
        spend(member, days_ago=2, amount=10_000)
    with translation.override("zh-hans"):
        page = owner.get("/console/analytics/uplift/global/").content.decode()
        overview = owner.get("/console/analytics/uplift/").content.decode()
    assert "全局对照组效果" in page and "不显著" in page and "¥" in page and "全局对照组已开启" in page
    assert "实验组 9 人，对照组 3 人" in page
    assert "/console/analytics/uplift/global/" in overview and "全局对照组已开启" in overview
    assert console("customer_service").get("/console/analytics/uplift/global/").status_code == 403
