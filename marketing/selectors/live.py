"""Reads of live selling (F24): the room list's tabs, a room's companion page, a lottery's proof, the
merchant's room report. Each answers its screen in a fixed number of queries (pinned in tests).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as gettext_now
from django.utils.translation import gettext_lazy as _

from analytics.models import OrderTouch, Tool
from analytics.selectors.attribution import ToolFigure, campaign_live
from mall.money import format_yuan
from mall.selectors.catalogue import server_time_data
from marketing.errors import LiveLotteryNotFound, LiveRoomNotFound
from marketing.models import (
    LiveFanPrice,
    LiveFlashSlot,
    LiveFollow,
    LiveLottery,
    LiveLotteryEntry,
    LiveRoom,
    LiveRoomGoods,
    LiveRoomStatus,
    LotteryPrizeKind,
    LotteryStatus,
)
from marketing.selectors.distribution import mask_nickname
from marketing.selectors.flash_sales import flash_slots_presented
from marketing.services.live_fans import live_share_valid_for
from marketing.services.live_lottery import entry_score
from members.models import Member
from orders.models import Order

LIST_LIMIT = 50
WINNERS_SHOWN = 200
TABS = (LiveRoomStatus.UPCOMING, LiveRoomStatus.LIVE, LiveRoomStatus.REPLAY)
_TAB_ORDER = {
    LiveRoomStatus.UPCOMING: ("start_time", "id"),
    LiveRoomStatus.LIVE: ("-start_time", "-id"),
    LiveRoomStatus.REPLAY: ("-end_time", "-id"),
}


def _ms(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)


def _shopper_rooms() -> QuerySet[LiveRoom]:
    return LiveRoom.objects.filter(is_hidden=False, gone_at__isnull=True)


def _room_card(room: LiveRoom, followed: set[int], followers: int) -> dict[str, Any]:
    return {
        "id": room.pk,
        "wx_room_id": room.wx_room_id,
        "name": room.name,
        "anchor_name": room.anchor_name,
        "cover_img": room.cover_img,
        "share_img": room.share_img,
        "status": room.status,
        "status_label": str(room.get_status_display()),
        "start_time": room.start_time,
        "end_time": room.end_time,
        "start_time_ms": _ms(room.start_time),
        "followed": room.pk in followed,
        "followers": followers,
        "has_replay": bool(room.replays),
    }


def live_rooms_for_shoppers(*, tab: str, member: Member | None, now: datetime | None = None) -> dict[str, Any]:
    """One tab of the room list (预告 / 直播中 / 回放) with each tab's count: 3 queries (2 anonymous)."""
    now = now or timezone.now()
    counts = dict(
        _shopper_rooms()
        .filter(status__in=TABS)
        .values_list("status")
        .annotate(n=Count("id"))
        .values_list("status", "n")
    )
    rooms = list(
        _shopper_rooms()
        .filter(status=tab)
        .annotate(n_followers=Count("follows"))
        .order_by(*_TAB_ORDER[LiveRoomStatus(tab)])[:LIST_LIMIT]
    )
    followed: set[int] = set()
    if member is not None and rooms:
        followed = set(
            LiveFollow.objects.filter(member=member, room_id__in=[r.pk for r in rooms]).values_list(
                "room_id", flat=True
            )
        )
    return {
        "server_time": server_time_data(now=now),
        "tab": tab,
        "counts": {str(t): int(counts.get(t, 0)) for t in TABS},
        "rooms": [_room_card(room, followed, room.n_followers) for room in rooms],  # type: ignore[attr-defined]
    }


def _lottery_state(lottery: LiveLottery, now: datetime) -> str:
    if lottery.status != LotteryStatus.OPEN:
        return str(lottery.status)
    if now < lottery.opens_at:
        return "upcoming"
    if now < lottery.closes_at:
        return "open"
    return "closed"  # waiting for the merchant's draw


LOTTERY_STATE_LABELS = {
    "upcoming": _("即将开始"),
    "open": _("进行中"),
    "closed": _("待开奖"),
    "drawn": _("已开奖"),
    "cancelled": _("已取消"),
}


