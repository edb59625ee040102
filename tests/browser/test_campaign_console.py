"""The campaign page in a real browser: a merchant creates a 618, links a price rule and a
flash slot, publishes it, adds stock to the slot live and pauses everything with one button."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone
from playwright.sync_api import expect

from marketing.models import Campaign, CampaignStatus, FlashItem, Promotion
from marketing.services.promotions import PromotionData, promotion_create
from marketing.tests.flash import first_item, make_slot, shelf_sku


def test_a_campaign_is_created_filled_published_adjusted_and_paused(page_factory, owner, screenshot_dir):
    now = timezone.now()
    promotion = promotion_create(
        actor=owner,
        data=PromotionData(
            type="full_reduction",
            name="满100减15",
            starts_at=now - timedelta(days=1),
            ends_at=now + timedelta(days=3),
            rules={"tiers": [{"threshold": "100.00", "off": "15.00"}]},
        ),
    )
    slot = make_slot(items=[(shelf_sku(stock=60), 10)], title="10 点场")
    item = first_item(slot)
    page = page_factory(owner)

    page.goto("/console/marketing/campaigns/new/")
    page.fill("#id_name", "618 大促")
    start, end = timezone.localtime(now - timedelta(hours=1)), timezone.localtime(now + timedelta(days=3))
    page.fill("#id_starts_at_0", f"{start:%Y-%m-%d}")
    page.fill("#id_starts_at_1", f"{start:%H:%M:%S}")
    page.fill("#id_ends_at_0", f"{end:%Y-%m-%d}")
    page.fill("#id_ends_at_1", f"{end:%H:%M:%S}")
    page.fill("#id_budget_amount", "5000")
    page.get_by_test_id("campaign-create").click()
    expect(page.get_by_test_id("campaign-status")).to_have_text("草稿")
    campaign = Campaign.objects.get(name="618 大促")

    for value in (f"promotion:{promotion.pk}", f"flash:{slot.pk}"):
        page.select_option("#id_tool-tool", value)
        page.get_by_test_id("campaign-add-tool-submit").click()
    expect(page.get_by_test_id("campaign-tools")).to_contain_text("满100减15")
    expect(page.get_by_test_id("campaign-tools")).to_contain_text("10 点场")
    page.get_by_test_id("campaign-publish").click()
    expect(page.get_by_test_id("campaign-status")).to_have_text("进行中")
    expect(page.get_by_test_id("campaign-budget-amount")).to_contain_text("¥5,000.00")

    flash_tool = campaign.tools.get(kind="flash")
    page.select_option(f"#id_adjust{flash_tool.pk}-action", "add_stock")
    page.fill(f"#id_adjust{flash_tool.pk}-units", "5")
    page.get_by_test_id(f"campaign-adjust-submit-{flash_tool.pk}").click()
    expect(page.get_by_test_id(f"campaign-tool-flash-{slot.pk}")).to_contain_text("共 15 件")
    assert FlashItem.objects.get(pk=item.pk).quota == 15
    page.screenshot(path=str(screenshot_dir / "campaign.png"), full_page=True)

    page.get_by_test_id("campaign-pause").click()
    expect(page.get_by_test_id("campaign-status")).to_have_text("已暂停")
    expect(page.get_by_test_id("campaign-audit")).to_contain_text("暂停")
    assert Campaign.objects.get(pk=campaign.pk).status == CampaignStatus.PAUSED
    assert not Promotion.objects.get(pk=promotion.pk).is_active
