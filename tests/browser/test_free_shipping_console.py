"""包邮 in the console in a real browser (issue 10 §4, §5): a flash item ticked 包邮 on its draft
slot's page shows the badge; the promotion type chooser has no 秒杀价 and points to the calendar."""

from __future__ import annotations

from datetime import timedelta

from playwright.sync_api import expect

from marketing.models import FlashItem
from marketing.tests.flash import make_slot, shelf_sku


def test_a_flash_item_is_ticked_free_shipping_and_shows_the_badge(page_factory, owner, screenshot_dir):
    sku = shelf_sku(stock=80, price=5900)
    draft = make_slot(items=[], starts_in=timedelta(hours=2), publish=False)
    page = page_factory(owner)
    page.goto(f"/console/marketing/flash/{draft.pk}/")
    form = page.get_by_test_id("flash-add-item")
    expect(form).to_contain_text("包邮")
    form.locator("#id_new-sku").select_option(str(sku.pk))
    page.fill("#id_new-flash_price", "9.90")
    page.fill("#id_new-quota", "20")
    page.check("#id_new-free_shipping")
    page.get_by_test_id("flash-add-item-submit").click()
    item = FlashItem.objects.get(slot=draft)
    expect(page.get_by_test_id(f"flash-free-shipping-{item.pk}")).to_have_text("包邮")
    assert item.free_shipping is True
    page.screenshot(path=str(screenshot_dir / "flash-slot-free-shipping.png"), full_page=True)


def test_the_promotion_type_chooser_sends_flash_sales_to_the_calendar(page_factory, owner, screenshot_dir):
    page = page_factory(owner)
    page.goto("/admin/marketing/promotion/add/")
    choice = page.get_by_test_id("promotion-type-choice")
    expect(choice).to_contain_text("满减")
    expect(choice.locator("[data-type=flash_sale]")).to_have_count(0)
    expect(page.get_by_test_id("flash-sale-elsewhere")).to_contain_text("秒杀不在这里创建")
    page.screenshot(path=str(screenshot_dir / "promotion-type-choice.png"), full_page=True)
    page.get_by_test_id("flash-sale-elsewhere").get_by_role("link").click()
    page.wait_for_url("**/console/marketing/flash/")


def test_the_group_buy_list_shows_free_shipping(page_factory, owner, screenshot_dir):
    from django.utils import timezone

    from marketing.services.group_buys import GroupBuyCampaignData, GroupBuyItemData, group_buy_campaign_create

    sku = shelf_sku(stock=50, price=5900)
    now = timezone.now()
    group_buy_campaign_create(
        actor=owner,
        data=GroupBuyCampaignData(
            name="面霜 3 人团 包邮",
            product_id=sku.product_id,
            starts_at=now - timedelta(hours=1),
            ends_at=now + timedelta(days=3),
            items=(GroupBuyItemData(sku_id=sku.pk, price=2900),),
            free_shipping=True,
        ),
    )
    page = page_factory(owner)
    page.goto("/admin/marketing/groupbuycampaign/")
    header = page.locator("#result_list thead")
    expect(header).to_contain_text("包邮")
    page.screenshot(path=str(screenshot_dir / "group-buy-list.png"), full_page=True)
