"""F31 in a real browser: a paused campaign's banner on the dashboard leads the merchant to the
evidence (the farm's IP addresses and devices), and resuming clears the banner."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone
from playwright.sync_api import expect

from marketing.models import Campaign, CampaignStatus
from marketing.services.campaign_anomaly import (
    DEFAULT_THRESHOLDS,
    MinuteFigures,
    anomaly_reasons,
    campaign_anomaly_raise,
)
from marketing.services.campaigns import CampaignData, campaign_create, campaign_publish, campaign_tool_add
from marketing.services.coupons import CouponTemplateData, coupon_template_create


def test_the_banner_leads_to_the_evidence_and_resuming_clears_it(page_factory, owner, screenshot_dir):
    now = timezone.now()
    campaign = campaign_create(
        actor=owner,
        data=CampaignData(name="爆款券日", starts_at=now - timedelta(hours=1), ends_at=now + timedelta(days=1)),
    )
    template = coupon_template_create(
        actor=owner, data=CouponTemplateData(name="爆款券", kind="amount_off", threshold=0, off=2000, valid_days=7)
    )
    campaign_tool_add(actor=owner, campaign_id=campaign.pk, kind="coupon", object_id=template.pk)
    campaign_publish(actor=owner, campaign_id=campaign.pk)
    figures = MinuteFigures(
        participations=160,
        new_accounts=150,
        baseline=3.0,
        accounts_by_ip={"203.0.113.9": 90, "203.0.113.10": 60},
        accounts_by_device={"farm-a": 80, "farm-b": 79},
    )
    campaign_anomaly_raise(
        campaign=campaign,
        window_start=now.replace(second=0, microsecond=0),
        figures=figures,
        limits=DEFAULT_THRESHOLDS,
        reasons=anomaly_reasons(figures, DEFAULT_THRESHOLDS),
    )
    page = page_factory(owner)

    page.goto("/admin/")
    banner = page.get_by_test_id("anomaly-banner")
    expect(banner).to_contain_text("爆款券日")
    expect(banner).to_contain_text("每分钟参与 160 次，预期 20 次")
    banner.get_by_text("查看证据并处理").click()
    alerts = page.get_by_test_id("anomaly-alerts")
    expect(alerts).to_contain_text("203.0.113.9：90 个账号")
    expect(alerts).to_contain_text("farm-a：80 个账号")
    page.screenshot(path=str(screenshot_dir / "anomaly_alerts.png"), full_page=True)

    page.locator("[data-testid^=anomaly-resume-]").click()
    expect(page.get_by_test_id("anomaly-banner")).to_have_count(0)
    assert Campaign.objects.get(pk=campaign.pk).status == CampaignStatus.LIVE
