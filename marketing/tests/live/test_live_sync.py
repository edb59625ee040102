"""The live adapter and the room mirror against WeChat's documented payloads, refusals included."""

from __future__ import annotations

import datetime as dt
import io
import json
from typing import Any

import pytest
import responses
from django.contrib.auth.models import User
from django.utils import timezone

from mall.models import AuditLog, Category, Product
from marketing import wechat_live
from marketing.errors import LiveInvalid, LiveSyncBusy, LiveWeChatRefused
from marketing.models import LiveRoom, LiveRoomGoods, LiveRoomStatus
from marketing.services.live import (
    SYNC_LOCK_KEY,
    RoomForm,
    live_room_create,
    live_room_goods_add,
    live_rooms_sync,
    room_status_of,
)
from marketing.tests.live.helpers import (
    GETLIVEINFO_URL,
    GOODS_ADD_URL,
    MEDIA_UPLOAD_URL,
    ROOM_ADD_GOODS_URL,
    ROOM_CREATE_URL,
    replay_file,
    set_replays,
    stub_live_error,
    stub_live_info,
    synced_room,
    wx_goods,
    wx_room,
)
from members.errors import WeChatRateLimited, WeChatUnavailable

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("wx_status", "has_replay", "ours"),
    [
        (101, False, LiveRoomStatus.LIVE),
        (105, False, LiveRoomStatus.LIVE),
        (102, False, LiveRoomStatus.UPCOMING),
        (103, True, LiveRoomStatus.REPLAY),
        (103, False, LiveRoomStatus.ENDED),
        (104, False, LiveRoomStatus.ENDED),
        (106, False, LiveRoomStatus.ENDED),
        (107, True, LiveRoomStatus.ENDED),
    ],
)
def test_wechat_status_maps_to_our_four(wx_status: int, has_replay: bool, ours: str) -> None:
    assert room_status_of(wx_status=wx_status, has_replay=has_replay) == ours


def test_sync_mirrors_rooms_goods_and_replays_and_is_idempotent(
    wechat_api: responses.RequestsMock, staff: User
) -> None:
    product = Product.objects.create(category=Category.objects.create(name="家居"), title="保温杯", min_price=9900)
    start = timezone.now().replace(microsecond=0) + dt.timedelta(hours=3)
    rooms = [
        wx_room(
            roomid=7,
            name="周五上新专场",
            start=start,
            goods=[wx_goods(goods_id=51, url=f"pages/product/index?id={product.pk}"), wx_goods(goods_id=52, url="x")],
        ),
        wx_room(roomid=8, name="昨晚专场", live_status=103, start=start - dt.timedelta(days=1)),
    ]
    set_replays(8, [replay_file(8)])
    stub_live_info(wechat_api, rooms)

    first = live_rooms_sync(actor=staff)
    second = live_rooms_sync()

    assert (first.rooms, first.created, first.goods) == (2, 2, 2)
    assert (second.rooms, second.created) == (2, 0)
    upcoming = LiveRoom.objects.get(wx_room_id=7)
    assert (upcoming.name, upcoming.status, upcoming.wx_status, upcoming.start_time) == (
        "周五上新专场",
        LiveRoomStatus.UPCOMING,
        102,
        start,
    )
    goods = {g.wx_goods_id: g for g in LiveRoomGoods.objects.filter(room=upcoming)}
    assert (goods[51].product_id, goods[51].price, goods[52].product_id) == (product.pk, 9900, None)
    replayed = LiveRoom.objects.get(wx_room_id=8)
    assert replayed.status == LiveRoomStatus.REPLAY
    assert replayed.replays == [replay_file(8)]
    assert LiveRoom.objects.count() == 2 and LiveRoomGoods.objects.count() == 2
    # A replay is asked for once: the second sync found it stored.
    replay_calls = [c for c in wechat_api.calls if "get_replay" in str(c.request.body or b"")]
    assert len(replay_calls) == 1
    assert AuditLog.objects.filter(action="live.sync").count() == 1


