"""效果模拟 (B01) in a real browser: pick a type, fill the promotion form, watch the run's
progress poll until the background task finishes, then read the figures and the chart."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone
from playwright.sync_api import expect

from mall.models import Category, Product, Sku
from marketing.models import WhatIfRun
from marketing.services.whatif import whatif_run_execute
from marketing.tests.whatif_orders import paid, shopper


def _orders() -> None:
    category = Category.objects.create(name="零食")
    product = Product.objects.create(category=category, title="零食礼盒", min_price=12500)
    sku = Sku.objects.create(product=product, code="SNACK-BOX", price=12500, stock=100, cost_price=8000)
    member = shopper()
    now = timezone.now()
    for days, qty in ((1, 2), (2, 1), (3, 2)):
        order = paid(member, (sku, qty))
        order.paid_at = order.expires_at = now - timedelta(days=days)
        order.save(update_fields=["paid_at", "expires_at"])


def test_whatif_page_runs_a_new_tier_and_shows_the_chart(page_factory, owner, screenshot_dir, monkeypatch):  # type: ignore[no-untyped-def]
    monkeypatch.setattr("marketing.services.whatif._enqueue", lambda run_id: None)  # the test plays the worker
    _orders()
    page = page_factory(owner)
    page.goto("/console/marketing/whatif/")
    expect(page.get_by_test_id("whatif-assumption")).to_contain_text("同样的订单")
    page.locator("[data-testid='whatif-types'] a[data-type='full_reduction']").click()
    page.fill("#id_tiers", "199:30")
    page.fill("#id_days", "7")
    page.get_by_test_id("whatif-submit").click()
    expect(page.get_by_test_id("whatif-progress")).to_be_visible()

    whatif_run_execute(run_id=WhatIfRun.objects.get().pk)
    expect(page.get_by_test_id("whatif-chart")).to_be_visible(timeout=10_000)  # the poll saw it finish
    expect(page.get_by_test_id("orders")).to_have_text("3")
    expect(page.get_by_test_id("affected")).to_have_text("2")
    table = page.get_by_test_id("whatif-table")
    expect(table).to_contain_text("¥60.00")  # 2 × 满199减30, in yuan
    expect(table).not_to_contain_text("6000")
    page.screenshot(path=str(screenshot_dir / "console-whatif.png"), full_page=True)
