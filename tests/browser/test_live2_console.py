"""Lane live2's console faces in a real browser: a live room WeChat deleted is told after a sync
(and labelled in the list), and the campaign edit form asks before saving a window that stacks
badly with another campaign (仍然保存)."""

from __future__ import annotations

import datetime as dt

import responses
from django.utils import timezone
from playwright.sync_api import expect

from marketing.models import Campaign
from marketing.services.live import live_rooms_sync
from marketing.tests.calendar.helpers import campaign, sku
from marketing.tests.live.helpers import GETLIVEINFO_URL, stub_live_info, wx_room
from members.tests.wechat_stubs import stub_access_token

MINUS_15 = {"type": "full_reduction", "rules": {"tiers": [{"threshold": "100.00", "off": "15.00"}]}}
MINUS_10 = {"type": "full_reduction", "rules": {"tiers": [{"threshold": "100.00", "off": "10.00"}]}}


def test_a_room_deleted_in_wechat_is_told_after_the_sync(page_factory, owner, screenshot_dir):
    with responses.RequestsMock(assert_all_requests_are_fired=False) as wechat:
        stub_access_token(wechat)
        stub_live_info(wechat, [wx_room(roomid=201, name="周五上新专场"), wx_room(roomid=202, name="周六清仓夜")])
        live_rooms_sync()
        wechat.remove(responses.POST, GETLIVEINFO_URL)
        stub_live_info(wechat, [wx_room(roomid=201, name="周五上新专场")])
        page = page_factory(owner)
        page.goto("/admin/marketing/liveroom/")
        page.get_by_role("link", name="同步直播间").first.click()
        expect(page.locator("body")).to_contain_text("1 个直播间已在微信删除，小程序中不再显示。")
        row = page.locator("#result_list tr", has_text="周六清仓夜")
        expect(row).to_contain_text("微信已删除")
        expect(page.locator("#result_list tr", has_text="周五上新专场")).to_contain_text("预告")
        page.screenshot(path=str(screenshot_dir / "console-live-room-gone.png"), full_page=True)


def test_moving_a_campaign_onto_a_beating_one_asks_before_saving(page_factory, owner, screenshot_dir):
    now = timezone.now().replace(second=0, microsecond=0)
    sku("LIP-01", "100.00", "60.00")
    campaign(owner, "618 主会场", publish=True, promotions=[MINUS_15], base=now)
    later = campaign(owner, "美妆节", promotions=[MINUS_10], starts=dt.timedelta(days=7), publish=True, base=now)
    start = timezone.localtime(now)
    page = page_factory(owner)
    page.goto(f"/console/marketing/campaigns/{later.pk}/")
    page.locator("summary", has_text="修改活动").click()
    form = page.get_by_test_id("campaign-edit-form")
    form.locator('input[name="edit-starts_at_0"]').fill(f"{start:%Y-%m-%d}")
    form.locator('input[name="edit-starts_at_1"]').fill(f"{start:%H:%M:%S}")
    form.locator('input[name="edit-ends_at_0"]').fill(f"{start + dt.timedelta(days=2):%Y-%m-%d}")
    form.get_by_role("button", name="保存", exact=True).click()
    warning = page.get_by_test_id("campaign-stacking-warning")
    expect(warning).to_contain_text("保存前请确认")
    expect(warning).to_contain_text("被「618 主会场」压过")
    page.screenshot(path=str(screenshot_dir / "console-campaign-edit-stacking.png"), full_page=True)
    assert timezone.localtime(Campaign.objects.get(pk=later.pk).starts_at).date() != start.date()
    page.get_by_test_id("campaign-stacking-confirm").click()
    expect(page.locator("body")).to_contain_text("活动已保存。")
    expect(page.locator("body")).to_contain_text("已确认 1 条叠加提醒")
    assert timezone.localtime(Campaign.objects.get(pk=later.pk).starts_at).date() == start.date()
