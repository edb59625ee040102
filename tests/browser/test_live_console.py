"""Live selling (F24) in a real browser: the merchant opens 直播间 from the sidebar's 内容 group,
syncs the rooms from WeChat (at the HTTP boundary), opens a room, sets a fan price in yuan and
reads a drawn lottery's verification data and the room's orders."""

from __future__ import annotations

import datetime as dt

import responses
from django.utils import timezone
from playwright.sync_api import expect

from marketing.models import LiveFanPrice, LiveRoom
from marketing.services.live_lottery import LotteryForm, live_lottery_create, live_lottery_draw, live_lottery_enter
from marketing.tests.flash import shelf_sku
from marketing.tests.live.helpers import stub_live_info, wx_goods, wx_room
from members.tests.factories import MemberFactory
from members.tests.fixtures import SHOPPER_CONTEXT
from members.tests.wechat_stubs import stub_access_token


def test_the_merchant_syncs_rooms_and_runs_a_room(page_factory, owner, screenshot_dir):
    sku = shelf_sku(price=9900)
    with responses.RequestsMock(assert_all_requests_are_fired=False) as wechat:
        stub_access_token(wechat)
        stub_live_info(
            wechat,
            [
                wx_room(
                    roomid=101,
                    name="周五上新专场",
                    live_status=101,
                    start=timezone.now() - dt.timedelta(minutes=20),
                    goods=[wx_goods(goods_id=7, name="保温杯", url=f"pages/product/index?id={sku.product_id}")],
                ),
                wx_room(roomid=102, name="周六清仓夜", live_status=102),
            ],
        )
        page = page_factory(owner)
        page.goto("/admin/")
        page.locator("nav, aside").get_by_role("link", name="直播间").first.click()
        assert "/admin/marketing/liveroom/" in page.url
        page.get_by_role("link", name="同步直播间").first.click()
        expect(page.locator("body")).to_contain_text("已同步 2 个直播间（新增 2 个）。")
        expect(page.locator("#result_list")).to_contain_text("周五上新专场")
        expect(page.locator("#result_list")).to_contain_text("直播中")
        page.screenshot(path=str(screenshot_dir / "console-live-rooms.png"), full_page=True)

    room = LiveRoom.objects.get(wx_room_id=101)
    now = timezone.now()
    lottery = live_lottery_create(
        actor=owner,
        room_id=room.pk,
        form=LotteryForm(
            title="口令抽奖",
            keyword="多营好物",
            opens_at=now - dt.timedelta(minutes=10),
            closes_at=now + dt.timedelta(minutes=1),
            winners_count=2,
            prize_kind="points",
            points=50,
        ),
    )
    for name in ("张三丰", "李小龙", "王五"):
        live_lottery_enter(
            member=MemberFactory.create(nickname=name),
            lottery_id=lottery.pk,
            keyword="多营好物",
            context=SHOPPER_CONTEXT,
        )
    live_lottery_draw(actor=owner, lottery_id=lottery.pk, now=lottery.closes_at)

    page.locator("#result_list tr", has_text="周五上新专场").get_by_role("link", name="进入").click()
    expect(page.get_by_test_id("live-room-title")).to_contain_text("周五上新专场")
    expect(page.get_by_test_id(f"live-seed-{lottery.pk}")).to_have_text(
        LiveRoom.objects.get(pk=room.pk).lotteries.get().seed
    )
    page.locator("#id_fan-price_yuan").fill("69.90")
    page.locator("#id_fan-quota").fill("50")
    page.locator("#id_fan-sku").select_option(str(sku.pk))
    page.get_by_role("button", name="保存粉丝价").click()
    expect(page.locator("body")).to_contain_text("粉丝专属价已保存。")
    expect(page.get_by_test_id("live-fans")).to_contain_text("¥69.90")
    assert LiveFanPrice.objects.get(room=room).price == 6990
    expect(page.get_by_test_id("live-goods")).to_contain_text("¥99.00")
    page.screenshot(path=str(screenshot_dir / "console-live-room.png"), full_page=True)
