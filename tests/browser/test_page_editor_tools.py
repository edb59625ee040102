"""The page editor's 拼团 block creates its group buy inline in a real browser: the merchant
types the product, gets the group-buy form (one price per SKU, in yuan), is refused in Chinese
exactly as on the group-buy page, fixes it, and the new campaign lands in the block and the
preview."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone
from playwright.sync_api import expect

from mall.models import Category, Product, ShopSettings, Sku
from marketing.models import GroupBuyCampaign
from marketing.services.pages import PageData, page_create


def test_a_group_buy_block_creates_its_campaign_inline(page_factory, owner, screenshot_dir):
    ShopSettings.load()
    product = Product.objects.create(
        category=Category.objects.create(name="美妆"), title="保湿面霜", min_price=5900, is_on_shelf=True
    )
    sku = Sku.objects.create(product=product, code="CREAM-50", specs={"规格": "50ml"}, price=5900, stock=50)
    made = page_create(actor=owner, data=PageData(title="双 12 会场", slug="double12"))

    page = page_factory(owner)
    page.goto(f"/console/marketing/pages/{made.pk}/")
    page.get_by_test_id("palette-group_buy").click()
    inline = page.get_by_test_id("tool-inline-group_buy")
    inline.locator("summary").click()
    page.get_by_test_id("tool-inline-product").fill(str(product.pk))
    page.get_by_test_id("tool-inline-load").click()
    expect(inline.locator(f"[data-tool-field=price_{sku.pk}]")).to_be_visible()
    expect(inline).to_contain_text("售价 ¥59.00")
    inline.locator("[data-tool-field=name]").fill("面霜 3 人团")
    inline.locator("[data-tool-field=group_size]").fill("3")
    now = timezone.localtime()
    inline.locator("[data-tool-field=starts_at]").fill(now.strftime("%Y-%m-%dT%H:%M"))
    inline.locator("[data-tool-field=ends_at]").fill((now + timedelta(days=7)).strftime("%Y-%m-%dT%H:%M"))
    inline.locator(f"[data-tool-field=price_{sku.pk}]").fill("69")
    page.get_by_test_id("tool-inline-create").click()
    expect(page.get_by_test_id("tool-inline-errors")).to_contain_text("低于售价 ¥59.00")
    assert not GroupBuyCampaign.objects.exists()

    inline.locator(f"[data-tool-field=price_{sku.pk}]").fill("29")
    page.get_by_test_id("tool-inline-create").click()
    preview = page.get_by_test_id("page-preview-pane")
    expect(preview.locator("[data-block-type=group_buy]")).to_contain_text("¥29.00")
    campaign = GroupBuyCampaign.objects.get()
    expect(page.locator("[data-testid=block-0] [data-field=campaign_ids]")).to_have_value(str(campaign.pk))
    expect(page.get_by_test_id("tool-inline-errors")).to_have_text(f"已创建并加入本区块：{campaign}")
    expect(page.get_by_test_id("tool-inline-errors")).to_be_visible()
    page.screenshot(path=str(screenshot_dir / "console-page-editor-group-buy.png"), full_page=True)
