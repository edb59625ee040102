"""Topic pages (F25) in a real browser: the merchant writes a guide block in the page editor (its
product card drawn in the preview from the same JSON the mini-program gets), publishes, opens
专题页 from the sidebar, makes the page a topic with its card, and sees it listed with figures
in yuan; GET topics then lists it."""

from __future__ import annotations

from playwright.sync_api import expect
from rest_framework.test import APIClient

from mall.models import Category, Product, Sku
from marketing.services.pages import PageData, page_create


def test_the_merchant_writes_a_guide_and_lists_the_page_as_a_topic(page_factory, owner, screenshot_dir):
    category = Category.objects.create(name="文具")
    lamp = Product.objects.create(category=category, title="护眼智能台灯", min_price=19900, is_on_shelf=True)
    Sku.objects.create(product=lamp, code="LAMP-1", price=19900, stock=12)
    made = page_create(actor=owner, data=PageData(title="开学季必备", slug="back-to-school"))

    page = page_factory(owner)
    page.goto(f"/console/marketing/pages/{made.pk}/")
    page.get_by_test_id("palette-guide").click()
    body = page.locator("[data-testid=block-0] textarea[data-field=body]")
    body.fill(f"新学期开始了。\n\n## 书桌上的好帮手\n\n晚上写作业不伤眼：[商品:{lamp.pk}]")
    body.dispatch_event("change")
    preview = page.get_by_test_id("page-preview-pane")
    guide = preview.locator("[data-block-type=guide]")
    expect(guide).to_contain_text("书桌上的好帮手")
    expect(guide.locator(".dy-pb-guide-card")).to_contain_text("护眼智能台灯")
    expect(guide.locator(".dy-pb-guide-card")).to_contain_text("¥199.00")
    expect(guide.locator(".dy-pb-guide-card")).to_contain_text("库存 12")
    page.get_by_test_id("page-save-publish").click()
    expect(page.get_by_test_id("page-status")).to_have_text("已发布")
    page.screenshot(path=str(screenshot_dir / "console-guide-block.png"), full_page=True)

    page.goto("/admin/")
    page.locator("#nav-sidebar-apps, nav, aside").get_by_role("link", name="专题页").first.click()
    expect(page.get_by_test_id("topics-title")).to_have_text("专题页")
    page.get_by_test_id("topic-pick").locator("select").select_option(str(made.pk))
    page.get_by_test_id("topic-pick").get_by_role("button", name="设置专题").click()
    expect(page.get_by_test_id("topic-edit-title")).to_contain_text("开学季必备")
    page.locator("input[name=subtitle]").fill("书桌、网课、早餐一次备齐")
    page.locator("input[name=sort_order]").fill("9")
    page.get_by_test_id("topic-save").click()

    row = page.get_by_test_id("topic-row")
    expect(row).to_contain_text("开学季必备")
    expect(row).to_contain_text("书桌、网课、早餐一次备齐")
    expect(row).to_contain_text("列表中")
    expect(row.get_by_test_id("topic-gmv")).to_have_text("¥0.00")
    page.screenshot(path=str(screenshot_dir / "console-topics.png"), full_page=True)

    listed = APIClient().get("/api/v1/topics").json()["results"]
    assert [(t["slug"], t["subtitle"]) for t in listed] == [("back-to-school", "书桌、网课、早餐一次备齐")]
