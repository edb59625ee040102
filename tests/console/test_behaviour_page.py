"""The 行为分析 console page: figures from the rollups, Chinese throughout, for those allowed to see it."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any

import pytest
import time_machine
from django.contrib.auth.models import User
from django.test import Client
from django.utils import translation

from analytics.console.behaviour import behaviour_context
from analytics.services.rollups import rollup_day
from analytics.tests.factories import shop_day

D = date(2026, 11, 20)
URL = "/console/analytics/behaviour/"


@pytest.fixture
def rolled_up(db: Any) -> None:
    shop_day(D)
    rollup_day(day=D)


@time_machine.travel(datetime(2026, 11, 21, 4, 0, tzinfo=UTC), tick=False)
def test_the_page_shows_the_rolled_up_figures(
    rolled_up: None, owner: User, console_client: Callable[[User], Client]
) -> None:
    with translation.override("zh-hans"):
        page = console_client(owner).get(URL, {"days": 7}, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert page.status_code == 200
    html = page.content.decode()
    assert "行为分析" in html
    assert "首页 → 商品详情 → 结算 → 支付" in html
    assert "首页 → 购物车 → 结算 → 支付" in html
    for reason in ("价格", "库存", "优惠券不可用", "其他"):
        assert f"<b>{reason}</b>" in html
    assert 'data-testid="kpi-payers">2<' in html
    assert "秒杀" in html and "30.0 秒" in html  # the flash page's average dwell


@time_machine.travel(datetime(2026, 11, 21, 4, 0, tzinfo=UTC), tick=False)
def test_the_funnel_table_ranks_tools_and_names_campaigns(rolled_up: None) -> None:
    with translation.override("zh-hans"):
        context = behaviour_context(days=7)
    rows = [(r["tool"], r["campaign"], r["viewers"], r["payers"], r["conversion"]) for r in context["funnels"]]
    assert rows[0] == ("全部流量", "", 3, 2, "66.7%")
    assert ("秒杀", "全部活动", 2, 1, "50.0%") in rows
    assert ("秒杀", "活动 3（已删除）", 2, 1, "50.0%") in rows  # no flash slot 3 in this shop
    assert [s["value"] for s in context["funnel_steps"]] == [3, 2, 2, 2]
    assert [(r["label"], r["leaves"]) for r in context["reasons"]] == [
        ("价格", 1),
        ("库存", 1),
        ("优惠券不可用", 1),
        ("其他", 0),
    ]


def test_staff_without_analytics_cannot_open_it(
    db: Any, staff_factory: Callable[[str], User], console_client: Callable[[User], Client]
) -> None:
    assert console_client(staff_factory("customer_service")).get(URL).status_code == 403
    assert console_client(staff_factory("operator")).get(URL).status_code == 200
