"""The Redis gate alone: admit, undo once, settle, rebuild after a flush, reconcile a drift.

The real Redis when REDIS_URL is set (CI); fakeredis (with Lua) only as the local fallback.
"""

from __future__ import annotations

from datetime import timedelta
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from marketing.errors import (
    FlashEnded,
    FlashItemNotFound,
    FlashLimitReached,
    FlashNotStarted,
    FlashPaused,
    FlashSoldOut,
)
from marketing.models import FlashPurchase
from marketing.services.flash_gate import (
    gate_admit,
    gate_keys,
    gate_rebuild,
    gate_reconcile,
    gate_settle,
    gate_state,
    gate_undo,
)
from marketing.services.flash_sales import flash_item_add_quota, flash_slot_pause
from marketing.tests.flash import buy, first_item, make_slot, shelf_sku, staff_user
from members.models import Member
from members.tests.factories import MemberFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def redis(redis_client: Any) -> Any:
    return redis_client


def _item(quota: int = 3, **kwargs: Any) -> Any:
    item = first_item(make_slot(items=[(shelf_sku(), quota)], **kwargs))
    assert gate_rebuild(item.pk)  # what publishing does after commit
    return item


def test_publishing_warms_the_rules_and_quota(redis: Any) -> None:
    item = _item(quota=5, limit=2, per_order=2)
    state = gate_state(item.pk)
    assert state["status"] == "on"
    assert (state["avail"], state["limit"], state["per_order"], state["sku"]) == ("5", "2", "2", str(item.sku_id))
    assert int(state["end_ms"]) - int(state["start_ms"]) == 60 * 60 * 1000
    assert redis.ttl(gate_keys(item.pk).state) > 24 * 3600


def test_admit_takes_and_records_refusals_say_why_and_take_nothing(redis: Any) -> None:
    item = _item(quota=2, limit=1)
    first = gate_admit(item_id=item.pk, member_id=1, sku_id=item.sku_id, qty=1)
    assert first.via_gate
    with pytest.raises(FlashLimitReached) as limit:
        gate_admit(item_id=item.pk, member_id=1, sku_id=item.sku_id, qty=1)
    assert limit.value.no_prior_order is False  # type: ignore[attr-defined]  # a holder: look for the order
    gate_admit(item_id=item.pk, member_id=2, sku_id=item.sku_id, qty=1)
    with pytest.raises(FlashSoldOut) as sold_out:
        gate_admit(item_id=item.pk, member_id=3, sku_id=item.sku_id, qty=1)
    assert sold_out.value.no_prior_order is True  # type: ignore[attr-defined]  # never through: no replay lookup
    assert gate_state(item.pk)["avail"] == "0"
    assert redis.hgetall(gate_keys(item.pk).buyers) == {"1": "1", "2": "1"}
    assert redis.zcard(gate_keys(item.pk).inflight) == 2

    later = _item(starts_in=timedelta(hours=2))
    with pytest.raises(FlashNotStarted):
        gate_admit(item_id=later.pk, member_id=1, sku_id=later.sku_id, qty=1)
    paused = make_slot(items=[(shelf_sku(), 2)], starts_in=timedelta(hours=4), kind="release")
    flash_slot_pause(actor=staff_user(), slot_id=paused.pk)
    gate_rebuild(first_item(paused).pk)
    with pytest.raises(FlashPaused):
        gate_admit(item_id=first_item(paused).pk, member_id=1, sku_id=first_item(paused).sku_id, qty=1)


def test_undo_gives_back_exactly_once_and_keeps_a_unit_the_database_denied(redis: Any) -> None:
    item = _item(quota=2)
    ticket = gate_admit(item_id=item.pk, member_id=1, sku_id=item.sku_id, qty=1)
    gate_undo(ticket)
    gate_undo(ticket)
    assert gate_state(item.pk)["avail"] == "2"
    assert redis.hget(gate_keys(item.pk).buyers, "1") == "0"  # seen, holds nothing

    denied = gate_admit(item_id=item.pk, member_id=2, sku_id=item.sku_id, qty=1)
    denied.db_refused = True
    gate_undo(denied)
    assert gate_state(item.pk)["avail"] == "1"  # the gate was counting a unit that does not exist

    settled = gate_admit(item_id=item.pk, member_id=3, sku_id=item.sku_id, qty=1)
    assert gate_settle(settled, purchase_id=1) == 1  # its admission was in flight here
    gate_undo(settled)  # too late: settled admissions are not handed back
    assert gate_state(item.pk)["avail"] == "0"
    assert redis.zcard(gate_keys(item.pk).inflight) == 0


