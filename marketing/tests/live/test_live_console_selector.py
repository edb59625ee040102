"""The live room page's selector reads everything in a fixed number of queries, whatever the rows."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from marketing.models import (
    LiveFanPrice,
    LiveFlashSlot,
    LiveFollow,
    LiveLottery,
    LiveLotteryEntry,
    LiveRoom,
    LiveRoomGoods,
    LotteryStatus,
)
from marketing.selectors.live_console import live_room_console, live_room_for_console
from marketing.tests.flash import make_slot, shelf_sku
from marketing.tests.live.helpers import open_lottery
from members.tests.factories import MemberFactory

pytestmark = pytest.mark.django_db

QUERIES = 7  # lotteries, winners, bindings with their slots, the slots' items, goods, fans, followers


def _fill(room: LiveRoom, n: int) -> None:
    """``n`` more of every kind of row: goods, a bound slot with two items, a drawn lottery with a
    winner, a fan price and a follower."""
    for _i in range(n):
        sku = shelf_sku(price=9900)
        number = LiveRoomGoods.objects.count() + 1
        LiveRoomGoods.objects.create(
            room=room, wx_goods_id=number, product=sku.product, name=f"商品{number}", price=9900
        )
        slot = make_slot(
            items=[(sku, 5), (shelf_sku(), 5)], starts_in=timedelta(hours=number), publish=False, title=f"整点{number}"
        )
        LiveFlashSlot.objects.create(room=room, slot=slot)
        lottery = open_lottery()
        LiveLottery.objects.filter(pk=lottery.pk).update(room=room, status=LotteryStatus.DRAWN)
        LiveLotteryEntry.objects.create(lottery=lottery, member=MemberFactory.create(), rank=1, won=True)
        LiveFanPrice.objects.create(room=room, sku=sku, price=6900, quota=10)
        LiveFollow.objects.create(room=room, member=MemberFactory.create())


def test_room_page_rows_in_fixed_queries(django_assert_num_queries: Any) -> None:
    room = open_lottery().room
    _fill(room, 2)
    with django_assert_num_queries(QUERIES):
        console = live_room_console(room=room)
    assert len(console.goods) == 2 and len(console.bindings) == 2 and len(console.fans) == 2
    assert [len(b.slot.items.all()) for b in console.bindings] == [2, 2]
    assert console.bindings[0].slot.items.all()[0].sku.product.title  # read with the items
    assert len(console.lotteries) == 3 and console.followers == 2
    drawn = [lottery for lottery in console.lotteries if lottery.status == LotteryStatus.DRAWN]
    assert len(drawn) == 2 and all(len(console.winners[lottery.pk]) == 1 for lottery in drawn)
    assert all(console.winners[lottery.pk][0].member.nickname is not None for lottery in drawn)
    assert {lottery.n_entries for lottery in drawn} == {1}  # type: ignore[attr-defined]  # annotated

    _fill(room, 3)
    with django_assert_num_queries(QUERIES):
        more = live_room_console(room=room)
    assert len(more.goods) == 5 and len(more.bindings) == 5 and len(more.winners) == 5


def test_room_lookup() -> None:
    room = open_lottery().room
    assert live_room_for_console(room_id=room.pk) == room
    assert live_room_for_console(room_id=room.pk + 1000) is None
