"""营销效果 in a real browser (issue 15): the three charts draw, and the live dashboard of one
campaign picks up a new paid order on its own after a minute (the page's clock is fast-forwarded)."""

from __future__ import annotations

from django.core.cache import cache
from django.utils import timezone
from playwright.sync_api import expect

from analytics.services.attribution import shop_day
from analytics.services.figure_rollups import figures_rollup
from mall.models import ShopSettings
from marketing.services.promotions import promotion_create
from marketing.tests.conftest import pay, place, promotion_data
from members.tests.factories import MemberFactory
from orders.tests.factories import SkuFactory
from tests.browser.charts import charts_of


def _shop(owner):  # type: ignore[no-untyped-def]
    shop = ShopSettings.load()
    shop.shipping_flat_fee, shop.free_shipping_threshold = 800, 9900
    shop.save()
    promotion = promotion_create(actor=owner, data=promotion_data())
    sku = SkuFactory.create(price=10000, stock=50)
    sku.cost_price = 4000
    sku.save(update_fields=["cost_price"])
    return promotion, sku


def test_roi_page_draws_its_charts_and_ranks_tools(page_factory, owner, screenshot_dir):
    _promotion, sku = _shop(owner)
    pay(place(MemberFactory.create(), [(sku, 1)]))
    pay(place(MemberFactory.create(), [(sku, 2)]))
    today = shop_day(timezone.now())
    figures_rollup(start=today, end=today)

    page = page_factory(owner)
    page.goto("/console/analytics/roi/?days=7")
    expect(page.get_by_test_id("roi-title")).to_have_text("营销效果")
    # 85.00 + 8.00 shipping and 185.00 (shipping waived): GMV 278.00 for 15.00 + 15.00 off
    row = page.get_by_test_id("tool-row").filter(has_text="价格规则")
    expect(row.get_by_test_id("tool-roi")).to_have_text("1:9.3")
    kinds = charts_of(
        page, "() => [...document.querySelectorAll('canvas.chart')].map(c => Chart.getChart(c).config.type)"
    )
    assert kinds == ["bar", "line", "scatter"]
    expect(page.get_by_test_id("product-row")).to_have_count(1)
    page.screenshot(path=str(screenshot_dir / "console-roi.png"), full_page=True)


def test_live_dashboard_refreshes_within_a_minute(page_factory, owner, screenshot_dir):
    promotion, sku = _shop(owner)
    pay(place(MemberFactory.create(), [(sku, 1)]))
    cache.clear()

    page = page_factory(owner)
    page.clock.install()
    page.goto(f"/console/analytics/live/promotion/{promotion.pk}/")
    expect(page.get_by_test_id("live-title")).to_contain_text("满100减15")
    orders = page.locator("[data-live='total.orders']")
    expect(orders).to_have_text("1")
    expect(page.get_by_test_id("live-adjust")).to_have_attribute(
        "href", f"/admin/marketing/promotion/{promotion.pk}/change/"
    )

    pay(place(MemberFactory.create(), [(sku, 2)]))
    cache.clear()  # the selector's one-minute cache has run out by the next poll
    page.clock.fast_forward(60_000)
    expect(orders).to_have_text("2")
    expect(page.locator("[data-live='total.gmv']")).to_have_text("¥278.00")
    page.screenshot(path=str(screenshot_dir / "console-live.png"), full_page=True)
