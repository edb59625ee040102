"""The console home's figures: Asia/Shanghai day boundaries, backlog counts, fixed query counts."""

from __future__ import annotations

import datetime as dt
import json
from zoneinfo import ZoneInfo

import pytest
import time_machine

from mall.console.dashboard import chart_gmv_data, chart_orders_data
from mall.console.display import yuan
from mall.selectors.dashboard import dashboard_daily_series, dashboard_today, shop_day_bounds
from orders.models import OrderStatus
from tests.console.factories import member_at, order_at

SH = ZoneInfo("Asia/Shanghai")
UTC = dt.UTC
# 00:30 on 10 March in Shanghai is still 9 March in UTC: the boundary a UTC "day" gets wrong.
NOW = dt.datetime(2026, 3, 10, 0, 30, tzinfo=SH)

pytestmark = pytest.mark.django_db


def sh(day: int, hour: int, minute: int = 0, month: int = 3) -> dt.datetime:
    return dt.datetime(2026, month, day, hour, minute, tzinfo=SH)


def test_day_bounds_are_shanghai_midnights():
    start, end = shop_day_bounds(dt.date(2026, 3, 10))
    assert start.astimezone(UTC) == dt.datetime(2026, 3, 9, 16, 0, tzinfo=UTC)
    assert end - start == dt.timedelta(days=1)


@time_machine.travel(NOW, tick=False)
def test_today_counts_orders_placed_and_paid_within_the_shanghai_day(django_assert_num_queries):
    order_at(sh(9, 23, 50))  # yesterday in Shanghai (but "today" in UTC): not counted
    order_at(sh(10, 0, 5))  # today, unpaid
    order_at(sh(10, 0, 10), paid_at=sh(10, 0, 12), payable=12_350)
    # Placed yesterday, paid just after midnight: paid GMV today, not placed today.
    order_at(sh(9, 23, 58), paid_at=sh(10, 0, 1), payable=4_000, status=OrderStatus.SHIPPED)
    # Paid yesterday evening: neither.
    order_at(sh(9, 20, 0), paid_at=sh(9, 20, 1), payable=99_900, status=OrderStatus.COMPLETED)

    with django_assert_num_queries(2):
        today = dashboard_today()

    assert today.day == dt.date(2026, 3, 10)
    assert today.orders_placed == 2
    assert today.paid_orders == 2
    assert today.paid_gmv == 16_350


@time_machine.travel(NOW, tick=False)
def test_today_backlog_counts_every_day_and_new_members_only_today():
    order_at(sh(1, 10), paid_at=sh(1, 10, 1))  # paid long ago, still waiting to ship
    order_at(sh(9, 12), paid_at=sh(9, 12, 1))
    order_at(sh(9, 13), paid_at=sh(9, 13, 1), status=OrderStatus.SHIPPED)
    order_at(sh(8, 9), status=OrderStatus.CANCELLED, needs_attention=True)
    member_at(sh(9, 23, 59))
    member_at(sh(10, 0, 0))
    member_at(sh(10, 0, 20))

    today = dashboard_today()

    assert today.pending_shipments == 2
    assert today.needs_attention == 1
    # the three orders' own shoppers joined at their order times; two shoppers joined today
    assert today.new_members == 2
    assert today.orders_placed == 0
    assert today.paid_gmv == 0


@time_machine.travel(NOW, tick=False)
def test_today_is_zero_on_an_empty_shop(django_assert_max_num_queries):
    with django_assert_max_num_queries(2):
        today = dashboard_today()
    assert (today.orders_placed, today.paid_gmv, today.new_members) == (0, 0, 0)
    assert (today.pending_shipments, today.needs_attention) == (0, 0)


@time_machine.travel(NOW, tick=False)
def test_daily_series_has_thirty_shanghai_days_in_one_query(django_assert_num_queries):
    order_at(sh(10, 0, 10), paid_at=sh(10, 0, 11), payable=1_000)
    order_at(sh(9, 23, 59), paid_at=sh(10, 0, 2), payable=2_000)
    order_at(sh(9, 8), paid_at=sh(9, 8, 1), payable=3_000)
    order_at(sh(9, 9))  # placed, never paid
    order_at(sh(9, 10), payable=7_000)
    order_at(sh(8, 23, 59, month=2), paid_at=sh(8, 23, 59, month=2), payable=8_000)  # the day before: outside
    order_at(sh(9, 0, 0, month=2), paid_at=sh(9, 0, 1, month=2), payable=5_000)  # first day of the window

    with django_assert_num_queries(1):
        series = dashboard_daily_series(days=30)

    assert len(series) == 30
    assert series[0].day == dt.date(2026, 2, 9)
    assert series[-1].day == dt.date(2026, 3, 10)
    by_day = {point.day: point for point in series}
    assert by_day[dt.date(2026, 3, 10)].paid_gmv == 3_000
    assert by_day[dt.date(2026, 3, 10)].paid_orders == 2
    assert by_day[dt.date(2026, 3, 10)].orders_placed == 1
    assert by_day[dt.date(2026, 3, 9)].paid_gmv == 3_000
    assert by_day[dt.date(2026, 3, 9)].orders_placed == 4
    assert by_day[dt.date(2026, 2, 9)].paid_gmv == 5_000
    assert sum(point.paid_gmv for point in series) == 11_000
    assert sum(point.orders_placed for point in series) == 6


def test_daily_series_refuses_an_empty_window():
    with pytest.raises(ValueError, match="at least 1"):
        dashboard_daily_series(days=0)


@time_machine.travel(NOW, tick=False)
def test_chart_data_is_chartjs_json_in_yuan():
    order_at(sh(10, 0, 10), paid_at=sh(10, 0, 11), payable=12_345)
    series = dashboard_daily_series(days=3)

    gmv = json.loads(chart_gmv_data(series))
    orders = json.loads(chart_orders_data(series))
    assert gmv["labels"] == ["03-08", "03-09", "03-10"]
    assert gmv["datasets"][0]["data"] == [0, 0, 123.45]
    assert [dataset["data"] for dataset in orders["datasets"]] == [[0, 0, 1], [0, 0, 1]]


@pytest.mark.parametrize(
    ("fen", "text"),
    [(0, "¥0.00"), (5, "¥0.05"), (123_456_789, "¥1,234,567.89"), (-2_550, "-¥25.50")],
)
def test_yuan(fen, text):
    assert yuan(fen) == text
