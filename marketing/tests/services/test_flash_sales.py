"""Slots and releases, merchant side: plan, validate, publish (carve), run, end (give back), audit."""

from __future__ import annotations

import datetime as dt
from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib.auth.models import User
from django.utils import timezone

from mall.errors import PermissionDenied
from mall.models import AuditLog, Sku
from marketing.errors import FlashInvalid, FlashShelfShort, FlashStateInvalid
from marketing.models import FlashItem, FlashSettings, FlashSlot, FlashSlotKind, FlashSlotStatus
from marketing.services.flash_sales import (
    FlashItemData,
    FlashSettingsData,
    FlashSlotData,
    flash_item_add,
    flash_item_add_quota,
    flash_item_update,
    flash_settings_update,
    flash_slot_create,
    flash_slot_end,
    flash_slot_extend,
    flash_slot_finish,
    flash_slot_pause,
    flash_slot_publish,
    flash_slot_resume,
    flash_slots_end_due,
    flash_slots_generate,
)
from marketing.tasks import flash_slot_end_task, flash_slots_end_sweep_task
from marketing.tests.flash import buy, counts, first_item, make_slot, shelf_sku, staff_user
from members.models import Member
from orders.services.orders import order_expire
from orders.tests.conftest import pay

pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def ops(db: Any) -> User:
    return staff_user()


def test_the_daily_plan_makes_draft_slots_at_ten_fifteen_and_twenty_shanghai_time(ops: User) -> None:
    assert FlashSettings.load().slot_times == ["10:00", "15:00", "20:00"]
    created = flash_slots_generate(actor=ops, first_day=dt.date(2026, 12, 1), days=2)

    assert [timezone.localtime(s.starts_at).strftime("%m-%d %H:%M") for s in created] == [
        "12-01 10:00",
        "12-01 15:00",
        "12-01 20:00",
        "12-02 10:00",
        "12-02 15:00",
        "12-02 20:00",
    ]
    assert created[0].starts_at == dt.datetime(2026, 12, 1, 10, 0, tzinfo=SH)
    assert created[0].ends_at - created[0].starts_at == timedelta(hours=2)
    assert {s.status for s in created} == {FlashSlotStatus.DRAFT}
    # running it again adds nothing; the audit says what was made
    assert flash_slots_generate(actor=ops, first_day=dt.date(2026, 12, 1), days=2) == []
    audit = AuditLog.objects.filter(action="flash.slots_generate").order_by("id").first()
    assert audit is not None and len(audit.data["created"]) == 6 and audit.actor == ops


def test_the_merchant_changes_the_plan_and_bad_plans_are_refused(ops: User) -> None:
    flash_settings_update(actor=ops, data=FlashSettingsData(slot_times=("20:00", "12:00"), slot_minutes=60))
    assert FlashSettings.load().slot_times == ["12:00", "20:00"]
    created = flash_slots_generate(actor=ops, first_day=dt.date(2026, 12, 3), days=1)
    assert [timezone.localtime(s.starts_at).hour for s in created] == [12, 20]

    for times, minutes, field in (
        (("25:00",), 60, "slot_times"),
        (("10:00", "10:00"), 60, "slot_times"),
        (("10:00", "10:30"), 60, "slot_minutes"),
        (("23:30",), 60, "slot_minutes"),
        (("10:00",), 1, "slot_minutes"),
    ):
        with pytest.raises(FlashInvalid) as refused:
            flash_settings_update(actor=ops, data=FlashSettingsData(slot_times=times, slot_minutes=minutes))
        assert refused.value.details["field"] == field
    with pytest.raises(PermissionDenied):
        flash_slots_generate(actor=None, first_day=dt.date(2026, 12, 3), days=1)


def test_a_planned_slot_overlapping_another_refuses_the_run_or_is_skipped_when_asked(ops: User) -> None:
    blocker = flash_slot_create(
        actor=ops,
        data=FlashSlotData(
            starts_at=dt.datetime(2027, 1, 5, 15, 30, tzinfo=SH), ends_at=dt.datetime(2027, 1, 5, 16, 0, tzinfo=SH)
        ),
    )
    with pytest.raises(FlashInvalid):
        flash_slots_generate(actor=ops, first_day=dt.date(2027, 1, 5), days=1)
    assert FlashSlot.objects.filter(kind=FlashSlotKind.SLOT).count() == 1, "a refused run makes nothing"

    created = flash_slots_generate(actor=ops, first_day=dt.date(2027, 1, 5), days=1, skip_overlapping=True)

    assert [timezone.localtime(s.starts_at).strftime("%H:%M") for s in created] == ["10:00", "20:00"]
    audit = AuditLog.objects.filter(action="flash.slots_generate").order_by("-id").first()
    assert audit is not None and audit.data["skipped"] == [dt.datetime(2027, 1, 5, 15, 0, tzinfo=SH).isoformat()]
    assert FlashSlot.objects.get(pk=blocker.pk).starts_at == dt.datetime(2027, 1, 5, 15, 30, tzinfo=SH)