def test_sync_follows_status_changes_and_removes_goods_taken_off(wechat_api: responses.RequestsMock) -> None:
    room = synced_room(wechat_api, roomid=9, goods=[wx_goods(goods_id=1), wx_goods(goods_id=2)])
    wechat_api.remove(responses.POST, GETLIVEINFO_URL)
    stub_live_info(wechat_api, [wx_room(roomid=9, live_status=101, goods=[wx_goods(goods_id=2)])])
    live_rooms_sync()
    room.refresh_from_db()
    assert room.status == LiveRoomStatus.LIVE
    assert list(room.goods.values_list("wx_goods_id", flat=True)) == [2]


def test_sync_pages_through_getliveinfo(wechat_api: responses.RequestsMock) -> None:
    pages = {
        0: [wx_room(roomid=n) for n in range(1, 101)],
        100: [wx_room(roomid=101)],
    }

    def answer(request: Any) -> tuple[int, dict[str, str], str]:
        body = json.loads(request.body)
        return 200, {}, json.dumps({"errcode": 0, "errmsg": "ok", "total": 101, "room_info": pages[body["start"]]})

    wechat_api.add_callback(responses.POST, GETLIVEINFO_URL, callback=answer, content_type="application/json")
    assert live_rooms_sync().rooms == 101
    assert LiveRoom.objects.count() == 101


def test_no_rooms_is_an_empty_mirror_not_an_error(wechat_api: responses.RequestsMock) -> None:
    stub_live_error(wechat_api, errcode=1, errmsg="no room")
    assert live_rooms_sync().rooms == 0


@pytest.mark.parametrize(
    ("errcode", "error", "code"),
    [
        (9410001, LiveWeChatRefused, "live_wechat_refused"),
        (45009, WeChatRateLimited, "wechat_rate_limited"),
        (-1, WeChatUnavailable, "wechat_unavailable"),
    ],
)
def test_sync_refusals_become_our_errors_and_release_the_lock(
    wechat_api: responses.RequestsMock, errcode: int, error: type[Exception], code: str
) -> None:
    stub_live_error(wechat_api, errcode=errcode, errmsg="refused")
    with pytest.raises(error) as raised:
        live_rooms_sync()
    assert raised.value.code == code  # type: ignore[attr-defined]
    stub_live_error(wechat_api, errcode=1, errmsg="no room")
    wechat_api.remove(responses.POST, GETLIVEINFO_URL)
    stub_live_error(wechat_api, errcode=1, errmsg="no room")
    assert live_rooms_sync().rooms == 0  # the lock was released


def test_a_running_sync_refuses_a_second_one(wechat_api: responses.RequestsMock) -> None:
    from django.core.cache import cache

    cache.add(SYNC_LOCK_KEY, "1", 60)
    with pytest.raises(LiveSyncBusy):
        live_rooms_sync()
    assert not [c for c in wechat_api.calls if str(c.request.url).startswith(GETLIVEINFO_URL)]


def _sent(stub: Any) -> Any:
    """The JSON body of the stub's first call."""
    return json.loads(
        str(stub.calls[0].request.body, "utf-8")
        if isinstance(stub.calls[0].request.body, bytes)
        else stub.calls[0].request.body
    )


def _room_form(**fields: Any) -> RoomForm:
    start = timezone.now() + dt.timedelta(days=1)
    values: dict[str, Any] = {
        "name": "周五上新专场",
        "start_time": start,
        "end_time": start + dt.timedelta(hours=2),
        "anchor_name": "小多",
        "anchor_wechat": "duoying_anchor",
        "cover": io.BytesIO(b"\x89PNG cover"),
        "share": io.BytesIO(b"\x89PNG share"),
    }
    values.update(fields)
    return RoomForm(**values)


def test_room_create_uploads_images_and_mirrors_the_room(wechat_api: responses.RequestsMock, staff: User) -> None:
    uploads = wechat_api.add(
        responses.POST, MEDIA_UPLOAD_URL, json={"type": "image", "media_id": "MEDIA_1", "created_at": 1765000000}
    )
    create = wechat_api.add(responses.POST, ROOM_CREATE_URL, json={"errcode": 0, "roomId": 321, "qrcode_url": ""})
    form = _room_form()

    room = live_room_create(actor=staff, form=form)

    assert uploads.call_count == 2
    sent = _sent(create)
    assert (sent["name"], sent["coverImg"], sent["shareImg"], sent["anchorWechat"], sent["type"]) == (
        "周五上新专场",
        "MEDIA_1",
        "MEDIA_1",
        "duoying_anchor",
        0,
    )
    assert sent["startTime"] == int(form.start_time.timestamp())
    assert (room.wx_room_id, room.status) == (321, LiveRoomStatus.UPCOMING)
    assert AuditLog.objects.filter(action="live.room_create", target_id=str(room.pk)).exists()


