"""The demo shop's live rooms (F24): one 预告 and one 回放, mirrored as local rows.

WeChat owns real rooms and the console syncs them; a fresh clone has no WeChat account, so the
demo writes the mirror rows itself (room numbers far above WeChat's) and binds the in-room deals
through the services: tomorrow evening's room gets a 整点秒杀 slot opening on the hour inside its
broadcast, a 评论抽奖 whose window lies in the broadcast, a 粉丝专属价 and a few followers waiting
for the reminder. A second run finds the rooms and changes nothing.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from mall.demo.shop import SHOPPER_OPENID_PREFIX
from mall.models import Product, Sku
from marketing.models import FlashSlot, FlashSlotKind, LiveRoom, LiveRoomStatus, LotteryPrizeKind
from marketing.services.flash_sales import (
    FlashItemData,
    FlashSlotData,
    flash_item_add,
    flash_slot_create,
    flash_slot_publish,
)
from marketing.services.live import live_flash_bind, live_follow
from marketing.services.live_fans import live_fan_price_save
from marketing.services.live_lottery import LotteryForm, live_lottery_create
from members.models import Member

UPCOMING_ROOM = 9_000_001
REPLAY_ROOM = 9_000_002
FOLLOWERS = 6


def _owner() -> User | None:
    return User.objects.filter(is_superuser=True).order_by("pk").first()


def _at(day: datetime, hour: int) -> datetime:
    return timezone.make_aware(datetime.combine(day.date(), time(hour)), timezone.get_current_timezone())


def _cover() -> str:
    product = Product.objects.filter(is_on_shelf=True).exclude(main_image="").order_by("-sales_count", "pk").first()
    return product.main_image.url if product else ""


def _flash_slot(owner: User, room: LiveRoom, sku: Sku | None) -> FlashSlot | None:
    """An unbound slot starting on the hour inside the broadcast, else a new one-hour slot."""
    slot = (
        FlashSlot.objects.filter(
            kind=FlashSlotKind.SLOT,
            starts_at__gte=room.start_time,
            starts_at__lt=room.end_time,
            live_binding__isnull=True,
        )
        .order_by("starts_at")
        .first()
    )
    if slot is not None:
        return slot
    starts = room.start_time
    busy = FlashSlot.objects.filter(
        kind=FlashSlotKind.SLOT, starts_at__lt=starts + timedelta(hours=1), ends_at__gt=starts
    ).exists()
    if busy or sku is None:
        return None
    slot = flash_slot_create(
        actor=owner, data=FlashSlotData(starts_at=starts, ends_at=starts + timedelta(hours=1), title="直播间整点秒杀")
    )
    flash_item_add(
        actor=owner, slot_id=slot.pk, data=FlashItemData(sku_id=sku.pk, flash_price=max(1, sku.price // 2), quota=20)
    )
    flash_slot_publish(actor=owner, slot_id=slot.pk)
    return slot


@transaction.atomic
def build_live() -> dict[str, int]:
    owner = _owner()
    if owner is None or LiveRoom.objects.filter(wx_room_id__in=[UPCOMING_ROOM, REPLAY_ROOM]).exists():
        return {"live rooms": 0}
    now = timezone.now()
    tomorrow = timezone.localtime(now) + timedelta(days=1)
    cover = _cover()
    upcoming = LiveRoom.objects.create(
        wx_room_id=UPCOMING_ROOM,
        name="晚八点 好物直播",
        anchor_name="多营小助手",
        cover_img=cover,
        share_img=cover,
        wx_status=102,
        status=LiveRoomStatus.UPCOMING,
        start_time=_at(tomorrow, 20),
        end_time=_at(tomorrow, 22),
        synced_at=now,
    )
    last_week = timezone.localtime(now) - timedelta(days=7)
    LiveRoom.objects.create(
        wx_room_id=REPLAY_ROOM,
        name="上周直播回放：出差好物",
        anchor_name="多营小助手",
        cover_img=cover,
        share_img=cover,
        wx_status=103,
        status=LiveRoomStatus.REPLAY,
        start_time=_at(last_week, 20),
        end_time=_at(last_week, 21),
        replays=[
            {
                "media_url": "https://example.com/demo-replay.m3u8",
                "expire_time": (now + timedelta(days=90)).strftime("%Y-%m-%dT%H:%M:%SZ"),
                "create_time": _at(last_week, 21).strftime("%Y-%m-%dT%H:%M:%SZ"),
            }
        ],
        synced_at=now,
    )
    skus = list(
        Sku.objects.filter(is_active=True, product__is_on_shelf=True, price__gte=1000).order_by("-price", "pk")[:2]
    )
    slot = _flash_slot(owner, upcoming, skus[0] if skus else None)
    if slot is not None:
        live_flash_bind(actor=owner, room_id=upcoming.pk, slot_id=slot.pk)
    live_lottery_create(
        actor=owner,
        room_id=upcoming.pk,
        form=LotteryForm(
            title="评论口令抽 50 积分",
            keyword="多营好物",
            opens_at=upcoming.start_time + timedelta(minutes=10),
            closes_at=upcoming.start_time + timedelta(minutes=40),
            winners_count=5,
            prize_kind=LotteryPrizeKind.POINTS,
            points=50,
        ),
    )
    if len(skus) > 1:
        fan_sku = skus[1]
        live_fan_price_save(
            actor=owner, room_id=upcoming.pk, sku_id=fan_sku.pk, price=fan_sku.price * 8 // 10, quota=30
        )
    for member in Member.objects.filter(openid__startswith=SHOPPER_OPENID_PREFIX).order_by("pk")[:FOLLOWERS]:
        live_follow(member=member, room_id=upcoming.pk)
    return {"live rooms": 2}
