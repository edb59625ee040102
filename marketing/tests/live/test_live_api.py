"""The live API the mini-program uses: room tabs, the companion page, follow, share, lottery entry."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import responses
import time_machine
from django.contrib.auth.models import User
from django.utils import timezone
from rest_framework.test import APIClient

from marketing.models import LiveFollow, LiveLotteryEntry, LotteryPrizeKind
from marketing.services.live_fans import live_fan_price_save, live_share_token
from marketing.services.live_lottery import LotteryForm, live_lottery_create, live_lottery_draw
from marketing.tests.flash import shelf_sku
from marketing.tests.live.helpers import replay_file, set_replays, synced_room
from members.models import Member
from members.tests.factories import MemberFactory
from members.tests.fixtures import client_for

pytestmark = pytest.mark.django_db


def _lottery(staff: User, room_id: int, *, opens_in: int = -5, minutes: int = 30, winners: int = 1) -> Any:
    now = timezone.now()
    return live_lottery_create(
        actor=staff,
        room_id=room_id,
        form=LotteryForm(
            title="口令抽奖",
            keyword="多营好物",
            opens_at=now + dt.timedelta(minutes=opens_in),
            closes_at=now + dt.timedelta(minutes=opens_in + minutes),
            winners_count=winners,
            prize_kind=LotteryPrizeKind.POINTS,
            points=50,
        ),
    )


def test_rooms_are_listed_by_tab_with_counts(
    wechat_api: responses.RequestsMock, member: Member, django_assert_max_num_queries: Any
) -> None:
    upcoming = synced_room(wechat_api, roomid=11, live_status=102, name="明晚上新")
    on_air = synced_room(wechat_api, roomid=12, live_status=101, name="正在直播", start=timezone.now())
    set_replays(13, [replay_file(13)])
    synced_room(wechat_api, roomid=13, live_status=103, name="昨晚回放", start=timezone.now() - dt.timedelta(days=1))
    synced_room(wechat_api, roomid=14, live_status=104, name="被禁播")
    client_for(member).post(f"/api/v1/live/rooms/{upcoming.pk}/follow")

    client = client_for(member)
    with django_assert_max_num_queries(6):
        body = client.get("/api/v1/live/rooms", {"tab": "upcoming"}).json()
    assert body["counts"] == {"upcoming": 1, "live": 1, "replay": 1}
    assert [(r["name"], r["status"], r["status_label"], r["followed"], r["followers"]) for r in body["rooms"]] == [
        ("明晚上新", "upcoming", "预告", True, 1)
    ]
    live = APIClient().get("/api/v1/live/rooms").json()  # anonymous, default tab
    assert [(r["id"], r["wx_room_id"], r["followed"]) for r in live["rooms"]] == [(on_air.pk, 12, False)]
    replay = APIClient().get("/api/v1/live/rooms", {"tab": "replay"}).json()
    assert [(r["name"], r["has_replay"]) for r in replay["rooms"]] == [("昨晚回放", True)]
    bad = APIClient().get("/api/v1/live/rooms", {"tab": "ended"})
    assert bad.status_code == 400 and bad.json()["code"] == "invalid_input"


def test_follow_is_idempotent_and_unfollow_removes_it(wechat_api: responses.RequestsMock, member: Member) -> None:
    room = synced_room(wechat_api, roomid=21)
    client = client_for(member)
    assert client.post(f"/api/v1/live/rooms/{room.pk}/follow").json() == {"followed": True}
    assert client.post(f"/api/v1/live/rooms/{room.pk}/follow").json() == {"followed": True}
    assert LiveFollow.objects.filter(room=room, member=member).count() == 1
    assert client.delete(f"/api/v1/live/rooms/{room.pk}/follow").json() == {"followed": False}
    assert not LiveFollow.objects.filter(room=room).exists()
    assert APIClient().post(f"/api/v1/live/rooms/{room.pk}/follow").status_code == 401
    missing = client.post("/api/v1/live/rooms/999999/follow")
    assert missing.status_code == 404 and missing.json()["code"] == "live_room_not_found"
    assert missing.json()["message"] == "直播间不存在。"


def test_companion_page_shows_deals_my_entry_and_fan_price_state(
    wechat_api: responses.RequestsMock, staff: User, member: Member, django_assert_max_num_queries: Any
) -> None:
    room = synced_room(wechat_api, roomid=31, live_status=101, start=timezone.now() - dt.timedelta(minutes=10))
    sku = shelf_sku(price=9900)
    live_fan_price_save(actor=staff, room_id=room.pk, sku_id=sku.pk, price=6900, quota=100)
    lottery = _lottery(staff, room.pk)
    client = client_for(member)
    assert (
        client.post(
            f"/api/v1/live/lotteries/{lottery.pk}/entries", {"keyword": " 多营好物 "}, format="json"
        ).status_code
        == 201
    )
    client.post(f"/api/v1/live/rooms/{room.pk}/follow")
    token = client.post(f"/api/v1/live/rooms/{room.pk}/share").json()["token"]

    with django_assert_max_num_queries(12):
        body = client.get(f"/api/v1/live/rooms/{room.pk}", {"share": token}).json()
    assert (body["followed"], body["share_valid"], body["fan_price_open"]) == (True, True, True)
    assert [(f["sku_id"], f["fan_price"], f["fan_price_text"], f["left"]) for f in body["fan_prices"]] == [
        (sku.pk, 6900, "69.00", 100)
    ]
    [card] = body["lotteries"]
    assert (card["state"], card["state_label"], card["seed"], len(card["seed_hash"])) == ("open", "进行中", "", 64)
    assert card["my_entry"]["won"] is False and card["my_entry"]["rank"] is None
    anonymous = APIClient().get(f"/api/v1/live/rooms/{room.pk}").json()
    assert (anonymous["followed"], anonymous["share_valid"], anonymous["fan_price_open"]) == (False, False, False)
    assert anonymous["lotteries"][0]["my_entry"] is None


def test_lottery_entry_refusals(wechat_api: responses.RequestsMock, staff: User, member: Member) -> None:
    room = synced_room(wechat_api, roomid=41, live_status=101, start=timezone.now())
    lottery = _lottery(staff, room.pk)
    client = client_for(member)
    wrong = client.post(f"/api/v1/live/lotteries/{lottery.pk}/entries", {"keyword": "别的"}, format="json")
    assert wrong.status_code == 400 and wrong.json()["code"] == "live_lottery_keyword_wrong"
    assert (
        client.post(f"/api/v1/live/lotteries/{lottery.pk}/entries", {"keyword": "多营好物"}, format="json").status_code
        == 201
    )
    again = client.post(f"/api/v1/live/lotteries/{lottery.pk}/entries", {"keyword": "多营好物"}, format="json")
    assert again.status_code == 409 and again.json()["code"] == "live_lottery_already_entered"
    empty = client.post(f"/api/v1/live/lotteries/{lottery.pk}/entries", {}, format="json")
    assert empty.status_code == 400 and empty.json()["code"] == "invalid_input"
    with time_machine.travel(lottery.closes_at + dt.timedelta(seconds=1), tick=False):
        late = client_for(MemberFactory.create()).post(
            f"/api/v1/live/lotteries/{lottery.pk}/entries", {"keyword": "多营好物"}, format="json"
        )
    assert late.status_code == 409 and late.json()["code"] == "live_lottery_closed"
    assert LiveLotteryEntry.objects.filter(lottery=lottery).count() == 1


def test_drawn_lottery_reveals_seed_winners_and_entry_ids(
    wechat_api: responses.RequestsMock, staff: User, member: Member
) -> None:
    room = synced_room(wechat_api, roomid=51, live_status=101, start=timezone.now())
    lottery = _lottery(staff, room.pk, winners=2)
    shoppers = [member, *MemberFactory.create_batch(3, nickname="张三丰")]
    for shopper in shoppers:
        client_for(shopper).post(f"/api/v1/live/lotteries/{lottery.pk}/entries", {"keyword": "多营好物"}, format="json")
    assert APIClient().get(f"/api/v1/live/lotteries/{lottery.pk}/entries").json()["entry_ids"] == []
    live_lottery_draw(actor=staff, lottery_id=lottery.pk, now=lottery.closes_at)

    body = client_for(member).get(f"/api/v1/live/lotteries/{lottery.pk}").json()
    assert body["state"] == "drawn" and len(body["seed"]) == 64
    assert [w["rank"] for w in body["winners"]] == [1, 2]
    assert all(w["nickname"] in ("张*丰", "小*") for w in body["winners"])
    ids = APIClient().get(f"/api/v1/live/lotteries/{lottery.pk}/entries").json()["entry_ids"]
    assert sorted(ids) == sorted(LiveLotteryEntry.objects.filter(lottery=lottery).values_list("id", flat=True))
    assert body["my_entry"]["rank"] in (1, 2, 3, 4)


def test_share_token_resolves_and_forgery_is_refused(wechat_api: responses.RequestsMock) -> None:
    room = synced_room(wechat_api, roomid=61)
    body = APIClient().post(f"/api/v1/live/rooms/{room.pk}/share").json()
    assert body["path"] == f"/package-live/room/index?room_id={room.pk}&share={body['token']}"
    assert APIClient().get(f"/api/v1/live/share/{body['token']}").json() == {"room_id": room.pk}
    forged = APIClient().get(f"/api/v1/live/share/{live_share_token(room=room)[:-2]}xx")
    assert forged.status_code == 400 and forged.json()["code"] == "live_share_token_invalid"
    with time_machine.travel(timezone.now() + dt.timedelta(days=8)):
        expired = APIClient().get(f"/api/v1/live/share/{body['token']}")
    assert expired.status_code == 400


def test_hidden_room_is_gone_for_shoppers(wechat_api: responses.RequestsMock, staff: User, member: Member) -> None:
    from marketing.services.live import live_room_visibility_set

    room = synced_room(wechat_api, roomid=71, live_status=101, start=timezone.now())
    live_room_visibility_set(actor=staff, room_id=room.pk, hidden=True)
    assert APIClient().get("/api/v1/live/rooms").json()["rooms"] == []
    assert APIClient().get(f"/api/v1/live/rooms/{room.pk}").status_code == 404
    assert client_for(member).post(f"/api/v1/live/rooms/{room.pk}/follow").status_code == 404


def test_lottery_detail_reads_in_fixed_queries(
    wechat_api: responses.RequestsMock, staff: User, member: Member, django_assert_max_num_queries: Any
) -> None:
    room = synced_room(wechat_api, roomid=81, live_status=101, start=timezone.now())
    lottery = _lottery(staff, room.pk, winners=5)
    for shopper in MemberFactory.create_batch(8):
        client_for(shopper).post(f"/api/v1/live/lotteries/{lottery.pk}/entries", {"keyword": "多营好物"}, format="json")
    live_lottery_draw(actor=staff, lottery_id=lottery.pk, now=lottery.closes_at)
    client = client_for(member)
    with django_assert_max_num_queries(5):
        body = client.get(f"/api/v1/live/lotteries/{lottery.pk}").json()
    assert len(body["winners"]) == 5 and body["my_entry"] is None


def test_entering_is_rate_limited_but_reading_is_not(
    wechat_api: responses.RequestsMock, staff: User, member: Member, monkeypatch: pytest.MonkeyPatch
) -> None:
    from mall.api.throttling import FixedWindowRateThrottle

    rates = {**FixedWindowRateThrottle.THROTTLE_RATES, "live_lottery.shopper": "2/min", "live_lottery.ip": "2/min"}
    monkeypatch.setattr(FixedWindowRateThrottle, "THROTTLE_RATES", rates)
    room = synced_room(wechat_api, roomid=91, live_status=101, start=timezone.now())
    lottery = _lottery(staff, room.pk)
    url = f"/api/v1/live/lotteries/{lottery.pk}/entries"
    with time_machine.travel(timezone.now().replace(second=1), tick=False):  # one fixed window
        client = client_for(member)  # a token issued inside the frozen time
        codes = [client.post(url, {"keyword": "别的"}, format="json").status_code for _i in range(3)]
        assert codes == [400, 400, 429]
        assert [client.get(url).status_code for _i in range(4)] == [200, 200, 200, 200]