def test_room_create_refusal_is_a_human_message_and_writes_nothing(
    wechat_api: responses.RequestsMock, staff: User
) -> None:
    wechat_api.add(responses.POST, MEDIA_UPLOAD_URL, json={"type": "image", "media_id": "M", "created_at": 1})
    wechat_api.add(
        responses.POST,
        ROOM_CREATE_URL,
        json={"errcode": 300036, "errmsg": "主播微信号未实名认证", "qrcode_url": "https://…"},
    )
    with pytest.raises(LiveWeChatRefused) as raised:
        live_room_create(actor=staff, form=_room_form())
    assert str(raised.value.message) == "主播微信号未实名认证，请先在微信中完成实名认证。"
    assert raised.value.details == {"errcode": 300036}
    assert not LiveRoom.objects.exists()


def test_room_form_is_checked_before_calling_wechat(wechat_api: responses.RequestsMock, staff: User) -> None:
    with pytest.raises(LiveInvalid) as raised:
        live_room_create(actor=staff, form=_room_form(name="直播", end_time=timezone.now() + dt.timedelta(days=3)))
    assert set(raised.value.details["errors"]) == {"name", "end_time"}
    assert not [c for c in wechat_api.calls if "broadcast" in str(c.request.url)]


def test_goods_add_puts_our_product_into_the_library_and_the_room(
    wechat_api: responses.RequestsMock, staff: User
) -> None:
    room = synced_room(wechat_api, roomid=77)
    product = Product.objects.create(
        category=Category.objects.create(name="家居"), title="不锈钢保温杯", min_price=12900
    )
    wechat_api.add(responses.POST, MEDIA_UPLOAD_URL, json={"type": "image", "media_id": "COVER", "created_at": 1})
    add = wechat_api.add(responses.POST, GOODS_ADD_URL, json={"errcode": 0, "goodsId": 88, "auditId": 525022184})
    put = wechat_api.add(responses.POST, ROOM_ADD_GOODS_URL, json={"errcode": 0})

    goods = live_room_goods_add(actor=staff, room_id=room.pk, product_id=product.pk, cover=io.BytesIO(b"img"))

    info = _sent(add)["goodsInfo"]
    assert (info["name"], info["price"], info["priceType"], info["coverImgUrl"]) == ("不锈钢保温杯", 129.0, 1, "COVER")
    assert info["url"] == f"pages/product/index?id={product.pk}"
    assert _sent(put) == {"ids": [88], "roomId": 77}
    assert (goods.wx_goods_id, goods.product_id, goods.price) == (88, product.pk, 12900)


def test_goods_refusal_keeps_the_room_unchanged(wechat_api: responses.RequestsMock, staff: User) -> None:
    room = synced_room(wechat_api, roomid=78)
    product = Product.objects.create(
        category=Category.objects.create(name="家居"), title="不锈钢保温杯", min_price=12900
    )
    wechat_api.add(responses.POST, MEDIA_UPLOAD_URL, json={"type": "image", "media_id": "COVER", "created_at": 1})
    wechat_api.add(responses.POST, GOODS_ADD_URL, json={"errcode": 300002, "errmsg": "名称长度不符合规则"})
    with pytest.raises(LiveWeChatRefused) as raised:
        live_room_goods_add(actor=staff, room_id=room.pk, product_id=product.pk, cover=io.BytesIO(b"img"))
    assert "名称长度" in str(raised.value.message)
    assert not room.goods.exists()


def test_replay_fetch_reads_the_documented_shape(wechat_api: responses.RequestsMock) -> None:
    set_replays(5, [replay_file(5)])
    stub_live_info(wechat_api, [])
    [replay] = wechat_live.live_replays_fetch(room_id=5)
    assert replay.media_url == "http://mmbiz.qpic.cn/replay/5.m3u8"
    assert wechat_live.live_replays_fetch(room_id=6) == []
