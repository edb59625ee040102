"""生命周期旅程 in a real browser: the settings form refuses an unknown placeholder, saves a good
one, and the 旅程效果 report shows each journey's figures in yuan with a chart."""

from __future__ import annotations

import re
from datetime import timedelta

from django.utils import timezone
from playwright.sync_api import expect

from marketing.models import Journey, JourneyKind
from marketing.services.journeys.runner import lifecycle_run
from marketing.tests.journeys.helpers import journeys_on, paid_order
from members.tests.factories import MemberFactory


def test_journey_settings_and_report(page_factory, owner, screenshot_dir):
    journeys_on(JourneyKind.DORMANT)
    noon = timezone.localtime().replace(hour=10, minute=0, second=0, microsecond=0) - timedelta(days=3)
    for _ in range(2):
        paid_order(MemberFactory.create(), noon - timedelta(days=40))
    lifecycle_run(kinds=[JourneyKind.DORMANT], now=noon)
    dormant = Journey.objects.get(kind=JourneyKind.DORMANT)

    page = page_factory(owner)
    page.goto(f"/admin/marketing/journey/{dormant.pk}/change/")
    page.fill("#id_title", "{name}，{goods}等你回来")
    with page.expect_navigation():
        page.locator("button[name=_save]").click()
    expect(page.locator("body")).to_contain_text("文案里有不支持的占位符：{goods}")
    page.fill("#id_title", "{name}，{amount}回归礼等你来拿")
    with page.expect_navigation():
        page.locator("button[name=_save]").click()
    expect(page).to_have_url(re.compile(r"/admin/marketing/journey/$"))
    expect(page.locator("#result_list")).to_contain_text("{name}，{amount}回归礼等你来拿")
    dormant.refresh_from_db()
    assert dormant.title == "{name}，{amount}回归礼等你来拿"

    page.goto("/console/marketing/journeys/report/")
    expect(page.get_by_test_id("journey-report-title")).to_have_text("旅程效果")
    expect(page.get_by_test_id("eligible-dormant")).to_have_text("2")
    expect(page.get_by_test_id("granted-dormant")).to_have_text("2")
    expect(page.get_by_test_id("skipped-dormant")).to_contain_text("未配置订阅消息模板：2")
    expect(page.get_by_test_id("gmv-dormant")).to_have_text("¥0.00")
    expect(page.locator("canvas")).to_have_count(1)
    page.screenshot(path=str(screenshot_dir / "console-journey-report.png"), full_page=True)
