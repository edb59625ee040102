"""Live selling (F24): rooms mirrored from WeChat, their goods, follows, reminders and 整点秒杀 binding.

Sync. ``live_rooms_sync`` reads every room with ``getliveinfo`` (and ``get_replay`` for ended
rooms that have no replay yet) outside any transaction, then writes the mirror in one
transaction keyed by WeChat's room id and goods id: running it twice writes the same rows.
When the list was complete, rooms it no longer holds are marked gone (``gone_at``; hidden from
shoppers, kept for their orders and lotteries) and come back if WeChat lists them again; and
a Redis lock (``cache.add``) keeps two runs — two beats, a beat and the console button — from
overlapping, so the beat may fire as often as it likes.

Reminders. A follower of an upcoming room is told once, ``REMIND_BEFORE`` before it starts:
``live_reminders_send`` claims each follow with ``UPDATE … SET reminded_at WHERE reminded_at IS
NULL`` and writes the message in the same transaction, so a second beat or a killed worker
never sends twice. The push itself respects the shopper's subscription consent
(``members.services.messages``: no active template or no credit, no push).
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from typing import IO

from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from analytics.services.events import event_record
from mall.models import Product
from mall.money import format_yuan
from mall.services.audit import audit_record
from marketing import wechat_live
from marketing.errors import LiveInvalid, LiveRoomNotFound, LiveSyncBusy
from marketing.models import FlashSlot, FlashSlotKind, LiveFlashSlot, LiveFollow, LiveRoom, LiveRoomGoods
from marketing.models.live import LiveRoomStatus
from marketing.services.coupons import Actor, require_staff
from members.models import Member
from members.services.messages import message_send

logger = logging.getLogger(__name__)

SYNC_LOCK_KEY = "live:sync:lock"
SYNC_LOCK_SECONDS = 300
REMIND_BEFORE = dt.timedelta(minutes=15)
# A room that started longer ago than this is not worth a "starting soon" message any more.
REMIND_LATE_LIMIT = dt.timedelta(minutes=10)
REMINDER_KIND = "live_starting"
ROOM_PAGE = "/package-live/room/index"
PRODUCT_PAGE = "pages/product/index"
LIVE_STATUSES = frozenset({101, 105})  # 直播中, 暂停 (still on air)
UPCOMING_STATUSES = frozenset({102})


def room_status_of(*, wx_status: int, has_replay: bool) -> str:
    """Our four states from WeChat's seven: 预告 / 直播中 / 回放 (ended with a replay) / 已结束."""
    if wx_status in LIVE_STATUSES:
        return LiveRoomStatus.LIVE
    if wx_status in UPCOMING_STATUSES:
        return LiveRoomStatus.UPCOMING
    if wx_status == 103 and has_replay:
        return LiveRoomStatus.REPLAY
    return LiveRoomStatus.ENDED


def live_room_get(*, room_id: int) -> LiveRoom:
    room = LiveRoom.objects.filter(pk=room_id).first()
    if room is None:
        raise LiveRoomNotFound(details={"room_id": room_id})
    return room


# --- sync ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SyncResult:
    rooms: int
    created: int
    goods: int
    gone: int = 0  # rooms WeChat no longer lists, marked gone by this run


def _product_for_goods(url: str) -> int | None:
    """Our product behind a goods entry, read from its mini-program path (``…?id=<product id>``)."""
    _path, _sep, query = url.partition("?")
    for part in query.split("&"):
        key, _eq, value = part.partition("=")
        if key == "id" and value.isdigit():
            return int(value)
    return None


def live_rooms_sync(*, actor: Actor = None, now: dt.datetime | None = None) -> SyncResult:
    """Mirror WeChat's rooms, goods and replays; idempotent and never two at once."""
    if not cache.add(SYNC_LOCK_KEY, "1", SYNC_LOCK_SECONDS):
        raise LiveSyncBusy()
    try:
        now = now or timezone.now()
        listed = wechat_live.live_rooms_fetch_all()
        fetched = listed.rooms
        known = {
            room.wx_room_id: room
            for room in LiveRoom.objects.filter(wx_room_id__in=[r.room_id for r in fetched]).only(
                "wx_room_id", "replays"
            )
        }
        replays: dict[int, list[dict[str, str]]] = {}
        for wx_room in fetched:
            stored = known.get(wx_room.room_id)
            if wx_room.live_status == 103 and not (stored and stored.replays):
                replays[wx_room.room_id] = [
                    {"media_url": r.media_url, "expire_time": r.expire_time, "create_time": r.create_time}
                    for r in wechat_live.live_replays_fetch(room_id=wx_room.room_id)
                ]
        return _sync_write(fetched=fetched, complete=listed.complete, replays=replays, actor=actor, now=now)
    finally:
        cache.delete(SYNC_LOCK_KEY)


