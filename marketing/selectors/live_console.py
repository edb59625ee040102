"""What the merchant's live-room page shows, read in a fixed number of queries (F24).

The page lists the room's goods, its bound 整点秒杀 slots with their items, its 评论抽奖 with
their entry counts and winners, its 粉丝专属价 and its followers; before this selector the
console view read each of them itself. Seven queries (six when no lottery is drawn)
whatever the number of rows (pinned in
``marketing/tests/live/test_live_console_selector.py``); the orders and GMV come from
:func:`marketing.selectors.live.live_room_report`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.db.models import Count, Prefetch, Q

from marketing.models import (
    FlashItem,
    LiveFanPrice,
    LiveFlashSlot,
    LiveLottery,
    LiveLotteryEntry,
    LiveRoom,
    LiveRoomGoods,
    LotteryStatus,
)


@dataclass(frozen=True)
class LiveRoomConsole:
    room: LiveRoom
    goods: list[LiveRoomGoods]
    # Each binding's ``slot`` is read with it and ``slot.items.all()`` holds the items with SKU and product.
    bindings: list[LiveFlashSlot]
    # Newest first; each annotated with ``n_entries`` and ``n_pending`` (won, prize not issued yet).
    lotteries: Sequence[LiveLottery]
    # Winners of the drawn lotteries by lottery id, by rank, each with its shopper.
    winners: dict[int, list[LiveLotteryEntry]]
    fans: list[LiveFanPrice]
    followers: int


def live_room_for_console(*, room_id: int) -> LiveRoom | None:
    """The room the page is about (rooms gone from WeChat included), or None."""
    return LiveRoom.objects.filter(pk=room_id).first()


def live_room_console(*, room: LiveRoom) -> LiveRoomConsole:
    """The live room page's rows (read after the page's POST has run, so they show its effect)."""
    lotteries = list(
        LiveLottery.objects.filter(room=room)
        .select_related("coupon_template")
        .annotate(
            n_pending=Count("entries", filter=Q(entries__won=True, entries__prize_issued_at__isnull=True)),
            n_entries=Count("entries"),
        )
        .order_by("-opens_at", "-id")
    )
    winners: dict[int, list[LiveLotteryEntry]] = {}
    drawn = [lottery.pk for lottery in lotteries if lottery.status == LotteryStatus.DRAWN]
    if drawn:
        entries = LiveLotteryEntry.objects.filter(lottery_id__in=drawn, won=True).select_related("member")
        for entry in entries.order_by("rank"):
            winners.setdefault(entry.lottery_id, []).append(entry)
    bindings = (
        LiveFlashSlot.objects.filter(room=room)
        .select_related("slot")
        .prefetch_related(
            Prefetch("slot__items", queryset=FlashItem.objects.select_related("sku__product").order_by("id"))
        )
        .order_by("slot__starts_at", "id")
    )
    return LiveRoomConsole(
        room=room,
        goods=list(room.goods.select_related("product").order_by("id")),
        bindings=list(bindings),
        lotteries=lotteries,
        winners=winners,
        fans=list(LiveFanPrice.objects.filter(room=room).select_related("sku__product").order_by("id")),
        followers=room.follows.count(),
    )
