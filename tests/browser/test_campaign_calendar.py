"""活动日历 in a real browser (F28): the month of campaigns as bars by state with tool icons and
the line at now, the week view, a bar opening its campaign; the overlap detail's sample cart in
yuan; and publishing a campaign the policy would silently beat: warned with the evidence, then
仍然发布, recorded in the audit. Campaigns are set around the real clock (the live server's)."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone
from playwright.sync_api import expect

from mall.models import AuditLog
from marketing.models import Campaign, CampaignStatus
from marketing.services.campaigns import campaign_pause
from marketing.tests.calendar.helpers import campaign, sku

MINUS_15 = {"type": "full_reduction", "rules": {"tiers": [{"threshold": "100.00", "off": "15.00"}]}}
MINUS_10 = {"type": "full_reduction", "rules": {"tiers": [{"threshold": "100.00", "off": "10.00"}]}}


def test_the_calendar_the_overlap_detail_and_a_confirmed_publish(page_factory, owner, screenshot_dir):
    now = timezone.now()
    sku("LIP-01", "100.00", "60.00")
    main = campaign(
        owner, "618 主会场", promotions=[MINUS_15], publish=True, base=now, starts=timedelta(days=-2), days=6
    )
    beauty = campaign(owner, "美妆节", promotions=[MINUS_10], base=now, starts=timedelta(days=1), days=3)
    coupons = campaign(
        owner,
        "店铺券狂欢",
        coupons=[{"kind": "no_threshold", "off": "20.00"}],
        publish=True,
        base=now,
        starts=timedelta(days=-1),
        days=2,
    )
    campaign_pause(actor=owner, campaign_id=coupons.pk)
    page = page_factory(owner)

    page.goto("/console/marketing/campaigns/calendar/")
    assert page.get_by_test_id("calendar-title").inner_text() == "活动日历"
    bar = page.get_by_test_id(f"calendar-bar-{main.pk}").first
    expect(bar).to_contain_text("618 主会场")
    expect(bar).to_contain_text("进行中")
    expect(page.get_by_test_id(f"calendar-bar-{beauty.pk}").first).to_contain_text("草稿")
    expect(page.get_by_test_id(f"calendar-bar-{coupons.pk}").first).to_contain_text("已暂停")
    expect(page.get_by_test_id("calendar-now")).to_have_count(1)
    expect(page.get_by_test_id("calendar-overlaps")).to_contain_text("美妆节")
    colour = page.evaluate(
        "(id) => getComputedStyle(document.querySelector(`[data-testid=calendar-bar-${id}]`)).backgroundColor", main.pk
    )
    assert colour == "rgb(22, 163, 74)"  # running is green
    page.screenshot(path=str(screenshot_dir / "campaign-calendar-month.png"), full_page=True)

    page.get_by_test_id("calendar-filter-draft").click()
    page.wait_for_url("**status=draft**")
    expect(page.get_by_test_id(f"calendar-bar-{main.pk}")).to_have_count(0)
    expect(page.get_by_test_id(f"calendar-bar-{beauty.pk}").first).to_be_visible()

    page.goto("/console/marketing/campaigns/calendar/?view=week")
    expect(page.get_by_test_id(f"calendar-bar-{main.pk}").first).to_contain_text("618 主会场")
    page.screenshot(path=str(screenshot_dir / "campaign-calendar-week.png"), full_page=True)
    page.get_by_test_id(f"calendar-bar-{main.pk}").first.click()
    page.wait_for_url(f"**/console/marketing/campaigns/{main.pk}/")

    page.goto(f"/console/marketing/campaigns/overlap/?c={main.pk}&c={beauty.pk}")
    expect(page.get_by_test_id("overlap-payable")).to_have_text("¥85.00")
    expect(page.get_by_test_id("overlap-margin")).to_have_text("29.4%")
    expect(page.get_by_test_id(f"overlap-outcome-{beauty.pk}")).to_contain_text("被其他活动压过")
    expect(page.get_by_test_id(f"overlap-outcome-{beauty.pk}")).to_contain_text("已有更优惠的同类优惠")
    page.screenshot(path=str(screenshot_dir / "campaign-overlap.png"), full_page=True)

    page.goto(f"/console/marketing/campaigns/{beauty.pk}/")
    page.get_by_test_id("campaign-publish").click()
    warning = page.get_by_test_id("campaign-stacking-warning")
    expect(warning).to_contain_text("被「618 主会场」压过")
    expect(warning).to_contain_text("实付 ¥85.00")
    page.screenshot(path=str(screenshot_dir / "campaign-stacking-warning.png"), full_page=True)
    assert Campaign.objects.get(pk=beauty.pk).status == CampaignStatus.DRAFT
    page.get_by_test_id("campaign-stacking-confirm").click()
    expect(page.get_by_test_id("campaign-status")).to_have_text("预热")
    audit = AuditLog.objects.get(action="campaign.publish", target_id=str(beauty.pk))
    assert audit.data["stacking_confirmed"][0]["kind"] == "beaten"
    expect(page.locator("body")).to_contain_text("已确认 1 条叠加提醒")