def lottery_prize_text(lottery: LiveLottery) -> str:
    if lottery.prize_kind == LotteryPrizeKind.POINTS:
        return gettext_now("%(points)s 积分") % {"points": lottery.points}
    template = lottery.coupon_template
    return template.name if template is not None else ""


def _my_entry(entry: LiveLotteryEntry | None) -> dict[str, Any] | None:
    if entry is None:
        return None
    return {
        "id": entry.pk,
        "entered_at": entry.created_at,
        "rank": entry.rank,
        "won": entry.won,
        "prize_issued": entry.prize_issued_at is not None,
        "coupon_id": entry.coupon_id,
        "points": entry.points,
    }


def _entries(lottery: LiveLottery) -> int:
    """The draw's stored count, else the rows counted by the query (``n_entries``)."""
    if lottery.status == LotteryStatus.DRAWN:
        return lottery.entries_count
    return int(getattr(lottery, "n_entries", lottery.entries_count))


def _lottery_card(lottery: LiveLottery, mine: LiveLotteryEntry | None, now: datetime) -> dict[str, Any]:
    state = _lottery_state(lottery, now)
    return {
        "id": lottery.pk,
        "title": lottery.title,
        "keyword": lottery.keyword,
        "opens_at": lottery.opens_at,
        "closes_at": lottery.closes_at,
        "opens_at_ms": _ms(lottery.opens_at),
        "closes_at_ms": _ms(lottery.closes_at),
        "state": state,
        "state_label": str(LOTTERY_STATE_LABELS[state]),
        "winners_count": lottery.winners_count,
        "entries_count": _entries(lottery),
        "prize_kind": lottery.prize_kind,
        "prize_text": lottery_prize_text(lottery),
        "seed_hash": lottery.seed_hash,
        "seed": lottery.seed_revealed,
        "drawn_at": lottery.drawn_at,
        "my_entry": _my_entry(mine),
    }


def _fan_card(fan: LiveFanPrice) -> dict[str, Any]:
    sku, product = fan.sku, fan.sku.product
    return {
        "id": fan.pk,
        "product_id": product.pk,
        "sku_id": sku.pk,
        "title": product.title,
        "specs": sku.specs or {},
        "image": str(product.main_image.url) if product.main_image else "",
        "price": sku.price,
        "fan_price": fan.price,
        "price_text": format_yuan(sku.price),
        "fan_price_text": format_yuan(fan.price),
        "quota": fan.quota,
        "left": fan.left,
    }


def _goods_card(goods: LiveRoomGoods) -> dict[str, Any]:
    return {
        "id": goods.pk,
        "product_id": goods.product_id,
        "name": goods.name,
        "price": goods.price,
        "price_text": format_yuan(goods.price),
        "cover_img": goods.cover_img,
    }


def live_room_companion(
    *, room_id: int, member: Member | None, share_token: str | None = None, now: datetime | None = None
) -> dict[str, Any]:
    """Everything the room's companion page shows, in a fixed number of queries."""
    now = now or timezone.now()
    room = (
        _shopper_rooms()
        .filter(pk=room_id)
        .prefetch_related(
            Prefetch("goods", queryset=LiveRoomGoods.objects.order_by("id")),
            Prefetch(
                "lotteries",
                queryset=LiveLottery.objects.exclude(status=LotteryStatus.CANCELLED)
                .select_related("coupon_template")
                .annotate(n_entries=Count("entries"))
                .order_by("opens_at", "id"),
            ),
            Prefetch(
                "fan_prices",
                queryset=LiveFanPrice.objects.filter(is_active=True).select_related("sku__product").order_by("id"),
            ),
        )
        .first()
    )
    if room is None:
        raise LiveRoomNotFound(details={"room_id": room_id})
    slot_ids = list(LiveFlashSlot.objects.filter(room=room).values_list("slot_id", flat=True))
    slots = flash_slots_presented(slot_ids=slot_ids, now=now) if slot_ids else {}
    lotteries = list(room.lotteries.all())
    mine: dict[int, LiveLotteryEntry] = {}
    followed = False
    if member is not None:
        followed = LiveFollow.objects.filter(room=room, member=member).exists()
        if lotteries:
            mine = {
                e.lottery_id: e
                for e in LiveLotteryEntry.objects.filter(member=member, lottery_id__in=[lot.pk for lot in lotteries])
            }
    share_valid = live_share_valid_for(token=share_token, room_id=room.pk)
    return {
        "server_time": server_time_data(now=now),
        "room": _room_card(room, {room.pk} if followed else set(), room.follows.count()),
        "replays": [r for r in room.replays if isinstance(r, dict)],
        "followed": followed,
        "share_valid": share_valid,
        "fan_price_open": share_valid and followed,
        "goods": [_goods_card(g) for g in room.goods.all()],
        "flash_slots": [slots[pk] for pk in slot_ids if pk in slots],
        "lotteries": [_lottery_card(lot, mine.get(lot.pk), now) for lot in lotteries],
        "fan_prices": [_fan_card(fan) for fan in room.fan_prices.all()],
    }


