"""Flash-sale reads: the state table, progress, the marketing centre's entries, badges, the calendar."""

from __future__ import annotations

import datetime as dt
from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine

from marketing.models import FlashSlotStatus
from marketing.selectors.flash_sales import (
    STATE_ENDED,
    STATE_LIVE,
    STATE_PAUSED,
    STATE_SOLD_OUT,
    STATE_UPCOMING,
    flash_calendar,
    flash_offers_for_products,
    item_state,
    slot_state,
    sold_percent,
    state_label,
)
from marketing.selectors.marketing_centre import marketing_centre_data
from marketing.selectors.product_offers import product_offers_for, product_offers_warm
from marketing.tests.flash import first_item, make_slot, shelf_sku

SH = ZoneInfo("Asia/Shanghai")
T0 = dt.datetime(2026, 12, 1, 10, 0, tzinfo=SH)
T1 = T0 + timedelta(hours=2)


@pytest.mark.parametrize(
    ("status", "at", "available", "closed", "state"),
    [
        (FlashSlotStatus.PUBLISHED, T0 - timedelta(seconds=1), 5, False, STATE_UPCOMING),
        (FlashSlotStatus.PUBLISHED, T0, 5, False, STATE_LIVE),
        (FlashSlotStatus.PUBLISHED, T0 + timedelta(minutes=5), 0, False, STATE_SOLD_OUT),
        (FlashSlotStatus.PUBLISHED, T1, 5, False, STATE_ENDED),
        (FlashSlotStatus.PUBLISHED, T0 + timedelta(minutes=5), 5, True, STATE_ENDED),
        (FlashSlotStatus.PAUSED, T0 + timedelta(minutes=5), 5, False, STATE_PAUSED),
        (FlashSlotStatus.PAUSED, T1, 5, False, STATE_ENDED),
        (FlashSlotStatus.ENDED, T0, 5, False, STATE_ENDED),
        (FlashSlotStatus.DRAFT, T0, 5, False, "draft"),
    ],
)
def test_the_state_of_an_item(status: str, at: dt.datetime, available: int, closed: bool, state: str) -> None:
    assert item_state(status=status, starts_at=T0, ends_at=T1, available=available, closed=closed, now=at) == state


def test_labels_progress_and_the_slot_state() -> None:
    assert [state_label(s) for s in (STATE_UPCOMING, STATE_LIVE, STATE_SOLD_OUT, STATE_ENDED)] == [
        "即将开始",
        "抢购中",
        "已抢光",
        "已结束",
    ]
    assert state_label(STATE_SOLD_OUT, "release") == "补货中，可预约"
    assert (sold_percent(quota=1000, locked=0, sold=800), sold_percent(quota=3, locked=1, sold=1)) == (80, 66)
    assert sold_percent(quota=0, locked=0, sold=0) == 0
    live = T0 + timedelta(minutes=1)
    both_gone = slot_state(
        status=FlashSlotStatus.PUBLISHED, starts_at=T0, ends_at=T1, item_states=[STATE_SOLD_OUT] * 2, now=live
    )
    one_left = slot_state(
        status=FlashSlotStatus.PUBLISHED, starts_at=T0, ends_at=T1, item_states=[STATE_SOLD_OUT, STATE_LIVE], now=live
    )
    assert (both_gone, one_left) == (STATE_SOLD_OUT, STATE_LIVE)


