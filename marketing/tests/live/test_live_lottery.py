"""评论抽奖: the keyword window, one entry per shopper, a draw anyone can recompute, prizes issued once."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
from typing import Any

import pytest
import responses
from django.contrib.auth.models import User
from django.utils import timezone

from mall.models import AuditLog
from marketing.errors import LiveInvalid, LiveLotteryAlreadyDrawn, LiveLotteryClosed, LiveLotteryNotClosed
from marketing.models import Coupon, LiveLottery, LiveLotteryEntry, LotteryPrizeKind, LotteryStatus
from marketing.selectors.live import live_lottery_detail
from marketing.services.live_lottery import (
    LotteryForm,
    live_lottery_cancel,
    live_lottery_create,
    live_lottery_draw,
    live_lottery_enter,
    live_lottery_prizes_issue,
)
from marketing.tests.live.helpers import synced_room
from marketing.tests.wheel.helpers import wheel_template
from members.models import Member, PointsEntry
from members.tests.factories import MemberFactory
from members.tests.fixtures import SHOPPER_CONTEXT

pytestmark = pytest.mark.django_db


def lottery_form(**fields: Any) -> LotteryForm:
    now = timezone.now()
    values: dict[str, Any] = {
        "title": "口令抽奖",
        "keyword": "多营好物",
        "opens_at": now - dt.timedelta(minutes=1),
        "closes_at": now + dt.timedelta(minutes=10),
        "winners_count": 2,
        "prize_kind": LotteryPrizeKind.POINTS,
        "points": 88,
    }
    values.update(fields)
    return LotteryForm(**values)


@pytest.fixture
def room(wechat_api: responses.RequestsMock) -> Any:
    return synced_room(wechat_api, roomid=500, live_status=101, start=timezone.now())


def _enter_all(lottery: LiveLottery, n: int) -> list[LiveLotteryEntry]:
    return [
        live_lottery_enter(
            member=MemberFactory.create(nickname=f"观众{i}"),
            lottery_id=lottery.pk,
            keyword="多营好物",
            context=SHOPPER_CONTEXT,
        )
        for i in range(n)
    ]


def test_the_draw_is_the_published_commitment_recomputed(room: Any, staff: User) -> None:
    lottery = live_lottery_create(actor=staff, room_id=room.pk, form=lottery_form(winners_count=3))
    published_hash = lottery.seed_hash
    entries = _enter_all(lottery, 7)

    result = live_lottery_draw(actor=staff, lottery_id=lottery.pk, now=lottery.closes_at)

    lottery.refresh_from_db()
    assert (lottery.status, result.winners, result.issued, result.pending) == (LotteryStatus.DRAWN, 3, 3, 0)
    # Anyone with the revealed seed and the entry ids gets the same ranking.
    assert hashlib.sha256(lottery.seed.encode()).hexdigest() == published_hash
    recomputed = sorted(
        (e.pk for e in entries),
        key=lambda pk: (hmac.new(lottery.seed.encode(), str(pk).encode(), hashlib.sha256).hexdigest(), pk),
    )
    stored = list(LiveLotteryEntry.objects.filter(lottery=lottery).order_by("rank").values_list("pk", flat=True))
    assert stored == recomputed
    winners = set(LiveLotteryEntry.objects.filter(lottery=lottery, won=True).values_list("pk", flat=True))
    assert winners == set(recomputed[:3])
    granted = PointsEntry.objects.filter(ref__startswith="live_lottery:")
    assert sorted(granted.values_list("delta", flat=True)) == [88, 88, 88]
    audit = AuditLog.objects.get(action="live.lottery_draw")
    assert audit.data["seed"] == lottery.seed and sorted(audit.data["winners"]) == sorted(winners)


def test_seed_stays_hidden_until_the_draw(room: Any, staff: User) -> None:
    lottery = live_lottery_create(actor=staff, room_id=room.pk, form=lottery_form())
    assert lottery.seed_revealed == "" and len(lottery.seed) == 64
    live_lottery_draw(actor=staff, lottery_id=lottery.pk, now=lottery.closes_at)
    lottery.refresh_from_db()
    assert lottery.seed_revealed == lottery.seed


def test_fewer_entries_than_winners_all_win_and_no_entries_draws_nobody(room: Any, staff: User) -> None:
    lottery = live_lottery_create(actor=staff, room_id=room.pk, form=lottery_form(winners_count=5))
    _enter_all(lottery, 2)
    assert live_lottery_draw(actor=staff, lottery_id=lottery.pk, now=lottery.closes_at).winners == 2
    empty = live_lottery_create(actor=staff, room_id=room.pk, form=lottery_form())
    assert live_lottery_draw(actor=staff, lottery_id=empty.pk, now=empty.closes_at).winners == 0


def test_draw_refuses_before_close_and_twice(room: Any, staff: User) -> None:
    lottery = live_lottery_create(actor=staff, room_id=room.pk, form=lottery_form())
    with pytest.raises(LiveLotteryNotClosed):
        live_lottery_draw(actor=staff, lottery_id=lottery.pk, now=lottery.closes_at - dt.timedelta(seconds=1))
    live_lottery_draw(actor=staff, lottery_id=lottery.pk, now=lottery.closes_at)
    with pytest.raises(LiveLotteryAlreadyDrawn):
        live_lottery_draw(actor=staff, lottery_id=lottery.pk, now=lottery.closes_at)
    with pytest.raises(LiveLotteryClosed):
        live_lottery_enter(
            member=MemberFactory.create(), lottery_id=lottery.pk, keyword="多营好物", context=SHOPPER_CONTEXT
        )


def test_entry_window_and_keyword_normalisation(room: Any, staff: User, member: Member) -> None:
    later = timezone.now() + dt.timedelta(hours=1)
    lottery = live_lottery_create(
        actor=staff,
        room_id=room.pk,
        form=lottery_form(keyword="Duo 营", opens_at=later, closes_at=later + dt.timedelta(minutes=5)),
    )
    with pytest.raises(LiveLotteryClosed):
        live_lottery_enter(
            member=member,
            lottery_id=lottery.pk,
            keyword="duo营",
            context=SHOPPER_CONTEXT,
            now=later - dt.timedelta(seconds=1),
        )
    entry = live_lottery_enter(
        member=member, lottery_id=lottery.pk, keyword=" duo营 ", context=SHOPPER_CONTEXT, now=later
    )
    assert entry.lottery_id == lottery.pk
    assert live_lottery_detail(lottery_id=lottery.pk, member=None)["entries_count"] == 1


def test_coupon_prize_sold_out_stays_pending_and_is_issued_once_later(room: Any, staff: User) -> None:
    template = wheel_template(staff, off=2000, total=1)
    lottery = live_lottery_create(
        actor=staff,
        room_id=room.pk,
        form=lottery_form(prize_kind=LotteryPrizeKind.COUPON, coupon_template_id=template.pk, winners_count=2),
    )
    _enter_all(lottery, 2)
    result = live_lottery_draw(actor=staff, lottery_id=lottery.pk, now=lottery.closes_at)
    assert (result.issued, result.pending) == (1, 1)
    assert Coupon.objects.filter(template=template).count() == 1

    template.total_quantity = 5
    template.save(update_fields=["total_quantity"])
    assert live_lottery_prizes_issue(actor=staff, lottery_id=lottery.pk) == 1
    assert live_lottery_prizes_issue(actor=staff, lottery_id=lottery.pk) == 0
    assert Coupon.objects.filter(template=template).count() == 2
    assert set(LiveLotteryEntry.objects.filter(won=True).values_list("coupon__template_id", flat=True)) == {template.pk}


def test_create_validates_and_cancel_keeps_it_from_being_drawn(room: Any, staff: User) -> None:
    with pytest.raises(LiveInvalid) as raised:
        live_lottery_create(
            actor=staff,
            room_id=room.pk,
            form=lottery_form(keyword=" ", winners_count=0, prize_kind=LotteryPrizeKind.COUPON),
        )
    assert set(raised.value.details["errors"]) == {"keyword", "winners_count", "coupon_template"}
    lottery = live_lottery_create(actor=staff, room_id=room.pk, form=lottery_form())
    live_lottery_cancel(actor=staff, lottery_id=lottery.pk)
    with pytest.raises(LiveLotteryAlreadyDrawn):
        live_lottery_draw(actor=staff, lottery_id=lottery.pk, now=lottery.closes_at)
