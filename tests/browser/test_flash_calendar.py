"""The flash-sale calendar in a real browser: a merchant's week of slots, live counts as bars,
a draft filled and published from its page, stock added while it runs.

Slots are set around the real clock: buying goes through the Redis gate, which judges a slot
open by Redis server time (frozen Python time does not move it).
"""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone
from playwright.sync_api import expect

from marketing.models import FlashItem, FlashSlot, FlashSlotStatus
from marketing.tests.flash import buy, first_item, make_slot, shelf_sku
from members.tests.factories import MemberFactory


def test_the_calendar_shows_the_week_with_live_counts_and_opens_a_slot(page_factory, owner, screenshot_dir):
    running = make_slot(items=[(shelf_sku(), 10), (shelf_sku(), 4)], starts_in=timedelta(minutes=-5))
    later = make_slot(items=[(shelf_sku(), 20)], starts_in=timedelta(hours=7), publish=False)
    item = first_item(running)
    buyers = MemberFactory.create_batch(3)
    for shopper in buyers:
        buy(shopper, item)
    page = page_factory(owner)

    page.goto(f"/console/marketing/flash/?start={timezone.localtime(running.starts_at):%Y-%m-%d}")
    assert page.get_by_test_id("flash-calendar-title").inner_text() == "秒杀日历"
    card = page.get_by_test_id(f"flash-slot-{running.pk}")
    expect(card).to_contain_text("抢购中")
    expect(page.get_by_test_id(f"flash-counts-{item.pk}")).to_contain_text("待支付 3")
    expect(page.get_by_test_id(f"flash-counts-{item.pk}")).to_contain_text("剩余 7")
    expect(page.get_by_test_id(f"flash-slot-{later.pk}")).to_contain_text("草稿")
    # the bar's sold+locked part is 30% of the track
    ratio = page.evaluate(
        """(id) => { const bar = document.querySelector(`[data-testid=flash-item-${id}] .dy-flash-bar`);
                      const locked = bar.querySelector('.locked');
                      return locked.getBoundingClientRect().width / bar.getBoundingClientRect().width; }""",
        item.pk,
    )
    assert 0.25 < ratio < 0.35
    page.screenshot(path=str(screenshot_dir / "flash-calendar.png"), full_page=True)

    card.click()
    page.wait_for_url(f"**/console/marketing/flash/{running.pk}/")
    expect(page.get_by_test_id(f"flash-row-counts-{item.pk}")).to_contain_text("库存 10")
    page.fill(f"#id_quota{item.pk}-units", "5")
    page.get_by_test_id(f"flash-add-quota-{item.pk}").click()
    expect(page.get_by_test_id(f"flash-row-counts-{item.pk}")).to_contain_text("库存 15")
    page.screenshot(path=str(screenshot_dir / "flash-slot.png"), full_page=True)
    assert FlashItem.objects.get(pk=item.pk).quota == 15


def test_a_draft_is_filled_and_published_in_the_browser(page_factory, owner):
    sku = shelf_sku(stock=80, price=5900)
    draft = make_slot(items=[], starts_in=timedelta(hours=2), publish=False)
    page = page_factory(owner)
    page.goto(f"/console/marketing/flash/{draft.pk}/")
    page.select_option("#id_new-sku", str(sku.pk))
    page.fill("#id_new-flash_price", "9.90")
    page.fill("#id_new-quota", "50")
    page.get_by_test_id("flash-add-item-submit").click()
    expect(page.get_by_test_id("flash-items")).to_contain_text("¥9.90")
    page.get_by_test_id("flash-publish").click()
    expect(page.get_by_test_id("flash-slot-status")).to_have_text("已发布")
    expect(page.get_by_test_id("flash-slot-state")).to_have_text("即将开始")
    assert FlashSlot.objects.get(pk=draft.pk).status == FlashSlotStatus.PUBLISHED
    assert type(sku).objects.get(pk=sku.pk).stock == 30
