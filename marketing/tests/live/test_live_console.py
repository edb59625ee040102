"""The console's live pages (内容 › 直播): the rooms list with 同步 and 创建, one room's page with its
deals, the draw button and its verification data, fan prices in yuan, WeChat's refusals in words."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
import responses
from django.contrib.auth.models import Permission, User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone
from PIL import Image

from mall.models import AuditLog
from marketing.models import LiveFanPrice, LiveLottery, LiveRoom, LotteryStatus
from marketing.services.live_lottery import LotteryForm, live_lottery_create, live_lottery_enter
from marketing.tests.flash import shelf_sku
from marketing.tests.live.helpers import (
    MEDIA_UPLOAD_URL,
    ROOM_CREATE_URL,
    stub_live_info,
    synced_room,
    wx_room,
)
from members.tests.factories import MemberFactory
from members.tests.fixtures import SHOPPER_CONTEXT

pytestmark = pytest.mark.django_db


def _png() -> bytes:
    """A small real PNG: the form's ImageField opens it with Pillow."""
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), (234, 88, 12)).save(buffer, format="PNG")
    return buffer.getvalue()


PNG = _png()


@pytest.fixture
def owner_client() -> Client:
    owner = User.objects.create_superuser(username="owner", password="x", email="owner@example.com")
    client = Client()
    client.force_login(owner)
    return client


def test_rooms_list_and_sync_button(wechat_api: responses.RequestsMock, owner_client: Client) -> None:
    stub_live_info(
        wechat_api, [wx_room(roomid=1, name="周五上新专场"), wx_room(roomid=2, name="周六清仓", live_status=101)]
    )
    answer = owner_client.get("/admin/marketing/liveroom/sync/", follow=True)
    page = answer.content.decode()
    assert "已同步 2 个直播间（新增 2 个）。" in page
    assert "周五上新专场" in page and "预告" in page and "直播中" in page
    assert "创建直播间" in page and "同步直播间" in page
    assert LiveRoom.objects.count() == 2
    assert AuditLog.objects.filter(action="live.sync").exists()


def test_sync_refusal_is_shown_in_words(wechat_api: responses.RequestsMock, owner_client: Client) -> None:
    wechat_api.add(
        responses.POST,
        "https://api.weixin.qq.com/wxa/business/getliveinfo",
        json={"errcode": 9410001, "errmsg": "get room fail"},
    )
    page = owner_client.get("/admin/marketing/liveroom/sync/", follow=True).content.decode()
    assert "获取直播间失败，请稍后再试。" in page


def test_create_room_at_wechat_from_the_console(wechat_api: responses.RequestsMock, owner_client: Client) -> None:
    wechat_api.add(responses.POST, MEDIA_UPLOAD_URL, json={"type": "image", "media_id": "M1", "created_at": 1})
    wechat_api.add(responses.POST, ROOM_CREATE_URL, json={"errcode": 0, "roomId": 4321})
    start = timezone.localtime() + dt.timedelta(days=1)
    data: dict[str, Any] = {
        "name": "周五上新专场",
        "start_time_0": f"{start:%Y-%m-%d}",
        "start_time_1": "20:00",
        "end_time_0": f"{start:%Y-%m-%d}",
        "end_time_1": "22:00",
        "anchor_name": "小多",
        "anchor_wechat": "duoying_anchor",
        "cover": SimpleUploadedFile("cover.png", PNG, content_type="image/png"),
        "share": SimpleUploadedFile("share.png", PNG, content_type="image/png"),
    }
    answer = owner_client.post("/console/marketing/live/new/", data, follow=True)
    room = LiveRoom.objects.get(wx_room_id=4321)
    assert answer.redirect_chain[-1][0] == f"/console/marketing/live/{room.pk}/"
    assert "直播间已创建，微信直播间号 4321。" in answer.content.decode()