@pytest.mark.django_db
def test_the_marketing_centre_lists_running_and_coming_slots(django_assert_max_num_queries: Any) -> None:
    noon = dt.datetime(2026, 12, 1, 12, 0, tzinfo=SH)
    with time_machine.travel(noon, tick=False):
        running = make_slot(items=[(shelf_sku(), 5)], starts_in=timedelta(minutes=-10), now=noon, price=990)
        coming = make_slot(items=[(shelf_sku(), 5)], starts_in=timedelta(hours=3), now=noon, title="下午场")
        make_slot(items=[(shelf_sku(), 5)], starts_in=timedelta(hours=5), now=noon, publish=False)
        with django_assert_max_num_queries(6):
            centre = marketing_centre_data(now=noon)
    flash_now = [e for e in centre["ongoing"] if e["type"] == "flash"]
    flash_later = [e for e in centre["upcoming"] if e["type"] == "flash"]
    assert [e["id"] for e in flash_now] == [running.pk]
    assert [e["id"] for e in flash_later] == [coming.pk]
    assert flash_now[0]["subtitle"] == "秒杀 ¥9.90 起"
    assert flash_now[0]["title"] == "11:50 秒杀"
    assert flash_later[0]["title"] == "下午场"
    assert flash_now[0]["product_id"] == first_item(running).sku.product_id


@pytest.mark.django_db
def test_badges_name_each_products_nearest_live_or_upcoming_item(django_assert_num_queries: Any) -> None:
    noon = dt.datetime(2026, 12, 1, 12, 0, tzinfo=SH)
    with time_machine.travel(noon, tick=False):
        live_sku, later_sku, far_sku = shelf_sku(), shelf_sku(), shelf_sku()
        live = first_item(make_slot(items=[(live_sku, 2)], starts_in=timedelta(minutes=-5), now=noon))
        later = first_item(make_slot(items=[(later_sku, 2)], starts_in=timedelta(hours=2), now=noon))
        make_slot(items=[(far_sku, 2)], starts_in=timedelta(days=3), now=noon)
        ids = [live_sku.product_id, later_sku.product_id, far_sku.product_id]
        with django_assert_num_queries(10):  # the pricing rules' load, flash offers and shipping rule included
            offers = flash_offers_for_products(product_ids=ids, now=noon)
        product_offers_warm()  # the other tools' badges, warm as pages keep them
        with django_assert_num_queries(0):  # held in memory, as every quote keeps them
            flash_offers_for_products(product_ids=ids, now=noon)
            shown = product_offers_for(product_ids=ids, now=noon)
    assert set(offers.by_product) == {live_sku.product_id, later_sku.product_id}
    assert offers.by_product[live_sku.product_id].item_id == live.pk
    # the page must not outlive the live slot's end or the later one's start
    assert offers.valid_until == min(live.slot.ends_at, later.slot.starts_at)
    badge = shown.for_product(later_sku.product_id)["flash_sale"]
    assert (badge["type"], badge["ref"], badge["state"], badge["state_label"], badge["price"]) == (
        "flash_sale",
        later.pk,
        STATE_UPCOMING,
        "即将开始",
        990,
    )
    assert shown.for_product(live_sku.product_id)["flash_sale"]["state"] == STATE_LIVE
    assert shown.for_product(far_sku.product_id)["flash_sale"] is None  # three days away


@pytest.mark.django_db
def test_the_calendar_reads_days_by_slots_in_fixed_queries(django_assert_max_num_queries: Any) -> None:
    day = dt.date(2026, 12, 1)
    noon = dt.datetime(2026, 12, 1, 8, 0, tzinfo=SH)
    with time_machine.travel(noon, tick=False):
        for offset in range(3):
            for hour in (10, 15, 20):
                starts = dt.datetime.combine(day + timedelta(days=offset), dt.time(hour), tzinfo=SH)
                make_slot(items=[(shelf_sku(), 4), (shelf_sku(), 4)], starts_in=starts - noon, now=noon)
        with django_assert_max_num_queries(3):
            calendar = flash_calendar(first_day=day, days=3, now=noon)
    assert calendar["times"] == ["10:00", "15:00", "20:00"]
    assert [d["date"] for d in calendar["days"]] == [day + timedelta(days=i) for i in range(3)]
    cell = calendar["days"][0]["cells"][0]["slots"][0]
    assert (cell["state"], len(cell["items"]), cell["items"][0]["quota"]) == (STATE_UPCOMING, 2, 4)