def live_lottery_detail(*, lottery_id: int, member: Member | None, now: datetime | None = None) -> dict[str, Any]:
    """A lottery's state and, once drawn, its proof: the seed, every winner's score, my place."""
    now = now or timezone.now()
    lottery = (
        LiveLottery.objects.select_related("coupon_template", "room")
        .annotate(n_entries=Count("entries"))
        .filter(pk=lottery_id, room__is_hidden=False, room__gone_at__isnull=True)
        .exclude(status=LotteryStatus.CANCELLED)
        .first()
    )
    if lottery is None:
        raise LiveLotteryNotFound(details={"lottery_id": lottery_id})
    mine = LiveLotteryEntry.objects.filter(lottery=lottery, member=member).first() if member is not None else None
    card = _lottery_card(lottery, mine, now)
    winners: list[dict[str, Any]] = []
    if lottery.status == LotteryStatus.DRAWN:
        rows = (
            LiveLotteryEntry.objects.filter(lottery=lottery, won=True)
            .select_related("member")
            .order_by("rank")[:WINNERS_SHOWN]
        )
        winners = [
            {
                "entry_id": e.pk,
                "rank": e.rank or 0,
                "nickname": mask_nickname(e.member.nickname),
                "score": entry_score(seed=lottery.seed, entry_id=e.pk),
            }
            for e in rows
        ]
    card["room_id"] = lottery.room_id
    card["winners"] = winners
    card["verification"] = gettext_now(
        "seed_hash = SHA-256(seed)；每个参与编号的 score = HMAC-SHA256(key=seed, message=参与编号)；"
        "按 score 从小到大排序，前 %(n)d 名中奖。"
    ) % {"n": lottery.winners_count}
    return card


def live_lottery_entry_ids(*, lottery_id: int) -> list[int]:
    """Every entry id of a drawn lottery, so anyone can recompute the whole ranking."""
    return list(
        LiveLotteryEntry.objects.filter(lottery_id=lottery_id, lottery__status=LotteryStatus.DRAWN)
        .order_by("id")
        .values_list("id", flat=True)
    )


# --- the merchant's side ----------------------------------------------------------------------------


@dataclass(frozen=True)
class RoomReport:
    total: ToolFigure
    today: ToolFigure
    orders: list[Order]


def live_room_report(*, room_id: int, recent: int = 20) -> RoomReport:
    """The room's orders and GMV from the attribution rows (Tool.LIVE, the room's id)."""
    figures = campaign_live(tool=Tool.LIVE, object_id=room_id, use_cache=False)
    order_ids = list(
        OrderTouch.objects.filter(tool=Tool.LIVE, object_id=room_id, refund_key=0)
        .order_by("-id")
        .values_list("order_id", flat=True)[:recent]
    )
    orders = list(Order.objects.filter(pk__in=order_ids).select_related("member").order_by("-id"))
    return RoomReport(total=figures.total, today=figures.today, orders=orders)


def live_rooms_for_console(*, status: str | None = None) -> QuerySet[LiveRoom]:
    rooms = LiveRoom.objects.annotate(
        n_followers=Count("follows", distinct=True),
        n_lotteries=Count("lotteries", filter=~Q(lotteries__status=LotteryStatus.CANCELLED), distinct=True),
    ).order_by("-start_time", "-id")
    return rooms.filter(status=status) if status else rooms
