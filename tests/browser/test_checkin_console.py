"""Check-in (F20) in a real browser: the merchant opens 签到规则 from the sidebar's 会员 group,
sets the gold multiplier and the make-up window, and the 签到数据 page draws its 30-day chart."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from playwright.sync_api import expect

from mall.models import AuditLog
from members.models import CheckIn, CheckInRule
from members.tests.factories import MemberFactory
from tests.browser.charts import first_chart_labels


def test_the_merchant_edits_the_rule_and_sees_the_figures(page_factory, owner, screenshot_dir):
    today = timezone.localdate()
    for nickname in ("早起的小王", "签到达人"):
        member = MemberFactory.create(nickname=nickname)
        for offset in range(3):
            CheckIn.objects.create(member=member, day=today - dt.timedelta(days=offset), points=5, streak=3 - offset)

    page = page_factory(owner)
    page.goto("/admin/")
    page.locator("#nav-sidebar-apps, nav, aside").get_by_role("link", name="签到规则").first.click()
    expect(page.get_by_label("黄金会员 积分倍数")).to_be_visible()
    page.get_by_label("黄金会员 积分倍数").fill("1.5")
    page.get_by_label("可补签天数").fill("3")
    page.get_by_role("button", name="保存").first.click()
    expect(page.get_by_label("可补签天数")).to_have_value("3")
    rule = CheckInRule.load()
    assert (rule.makeup_days, rule.tier_multipliers) == (3, {"gold": 1.5})
    assert AuditLog.objects.filter(action="checkin_rule.update").count() == 1

    page.goto("/console/members/checkin-stats/")
    expect(page.get_by_test_id("checkin-stats-title")).to_have_text("签到数据")
    expect(page.get_by_test_id("kpi-today")).to_have_text("2")
    expect(page.get_by_test_id("kpi-points_7d")).to_have_text("30")
    charts = page.locator("canvas.chart")
    expect(charts).to_have_count(1)
    labels = first_chart_labels(page)
    assert labels == 30
    page.screenshot(path=str(screenshot_dir / "console-checkin-stats.png"), full_page=True)

    page.goto("/admin/members/checkin/")
    expect(page.locator("#result_list")).to_contain_text("签到达人")
