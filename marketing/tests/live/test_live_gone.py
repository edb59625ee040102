"""Rooms deleted in WeChat: a complete sync marks them gone (kept, hidden from shoppers), once;
a partial list never does; a room listed again comes back."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
import responses
import time_machine
from django.contrib.auth.models import User
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from mall.models import AuditLog
from marketing.errors import LiveLotteryNotFound, LiveRoomNotFound
from marketing.models import LiveFollow, LiveRoom
from marketing.services.live import live_follow, live_reminders_send, live_rooms_sync
from marketing.services.live_lottery import live_lottery_enter
from marketing.tests.live.helpers import GETLIVEINFO_URL, open_lottery, stub_live_error, stub_live_info, wx_room
from members.errors import WeChatUnavailable
from members.models import Member
from members.tests.factories import MemberFactory
from members.tests.fixtures import SHOPPER_CONTEXT, client_for

pytestmark = pytest.mark.django_db


def _list(wechat_api: responses.RequestsMock, rooms: list[dict[str, Any]], *, total: int | None = None) -> None:
    wechat_api.remove(responses.POST, GETLIVEINFO_URL)
    stub_live_info(wechat_api, rooms, total=total)


def test_a_room_missing_from_a_full_list_is_marked_gone_once_and_hidden(
    wechat_api: responses.RequestsMock, staff: User, member: Member
) -> None:
    start = timezone.now().replace(microsecond=0) + dt.timedelta(hours=3)
    stub_live_info(wechat_api, [wx_room(roomid=31, start=start), wx_room(roomid=32, name="周六专场", start=start)])
    assert live_rooms_sync().gone == 0
    kept, deleted = LiveRoom.objects.get(wx_room_id=31), LiveRoom.objects.get(wx_room_id=32)
    live_follow(member=member, room_id=deleted.pk)

    first_seen = timezone.now() + dt.timedelta(minutes=5)
    _list(wechat_api, [wx_room(roomid=31, start=start)])
    with time_machine.travel(first_seen, tick=False):
        result = live_rooms_sync(actor=staff)
    assert (result.rooms, result.gone) == (1, 1)
    deleted.refresh_from_db()
    assert deleted.gone_at == first_seen
    assert LiveFollow.objects.filter(room=deleted).count() == 1  # kept, not deleted
    assert AuditLog.objects.get(action="live.sync").data == {"rooms": 1, "created": 0, "gone": 1}

    with time_machine.travel(first_seen + dt.timedelta(minutes=5), tick=False):
        assert live_rooms_sync().gone == 0  # idempotent: already gone, first time kept
    deleted.refresh_from_db()
    assert deleted.gone_at == first_seen
    kept.refresh_from_db()
    assert kept.gone_at is None

    client = client_for(member)
    listed = client.get("/api/v1/live/rooms", {"tab": "upcoming"}).json()
    assert [room["id"] for room in listed["rooms"]] == [kept.pk]
    assert client.get(f"/api/v1/live/rooms/{deleted.pk}").status_code == 404
    refused = client.post(f"/api/v1/live/rooms/{deleted.pk}/follow")
    assert (refused.status_code, refused.json()["code"]) == (404, "live_room_not_found")
    assert client.post(f"/api/v1/live/rooms/{deleted.pk}/share").status_code == 404
    with pytest.raises(LiveRoomNotFound):
        live_follow(member=MemberFactory.create(), room_id=deleted.pk)
    live_follow(member=member, room_id=kept.pk)
    with time_machine.travel(start - dt.timedelta(minutes=10), tick=False):
        assert live_reminders_send() == 1  # the kept room's follower only
    assert LiveFollow.objects.get(room=kept).reminded_at is not None
    assert LiveFollow.objects.get(room=deleted).reminded_at is None


def test_a_room_listed_again_comes_back(wechat_api: responses.RequestsMock) -> None:
    stub_live_info(wechat_api, [wx_room(roomid=41)])
    live_rooms_sync()
    _list(wechat_api, [])
    assert live_rooms_sync().gone == 1
    room = LiveRoom.objects.get(wx_room_id=41)
    assert not room.shown
    _list(wechat_api, [wx_room(roomid=41)])
    assert live_rooms_sync().gone == 0
    room.refresh_from_db()
    assert (room.gone_at, room.shown) == (None, True)
    assert APIClient().get("/api/v1/live/rooms", {"tab": "upcoming"}).json()["rooms"][0]["id"] == room.pk


def test_no_rooms_at_all_marks_every_room_gone(wechat_api: responses.RequestsMock) -> None:
    """WeChat's documented "no room" answer (errcode 1) is a complete, empty list."""
    stub_live_info(wechat_api, [wx_room(roomid=51), wx_room(roomid=52)])
    live_rooms_sync()
    wechat_api.remove(responses.POST, GETLIVEINFO_URL)
    stub_live_error(wechat_api, errcode=1, errmsg="no room")
    assert live_rooms_sync().gone == 2
    assert LiveRoom.objects.filter(gone_at__isnull=True).count() == 0
    assert LiveRoom.objects.count() == 2


