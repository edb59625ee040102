"""F11 in the catalogue API: a running 限时折扣 shows on cards and the product page with the
server time for an honest countdown; cached pages follow its start, end and edits."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib.auth.models import User
from rest_framework.test import APIClient

from mall.api.catalogue import HomeScreenApi, ProductDetailApi, ProductListApi
from mall.models import Category, Sku
from marketing.models import Promotion
from marketing.selectors.product_offers import product_offers_warm
from marketing.services.promotions import promotion_update
from marketing.tests.conftest import promotion_data

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")
PAGE = {"page_size": "50", "sort": "price"}
NOON = datetime(2026, 6, 18, 12, 0, tzinfo=SHANGHAI)
STARTS = datetime(2026, 6, 18, 20, 0, tzinfo=SHANGHAI)
ENDS = STARTS + timedelta(hours=24)


@pytest.fixture
def sale(make_promotion: Callable[..., Promotion], beauty: Category) -> Callable[[], Promotion]:
    """限时 8 折 on 美妆 (and 口红 below it) from 20:00 for 24 hours, made at noon."""

    def make() -> Promotion:
        return make_promotion(
            type="limited_discount",
            name="24 小时限时 8 折",
            rules={"rate": "0.8"},
            category_ids=(beauty.pk,),
            starts_at=STARTS,
            ends_at=ENDS,
        )

    return make


@pytest.fixture
def api_client() -> APIClient:
    return APIClient()


def detail(client: APIClient, sku: Sku) -> dict[str, Any]:
    response = client.get(f"/api/v1/products/{sku.product_id}")
    assert response.status_code == 200, response.content
    body: dict[str, Any] = response.json()
    return body


def test_the_product_page_counts_down_from_the_start_to_the_end(
    sale: Callable[[], Promotion], lipstick: Sku, api_client: APIClient
) -> None:
    with time_machine.travel(NOON, tick=False) as clock:
        promotion = sale()
        before = detail(api_client, lipstick)
        assert before["limited_discount"] is None
        assert before["server_time"] == {"now": NOON.isoformat(), "timestamp_ms": int(NOON.timestamp() * 1000)}

        clock.move_to(STARTS - timedelta(seconds=1))
        assert detail(api_client, lipstick)["limited_discount"] is None  # cached just before the start…
        clock.move_to(STARTS)
        running = detail(api_client, lipstick)  # …and not served once it starts
        assert running["limited_discount"] == {
            "promotion_id": promotion.pk,
            "name": "24 小时限时 8 折",
            "rate": "0.8",
            "price": 8000,
            "sku_id": lipstick.pk,
            "starts_at": "2026-06-18T20:00:00+08:00",
            "ends_at": "2026-06-19T20:00:00+08:00",
        }
        assert running["min_price"] == 10000
        assert ProductDetailApi.OutputSerializer(data=running).is_valid(), "payload drifted from the schema"

        clock.move_to(ENDS - timedelta(seconds=2))
        assert detail(api_client, lipstick)["limited_discount"]["price"] == 8000
        assert detail(api_client, lipstick)["server_time"]["now"] == "2026-06-19T19:59:58+08:00"
        clock.move_to(ENDS)
        assert detail(api_client, lipstick)["limited_discount"] is None


def test_an_edited_discount_shows_at_the_next_request(
    sale: Callable[[], Promotion], lipstick: Sku, api_client: APIClient, staff: User, beauty: Category
) -> None:
    with time_machine.travel(STARTS + timedelta(hours=1), tick=False):
        promotion = sale()
        assert detail(api_client, lipstick)["limited_discount"]["price"] == 8000
        promotion_update(
            actor=staff,
            promotion_id=promotion.pk,
            data=promotion_data(
                type="limited_discount",
                name="限时 7 折",
                rules={"rate": "0.7"},
                category_ids=(beauty.pk,),
                starts_at=STARTS,
                ends_at=ENDS,
            ),
        )
        shown = detail(api_client, lipstick)["limited_discount"]
        assert (shown["name"], shown["rate"], shown["price"]) == ("限时 7 折", "0.7", 7000)


@pytest.mark.parametrize("rows", [3, 30])
def test_list_cards_carry_the_discount_in_fixed_queries(
    sale: Callable[[], Promotion],
    make_sku: Callable[..., Sku],
    beauty: Category,
    snacks: Category,
    api_client: APIClient,
    django_assert_num_queries: Any,
    rows: int,
) -> None:
    with time_machine.travel(STARTS + timedelta(minutes=5), tick=False):
        sale()
        for n in range(rows):
            make_sku(f"B{n:02d}", 2000 + n * 100, beauty)
        make_sku("SNACK", 990, snacks)
        product_offers_warm()  # every quote and page keeps the rules and the deal index warm
        # count, page, tags, images, one query for the page's SKUs under the discount, and the
        # 新品优先购 windows not yet launched (when the cached page must expire)
        with django_assert_num_queries(6):
            body = api_client.get("/api/v1/products", PAGE).json()
        with django_assert_num_queries(0):
            api_client.get("/api/v1/products", PAGE)

    assert ProductListApi.OutputSerializer(data=body).is_valid()
    cards = {card["title"]: card for card in body["results"]}
    assert cards["商品 SNACK"]["limited_discount"] is None
    assert cards["商品 B01"]["limited_discount"]["price"] == 1680  # 2100 × 0.8
    assert sum(card["limited_discount"] is not None for card in body["results"]) == rows
    assert body["server_time"]["now"] == "2026-06-18T20:05:00+08:00"


def test_a_cached_list_page_does_not_outlive_the_discount(
    sale: Callable[[], Promotion], lipstick: Sku, api_client: APIClient
) -> None:
    with time_machine.travel(ENDS - timedelta(seconds=3), tick=False) as clock:
        sale()
        first = api_client.get("/api/v1/products").json()["results"][0]
        assert first["limited_discount"]["ends_at"] == "2026-06-19T20:00:00+08:00"
        clock.shift(3)
        assert api_client.get("/api/v1/products").json()["results"][0]["limited_discount"] is None


def test_home_cards_show_it_too(sale: Callable[[], Promotion], lipstick: Sku, api_client: APIClient) -> None:
    with time_machine.travel(STARTS, tick=False):
        sale()
        body = api_client.get("/api/v1/home").json()
    assert body["hot"][0]["limited_discount"]["price"] == 8000
    assert body["server_time_ms"] == int(STARTS.timestamp() * 1000)
    assert HomeScreenApi.OutputSerializer(data=body).is_valid()