def test_create_room_refusal_keeps_the_form_with_the_reason(
    wechat_api: responses.RequestsMock, owner_client: Client
) -> None:
    wechat_api.add(responses.POST, MEDIA_UPLOAD_URL, json={"type": "image", "media_id": "M1", "created_at": 1})
    wechat_api.add(responses.POST, ROOM_CREATE_URL, json={"errcode": 300036, "errmsg": "主播微信号未实名认证"})
    start = timezone.localtime() + dt.timedelta(days=1)
    answer = owner_client.post(
        "/console/marketing/live/new/",
        {
            "name": "周五上新专场",
            "start_time_0": f"{start:%Y-%m-%d}",
            "start_time_1": "20:00",
            "end_time_0": f"{start:%Y-%m-%d}",
            "end_time_1": "22:00",
            "anchor_name": "小多",
            "anchor_wechat": "duoying_anchor",
            "cover": SimpleUploadedFile("cover.png", PNG, content_type="image/png"),
            "share": SimpleUploadedFile("share.png", PNG, content_type="image/png"),
        },
    )
    assert answer.status_code == 200
    assert "主播微信号未实名认证，请先在微信中完成实名认证。" in answer.content.decode()
    assert not LiveRoom.objects.exists()


def test_room_page_draws_once_and_shows_the_proof(wechat_api: responses.RequestsMock, owner_client: Client) -> None:
    room = synced_room(wechat_api, roomid=10, live_status=101, start=timezone.now() - dt.timedelta(minutes=30))
    staff = User.objects.get(username="owner")
    now = timezone.now()
    lottery = live_lottery_create(
        actor=staff,
        room_id=room.pk,
        form=LotteryForm(
            title="口令抽奖",
            keyword="多营好物",
            opens_at=now - dt.timedelta(minutes=20),
            closes_at=now + dt.timedelta(minutes=5),
            winners_count=1,
            prize_kind="points",
            points=50,
        ),
    )
    for _i in range(3):
        live_lottery_enter(
            member=MemberFactory.create(nickname="张三丰"),
            lottery_id=lottery.pk,
            keyword="多营好物",
            context=SHOPPER_CONTEXT,
        )
    url = f"/console/marketing/live/{room.pk}/"
    page = owner_client.get(url).content.decode()
    assert lottery.seed_hash in page and lottery.seed not in page
    assert f'data-testid="live-draw-{lottery.pk}"' not in page  # entries still open

    LiveLottery.objects.filter(pk=lottery.pk).update(closes_at=now - dt.timedelta(seconds=1))
    page = owner_client.get(url).content.decode()
    assert f'data-testid="live-draw-{lottery.pk}"' in page
    drawn = owner_client.post(url, {"op": "draw", "target": lottery.pk}, follow=True).content.decode()
    assert "已开奖：1 人中奖，奖品已发放 1 份。" in drawn
    lottery.refresh_from_db()
    assert lottery.status == LotteryStatus.DRAWN and lottery.seed in drawn and "张*丰" in drawn
    again = owner_client.post(url, {"op": "draw", "target": lottery.pk}, follow=True).content.decode()
    assert "这次抽奖已经开奖。" in again


def test_fan_price_in_yuan_and_its_refusal_next_to_the_field(
    wechat_api: responses.RequestsMock, owner_client: Client
) -> None:
    room = synced_room(wechat_api, roomid=11, live_status=101, start=timezone.now())
    sku = shelf_sku(price=9900)
    url = f"/console/marketing/live/{room.pk}/"
    refused = owner_client.post(
        url, {"op": "save_fan", "fan-sku": sku.pk, "fan-price_yuan": "120", "fan-is_active": "on"}
    )
    assert refused.status_code == 200 and "粉丝价须低于售价 ¥99.00。" in refused.content.decode()
    saved = owner_client.post(
        url,
        {"op": "save_fan", "fan-sku": sku.pk, "fan-price_yuan": "69.90", "fan-quota": "50", "fan-is_active": "on"},
        follow=True,
    ).content.decode()
    assert "粉丝专属价已保存。" in saved and "¥69.90" in saved and "¥99.00" in saved
    assert LiveFanPrice.objects.get(room=room).price == 6990


def test_flash_binding_refusal_and_viewer_without_change_permission(
    wechat_api: responses.RequestsMock, owner_client: Client
) -> None:
    room = synced_room(wechat_api, roomid=12, live_status=101, start=timezone.now())
    viewer = User.objects.create_user(username="viewer", password="x", is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_liveroom"))
    client = Client()
    client.force_login(viewer)
    page = client.get(f"/console/marketing/live/{room.pk}/").content.decode()
    assert "直播间成交" in page and 'data-testid="live-fan-form"' not in page
    assert client.post(f"/console/marketing/live/{room.pk}/", {"op": "hide"}).status_code == 403
    missing = owner_client.post(f"/console/marketing/live/{room.pk}/", {"op": "draw", "target": 999999})
    assert missing.status_code == 404