def test_a_partial_list_never_marks_a_room_gone(wechat_api: responses.RequestsMock) -> None:
    """An empty page before ``total`` (the list moved while paging) is not the whole list."""
    stub_live_info(wechat_api, [wx_room(roomid=61), wx_room(roomid=62)])
    live_rooms_sync()

    def answer(request: Any) -> tuple[int, dict[str, str], str]:
        rooms = [wx_room(roomid=61)] if json.loads(request.body)["start"] == 0 else []
        return 200, {}, json.dumps({"errcode": 0, "errmsg": "ok", "total": 150, "room_info": rooms})

    wechat_api.remove(responses.POST, GETLIVEINFO_URL)
    wechat_api.add_callback(responses.POST, GETLIVEINFO_URL, callback=answer, content_type="application/json")
    result = live_rooms_sync()
    assert (result.rooms, result.gone) == (1, 0)
    assert LiveRoom.objects.filter(gone_at__isnull=True).count() == 2


def test_a_refused_sync_marks_nothing_gone(wechat_api: responses.RequestsMock) -> None:
    stub_live_info(wechat_api, [wx_room(roomid=71)])
    live_rooms_sync()
    wechat_api.remove(responses.POST, GETLIVEINFO_URL)
    stub_live_error(wechat_api, errcode=-1, errmsg="system error")
    with pytest.raises(WeChatUnavailable):
        live_rooms_sync()
    assert LiveRoom.objects.get(wx_room_id=71).gone_at is None


def test_a_gone_rooms_lottery_takes_no_entries(wechat_api: responses.RequestsMock, member: Member) -> None:
    lottery = open_lottery()
    stub_live_error(wechat_api, errcode=1, errmsg="no room")
    live_rooms_sync()
    with pytest.raises(LiveLotteryNotFound):
        live_lottery_enter(member=member, lottery_id=lottery.pk, keyword=lottery.keyword, context=SHOPPER_CONTEXT)
    assert client_for(member).get(f"/api/v1/live/lotteries/{lottery.pk}").status_code == 404


def test_the_console_tells_the_merchant_a_room_is_gone(wechat_api: responses.RequestsMock, staff: User) -> None:
    stub_live_info(wechat_api, [wx_room(roomid=81, name="周五上新专场"), wx_room(roomid=82, name="周六清仓夜")])
    live_rooms_sync()
    _list(wechat_api, [wx_room(roomid=81, name="周五上新专场")])
    client = Client()
    client.force_login(staff)
    synced = client.get("/admin/marketing/liveroom/sync/", follow=True).content.decode()
    assert "已同步 1 个直播间（新增 0 个）。" in synced
    assert "1 个直播间已在微信删除，小程序中不再显示。" in synced
    assert "微信已删除" in synced
    gone = LiveRoom.objects.get(wx_room_id=82)
    page = client.get(f"/console/marketing/live/{gone.pk}/").content.decode()
    assert 'data-testid="live-room-gone"' in page
    assert "同步时微信直播列表中已没有该直播间：小程序中不再显示" in page
    kept = client.get(f"/console/marketing/live/{LiveRoom.objects.get(wx_room_id=81).pk}/").content.decode()
    assert 'data-testid="live-room-gone"' not in kept