def test_items_are_validated_one_to_three_per_slot(ops: User) -> None:
    now = timezone.now()
    slot = flash_slot_create(
        actor=ops, data=FlashSlotData(starts_at=now + timedelta(hours=1), ends_at=now + timedelta(hours=2))
    )
    skus = [shelf_sku(price=5900) for _ in range(4)]
    for sku in skus[:3]:
        flash_item_add(actor=ops, slot_id=slot.pk, data=FlashItemData(sku_id=sku.pk, flash_price=990, quota=10))
    bad = [
        (FlashItemData(sku_id=skus[3].pk, flash_price=990, quota=10), "slot"),
    ]
    for data, field in bad:
        with pytest.raises(FlashInvalid) as refused:
            flash_item_add(actor=ops, slot_id=slot.pk, data=data)
        assert refused.value.details["field"] == field

    other = flash_slot_create(
        actor=ops, data=FlashSlotData(starts_at=now + timedelta(hours=3), ends_at=now + timedelta(hours=4))
    )
    for data, field in (
        (FlashItemData(sku_id=skus[0].pk, flash_price=0, quota=10), "flash_price"),
        (FlashItemData(sku_id=skus[0].pk, flash_price=6000, quota=10), "flash_price"),
        (FlashItemData(sku_id=skus[0].pk, flash_price=990, quota=0), "quota"),
        (
            FlashItemData(sku_id=skus[0].pk, flash_price=990, quota=5, per_shopper_limit=1, per_order_limit=2),
            "per_order_limit",
        ),
        (FlashItemData(sku_id=10**9, flash_price=990, quota=5), "sku"),
    ):
        with pytest.raises(FlashInvalid) as refused:
            flash_item_add(actor=ops, slot_id=other.pk, data=data)
        assert refused.value.details["field"] == field, data
    with pytest.raises(FlashInvalid):  # overlapping daily slots
        flash_slot_create(
            actor=ops,
            data=FlashSlotData(starts_at=now + timedelta(hours=1, minutes=30), ends_at=now + timedelta(hours=5)),
        )
    with pytest.raises(FlashInvalid):  # a release sells one item
        release = flash_slot_create(
            actor=ops,
            data=FlashSlotData(starts_at=now, ends_at=now + timedelta(days=7), kind=FlashSlotKind.RELEASE),
        )
        flash_item_add(actor=ops, slot_id=release.pk, data=FlashItemData(sku_id=skus[0].pk, flash_price=990, quota=5))
        flash_item_add(actor=ops, slot_id=release.pk, data=FlashItemData(sku_id=skus[1].pk, flash_price=990, quota=5))


def test_publishing_carves_every_quota_from_the_shelf_or_nothing(ops: User) -> None:
    plenty, short = shelf_sku(stock=100), shelf_sku(stock=5)
    slot = make_slot(items=[(plenty, 30), (short, 6)], starts_in=timedelta(hours=1), publish=False)
    with pytest.raises(FlashShelfShort) as refused:
        flash_slot_publish(actor=ops, slot_id=slot.pk)
    assert refused.value.details == {"sku_id": short.pk, "quota": 6, "stock": 5}
    assert "只有 5 件" in str(refused.value.message)
    assert (Sku.objects.get(pk=plenty.pk).stock, Sku.objects.get(pk=short.pk).stock) == (100, 5)
    assert FlashSlot.objects.get(pk=slot.pk).status == FlashSlotStatus.DRAFT

    item = FlashItem.objects.get(slot=slot, sku=short)
    flash_item_update(actor=ops, item_id=item.pk, data=FlashItemData(sku_id=short.pk, flash_price=990, quota=5))
    published = flash_slot_publish(actor=ops, slot_id=slot.pk)
    assert published.status == FlashSlotStatus.PUBLISHED and published.published_at is not None
    assert (Sku.objects.get(pk=plenty.pk).stock, Sku.objects.get(pk=short.pk).stock) == (70, 0)
    audit = AuditLog.objects.get(action="flash.publish")
    assert audit.actor == ops and {i["quota"] for i in audit.data["items"]} == {30, 5}
    with pytest.raises(FlashStateInvalid):  # a published slot is not edited as a draft
        flash_item_update(actor=ops, item_id=item.pk, data=FlashItemData(sku_id=short.pk, flash_price=990, quota=1))


def test_a_sku_cannot_run_in_two_slots_at_once(ops: User) -> None:
    sku = shelf_sku(stock=100)
    make_slot(items=[(sku, 10)], starts_in=timedelta(hours=1), kind=FlashSlotKind.RELEASE, minutes=600)
    second = make_slot(items=[(sku, 10)], starts_in=timedelta(hours=2), publish=False)
    with pytest.raises(FlashInvalid):
        flash_slot_publish(actor=ops, slot_id=second.pk)


