"""对照组效果 in a real browser: the overview lists a campaign with a holdout, its uplift column
links from the campaign list, and the campaign's page says "显著" with yuan intervals."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone
from playwright.sync_api import expect

from analytics.tests.uplift.global_helpers import global_holdout_on
from analytics.tests.uplift.helpers import campaign_with_holdout
from mall.models import ShopSettings
from members.models import SegmentCampaign
from members.tests.factories import MemberFactory
from members.tests.people.factories import spend


def test_uplift_overview_list_column_and_campaign_page(page_factory, owner, screenshot_dir):
    campaign_id, treated, holdout = campaign_with_holdout("回购礼", 20)
    SegmentCampaign.objects.filter(pk=campaign_id).update(started_at=timezone.now() - timedelta(days=10))
    for member in treated:
        spend(member, days_ago=8, amount=25_000)
    spend(holdout[0], days_ago=8, amount=2_000)

    page = page_factory(owner)
    page.goto("/console/analytics/uplift/")
    expect(page.get_by_test_id("uplift-overview-title")).to_have_text("对照组效果")
    expect(page.get_by_test_id("uplift-overview-table")).to_contain_text("回购礼")
    page.screenshot(path=str(screenshot_dir / "console-uplift-overview.png"), full_page=True)

    page.goto("/admin/members/segmentcampaign/")
    expect(page.locator("#result_list")).to_contain_text("人均 +¥")
    page.locator("#result_list a", has_text="人均 +¥").first.click()
    expect(page.get_by_test_id("uplift-title")).to_have_text("「回购礼」对照组效果")
    expect(page.get_by_test_id("uplift-headline")).to_contain_text("显著：实验组人均成交额比对照组多")
    expect(page.get_by_test_id("uplift-verdict-gmv")).to_have_text("显著提升")
    expect(page.get_by_test_id("uplift-figure-incremental")).to_contain_text("¥")
    page.screenshot(path=str(screenshot_dir / "console-uplift-campaign.png"), full_page=True)


def test_global_holdout_report_page(page_factory, owner, screenshot_dir):
    held = MemberFactory.create_batch(3)
    others = MemberFactory.create_batch(9)
    global_holdout_on(held, others)
    ShopSettings.objects.update(global_holdout_since=timezone.now() - timedelta(days=10))
    for member in [held[0], *others[:3]]:
        spend(member, days_ago=2, amount=10_000)

    page = page_factory(owner)
    page.goto("/console/analytics/uplift/")
    expect(page.get_by_test_id("uplift-global-status")).to_contain_text("全局对照组已开启")
    page.get_by_test_id("uplift-global-status").get_by_role("link").click()
    expect(page.get_by_test_id("uplift-title")).to_have_text("全局对照组效果")
    expect(page.get_by_test_id("uplift-verdict-gmv")).to_have_text("不显著")
    expect(page.get_by_test_id("uplift-global-note")).to_contain_text("10%")
    page.screenshot(path=str(screenshot_dir / "console-uplift-global.png"), full_page=True)