@transaction.atomic
def _sync_write(
    *,
    fetched: list[wechat_live.WxRoom],
    complete: bool,
    replays: dict[int, list[dict[str, str]]],
    actor: Actor,
    now: dt.datetime,
) -> SyncResult:
    created_count = goods_count = 0
    product_ids = {pid for r in fetched for g in r.goods if (pid := _product_for_goods(g.url)) is not None}
    existing_products = set(Product.objects.filter(pk__in=product_ids).values_list("pk", flat=True))
    for wx_room in fetched:
        defaults = {
            "name": wx_room.name,
            "anchor_name": wx_room.anchor_name,
            "cover_img": wx_room.cover_img,
            "share_img": wx_room.share_img,
            "wx_status": wx_room.live_status,
            "start_time": wx_room.start_time,
            "end_time": wx_room.end_time,
            "synced_at": now,
            "gone_at": None,  # listed again: back for shoppers
        }
        room, created = LiveRoom.objects.select_for_update().get_or_create(
            wx_room_id=wx_room.room_id, defaults=defaults
        )
        if wx_room.room_id in replays:
            room.replays = replays[wx_room.room_id]
        for field, value in defaults.items():
            setattr(room, field, value)
        room.status = room_status_of(wx_status=room.wx_status, has_replay=bool(room.replays))
        room.save()
        created_count += int(created)
        seen = []
        for goods in wx_room.goods:
            product_id = _product_for_goods(goods.url)
            LiveRoomGoods.objects.update_or_create(
                room=room,
                wx_goods_id=goods.goods_id,
                defaults={
                    "name": goods.name,
                    "price": goods.price,
                    "cover_img": goods.cover_img,
                    "url": goods.url,
                    "product_id": product_id if product_id in existing_products else None,
                },
            )
            seen.append(goods.goods_id)
        LiveRoomGoods.objects.filter(room=room).exclude(wx_goods_id__in=seen).delete()
        goods_count += len(seen)
    gone = _rooms_gone_mark(listed_ids=[r.room_id for r in fetched], now=now) if complete else 0
    if actor is not None:
        audit_record(
            actor=actor, action="live.sync", data={"rooms": len(fetched), "created": created_count, "gone": gone}
        )
    return SyncResult(rooms=len(fetched), created=created_count, goods=goods_count, gone=gone)


def _rooms_gone_mark(*, listed_ids: list[int], now: dt.datetime) -> int:
    """Rooms a complete list no longer has were deleted in WeChat: mark them gone (once — a row
    already gone keeps its first ``gone_at``), never delete them: their orders, lotteries, prizes
    and follows still point at them."""
    gone = LiveRoom.objects.filter(gone_at__isnull=True).exclude(wx_room_id__in=listed_ids).update(gone_at=now)
    if gone:
        logger.info("live sync: %s room(s) no longer listed by WeChat marked gone", gone)
    return gone


# --- the merchant creates rooms and puts goods on them ------------------------------------------

ROOM_NAME_MIN, ROOM_NAME_MAX = 3, 17  # WeChat counts characters (one Chinese character = 1)
ROOM_MIN_LEAD = dt.timedelta(minutes=10)
ROOM_MAX_LEAD = dt.timedelta(days=180)
ROOM_MIN_LENGTH = dt.timedelta(minutes=30)
ROOM_MAX_LENGTH = dt.timedelta(hours=24)


@dataclass(frozen=True)
class RoomForm:
    name: str
    start_time: dt.datetime
    end_time: dt.datetime
    anchor_name: str
    anchor_wechat: str
    cover: IO[bytes]
    share: IO[bytes]


def _room_form_validate(form: RoomForm, now: dt.datetime) -> None:
    errors: dict[str, str] = {}
    if not ROOM_NAME_MIN <= len(form.name.strip()) <= ROOM_NAME_MAX:
        errors["name"] = _("直播间名称须为 3 到 17 个字。")
    if form.start_time < now + ROOM_MIN_LEAD or form.start_time > now + ROOM_MAX_LEAD:
        errors["start_time"] = _("开播时间须在 10 分钟后、6 个月内。")
    length = form.end_time - form.start_time
    if not ROOM_MIN_LENGTH <= length <= ROOM_MAX_LENGTH:
        errors["end_time"] = _("直播时长须在 30 分钟到 24 小时之间。")
    if not 2 <= len(form.anchor_name.strip()) <= 15:
        errors["anchor_name"] = _("主播昵称须为 2 到 15 个字。")
    if not form.anchor_wechat.strip():
        errors["anchor_wechat"] = _("请填写主播微信号。")
    if errors:
        first_key, first = next(iter(errors.items()))
        raise LiveInvalid(first, details={"field": first_key, "errors": errors})


