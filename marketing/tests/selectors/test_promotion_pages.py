"""A promotion's page (F46 entries of type promotion): the rule in words, its window, its products."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils import translation
from rest_framework.test import APIClient

from mall.tests.factories import CategoryFactory, ProductFactory, SkuFactory
from marketing.models import PromotionType
from marketing.selectors.promotion_pages import promotion_page_data
from marketing.selectors.promotion_text import promotion_rules_text, rate_text
from marketing.tests.factories import PromotionFactory

SHANGHAI = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 12, 1, 20, 0, tzinfo=SHANGHAI)


def test_in_english_a_discount_is_the_share_taken_off() -> None:
    with translation.override("en"):
        assert rate_text("0.8") == "20% off"
        assert promotion_rules_text(type="nth_item", rules={"n": 2, "rate": "0.5"}, skus={}) == "Item 2 at 50% off"
    assert rate_text("0.85") == "8.5折"


@pytest.mark.django_db
def test_a_category_promotion_lists_its_products_and_its_window() -> None:
    beauty = CategoryFactory.create(name="美妆")
    cream = CategoryFactory.create(name="面霜", parent=beauty)
    snacks = CategoryFactory.create(name="零食")
    in_sub = SkuFactory.create(product=ProductFactory.create(category=cream, title="保湿面霜"))
    SkuFactory.create(product=ProductFactory.create(category=snacks, title="坚果"))
    off_shelf = SkuFactory.create(product=ProductFactory.create(category=beauty, is_on_shelf=False))
    promotion = PromotionFactory.create(
        name="美妆满减",
        starts_at=NOW - timedelta(hours=1),
        ends_at=NOW + timedelta(hours=5),
        rules={"tiers": [{"threshold": "199.00", "off": "30.00"}]},
    )
    promotion.categories.set([beauty])

    data = promotion_page_data(promotion_id=promotion.pk, now=NOW)

    assert (data["name"], data["kind_label"], data["rule_text"]) == ("美妆满减", "满减", "满199减30")
    assert (data["state"], data["state_label"], data["whole_shop"]) == ("ongoing", "进行中", False)
    # The parent category reaches its sub-category, as in the checkout; off-shelf products are not shown.
    assert [p["title"] for p in data["products"]["results"]] == ["保湿面霜"]
    assert data["products"]["count"] == 1
    assert off_shelf.product_id not in [p["id"] for p in data["products"]["results"]]
    assert in_sub.product.min_price == data["products"]["results"][0]["min_price"]
    assert data["ends_at"].isoformat() == "2026-12-02T01:00:00+08:00"


@pytest.mark.django_db
def test_a_named_sku_promotion_lists_that_product_and_a_whole_shop_one_everything() -> None:
    bundle = SkuFactory.create(code="A1", product=ProductFactory.create(title="精华液"))
    SkuFactory.create(code="G1", product=ProductFactory.create(title="旅行装面膜"), specs={"规格": "5片"})
    SkuFactory.create(product=ProductFactory.create(title="牙刷"))
    buy = PromotionFactory.create(
        type=PromotionType.BUY_X_GET_Y,
        rules={"buy_sku": "A1", "buy_qty": 2, "gift_sku": "G1", "gift_qty": 1},
        starts_at=NOW + timedelta(days=1),
        ends_at=NOW + timedelta(days=2),
    )
    shop = PromotionFactory.create(starts_at=NOW - timedelta(days=1), ends_at=NOW + timedelta(days=1))

    named = promotion_page_data(promotion_id=buy.pk, now=NOW)
    whole = promotion_page_data(promotion_id=shop.pk, now=NOW)

    assert named["rule_text"] == "买精华液 ×2 送旅行装面膜 5片 ×1"
    assert named["state"] == "upcoming"
    assert [p["id"] for p in named["products"]["results"]] == [bundle.product_id]
    assert whole["whole_shop"] is True
    assert whole["products"]["count"] == 3


@pytest.mark.django_db
def test_the_api_serves_the_page_and_refuses_one_that_is_not_running() -> None:
    SkuFactory.create(product=ProductFactory.create(title="坚果"))
    live = PromotionFactory.create(
        type=PromotionType.NTH_ITEM,
        rules={"n": 2, "rate": "0.5"},
        starts_at=NOW - timedelta(days=1),
        ends_at=NOW + timedelta(days=1),
    )
    window = {"starts_at": NOW - timedelta(days=1), "ends_at": NOW + timedelta(days=1)}
    paused = PromotionFactory.create(is_active=False, **window)
    ended = PromotionFactory.create(starts_at=NOW - timedelta(days=3), ends_at=NOW - timedelta(days=1))
    client = APIClient()

    with time_machine.travel(NOW, tick=False):
        ok = client.get(f"/api/v1/promotions/{live.pk}", {"page_size": 1})
        refused = [client.get(f"/api/v1/promotions/{p.pk}") for p in (paused, ended)]
        bad = client.get(f"/api/v1/promotions/{live.pk}", {"page": "x"})

    assert ok.status_code == 200
    body = ok.json()
    assert (body["rule_text"], body["kind_label"], body["products"]["count"]) == ("第2件5折", "第 N 件优惠", 1)
    assert body["server_time"]["timestamp_ms"] == int(NOW.timestamp() * 1000)
    for response in refused:
        assert response.status_code == 404
        assert response.json()["code"] == "promotion_not_found"
    assert bad.status_code == 400 and bad.json()["code"] == "invalid_input"