def test_pause_resume_extend_and_add_stock_while_running(ops: User, member: Member) -> None:
    sku = shelf_sku(stock=20)
    slot = make_slot(items=[(sku, 10)])
    item = first_item(slot)

    flash_slot_pause(actor=ops, slot_id=slot.pk)
    assert FlashSlot.objects.get(pk=slot.pk).status == FlashSlotStatus.PAUSED
    with pytest.raises(FlashStateInvalid):
        flash_slot_pause(actor=ops, slot_id=slot.pk)
    flash_slot_resume(actor=ops, slot_id=slot.pk)

    new_end = slot.ends_at + timedelta(minutes=30)
    assert flash_slot_extend(actor=ops, slot_id=slot.pk, ends_at=new_end).ends_at == new_end
    with pytest.raises(FlashInvalid):
        flash_slot_extend(actor=ops, slot_id=slot.pk, ends_at=slot.ends_at)

    buy(member, item)
    flash_item_add_quota(actor=ops, item_id=item.pk, units=5)
    assert counts(item) == (15, 1, 0, 14)
    assert Sku.objects.get(pk=sku.pk).stock == 5
    with pytest.raises(FlashShelfShort):
        flash_item_add_quota(actor=ops, item_id=item.pk, units=6)
    assert [a.action for a in AuditLog.objects.order_by("id") if a.action.startswith("flash.")][-4:] == [
        "flash.pause",
        "flash.resume",
        "flash.extend",
        "flash.add_quota",
    ]


def test_the_end_gives_the_leftovers_back_once_task_and_sweeper_alike(
    ops: User, member: Member, other_member: Member
) -> None:
    sku = shelf_sku(stock=30)
    slot = make_slot(items=[(sku, 10)])
    item = first_item(slot)
    pay(buy(member, item).order)
    unpaid = buy(other_member, item).order
    assert counts(item) == (10, 1, 1, 8)
    assert Sku.objects.get(pk=sku.pk).stock == 20

    assert flash_slot_end_task(slot_id=slot.pk) is False  # fires early: nothing happens
    after = slot.ends_at + timedelta(seconds=1)
    with time_machine.travel(after):
        assert flash_slot_end_task(slot_id=slot.pk) is True
        assert flash_slots_end_sweep_task() == 0
        assert flash_slot_end(slot_id=slot.pk) is False

    ended = FlashSlot.objects.get(pk=slot.pk)
    assert ended.status == FlashSlotStatus.ENDED and ended.ended_at is not None
    fresh = FlashItem.objects.get(pk=item.pk)
    assert (fresh.quota, fresh.locked, fresh.sold, fresh.returned, fresh.closed) == (2, 1, 1, 8, True)
    assert Sku.objects.get(pk=sku.pk).stock == 28

    # the unpaid order's lock ends after the slot: its unit goes to the shelf, not the quota
    assert order_expire(order_id=unpaid.pk, now=unpaid.expires_at + timedelta(seconds=1))
    fresh = FlashItem.objects.get(pk=item.pk)
    assert (fresh.quota, fresh.locked, fresh.sold, fresh.returned) == (1, 0, 1, 9)
    assert Sku.objects.get(pk=sku.pk).stock == 29
    assert AuditLog.objects.get(action="flash.end").data["returned"] == {str(item.pk): 8}


def test_the_sweeper_ends_whatever_is_due_and_a_draft_past_its_time(ops: User) -> None:
    sku = shelf_sku(stock=10)
    live = make_slot(items=[(sku, 4)], minutes=30)
    draft = make_slot(items=[(shelf_sku(), 4)], starts_in=timedelta(hours=1), publish=False)
    with time_machine.travel(draft.ends_at + timedelta(minutes=1)):
        assert flash_slots_end_due() == 2
        assert flash_slots_end_due() == 0
    assert Sku.objects.get(pk=sku.pk).stock == 10
    assert FlashSlot.objects.get(pk=live.pk).status == FlashSlotStatus.ENDED
    assert FlashSlot.objects.get(pk=draft.pk).status == FlashSlotStatus.ENDED
    assert not AuditLog.objects.filter(action="flash.end", target_id=str(draft.pk)).exists()


def test_the_merchant_ends_a_release_early(ops: User) -> None:
    sku = shelf_sku(stock=10)
    release = make_slot(items=[(sku, 10)], kind=FlashSlotKind.RELEASE, minutes=7 * 24 * 60)
    ended = flash_slot_finish(actor=ops, slot_id=release.pk)
    assert ended.status == FlashSlotStatus.ENDED
    assert Sku.objects.get(pk=sku.pk).stock == 10
    upcoming = make_slot(items=[(shelf_sku(), 1)], starts_in=timedelta(hours=3))
    with pytest.raises(FlashStateInvalid):
        flash_slot_finish(actor=ops, slot_id=upcoming.pk)
