"""The 行为分析 page in a real browser: its charts are drawn and the sidebar leads to it."""

from __future__ import annotations

import re
from datetime import date

from playwright.sync_api import expect

from analytics.services.rollups import rollup_day
from analytics.tests.factories import shop_day


def test_behaviour_page_draws_its_charts(page_factory, owner, screenshot_dir):  # type: ignore[no-untyped-def]
    from django.utils import timezone

    today = timezone.localdate()
    shop_day(today)
    rollup_day(day=today)
    assert today > date(2026, 1, 1)

    page = page_factory(owner)
    page.goto("/admin/")
    page.get_by_role("link", name="行为分析").first.click()
    expect(page.get_by_test_id("behaviour-title")).to_have_text("行为分析")
    expect(page.locator("#behaviour canvas")).to_have_count(5)
    expect(page.get_by_test_id("paths")).to_contain_text("首页 → 商品详情 → 结算 → 支付")
    expect(page.get_by_test_id("leave-reasons")).to_contain_text("优惠券不可用 1")
    expect(page.get_by_test_id("kpi-payers")).to_have_text("2")
    page.get_by_role("link", name="近 7 天").click()
    expect(page).to_have_url(re.compile(r"\?days=7$"))
    page.screenshot(path=str(screenshot_dir / "console-behaviour.png"), full_page=True)
