"""In a real browser: SKU pickers search by product name and show name, spec and price; a
refused page is the console's own 403 with a way back; the console carries a favicon."""

from __future__ import annotations

from playwright.sync_api import expect

from mall.services.staff import staff_create
from orders.tests.factories import SkuFactory


def test_promotion_sku_picker_searches_by_name(page_factory, owner, screenshot_dir):
    for title, code, price in (("玻尿酸精华", "DY001-01", 12900), ("坚果混合装", "DY002-01", 5900)):
        sku = SkuFactory.create(code=code, price=price, specs={"规格": "标准装"})
        sku.product.title = title
        sku.product.save(update_fields=["title"])
    page = page_factory(owner)

    page.goto("/admin/marketing/promotion/add/?type=full_reduction")
    search = page.locator("#id_skus + .select2 .select2-search__field")
    search.scroll_into_view_if_needed()
    search.click()
    search.type("玻尿酸")
    options = page.locator(".select2-results__option")
    expect(options).to_have_count(1)
    expect(options.first).to_have_text("玻尿酸精华 标准装 · ¥129.00 · DY001-01")
    page.screenshot(path=str(screenshot_dir / "sku-picker.png"))
    search.fill("")
    search.type("没有这个")
    expect(page.locator(".select2-results")).to_contain_text("未找到结果")  # Select2 speaks Chinese
    assert page.locator("link[rel=icon][href$='console/favicon.svg']").count() == 1


def test_forbidden_page_offers_a_way_back(page_factory, owner, screenshot_dir):
    operator = staff_create(username="yunying1", password="staff-pass-123", role="operator", actor=owner)
    page = page_factory(operator)

    response = page.goto("/admin/auth/user/")
    assert response is not None and response.status == 403
    expect(page.get_by_test_id("forbidden")).to_contain_text("没有访问权限")
    page.screenshot(path=str(screenshot_dir / "forbidden.png"))
    page.get_by_test_id("forbidden-home").click()
    page.wait_for_url("**/admin/")
    expect(page.get_by_test_id("home-title")).to_have_text("经营概况")
