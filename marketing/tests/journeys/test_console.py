"""The console's 生命周期旅程 settings and 旅程效果 report (Chinese, money in yuan)."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib.auth.models import User
from django.test import Client
from django.utils import translation

from mall.models import AuditLog
from mall.services.staff import staff_create
from marketing.models import Coupon, CouponStatus, Journey, JourneyKind
from marketing.selectors.journeys import journey_reports
from marketing.services.journeys.runner import lifecycle_run
from marketing.tests.journeys.helpers import journeys_on, paid_order
from members.tests.factories import MemberFactory
from orders.models import Order

pytestmark = pytest.mark.django_db
SHOP = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 12, 6, 10, 0, tzinfo=SHOP)


def console(role: str = "operator") -> Client:
    owner = User.objects.filter(username="owner").first() or User.objects.create_superuser(
        username="owner", password="x", email="owner@example.com"
    )
    user = owner if role == "owner" else staff_create(username=role, password="pass-123-xyz", role=role, actor=owner)
    client = Client()
    client.force_login(user)
    return client


def _form(journey: Journey, **changes: object) -> dict[str, object]:
    data: dict[str, object] = {
        "is_enabled": "on",
        "priority": journey.priority,
        "days": journey.days,
        "coupon_template": journey.coupon_template_id or "",
        "coupon_valid_days": journey.coupon_valid_days,
        "title": journey.title,
        "body": journey.body,
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def test_an_operator_edits_a_journey_with_placeholders_checked_and_audited() -> None:
    journeys = journeys_on()
    journey = journeys[JourneyKind.REPLENISH]
    client = console()
    url = f"/admin/marketing/journey/{journey.pk}/change/"
    with translation.override("zh-hans"):
        page = client.get(url)
        assert page.status_code == 200
        assert "{product} 商品名" in page.content.decode()

        refused = client.post(url, _form(journey, title="{name}，您的{goods}快用完了"))
        assert refused.status_code == 200
        assert "文案里有不支持的占位符：{goods}" in refused.content.decode()
        # {product} is only for 复购提醒.
        dormant = journeys[JourneyKind.DORMANT]
        refused = client.post(f"/admin/marketing/journey/{dormant.pk}/change/", _form(dormant, title="{product}"))
        assert "文案里有不支持的占位符：{product}" in refused.content.decode()

        saved = client.post(url, _form(journey, title="{product}快用完啦", priority=50, days=5))
        assert saved.status_code == 302
    journey.refresh_from_db()
    assert (journey.title, journey.priority, journey.days) == ("{product}快用完啦", 50, 5)
    assert AuditLog.objects.filter(action="journey.update").count() == 1

    listing = client.get("/admin/marketing/journey/")
    assert listing.status_code == 200
    assert "复购提醒" in listing.content.decode()


def test_the_report_counts_sends_skips_used_coupons_and_gmv_within_seven_days() -> None:
    journeys_on(JourneyKind.DORMANT)
    came_back, too_late, silent = (MemberFactory.create() for _ in range(3))
    for shopper in (came_back, too_late, silent):
        paid_order(shopper, NOW - timedelta(days=40))
    with time_machine.travel(NOW, tick=False):
        lifecycle_run(kinds=[JourneyKind.DORMANT], now=NOW)
    order = paid_order(came_back, NOW + timedelta(days=2))
    Order.objects.filter(pk=order.pk).update(payable_amount=12_345)
    Coupon.objects.filter(member=came_back).update(
        status=CouponStatus.USED, order=order, used_at=NOW + timedelta(days=2)
    )
    paid_order(too_late, NOW + timedelta(days=8))  # after the 7-day window

    (dormant,) = [r for r in journey_reports() if r.kind == JourneyKind.DORMANT]
    assert (dormant.eligible, dormant.granted, dormant.sent) == (3, 3, 0)
    assert dormant.skipped == {"no_template": 3}
    assert (dormant.coupons_used, dormant.orders, dormant.buyers, dormant.gmv) == (1, 1, 1, 12_345)

    with translation.override("zh-hans"):
        page = console().get("/console/marketing/journeys/report/")
    html = page.content.decode()
    assert page.status_code == 200
    assert "旅程效果" in html and "沉睡召回" in html
    assert "¥123.45" in html  # yuan, never fen
    assert "未配置订阅消息模板：3" in html
    assert "no_template" not in html


def test_the_report_needs_the_view_permission() -> None:
    assert console("customer_service").get("/console/marketing/journeys/report/").status_code == 403