def live_room_create(*, actor: Actor, form: RoomForm, now: dt.datetime | None = None) -> LiveRoom:
    """Create the room at WeChat (images uploaded first), then mirror it here with an audit row."""
    require_staff(actor)
    now = now or timezone.now()
    _room_form_validate(form, now)
    cover_id = wechat_live.media_upload(image=form.cover)
    share_id = wechat_live.media_upload(image=form.share)
    wx_room_id = wechat_live.live_room_create(
        draft=wechat_live.RoomDraft(
            name=form.name.strip(),
            start_time=form.start_time,
            end_time=form.end_time,
            anchor_name=form.anchor_name.strip(),
            anchor_wechat=form.anchor_wechat.strip(),
            cover_media_id=cover_id,
            share_media_id=share_id,
            feeds_media_id=cover_id,
        )
    )
    with transaction.atomic():
        room, _created = LiveRoom.objects.update_or_create(
            wx_room_id=wx_room_id,
            defaults={
                "name": form.name.strip(),
                "anchor_name": form.anchor_name.strip(),
                "start_time": form.start_time,
                "end_time": form.end_time,
                "wx_status": 102,
                "status": LiveRoomStatus.UPCOMING,
            },
        )
        audit_record(
            actor=actor,
            action="live.room_create",
            target=room,
            data={"wx_room_id": wx_room_id, "name": room.name, "start_time": form.start_time.isoformat()},
        )
    return room


def product_page_url(product_id: int) -> str:
    return f"{PRODUCT_PAGE}?id={product_id}"


def live_room_goods_add(
    *, actor: Actor, room_id: int, product_id: int, cover: IO[bytes] | None = None
) -> LiveRoomGoods:
    """Put one of our products on the room's shelf: WeChat's goods library, then the room.

    The price shown in the room is the product's lowest SKU price; the cover is the product's
    main image unless the merchant uploads another one.
    """
    require_staff(actor)
    room = live_room_get(room_id=room_id)
    product = Product.objects.filter(pk=product_id).first()
    if product is None:
        raise LiveInvalid(_("商品不存在。"), details={"field": "product"})
    if room.status not in (LiveRoomStatus.UPCOMING, LiveRoomStatus.LIVE):
        raise LiveInvalid(_("已结束的直播间不能再添加商品。"), details={"field": "room"})
    name = product.title[:14]
    if len(name) < 3:
        raise LiveInvalid(_("商品名称至少 3 个字才能上直播间。"), details={"field": "product"})
    if cover is None:
        if not product.main_image:
            raise LiveInvalid(_("商品没有主图，请上传直播商品封面。"), details={"field": "cover"})
        cover = product.main_image.open("rb")
    media_id = wechat_live.media_upload(image=cover)
    url = product_page_url(product.pk)
    goods_id = wechat_live.live_goods_add(name=name, price=product.min_price, cover_media_id=media_id, url=url)
    wechat_live.live_room_goods_import(room_id=room.wx_room_id, goods_ids=[goods_id])
    with transaction.atomic():
        goods, _created = LiveRoomGoods.objects.update_or_create(
            room=room,
            wx_goods_id=goods_id,
            defaults={"name": name, "price": product.min_price, "url": url, "product": product},
        )
        audit_record(
            actor=actor,
            action="live.goods_add",
            target=room,
            data={"product_id": product.pk, "wx_goods_id": goods_id, "price": format_yuan(product.min_price)},
        )
    return goods


@transaction.atomic
def live_room_visibility_set(*, actor: Actor, room_id: int, hidden: bool) -> LiveRoom:
    require_staff(actor)
    room = LiveRoom.objects.select_for_update().filter(pk=room_id).first()
    if room is None:
        raise LiveRoomNotFound(details={"room_id": room_id})
    room.is_hidden = hidden
    room.save(update_fields=["is_hidden", "updated_at"])
    audit_record(actor=actor, action="live.room_hide" if hidden else "live.room_show", target=room)
    return room


# --- follows and reminders ---------------------------------------------------------------------


