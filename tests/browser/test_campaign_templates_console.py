"""活动模板 in a real browser: a merchant picks 双11, sets the start, creates the draft in one
click, lands on the campaign with its page and tools in draft, and saves it as a template."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone
from playwright.sync_api import expect

from marketing.models import Campaign, CampaignStatus, CampaignTemplate


def test_a_template_becomes_a_draft_campaign_and_is_saved_back(page_factory, owner, screenshot_dir):
    page = page_factory(owner)
    start = timezone.localtime(timezone.now() + timedelta(days=5)).replace(hour=0, minute=0, second=0)

    page.goto("/console/marketing/campaign-templates/")
    expect(page.get_by_test_id("templates-builtin")).to_contain_text("双11")
    expect(page.get_by_test_id("templates-builtin")).to_contain_text("¥30,000.00")
    page.screenshot(path=str(screenshot_dir / "campaign_templates.png"), full_page=True)
    page.fill("#id_builtin-double11-starts_at_0", f"{start:%Y-%m-%d}")
    page.fill("#id_builtin-double11-starts_at_1", "00:00:00")
    page.get_by_test_id("template-use-builtin:double11").click()

    expect(page.get_by_test_id("campaign-status")).to_have_text("草稿")
    expect(page.get_by_test_id("campaign-tools")).to_contain_text("双11 每满300减50")
    expect(page.get_by_test_id("campaign-page-edit")).to_have_text("双11 狂欢")
    campaign = Campaign.objects.get()
    assert campaign.status == CampaignStatus.DRAFT and campaign.tools.count() == 3

    page.fill("#id_template-name", "我的双11")
    page.get_by_test_id("campaign-save-template-submit").click()
    expect(page.get_by_test_id("campaign-title")).to_contain_text("双11 狂欢")
    assert CampaignTemplate.objects.get().name == "我的双11"
    page.goto("/console/marketing/campaign-templates/")
    expect(page.get_by_test_id("templates-saved")).to_contain_text("我的双11")
