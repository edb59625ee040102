"""The demo shop (``seed_demo``) in a real browser: the 裂变数据 cards and the coupon list show the
seeded history's figures, not zeros."""

from __future__ import annotations

from io import StringIO

from django.core.management import call_command
from playwright.sync_api import expect

from mall.console.display import yuan
from marketing.models import CouponTemplate
from marketing.selectors.distribution import distribution_totals


def test_the_demo_shop_console_shows_its_history(page_factory, owner, screenshot_dir):
    call_command("seed_demo", "--shoppers", "20", "--days", "10", stdout=StringIO())
    totals = distribution_totals()
    assert min(totals["frozen"], totals["available"], totals["paid"], totals["reversed"]) > 0

    page = page_factory(owner)
    page.goto("/console/marketing/growth/")
    expect(page.get_by_test_id("growth-title")).to_have_text("裂变数据")
    expect(page.get_by_test_id("kpi-commission_frozen")).to_have_text(yuan(totals["frozen"]))
    expect(page.get_by_test_id("kpi-commission_available")).to_have_text(yuan(totals["available"]))
    expect(page.get_by_test_id("kpi-commission_paid")).to_have_text(yuan(totals["paid"]))
    expect(page.get_by_test_id("kpi-commission_orders")).to_have_text(str(totals["orders"]))
    page.screenshot(path=str(screenshot_dir / "console-demo-growth.png"), full_page=True)

    page.goto("/admin/marketing/coupontemplate/")
    # a draft campaign's coupons (the 年货节 made from its template) are switched off, so nothing is issued yet
    for template in CouponTemplate.objects.filter(channel="claim", is_active=True):
        total = "∞" if template.total_quantity is None else str(template.total_quantity)
        assert template.issued_count > 0
        row = page.locator("tr", has_text=template.name)
        expect(row).to_contain_text(f"{template.issued_count}/{total}")
    page.screenshot(path=str(screenshot_dir / "console-demo-coupons.png"), full_page=True)
