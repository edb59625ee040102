"""GET pages/{key} and pages/home (F26): the published page with every block resolved in one
request, a fixed number of queries, cached until something on it changes."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.contrib.auth.models import User
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from marketing.models import CampaignPage
from marketing.pages.blocks import BLOCKS
from marketing.services.pages import PageData, page_create, page_publish, page_save, page_unpublish
from marketing.tests.pages import every_block_settings, published_page

pytestmark = pytest.mark.django_db


@pytest.fixture
def blocks(
    staff: User, make_group_campaign: Any, make_bargain_campaign: Any, make_template: Any, make_promotion: Any
) -> list[dict[str, Any]]:
    return every_block_settings(
        staff=staff,
        make_group_campaign=make_group_campaign,
        make_bargain_campaign=make_bargain_campaign,
        make_template=make_template,
        make_promotion=make_promotion,
    )


def test_the_page_comes_whole_in_one_request_with_live_data(
    staff: User, blocks: list[dict[str, Any]], django_assert_max_num_queries: Any
) -> None:
    page = published_page(staff=staff, blocks=blocks)
    cache.clear()
    # page, versions, then per block type present (14 types; the guide's products with their tags
    # and images are 3; a cold pricing-rules load also reads the shop's shipping rule): constant
    # whatever the blocks or products
    with django_assert_max_num_queries(38):
        answer = APIClient().get("/api/v1/pages/618")
    assert answer.status_code == 200
    body = answer.json()
    assert body["id"] == page.pk and body["version"] == 2 and body["server_time"]["timestamp_ms"] > 0
    by_type: dict[str, dict[str, Any]] = {}
    for block in body["blocks"]:
        by_type.setdefault(block["type"], block)
    assert set(by_type) == set(BLOCKS)
    assert by_type["countdown"]["data"]["state"] == "live" and by_type["countdown"]["data"]["target_ms"] > 0
    assert by_type["flash_sale"]["data"]["slot"]["state"] == "upcoming"
    assert by_type["flash_sale"]["data"]["slot"]["items"][0]["flash_price"] == 990
    assert by_type["coupon"]["data"]["coupons"][0]["state"] == "claimable"
    assert [t["off"] for t in by_type["full_reduction"]["data"]["promotion"]["tiers"]] == [3000, 6000]
    assert by_type["group_buy"]["data"]["campaigns"][0]["lowest_price"] == 2900
    assert by_type["bargain"]["data"]["campaigns"][0]["start_price"] == 19900
    grids = [b["data"] for b in body["blocks"] if b["type"] == "product_grid"]
    assert [p["title"] for p in grids[0]["products"]] == ["精华 2", "精华 0"]  # the merchant's order
    assert [p["title"] for p in grids[1]["products"]] == ["精华 2", "精华 1"]  # category: best sellers, limit 2
    assert len(grids[2]["products"]) == 3
    assert by_type["rich_text"]["data"]["paragraphs"] == ["第一段。", "第二段。"]
    guide = by_type["guide"]["data"]["items"]
    assert [item["kind"] for item in guide] == ["heading", "text", "product", "text", "image"]
    assert guide[2]["product"]["title"] == "精华 1" and guide[2]["product"]["min_price"] == 9901
    assert guide[2]["product"]["stock"] == 50 and guide[2]["product"]["in_stock"] is True
    assert by_type["nav_icons"]["data"]["items"][0]["target"] == {"type": "coupons"}
    with django_assert_max_num_queries(0):
        again = APIClient().get("/api/v1/pages/618")  # cached: only the clock is new
    assert again.status_code == 200 and again.json()["blocks"] == body["blocks"]
    assert APIClient().get(f"/api/v1/pages/{page.pk}").json()["slug"] == "618"  # by id too


def test_query_count_does_not_grow_with_blocks_of_the_same_sources(
    staff: User, blocks: list[dict[str, Any]], django_assert_num_queries: Any
) -> None:
    published_page(staff=staff, blocks=blocks, slug="one")
    published_page(staff=staff, blocks=blocks + blocks, slug="two")
    counts = []
    for slug in ("one", "two"):
        cache.clear()
        with CaptureQueriesContext(connection) as queries:
            assert APIClient().get(f"/api/v1/pages/{slug}").status_code == 200
        counts.append(len(queries.captured_queries))
    assert counts[0] == counts[1]


def test_home_is_the_home_page_and_404_without_one(staff: User) -> None:
    assert APIClient().get("/api/v1/pages/home").json()["code"] == "page_not_found"
    page = page_create(actor=staff, data=PageData(title="店铺首页", slug="index", is_home=True))
    page_save(actor=staff, page_id=page.pk, blocks=[{"type": "divider", "settings": {}}])
    page_publish(actor=staff, page_id=page.pk)
    home = APIClient().get("/api/v1/pages/home")
    assert home.status_code == 200 and home.json()["is_home"] is True
    page_unpublish(actor=staff, page_id=page.pk)
    assert APIClient().get("/api/v1/pages/home").status_code == 404  # the cache follows the change at once


def test_the_home_screen_carries_the_published_home_page_in_the_same_request(
    staff: User, django_assert_num_queries: Any
) -> None:
    assert APIClient().get("/api/v1/home").json()["page"] is None  # the standard first screen
    page = page_create(actor=staff, data=PageData(title="店铺首页", slug="index", is_home=True))
    page_save(actor=staff, page_id=page.pk, blocks=[{"type": "divider", "settings": {}}])
    page_publish(actor=staff, page_id=page.pk)
    APIClient().get("/api/v1/home")
    with django_assert_num_queries(0):  # a warm home is still one cache round trip, page included
        home = APIClient().get("/api/v1/home").json()
    assert home["page"]["is_home"] is True and [b["type"] for b in home["page"]["blocks"]] == ["divider"]
    assert home["server_time"]
    page_unpublish(actor=staff, page_id=page.pk)
    assert APIClient().get("/api/v1/home").json()["page"] is None  # the cache follows the change at once


def test_a_draft_page_is_not_served_and_a_publish_shows_at_once(staff: User) -> None:
    page = page_create(actor=staff, data=PageData(title="草稿", slug="draft"))
    page_save(actor=staff, page_id=page.pk, blocks=[{"type": "rich_text", "settings": {"body": "旧"}}])
    assert APIClient().get("/api/v1/pages/draft").status_code == 404
    page_publish(actor=staff, page_id=page.pk)
    assert APIClient().get("/api/v1/pages/draft").json()["blocks"][0]["data"]["paragraphs"] == ["旧"]
    page_save(actor=staff, page_id=page.pk, blocks=[{"type": "rich_text", "settings": {"body": "新"}}])
    page_publish(actor=staff, page_id=page.pk)
    assert APIClient().get("/api/v1/pages/draft").json()["blocks"][0]["data"]["paragraphs"] == ["新"]


def test_a_countdown_page_rebuilds_when_its_moment_passes(staff: User) -> None:
    now = timezone.now()
    blocks = [
        {
            "type": "countdown",
            "settings": {
                "title": "开抢",
                "starts_at": (now + timedelta(minutes=5)).isoformat(),
                "ends_at": (now + timedelta(hours=1)).isoformat(),
            },
        }
    ]
    page = page_create(actor=staff, data=PageData(title="倒计时", slug="cd"))
    page_save(actor=staff, page_id=page.pk, blocks=blocks)
    page_publish(actor=staff, page_id=page.pk)
    assert APIClient().get("/api/v1/pages/cd").json()["blocks"][0]["data"]["state"] == "upcoming"
    with time_machine.travel(now + timedelta(minutes=6), tick=False):
        assert APIClient().get("/api/v1/pages/cd").json()["blocks"][0]["data"]["state"] == "live"
    assert CampaignPage.objects.filter(slug="cd").exists()
