"""Our thin adapter around WeChat's mini-program live service (小程序直播): the only module that calls it.

Same house rules as ``members.wechat`` (whose client and shared access token it uses): callers
get small dataclasses back and ApplicationError subclasses on failure. WeChat's live errors
(300xxx, 9410xxx) become :class:`marketing.errors.LiveWeChatRefused` carrying a Chinese
sentence the merchant can act on, never the raw code alone; busy/unreachable/unknown is
``wechat_unavailable`` (503), quota is ``wechat_rate_limited`` (429).

Endpoints (all POST JSON with ``access_token`` in the query):

* ``wxa/business/getliveinfo`` ``{start, limit}`` → ``{errcode, errmsg, total, room_info: [...]}``;
  with ``{"action": "get_replay", "room_id", start, limit}`` → ``{live_replay: [...], total}``.
  errcode 1 / 9410000 mean "no rooms": an empty page, not an error.
* ``wxaapi/broadcast/room/create`` → ``{errcode, roomId}`` (cover, share and feeds images are
  temporary media ids uploaded through ``cgi-bin/media/upload`` first).
* ``wxaapi/broadcast/goods/add`` ``{goodsInfo: {...}}`` → ``{goodsId, auditId}`` (price in yuan).
* ``wxaapi/broadcast/room/addgoods`` ``{ids, roomId}`` → ``{errcode: 0}``.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import IO, Any

from django.utils.translation import gettext_lazy as _
from wechatpy.exceptions import WeChatClientException

from marketing.errors import LiveWeChatRefused
from members import wechat
from members.errors import WeChatUnavailable

logger = logging.getLogger(__name__)

WXA_API_BASE = "https://api.weixin.qq.com/"
GETLIVEINFO_PATH = "wxa/business/getliveinfo"
ROOM_CREATE_PATH = "wxaapi/broadcast/room/create"
GOODS_ADD_PATH = "wxaapi/broadcast/goods/add"
ROOM_ADD_GOODS_PATH = "wxaapi/broadcast/room/addgoods"
PAGE_SIZE = 100  # WeChat's maximum ``limit``
MAX_PAGES = 20
EMPTY_LIST_ERRCODES = frozenset({1, 9410000})

# WeChat's documented live-service refusals, in words a merchant can act on.
LIVE_ERRORS: dict[int, Any] = {
    300001: _("微信禁止创建或更新商品、直播间，请检查小程序直播权限。"),
    300002: _("名称长度不符合规则（直播间名称 3–17 个汉字，商品名称 3–14 个汉字）。"),
    300006: _("图片上传失败，请换一张图片。"),
    300014: _("商品正在审核中，审核通过后才能添加到直播间。"),
    300022: _("微信中不存在这个直播间。"),
    300023: _("直播间当前状态不允许此操作。"),
    300024: _("商品不存在。"),
    300025: _("商品审核未通过。"),
    300026: _("直播间商品数量已满。"),
    300027: _("导入商品失败。"),
    300028: _("直播间名称违规，请修改。"),
    300029: _("主播昵称违规，请修改。"),
    300030: _("主播微信号不合法。"),
    300031: _("直播间封面图不合规，请更换。"),
    300032: _("直播间分享图不合规，请更换。"),
    300033: _("添加商品超过直播间上限。"),
    300034: _("主播微信昵称长度不符合要求。"),
    300035: _("主播微信号不存在。"),
    300036: _("主播微信号未实名认证，请先在微信中完成实名认证。"),
    300037: _("购物直播频道封面图不合规，请更换。"),
    300038: _("未在小程序管理后台配置客服，请先配置或关闭客服功能。"),
    9410001: _("获取直播间失败，请稍后再试。"),
    9410002: _("获取直播间商品失败，请稍后再试。"),
    9410003: _("获取直播回放失败，请稍后再试。"),
}


@dataclass(frozen=True)
class WxGoods:
    goods_id: int
    name: str
    price: int  # fen (getliveinfo reports goods prices in fen; goods/add takes yuan)
    cover_img: str
    url: str


@dataclass(frozen=True)
class WxRoom:
    room_id: int
    name: str
    anchor_name: str
    cover_img: str
    share_img: str
    live_status: int
    start_time: dt.datetime
    end_time: dt.datetime
    goods: tuple[WxGoods, ...]


@dataclass(frozen=True)
class WxReplay:
    media_url: str
    expire_time: str
    create_time: str


class _NothingListed(Exception):
    """WeChat answered "no rooms" / "no replay" (errcode 1, 9410000): an empty list, not a failure."""


@contextmanager
def _live_errors(operation: str) -> Iterator[None]:
    with wechat._wechat_errors(operation):
        try:
            yield
        except WeChatClientException as exc:
            if exc.errcode in EMPTY_LIST_ERRCODES:
                raise _NothingListed() from exc
            message = LIVE_ERRORS.get(exc.errcode or 0)
            if message is None:
                raise
            logger.warning("WeChat live %s refused: %s", operation, exc)
            raise LiveWeChatRefused(message, details={"errcode": exc.errcode}) from exc


def _post(operation: str, path: str, data: dict[str, Any]) -> dict[str, Any]:
    with _live_errors(operation):
        result = wechat._client().post(path, data=data, api_base_url=WXA_API_BASE)
    if not isinstance(result, dict):
        logger.error("WeChat live %s answered without a JSON object", operation)
        raise WeChatUnavailable()
    return result


def _timestamp(value: Any) -> dt.datetime:
    return dt.datetime.fromtimestamp(int(value), tz=dt.UTC)


def _room(raw: dict[str, Any]) -> WxRoom:
    goods = tuple(
        WxGoods(
            goods_id=int(item["goods_id"]),
            name=str(item.get("name") or "")[:60],
            price=int(item.get("price") or 0),
            cover_img=str(item.get("cover_img") or "")[:500],
            url=str(item.get("url") or "")[:300],
        )
        for item in raw.get("goods") or []
        if isinstance(item, dict) and item.get("goods_id")
    )
    return WxRoom(
        room_id=int(raw["roomid"]),
        name=str(raw.get("name") or "")[:60],
        anchor_name=str(raw.get("anchor_name") or "")[:60],
        cover_img=str(raw.get("cover_img") or "")[:500],
        share_img=str(raw.get("share_img") or "")[:500],
        live_status=int(raw.get("live_status") or 0),
        start_time=_timestamp(raw["start_time"]),
        end_time=_timestamp(raw["end_time"]),
        goods=goods,
    )


@dataclass(frozen=True)
class WxRoomList:
    """The rooms WeChat listed, and whether that is all of them (``complete``): only a complete
    list may tell the mirror that a room it does not contain was deleted."""

    rooms: list[WxRoom]
    complete: bool


def live_rooms_fetch_all() -> WxRoomList:
    """Page ``getliveinfo`` until ``total`` is reached; "no rooms" is a complete, empty list."""
    rooms: list[WxRoom] = []
    for page in range(MAX_PAGES):
        try:
            result = _post("getliveinfo", GETLIVEINFO_PATH, {"start": page * PAGE_SIZE, "limit": PAGE_SIZE})
        except _NothingListed:
            return WxRoomList(rooms=rooms, complete=True)
        raw_rooms = [room for room in result.get("room_info") or [] if isinstance(room, dict)]
        try:
            rooms.extend(_room(room) for room in raw_rooms)
        except (KeyError, TypeError, ValueError) as exc:
            logger.error("WeChat getliveinfo answered a room without roomid/start_time: %s", exc)
            raise WeChatUnavailable() from exc
        total = int(result.get("total") or 0)
        if len(rooms) >= total:
            return WxRoomList(rooms=rooms, complete=True)
        if not raw_rooms:  # an empty page before ``total``: the list moved under us
            return WxRoomList(rooms=rooms, complete=False)
    logger.warning("WeChat getliveinfo: more than %s rooms, the mirror keeps the rest as they are", len(rooms))
    return WxRoomList(rooms=rooms, complete=False)


def live_replays_fetch(*, room_id: int) -> list[WxReplay]:
    """The replay files of an ended room (``action: get_replay``); none when it has no replay."""
    try:
        result = _post(
            "get_replay",
            GETLIVEINFO_PATH,
            {"action": "get_replay", "room_id": room_id, "start": 0, "limit": PAGE_SIZE},
        )
    except _NothingListed:
        return []
    return [
        WxReplay(
            media_url=str(item.get("media_url") or ""),
            expire_time=str(item.get("expire_time") or ""),
            create_time=str(item.get("create_time") or ""),
        )
        for item in result.get("live_replay") or []
        if isinstance(item, dict) and item.get("media_url")
    ]


def media_upload(*, image: IO[bytes]) -> str:
    """Upload an image as temporary media (3 days) and return its ``media_id``."""
    with _live_errors("media.upload"):
        result = wechat._client().media.upload("image", image)
    media_id = result.get("media_id") if isinstance(result, dict) else None
    if not media_id:
        logger.error("WeChat media upload answered without media_id")
        raise WeChatUnavailable()
    return str(media_id)


@dataclass(frozen=True)
class RoomDraft:
    name: str
    start_time: dt.datetime
    end_time: dt.datetime
    anchor_name: str
    anchor_wechat: str
    cover_media_id: str
    share_media_id: str
    feeds_media_id: str


def live_room_create(*, draft: RoomDraft) -> int:
    """Create a room (type 0: broadcast from the phone) and return WeChat's ``roomId``."""
    result = _post(
        "room.create",
        ROOM_CREATE_PATH,
        {
            "name": draft.name,
            "coverImg": draft.cover_media_id,
            "startTime": int(draft.start_time.timestamp()),
            "endTime": int(draft.end_time.timestamp()),
            "anchorName": draft.anchor_name,
            "anchorWechat": draft.anchor_wechat,
            "shareImg": draft.share_media_id,
            "feedsImg": draft.feeds_media_id,
            "type": 0,
            "isFeedsPublic": 1,
            "closeLike": 0,
            "closeGoods": 0,
            "closeComment": 0,
            "closeReplay": 0,
            "closeShare": 0,
            "closeKf": 1,
        },
    )
    if not result.get("roomId"):
        logger.error("WeChat room create answered without roomId")
        raise WeChatUnavailable()
    return int(result["roomId"])


def live_goods_add(*, name: str, price: int, cover_media_id: str, url: str) -> int:
    """Put a product into WeChat's live goods library (one price, ``priceType`` 1); returns ``goodsId``."""
    result = _post(
        "goods.add",
        GOODS_ADD_PATH,
        {
            "goodsInfo": {
                "coverImgUrl": cover_media_id,
                "name": name,
                "priceType": 1,
                "price": price / 100,
                "price2": "",
                "url": url,
            }
        },
    )
    if not result.get("goodsId"):
        logger.error("WeChat goods add answered without goodsId")
        raise WeChatUnavailable()
    return int(result["goodsId"])


def live_room_goods_import(*, room_id: int, goods_ids: list[int]) -> None:
    """Put library goods on a room's shelf."""
    _post("room.addgoods", ROOM_ADD_GOODS_PATH, {"ids": goods_ids, "roomId": room_id})