def test_a_flushed_gate_is_rebuilt_from_the_database_on_the_next_attempt(
    redis: Any, member: Member, other_member: Member, django_capture_on_commit_callbacks: Any
) -> None:
    item = _item(quota=3, limit=1)
    with django_capture_on_commit_callbacks(execute=True):
        buy(member, item)
    redis.flushdb()
    assert gate_state(item.pk) == {}

    with pytest.raises(FlashLimitReached):  # the rebuilt gate still knows the first shopper
        buy(member, item)
    state = gate_state(item.pk)
    assert state["avail"] == "2"
    assert redis.hget(gate_keys(item.pk).buyers, str(member.pk)) == "1"
    with django_capture_on_commit_callbacks(execute=True):
        assert buy(other_member, item).created
    assert gate_state(item.pk)["avail"] == "1"


def test_an_unknown_item_is_remembered_briefly_so_probes_do_not_reach_the_database(
    redis: Any, django_assert_num_queries: Any
) -> None:
    with pytest.raises(FlashItemNotFound):
        gate_admit(item_id=987654, member_id=1, sku_id=1, qty=1)
    with django_assert_num_queries(0), pytest.raises(FlashItemNotFound):
        gate_admit(item_id=987654, member_id=1, sku_id=1, qty=1)
    assert 0 < redis.ttl(gate_keys(987654).state) <= 60


def test_refusals_of_a_warm_gate_touch_no_database(redis: Any, django_assert_num_queries: Any) -> None:
    item = _item(quota=1)
    gate_admit(item_id=item.pk, member_id=1, sku_id=item.sku_id, qty=1)
    with django_assert_num_queries(0):
        for member_id in range(2, 12):
            with pytest.raises(FlashSoldOut):
                gate_admit(item_id=item.pk, member_id=member_id, sku_id=item.sku_id, qty=1)


def test_reconcile_repairs_drifted_counts_and_rules_and_leaves_admissions_in_flight_alone(
    redis: Any, member: Member, django_capture_on_commit_callbacks: Any
) -> None:
    item = _item(quota=5, limit=2)
    with django_capture_on_commit_callbacks(execute=True):
        buy(member, item)
    flying = gate_admit(item_id=item.pk, member_id=99, sku_id=item.sku_id, qty=1)  # not yet in the database
    assert gate_reconcile(item_id=item.pk, repair=False).drifted is False

    keys = gate_keys(item.pk)
    redis.hset(keys.state, mapping={"avail": "40", "limit": "9"})
    redis.hset(keys.buyers, str(member.pk), "0")
    out = StringIO()
    with pytest.raises(CommandError):
        call_command("flash_reconcile", "--item", str(item.pk), "--dry-run", stdout=out)
    assert "redis avail 40, expected 3 (db available 4, in flight 1)" in out.getvalue()

    out = StringIO()
    call_command("flash_reconcile", "--item", str(item.pk), stdout=out)
    printed = out.getvalue()
    assert "limit 9 → 2" in printed and f"shopper {member.pk} holds 0 → 1" in printed and "repaired" in printed
    state = gate_state(item.pk)
    assert (state["avail"], state["limit"]) == ("3", "2")
    assert redis.hget(keys.buyers, str(member.pk)) == "1"
    gate_undo(flying)
    assert gate_state(item.pk)["avail"] == "4"
    assert gate_reconcile(item_id=item.pk).drifted is False


def test_reconcile_drops_lost_admissions_and_rebuilds_a_missing_gate(redis: Any) -> None:
    item = _item(quota=3)
    lost = gate_admit(item_id=item.pk, member_id=5, sku_id=item.sku_id, qty=1)
    keys = gate_keys(item.pk)
    redis.zadd(keys.inflight, {lost.entry: 1})  # its process died long ago
    report = gate_reconcile(item_id=item.pk)
    assert (report.stale_admissions, report.repaired) == (1, True)
    assert gate_state(item.pk)["avail"] == "3"
    assert redis.hget(keys.buyers, "5") == "0"
    gate_undo(lost)  # a very late undo changes nothing now
    assert gate_state(item.pk)["avail"] == "3"

    redis.delete(keys.state)
    report = gate_reconcile(item_id=item.pk)
    assert report.cold and report.rebuilt
    assert gate_state(item.pk)["avail"] == "3"


