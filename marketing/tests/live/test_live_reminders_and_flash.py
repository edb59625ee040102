"""Follow reminders (once per follow, consent respected) and 整点秒杀 bound to a room (on the hour,
inside the broadcast)."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import responses
import time_machine
from django.contrib.auth.models import User

from marketing.errors import LiveInvalid
from marketing.models import FlashSlotKind, LiveFlashSlot, LiveFollow
from marketing.selectors.live import live_room_companion
from marketing.services.live import live_flash_bind, live_follow, live_reminders_send
from marketing.tasks import live_reminders_task
from marketing.tests.flash import make_slot, shelf_sku
from marketing.tests.live.helpers import synced_room
from members.models import Member, Message, SubscribeTemplate
from members.services.messages import message_push, subscribe_consent_record
from members.tests.factories import MemberFactory
from members.tests.wechat_stubs import SUBSCRIBE_SEND_URL, stub_subscribe_send

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")
AFTERNOON = dt.datetime(2026, 12, 8, 14, 0, tzinfo=SHANGHAI)


def test_followers_are_reminded_once_and_only_pushed_with_consent(
    wechat_api: responses.RequestsMock, member: Member, django_capture_on_commit_callbacks: Any
) -> None:
    SubscribeTemplate.objects.create(
        kind="live_starting", template_id="TPL-LIVE", fields={"thing1": "title", "thing2": "body"}
    )
    stub_subscribe_send(wechat_api)
    with time_machine.travel(AFTERNOON, tick=False):
        room = synced_room(wechat_api, roomid=300, name="周五上新专场", start=AFTERNOON + dt.timedelta(minutes=30))
        later = synced_room(wechat_api, roomid=301, start=AFTERNOON + dt.timedelta(hours=3))
        silent = MemberFactory.create()
        subscribe_consent_record(member=member, results={"TPL-LIVE": "accept"})
        for shopper in (member, silent):
            live_follow(member=shopper, room_id=room.pk)
            live_follow(member=shopper, room_id=later.pk)
        assert live_reminders_send() == 0  # 30 minutes ahead: not yet

    with time_machine.travel(AFTERNOON + dt.timedelta(minutes=16), tick=False):
        with django_capture_on_commit_callbacks() as pushes_enqueued:
            assert live_reminders_task() == 2
        with django_capture_on_commit_callbacks():
            assert live_reminders_task() == 0  # the beat again: nothing twice
        assert len(pushes_enqueued) == 2
        for message in Message.objects.filter(kind="live_starting"):  # what the worker does
            message_push(message_id=message.pk)

    messages = Message.objects.filter(kind="live_starting")
    assert messages.count() == 2
    mine = messages.get(member=member)
    assert (mine.title, mine.body) == ("直播即将开始：周五上新专场", "您关注的直播间将于 14:30 开播，点击进入。")
    assert mine.link.startswith(f"/package-live/room/index?room_id={room.pk}")
    assert messages.get(member=silent).push_status == Message.PushStatus.SKIPPED
    pushes = [c for c in wechat_api.calls if str(c.request.url).startswith(SUBSCRIBE_SEND_URL)]
    assert len(pushes) == 1
    assert set(LiveFollow.objects.filter(room=later).values_list("reminded_at", flat=True)) == {None}


def test_a_room_that_started_long_ago_is_not_announced(wechat_api: responses.RequestsMock, member: Member) -> None:
    with time_machine.travel(AFTERNOON, tick=False):
        room = synced_room(wechat_api, roomid=302, start=AFTERNOON - dt.timedelta(minutes=30))
        live_follow(member=member, room_id=room.pk)
        assert live_reminders_send() == 0


def test_flash_slot_binds_only_on_the_hour_inside_the_broadcast(
    wechat_api: responses.RequestsMock, staff: User
) -> None:
    start = dt.datetime(2026, 12, 8, 20, 0, tzinfo=SHANGHAI)
    with time_machine.travel(start - dt.timedelta(days=1), tick=False):
        room = synced_room(wechat_api, roomid=303, start=start, hours=2)
        now = start - dt.timedelta(days=1)
        on_hour = make_slot(
            items=[(shelf_sku(), 5)], starts_in=start + dt.timedelta(hours=1) - now, minutes=20, now=now
        )
        half_past = make_slot(
            items=[(shelf_sku(), 5)], starts_in=start + dt.timedelta(minutes=30) - now, minutes=20, now=now
        )
        after = make_slot(items=[(shelf_sku(), 5)], starts_in=start + dt.timedelta(hours=3) - now, minutes=20, now=now)
        release = make_slot(
            items=[(shelf_sku(), 5)],
            starts_in=start - dt.timedelta(hours=1) - now,
            minutes=20,
            kind=FlashSlotKind.RELEASE,
            now=now,
        )

        binding = live_flash_bind(actor=staff, room_id=room.pk, slot_id=on_hour.pk)
        assert binding.slot_id == on_hour.pk
        for slot, message in (
            (half_past, "整点秒杀须在整点开始（如 20:00）。"),
            (after, "秒杀开始时间须在直播时段内。"),
            (release, "只能绑定整点秒杀场次，不能绑定限量发售。"),
            (on_hour, "该秒杀场次已绑定到直播间。"),
        ):
            with pytest.raises(LiveInvalid) as raised:
                live_flash_bind(actor=staff, room_id=room.pk, slot_id=slot.pk)
            assert str(raised.value.message) == message
        assert LiveFlashSlot.objects.count() == 1
        page = live_room_companion(room_id=room.pk, member=None)
        assert [s["id"] for s in page["flash_slots"]] == [on_hour.pk]
        assert page["flash_slots"][0]["items"][0]["flash_price"] == 990
