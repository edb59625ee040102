"""Rollup figures asserted exactly on hand-built events; the selectors read them in one query each."""

from __future__ import annotations

from datetime import date, time, timedelta
from typing import Any

import pytest
from django.utils import translation

from analytics.models import EventDay, FunnelDay, HourDay, LeaveDay, PageDay, PathDay, ProductDay
from analytics.selectors.behaviour import (
    daily_visitors,
    funnels,
    hourly_events,
    leave_reasons,
    page_dwell,
    product_traffic,
    top_click_paths,
)
from analytics.services.rollups import rollup_day, session_path
from analytics.tests.factories import CART, CHECKOUT, FLASH, FLASH3, HOME, PRODUCT, make_event, shop_day

D = date(2026, 11, 20)


@pytest.mark.django_db
def test_a_day_rolls_up_to_exact_figures() -> None:
    shop_day(D)
    make_event("page_view", day=D + timedelta(days=1), at=time(9), page=HOME)  # another day: not counted
    rollup_day(day=D)

    pages = {r.page: (r.views, r.visitors, r.dwell_ms, r.dwell_views) for r in PageDay.objects.filter(day=D)}
    assert pages == {
        HOME: (4, 3, 7000, 3),
        PRODUCT: (3, 3, 30000, 2),
        CHECKOUT: (2, 2, 5000, 1),
        FLASH: (1, 1, 30000, 1),
        CART: (1, 1, 0, 0),
    }
    assert {r.name: (r.events, r.visitors) for r in EventDay.objects.filter(day=D)} == {
        "page_view": (11, 3),
        "add_to_cart": (2, 2),
        "checkout_start": (2, 2),
        "checkout_leave": (3, 2),
        "pay": (2, 2),
    }
    assert {r.product_id: (r.views, r.visitors, r.carts) for r in ProductDay.objects.all()} == {
        7: (2, 2, 2),
        8: (1, 1, 0),
    }
    assert {
        (r.tool, r.campaign_id): (r.viewers, r.carters, r.checkouts, r.payers) for r in FunnelDay.objects.all()
    } == {("", 0): (3, 2, 2, 2), ("flash", 0): (2, 2, 2, 1), ("flash", 3): (2, 2, 2, 1)}
    assert {r.hour: (r.events, r.visitors) for r in HourDay.objects.all()} == {
        10: (6, 1),
        11: (6, 1),
        12: (3, 1),
        20: (4, 1),
        21: (1, 1),
    }
    assert {r.reason: r.leaves for r in LeaveDay.objects.all()} == {"price": 1, "sold_out": 1, "coupon_unusable": 1}
    assert {r.path: r.sessions for r in PathDay.objects.all()} == {
        "pages/home > pages/product > package-order/checkout > pay": 1,
        "pages/home > pages/cart > package-order/checkout > pay": 1,
    }


@pytest.mark.django_db
def test_rolling_a_day_up_again_replaces_it() -> None:
    shop_day(D)
    rollup_day(day=D)
    first = sorted(FunnelDay.objects.values_list("tool", "campaign_id", "viewers", "payers"))
    rollup_day(day=D)
    assert sorted(FunnelDay.objects.values_list("tool", "campaign_id", "viewers", "payers")) == first
    assert PageDay.objects.count() == 5
    # a late event changes the day's figures on the next run, nothing is counted twice
    make_event("pay", day=D, at=time(23), anon="device-B", session="B1", page=CHECKOUT, **FLASH3)
    rollup_day(day=D)
    assert FunnelDay.objects.get(tool="flash", campaign_id=3).payers == 2
    assert FunnelDay.objects.filter(day=D).count() == 3


@pytest.mark.django_db
def test_selectors_read_rollups_in_one_query_each(django_assert_num_queries: object) -> None:
    shop_day(D)
    shop_day(D + timedelta(days=1))
    rollup_day(day=D)
    rollup_day(day=D + timedelta(days=1))
    span: dict[str, Any] = {"day_from": D, "day_to": D + timedelta(days=1)}
    with translation.override("zh-hans"):
        with django_assert_num_queries(1):  # type: ignore[operator]
            dwell = page_dwell(**span, activity_only=True)
        assert [(p.name, p.views, p.avg_dwell_ms) for p in dwell] == [("秒杀", 2, 30000)]
        with django_assert_num_queries(1):  # type: ignore[operator]
            paths = top_click_paths(**span)
        assert [(p.steps, p.sessions) for p in paths] == [
            (["首页", "购物车", "结算", "支付"], 2),
            (["首页", "商品详情", "结算", "支付"], 2),
        ]
        with django_assert_num_queries(1):  # type: ignore[operator]
            reasons = leave_reasons(**span)
        assert [(r.label, r.leaves) for r in reasons] == [("价格", 2), ("库存", 2), ("优惠券不可用", 2), ("其他", 0)]
    with django_assert_num_queries(1):  # type: ignore[operator]
        rows = funnels(**span)
    assert [(f.tool, f.campaign_id, f.viewers, f.carters, f.checkouts, f.payers) for f in rows] == [
        ("", 0, 6, 4, 4, 4),
        ("flash", 0, 4, 4, 4, 2),
        ("flash", 3, 4, 4, 4, 2),
    ]
    assert rows[1].conversion == 0.5
    with django_assert_num_queries(1):  # type: ignore[operator]
        traffic = product_traffic(D, D + timedelta(days=1))
    assert {k: (v.views, v.visitors, v.carts) for k, v in traffic.items()} == {7: (4, 4, 4), 8: (2, 2, 0)}
    hours = hourly_events(**span)
    assert len(hours) == 24 and hours[10] == 12 and hours[21] == 2 and sum(hours) == 40
    assert daily_visitors(**span) == {D: 3, D + timedelta(days=1): 3}


def test_a_session_path_runs_from_home_to_the_first_payment() -> None:
    assert session_path([PRODUCT, "pay"]) is None  # never on the home page
    assert session_path([HOME, PRODUCT]) is None  # never paid
    assert session_path([PRODUCT, HOME, HOME, PRODUCT, "pay", HOME]) == "pages/home > pages/product > pay"
    long = [HOME, *[f"pages/p{n}/index" for n in range(10)], "pay"]
    assert session_path(long) == "pages/home > pages/p0 > pages/p1 > pages/p2 > … > pages/p8 > pages/p9 > pay"
