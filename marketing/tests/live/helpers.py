"""WeChat's live service at the HTTP boundary (``responses``) with its documented payloads, and rooms
built the way the shop gets them: through ``live_rooms_sync``.

Shapes (developers.weixin.qq.com, 小程序直播 · 直播间管理):

* ``POST wxa/business/getliveinfo`` ``{start, limit}`` → ``{errcode: 0, errmsg: "ok", total,
  room_info: [{name, roomid, cover_img, share_img, live_status, start_time, end_time,
  anchor_name, goods: [{cover_img, url, name, price (fen), price2, price_type, goods_id,
  third_party_appid}], live_type, close_like, close_goods, close_comment, close_kf,
  close_replay, is_feeds_public, creater_openid, feeds_img}]}``; no rooms → ``{errcode: 1,
  errmsg: "no room"}``.
* the same URL with ``{action: "get_replay", room_id, start, limit}`` → ``{errcode: 0, errmsg:
  "ok", total, live_replay: [{expire_time, create_time, media_url}]}``.
* ``POST wxaapi/broadcast/room/create`` → ``{errcode: 0, roomId, qrcode_url?}``; refusals like
  ``{errcode: 300036, errmsg: "主播微信号未实名认证"}``.
* ``POST wxaapi/broadcast/goods/add`` → ``{errcode: 0, goodsId, auditId}``.
* ``POST wxaapi/broadcast/room/addgoods`` → ``{errcode: 0}``.
* ``POST cgi-bin/media/upload?type=image`` → ``{type: "image", media_id, created_at}``.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import responses
from django.contrib.auth.models import User
from django.utils import timezone

from marketing.models import LiveLottery, LiveRoom, LiveRoomStatus, LotteryPrizeKind
from marketing.services.live import live_rooms_sync
from marketing.services.live_lottery import LotteryForm, live_lottery_create

GETLIVEINFO_URL = "https://api.weixin.qq.com/wxa/business/getliveinfo"
ROOM_CREATE_URL = "https://api.weixin.qq.com/wxaapi/broadcast/room/create"
GOODS_ADD_URL = "https://api.weixin.qq.com/wxaapi/broadcast/goods/add"
ROOM_ADD_GOODS_URL = "https://api.weixin.qq.com/wxaapi/broadcast/room/addgoods"
MEDIA_UPLOAD_URL = "https://api.weixin.qq.com/cgi-bin/media/upload"


def staff_user() -> User:
    return User.objects.filter(username="live-ops").first() or User.objects.create_superuser(
        username="live-ops", password="x", email="live@example.com"
    )


def wx_goods(*, goods_id: int, name: str = "保温杯", price: int = 9900, url: str = "") -> dict[str, Any]:
    return {
        "cover_img": f"http://mmbiz.qpic.cn/goods/{goods_id}.jpg",
        "url": url or "pages/product/index?id=1",
        "name": name,
        "price": price,
        "price2": 0,
        "price_type": 1,
        "goods_id": goods_id,
        "third_party_appid": "",
    }


def wx_room(
    *,
    roomid: int,
    name: str = "周五上新专场",
    live_status: int = 102,
    start: dt.datetime | None = None,
    hours: int = 2,
    goods: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    start = start or timezone.now() + dt.timedelta(hours=1)
    return {
        "name": name,
        "roomid": roomid,
        "cover_img": f"http://mmbiz.qpic.cn/room/{roomid}/cover.jpg",
        "share_img": f"http://mmbiz.qpic.cn/room/{roomid}/share.jpg",
        "live_status": live_status,
        "start_time": int(start.timestamp()),
        "end_time": int((start + dt.timedelta(hours=hours)).timestamp()),
        "anchor_name": "小多",
        "goods": goods or [],
        "live_type": 0,
        "close_like": 0,
        "close_goods": 0,
        "close_comment": 0,
        "close_kf": 0,
        "close_replay": 0,
        "is_feeds_public": 1,
        "creater_openid": "",
        "feeds_img": "",
    }


def _is_list_call(request: Any) -> bool:
    return "action" not in json.loads(request.body or b"{}")


def stub_live_info(rsps: responses.RequestsMock, rooms: list[dict[str, Any]], *, total: int | None = None) -> Any:
    """One page of ``getliveinfo`` (every list call gets it)."""
    body = {"errcode": 0, "errmsg": "ok", "total": len(rooms) if total is None else total, "room_info": rooms}
    return rsps.add_callback(
        responses.POST,
        GETLIVEINFO_URL,
        callback=lambda request: (200, {}, json.dumps(body)) if _is_list_call(request) else _replay_answer(request),
        content_type="application/json",
    )


_replays: dict[int, list[dict[str, Any]]] = {}


def _replay_answer(request: Any) -> tuple[int, dict[str, str], str]:
    room_id = int(json.loads(request.body)["room_id"])
    files = _replays.get(room_id, [])
    if not files:
        return 200, {}, json.dumps({"errcode": 1, "errmsg": "no replay"})
    return 200, {}, json.dumps({"errcode": 0, "errmsg": "ok", "total": len(files), "live_replay": files})


def set_replays(room_id: int, files: list[dict[str, Any]]) -> None:
    _replays[room_id] = files


def replay_file(room_id: int) -> dict[str, Any]:
    return {
        "expire_time": "2027-03-06T03:49:55Z",
        "create_time": "2026-12-06T03:49:55Z",
        "media_url": f"http://mmbiz.qpic.cn/replay/{room_id}.m3u8",
    }


def stub_live_error(rsps: responses.RequestsMock, *, errcode: int, errmsg: str) -> Any:
    return rsps.add(responses.POST, GETLIVEINFO_URL, json={"errcode": errcode, "errmsg": errmsg})


# The rooms ``synced_room`` made in this test: WeChat keeps listing them all (a full sync marks a
# room it no longer lists as gone).
_listed: dict[int, dict[str, Any]] = {}


def synced_room(rsps: responses.RequestsMock, **fields: Any) -> LiveRoom:
    """A room as the shop has it after a sync of WeChat's answer (``wx_room`` fields)."""
    rsps.remove(responses.POST, GETLIVEINFO_URL)
    fields.setdefault("roomid", 1000 + LiveRoom.objects.count())
    raw = wx_room(**fields)
    _listed[raw["roomid"]] = raw
    stub_live_info(rsps, list(_listed.values()))
    live_rooms_sync()
    return LiveRoom.objects.get(wx_room_id=raw["roomid"])


def open_lottery(*, keyword: str = "多营好物") -> LiveLottery:
    """A points lottery open for entries now, in a room on air (a local mirror row: no WeChat call)."""
    now = timezone.now()
    room = LiveRoom.objects.create(
        wx_room_id=880_000 + LiveRoom.objects.count(),
        name="口令抽奖专场",
        status=LiveRoomStatus.LIVE,
        wx_status=101,
        start_time=now - dt.timedelta(minutes=5),
        end_time=now + dt.timedelta(hours=2),
    )
    form = LotteryForm(
        title="口令抽奖",
        keyword=keyword,
        opens_at=now - dt.timedelta(minutes=1),
        closes_at=now + dt.timedelta(minutes=30),
        winners_count=1,
        prize_kind=LotteryPrizeKind.POINTS,
        points=88,
    )
    return live_lottery_create(actor=staff_user(), room_id=room.pk, form=form)
