"""Live-selling races with real threads against the real database and Redis.

* two (and eight) concurrent draws of one lottery: one result, the others ``live_lottery_already_drawn``,
  each winner's prize issued exactly once;
* one shopper entering from many threads at once: one entry;
* 30 followers buying the last 10 fan-price units at once: exactly 10 orders.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import pytest
import responses
from django.db import connection
from django.utils import timezone

from mall.tests.concurrency import run_in_threads
from marketing.errors import LiveFanPriceSoldOut, LiveLotteryAlreadyDrawn, LiveLotteryAlreadyEntered
from marketing.models import LiveFanPrice, LiveFanPurchase, LiveFollow, LiveLotteryEntry, LotteryPrizeKind
from marketing.selectors.live import live_lottery_detail
from marketing.services.deals import DealRequest
from marketing.services.live_fans import DEAL_KIND, live_fan_price_save, live_share_token
from marketing.services.live_lottery import (
    DrawResult,
    LotteryForm,
    live_lottery_create,
    live_lottery_draw,
    live_lottery_enter,
)
from marketing.tests.flash import shelf_sku
from marketing.tests.live.helpers import staff_user, synced_room
from members.models import Member, PointsEntry
from members.selectors.abuse import guard_config
from members.tests.factories import AddressFactory
from members.tests.fixtures import SHOPPER_CONTEXT, guard_slider_off
from orders.models import Order
from orders.services.orders import order_place

pytestmark = [pytest.mark.race, pytest.mark.django_db(transaction=True)]


def _shoppers(n: int) -> list[Member]:
    return list(Member.objects.bulk_create([Member(openid=f"live-{uuid.uuid4().hex}") for _i in range(n)]))


def _ready() -> None:
    guard_slider_off()
    guard_config()
    connection.close()


@pytest.mark.parametrize("drawers", [2, 8])
def test_concurrent_draws_give_one_result(wechat_api: responses.RequestsMock, redis_client: Any, drawers: int) -> None:
    staff = staff_user()
    room = synced_room(wechat_api, roomid=900, live_status=101, start=timezone.now())
    now = timezone.now()
    lottery = live_lottery_create(
        actor=staff,
        room_id=room.pk,
        form=LotteryForm(
            title="口令抽奖",
            keyword="多营",
            opens_at=now - dt.timedelta(minutes=5),
            closes_at=now + dt.timedelta(minutes=5),
            winners_count=3,
            prize_kind=LotteryPrizeKind.POINTS,
            points=10,
        ),
    )
    for member in _shoppers(12):
        live_lottery_enter(member=member, lottery_id=lottery.pk, keyword="多营", context=SHOPPER_CONTEXT)
    _ready()

    results = run_in_threads(
        drawers, lambda _i: live_lottery_draw(actor=staff, lottery_id=lottery.pk, now=lottery.closes_at)
    )

    assert len([r for r in results if isinstance(r, DrawResult)]) == 1
    assert all(isinstance(r, (DrawResult, LiveLotteryAlreadyDrawn)) for r in results)
    assert LiveLotteryEntry.objects.filter(lottery=lottery, won=True).count() == 3
    assert PointsEntry.objects.filter(ref__startswith="live_lottery:").count() == 3
    assert sorted(
        r or 0 for r in LiveLotteryEntry.objects.filter(lottery=lottery).values_list("rank", flat=True)
    ) == list(range(1, 13))


def test_one_shopper_entering_from_many_threads_gets_one_entry(
    wechat_api: responses.RequestsMock, redis_client: Any
) -> None:
    staff = staff_user()
    room = synced_room(wechat_api, roomid=901, live_status=101, start=timezone.now())
    now = timezone.now()
    lottery = live_lottery_create(
        actor=staff,
        room_id=room.pk,
        form=LotteryForm(
            title="口令抽奖",
            keyword="多营",
            opens_at=now - dt.timedelta(minutes=5),
            closes_at=now + dt.timedelta(minutes=5),
            winners_count=1,
            prize_kind=LotteryPrizeKind.POINTS,
            points=10,
        ),
    )
    [member] = _shoppers(1)
    _ready()

    results = run_in_threads(
        10, lambda _i: live_lottery_enter(member=member, lottery_id=lottery.pk, keyword="多营", context=SHOPPER_CONTEXT)
    )

    assert len([r for r in results if isinstance(r, LiveLotteryEntry)]) == 1
    assert all(isinstance(r, (LiveLotteryEntry, LiveLotteryAlreadyEntered)) for r in results)
    assert LiveLotteryEntry.objects.filter(lottery=lottery).count() == 1
    assert live_lottery_detail(lottery_id=lottery.pk, member=None)["entries_count"] == 1


def test_thirty_fans_never_buy_more_than_the_quota(wechat_api: responses.RequestsMock, redis_client: Any) -> None:
    staff = staff_user()
    room = synced_room(wechat_api, roomid=902, live_status=101, start=timezone.now())
    sku = shelf_sku(price=9900, stock=500)
    fan = live_fan_price_save(actor=staff, room_id=room.pk, sku_id=sku.pk, price=6900, quota=10)
    token = live_share_token(room=room)
    members = _shoppers(30)
    LiveFollow.objects.bulk_create([LiveFollow(room=room, member=m) for m in members])
    addresses = [AddressFactory.create(member=m) for m in members]
    _ready()

    def buy(i: int) -> Order:
        return order_place(
            context=SHOPPER_CONTEXT,
            member=members[i],
            items=[(sku.pk, 1)],
            address_id=addresses[i].pk,
            idempotency_key=uuid.uuid4().hex,
            deal=DealRequest(kind=DEAL_KIND, ref=fan.pk, params={"token": token}),
            src=f"live:{room.pk}",
        )

    results = run_in_threads(30, buy)

    orders = [r for r in results if isinstance(r, Order)]
    assert len(orders) == 10
    assert all(isinstance(r, (Order, LiveFanPriceSoldOut)) for r in results), [
        r for r in results if not isinstance(r, (Order, LiveFanPriceSoldOut))
    ]
    fan = LiveFanPrice.objects.get(pk=fan.pk)
    assert fan.sold == 10
    assert LiveFanPurchase.objects.count() == 10
    assert {o.payable_amount - o.shipping_fee for o in orders} == {6900}
    sku.refresh_from_db()
    assert sku.stock == 490


def test_beats_firing_together_sync_once_and_never_duplicate_rooms(
    wechat_api: responses.RequestsMock, redis_client: Any
) -> None:
    """Four sync runs at once (beat twice, the console button, a retry): one reads WeChat, the
    others are refused by the lock or find the rows already there; no room or goods row twice."""
    from marketing.errors import LiveSyncBusy
    from marketing.models import LiveRoom, LiveRoomGoods
    from marketing.services.live import SyncResult, live_rooms_sync
    from marketing.tests.live.helpers import stub_live_info, wx_goods, wx_room

    stub_live_info(wechat_api, [wx_room(roomid=n, goods=[wx_goods(goods_id=n)]) for n in range(1, 6)])
    _ready()

    results = run_in_threads(4, lambda _i: live_rooms_sync())

    assert all(isinstance(r, (SyncResult, LiveSyncBusy)) for r in results), results
    assert any(isinstance(r, SyncResult) for r in results)
    assert LiveRoom.objects.count() == 5 and LiveRoomGoods.objects.count() == 5
    assert sum(r.created for r in results if isinstance(r, SyncResult)) == 5


def test_a_crowd_entering_at_once_all_get_in(wechat_api: responses.RequestsMock, redis_client: Any) -> None:
    """30 viewers sending the keyword in the same instant: 30 entries, no deadlock, no 500."""
    staff = staff_user()
    room = synced_room(wechat_api, roomid=903, live_status=101, start=timezone.now())
    now = timezone.now()
    lottery = live_lottery_create(
        actor=staff,
        room_id=room.pk,
        form=LotteryForm(
            title="口令抽奖",
            keyword="多营",
            opens_at=now - dt.timedelta(minutes=5),
            closes_at=now + dt.timedelta(minutes=5),
            winners_count=3,
            prize_kind=LotteryPrizeKind.POINTS,
            points=10,
        ),
    )
    members = _shoppers(30)
    _ready()

    results = run_in_threads(
        30,
        lambda i: live_lottery_enter(member=members[i], lottery_id=lottery.pk, keyword="多营", context=SHOPPER_CONTEXT),
    )

    assert [r for r in results if not isinstance(r, LiveLotteryEntry)] == []
    assert LiveLotteryEntry.objects.filter(lottery=lottery).count() == 30
