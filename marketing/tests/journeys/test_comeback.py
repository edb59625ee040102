"""专属回归礼: recommendations from the shopper's own history, and the API the page reads."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine

from mall.models import Category
from marketing.models import JourneyKind
from marketing.selectors.journeys import BOUGHT_NEXT, SAME_CATEGORY, journey_recommendations
from marketing.services.journeys.runner import lifecycle_run
from marketing.tests.journeys.helpers import journeys_on, paid_order, product
from members.tests.factories import MemberFactory
from members.tests.fixtures import client_for

pytestmark = pytest.mark.django_db
SHOP = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 12, 6, 10, 0, tzinfo=SHOP)


def _history() -> dict[str, Any]:
    care = Category.objects.create(name="个护")
    shampoo, conditioner, mask = (
        product("洗发水", category=care),
        product("护发素", category=care),
        product("发膜", category=care),
    )
    comb = product("木梳", cycle=None)
    shopper = MemberFactory.create()
    paid_order(shopper, NOW - timedelta(days=60), shampoo)
    paid_order(shopper, NOW - timedelta(days=40), shampoo, conditioner)  # restocked the shampoo
    for i in range(3):  # buyers of the shampoo then bought the conditioner and a comb
        other = MemberFactory.create()
        paid_order(other, NOW - timedelta(days=50 - i), shampoo)
        paid_order(other, NOW - timedelta(days=45 - i), conditioner, comb)
    earlier = MemberFactory.create()  # bought the mask *before* the shampoo: not "bought next"
    paid_order(earlier, NOW - timedelta(days=55), mask)
    paid_order(earlier, NOW - timedelta(days=50), shampoo)
    mask.sales_count = 50
    mask.save()
    return {"shopper": shopper, "shampoo": shampoo, "conditioner": conditioner, "comb": comb, "mask": mask}


def test_recommendations_come_from_what_buyers_bought_next_then_the_categories_and_never_what_was_bought(
    django_assert_max_num_queries: Any,
) -> None:
    rows = _history()
    with django_assert_max_num_queries(4):
        found = journey_recommendations(member_id=rows["shopper"].pk)
    picked = [(item.product.title, item.reason) for item in found]
    assert picked == [("木梳", BOUGHT_NEXT), ("发膜", SAME_CATEGORY)]
    titles = {title for title, _reason in picked}
    assert "洗发水" not in titles and "护发素" not in titles  # restocked / already bought


def test_a_shopper_without_orders_gets_no_recommendations() -> None:
    assert journey_recommendations(member_id=MemberFactory.create().pk) == []


def test_the_comeback_api_shows_the_coupon_and_the_recommendations() -> None:
    rows = _history()
    journeys_on(JourneyKind.DORMANT)
    with time_machine.travel(NOW, tick=False):
        lifecycle_run(kinds=[JourneyKind.DORMANT], now=NOW)
        response = client_for(rows["shopper"]).get("/api/v1/me/comeback")
    assert response.status_code == 200
    body = response.json()
    assert body["coupon"]["status"] == "unused"
    assert body["coupon"]["template"]["off"] == 3000
    assert [item["title"] for item in body["recommendations"]] == ["木梳", "发膜"]
    assert body["recommendations"][0]["min_price"] == 5900


def test_the_comeback_api_without_a_recall_and_signed_out() -> None:
    shopper = MemberFactory.create()
    response = client_for(shopper).get("/api/v1/me/comeback")
    assert response.status_code == 200
    assert response.json() == {"coupon": None, "recommendations": []}
    from rest_framework.test import APIClient

    assert APIClient().get("/api/v1/me/comeback").status_code == 401