def live_follow(*, member: Member, room_id: int) -> LiveFollow:
    """Follow a room (idempotent): a reminder before it starts and its fan prices."""
    room = live_room_get(room_id=room_id)
    if not room.shown:
        raise LiveRoomNotFound(details={"room_id": room_id})
    try:
        with transaction.atomic():
            follow, created = LiveFollow.objects.get_or_create(room=room, member=member)
    except IntegrityError:  # a double tap: the other request made the row
        return LiveFollow.objects.get(room=room, member=member)
    if created:
        event_record(name="live_follow", member_id=member.pk, props={"room_id": room.pk})
    return follow


def live_unfollow(*, member: Member, room_id: int) -> int:
    room = live_room_get(room_id=room_id)
    deleted, _rows = LiveFollow.objects.filter(room=room, member=member).delete()
    return deleted


def live_reminders_send(*, now: dt.datetime | None = None, limit: int = 500) -> int:
    """Tell followers of rooms starting within ``REMIND_BEFORE``; each follow at most once."""
    now = now or timezone.now()
    due = list(
        LiveFollow.objects.filter(
            reminded_at__isnull=True,
            room__status=LiveRoomStatus.UPCOMING,
            room__is_hidden=False,
            room__gone_at__isnull=True,
            room__start_time__lte=now + REMIND_BEFORE,
            room__start_time__gte=now - REMIND_LATE_LIMIT,
        )
        .select_related("room")
        .order_by("id")[:limit]
    )
    sent = 0
    for follow in due:
        with transaction.atomic():
            claimed = LiveFollow.objects.filter(pk=follow.pk, reminded_at__isnull=True).update(reminded_at=now)
            if not claimed:
                continue
            room = follow.room
            start = timezone.localtime(room.start_time)
            message_send(
                member_id=follow.member_id,
                kind=REMINDER_KIND,
                title=_("直播即将开始：%(name)s") % {"name": room.name},
                body=_("您关注的直播间将于 %(time)s 开播，点击进入。") % {"time": f"{start:%H:%M}"},
                link=f"{ROOM_PAGE}?room_id={room.pk}",
                src=f"live:{room.pk}",
            )
            sent += 1
    return sent


# --- 整点秒杀 bound to a room --------------------------------------------------------------------


def _flash_slot_validate(room: LiveRoom, slot: FlashSlot) -> None:
    if slot.kind != FlashSlotKind.SLOT:
        raise LiveInvalid(_("只能绑定整点秒杀场次，不能绑定限量发售。"), details={"field": "slot"})
    start = timezone.localtime(slot.starts_at)
    if start.minute or start.second or start.microsecond:
        raise LiveInvalid(_("整点秒杀须在整点开始（如 20:00）。"), details={"field": "slot"})
    if not room.start_time <= slot.starts_at < room.end_time:
        raise LiveInvalid(_("秒杀开始时间须在直播时段内。"), details={"field": "slot"})


@transaction.atomic
def live_flash_bind(*, actor: Actor, room_id: int, slot_id: int) -> LiveFlashSlot:
    """Bind a flash slot to the room: on the hour, within the broadcast, bound to one room only."""
    require_staff(actor)
    room = LiveRoom.objects.select_for_update().filter(pk=room_id).first()
    if room is None:
        raise LiveRoomNotFound(details={"room_id": room_id})
    slot = FlashSlot.objects.filter(pk=slot_id).first()
    if slot is None:
        raise LiveInvalid(_("秒杀场次不存在。"), details={"field": "slot"})
    _flash_slot_validate(room, slot)
    if LiveFlashSlot.objects.filter(slot=slot).exists():
        raise LiveInvalid(_("该秒杀场次已绑定到直播间。"), details={"field": "slot"})
    try:
        with transaction.atomic():
            binding = LiveFlashSlot.objects.create(room=room, slot=slot)
    except IntegrityError as exc:
        raise LiveInvalid(_("该秒杀场次已绑定到直播间。"), details={"field": "slot"}) from exc
    audit_record(actor=actor, action="live.flash_bind", target=room, data={"slot_id": slot.pk, "slot": str(slot)})
    return binding


@transaction.atomic
def live_flash_unbind(*, actor: Actor, room_id: int, slot_id: int) -> int:
    require_staff(actor)
    room = live_room_get(room_id=room_id)
    deleted, _rows = LiveFlashSlot.objects.filter(room=room, slot_id=slot_id).delete()
    if deleted:
        audit_record(actor=actor, action="live.flash_unbind", target=room, data={"slot_id": slot_id})
    return deleted
