"""Which offers a product shows (F11's limited discount): price, winner, window, and queries."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from mall.models import Category, Sku
from marketing.models import Promotion
from marketing.selectors.product_offers import product_offers_for, product_offers_warm

pytestmark = pytest.mark.django_db


@pytest.fixture
def limited(make_promotion: Callable[..., Promotion]) -> Callable[..., Promotion]:
    def make(rate: str = "0.8", **overrides: Any) -> Promotion:
        fields: dict[str, Any] = {"type": "limited_discount", "name": f"限时{rate}", "rules": {"rate": rate}}
        fields.update(overrides)
        return make_promotion(**fields)

    return make


def test_a_category_discount_shows_on_its_products(
    limited: Callable[..., Promotion], lipstick: Sku, cookie: Sku, beauty: Category
) -> None:
    promotion = limited("0.85", category_ids=(beauty.pk,))
    now = timezone.now()
    offers = product_offers_for(product_ids=[lipstick.product_id, cookie.product_id], now=now)

    shown = offers.for_product(lipstick.product_id)["limited_discount"]
    assert shown == {
        "promotion_id": promotion.pk,
        "name": "限时0.85",
        "rate": "0.85",
        "price": 8500,
        "sku_id": lipstick.pk,
        "starts_at": timezone.localtime(promotion.starts_at).isoformat(),
        "ends_at": timezone.localtime(promotion.ends_at).isoformat(),
    }
    assert offers.for_product(cookie.product_id) == {
        "limited_discount": None,
        "group_buy": None,
        "bargain": None,
        "flash_sale": None,
    }  # 零食 is not covered
    assert offers.valid_until == promotion.ends_at


def test_the_lowest_price_wins_and_rounds_half_up(
    limited: Callable[..., Promotion], make_sku: Callable[..., Sku], snacks: Category
) -> None:
    sku = make_sku("NUT", 1999, snacks)
    limited("0.9", category_ids=(snacks.pk,))
    best = limited("0.75", sku_ids=(sku.pk,))
    shown = product_offers_for(product_ids=[sku.product_id]).for_product(sku.product_id)["limited_discount"]
    assert (shown["promotion_id"], shown["price"]) == (best.pk, 1499)  # 1999 × 0.75 = 1499.25


def test_the_cheapest_covered_sku_is_shown_and_excluded_skus_are_not(
    limited: Callable[..., Promotion], lipstick: Sku, beauty: Category
) -> None:
    cheap = Sku.objects.create(product=lipstick.product, code="LIP-02", price=6000, stock=5)
    limited("0.5", category_ids=(beauty.pk,), exclude_sku_ids=(cheap.pk,))
    shown = product_offers_for(product_ids=[lipstick.product_id]).for_product(lipstick.product_id)["limited_discount"]
    assert (shown["sku_id"], shown["price"]) == (lipstick.pk, 5000)


def test_upcoming_ended_and_paused_discounts_are_not_shown(
    limited: Callable[..., Promotion], lipstick: Sku, beauty: Category, staff: Any
) -> None:
    from marketing.services.promotions import promotion_set_active

    now = timezone.now()
    upcoming = limited(category_ids=(beauty.pk,), starts_at=now + timedelta(hours=2), ends_at=now + timedelta(hours=5))
    paused = limited("0.5", category_ids=(beauty.pk,))
    promotion_set_active(actor=staff, promotion_id=paused.pk, is_active=False)

    offers = product_offers_for(product_ids=[lipstick.product_id], now=now)

    assert offers.for_product(lipstick.product_id)["limited_discount"] is None
    assert offers.valid_until == upcoming.starts_at  # a page built now is stale when it starts
    later = product_offers_for(product_ids=[lipstick.product_id], now=upcoming.starts_at)
    assert later.for_product(lipstick.product_id)["limited_discount"]["promotion_id"] == upcoming.pk
    assert later.valid_until == upcoming.ends_at
    gone = product_offers_for(product_ids=[lipstick.product_id], now=upcoming.ends_at)
    assert gone.for_product(lipstick.product_id)["limited_discount"] is None


@pytest.mark.parametrize("rows", [3, 30])
def test_one_query_for_a_whole_page_none_without_a_running_discount(
    limited: Callable[..., Promotion],
    make_sku: Callable[..., Sku],
    snacks: Category,
    django_assert_num_queries: Any,
    rows: int,
) -> None:
    skus = [make_sku(f"S{n}", 1000 + n, snacks) for n in range(rows)]
    ids = [s.product_id for s in skus]
    product_offers_warm()
    with django_assert_num_queries(0):
        assert product_offers_for(product_ids=ids).by_product == {}
    limited(category_ids=(snacks.pk,))
    product_offers_warm()
    with django_assert_num_queries(1):
        offers = product_offers_for(product_ids=ids)
    assert len(offers.by_product) == rows