def test_added_stock_and_pauses_reach_a_warm_gate_after_commit(
    redis: Any, django_capture_on_commit_callbacks: Any
) -> None:
    item = _item(quota=2, kind="release", minutes=600)
    with django_capture_on_commit_callbacks(execute=True):
        flash_item_add_quota(actor=staff_user(), item_id=item.pk, units=3)
    assert gate_state(item.pk)["avail"] == "5"
    with django_capture_on_commit_callbacks(execute=True):
        flash_slot_pause(actor=staff_user(), slot_id=item.slot_id)
    assert gate_state(item.pk)["status"] == "paused"


def test_the_end_closes_the_gate(redis: Any, django_capture_on_commit_callbacks: Any) -> None:
    import time_machine

    from marketing.services.flash_sales import flash_slot_end

    item = _item(quota=2, minutes=30)
    with (
        time_machine.travel(item.slot.ends_at + timedelta(seconds=1)),
        django_capture_on_commit_callbacks(execute=True),
    ):
        assert flash_slot_end(slot_id=item.slot_id)
    assert gate_state(item.pk)["status"] == "ended"
    with pytest.raises(FlashEnded):
        gate_admit(item_id=item.pk, member_id=1, sku_id=item.sku_id, qty=1)


def test_without_redis_the_item_row_answers_and_nothing_is_recorded(settings: Any, member: Member) -> None:
    from mall import redis as mall_redis

    settings.REDIS_URL = ""
    mall_redis.set_client(None)
    item = first_item(make_slot(items=[(shelf_sku(), 1)]))
    ticket = gate_admit(item_id=item.pk, member_id=member.pk, sku_id=item.sku_id, qty=1)
    assert ticket.via_gate is False
    buy(member, item)
    with pytest.raises(FlashSoldOut) as refused:
        gate_admit(item_id=item.pk, member_id=MemberFactory.create().pk, sku_id=item.sku_id, qty=1)
    assert refused.value.no_prior_order is False  # type: ignore[attr-defined]
    assert FlashPurchase.objects.get().gate_token == ""


def test_changes_committed_before_a_rebuild_are_not_counted_again_when_their_callbacks_run_late(
    redis: Any, member: Member, other_member: Member, django_capture_on_commit_callbacks: Any
) -> None:
    """A purchase's settle and a release's move run after commit; when a rebuild read the
    database in between, it already counts them (purchase id ≤ base, gate_seq ≤ seq)."""
    from orders.services.orders import order_cancel

    item = _item(quota=3, limit=1)
    with django_capture_on_commit_callbacks(execute=True):
        first = buy(member, item).order
    with django_capture_on_commit_callbacks(execute=False) as late:
        buy(other_member, item)  # committed; its settle still to run
        assert order_cancel(order_id=first.pk, reason="shopper")  # released; its move still to run
    redis.flushdb()
    assert gate_rebuild(item.pk)  # the database now: one unit held (other_member), two available
    assert gate_state(item.pk)["avail"] == "2"

    for callback in late:
        callback()

    assert gate_state(item.pk)["avail"] == "2"  # neither counted twice
    assert redis.hget(gate_keys(item.pk).buyers, str(member.pk)) == "0"
    assert redis.hget(gate_keys(item.pk).buyers, str(other_member.pk)) == "1"
    assert gate_reconcile(item_id=item.pk, repair=False).drifted is False


def test_a_release_after_the_rebuild_still_reaches_the_gate(
    redis: Any, member: Member, django_capture_on_commit_callbacks: Any
) -> None:
    from orders.services.orders import order_cancel

    item = _item(quota=2, limit=1)
    with django_capture_on_commit_callbacks(execute=True):
        order = buy(member, item).order
    redis.flushdb()
    assert gate_rebuild(item.pk)
    with django_capture_on_commit_callbacks(execute=True):
        assert order_cancel(order_id=order.pk, reason="shopper")
    assert gate_state(item.pk)["avail"] == "2"
    assert redis.hget(gate_keys(item.pk).buyers, str(member.pk)) == "0"
    assert gate_reconcile(item_id=item.pk, repair=False).drifted is False
