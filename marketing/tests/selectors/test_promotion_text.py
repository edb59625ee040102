"""The promotion list reads like the brief (第2件5折, 满159赠…), not like stored JSON."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.utils import translation

from mall.models import Category, Sku
from marketing.models import Promotion
from marketing.selectors.promotion_text import promotion_rules_text, rate_text


@pytest.fixture(autouse=True)
def _chinese() -> Iterator[None]:
    """These read the active language; another test's request may have left English active."""
    with translation.override("zh-hans"):
        yield


@pytest.mark.parametrize(
    ("type_", "rules", "text"),
    [
        ("nth_item", {"n": 2, "rate": "0.5"}, "第2件5折"),
        ("limited_discount", {"rate": "0.8"}, "限时8折"),
        ("limited_discount", {"rate": "0.85"}, "限时8.5折"),
        (
            "full_reduction",
            {"tiers": [{"threshold": "99.00", "off": "10.00"}, {"threshold": "199.00", "off": "30.00"}]},
            "满99减10，满199减30",
        ),
        ("full_reduction", {"tiers": [{"threshold": "100.00", "off": "15.00"}], "repeat": True}, "每满100减15"),
        ("full_gift", {"threshold": "159.00", "gift_sku": "DY003-01", "gift_qty": 1}, "满159赠旅行装洁面 50ml ×1"),
        ("flash_sale", {"sku": "DY003-01", "price": "9.90"}, "旅行装洁面 50ml 秒杀价 ¥9.9"),
        (
            "buy_x_get_y",
            {"buy_sku": "A", "buy_qty": 1, "gift_sku": "DY003-01", "gift_qty": 1},
            "买A ×1 送旅行装洁面 50ml ×1",
        ),
    ],
)
def test_rules_read_like_the_brief(type_: str, rules: dict[str, Any], text: str) -> None:
    assert promotion_rules_text(type=type_, rules=rules, skus={"DY003-01": "旅行装洁面 50ml"}) == text


def test_stepped_price_lists_its_steps_and_sales() -> None:
    rules = {"sku": "X", "steps": [{"upto": 100, "rate": "0.5"}, {"upto": 300, "rate": "0.6"}]}
    assert promotion_rules_text(type="stepped_price", rules=rules, skus={"X": "精华"}, sold=12) == (
        "精华：第1–100件5折，第101–300件6折（已售 12 件）"
    )


def test_rate_text() -> None:
    assert [rate_text(r) for r in ("0.5", "0.95", "0", "1")] == ["5折", "9.5折", "免费", "原价"]


@pytest.mark.django_db
def test_promotion_list_names_the_gift_sku(
    staff: User,
    make_promotion: Callable[..., Promotion],
    make_sku: Callable[..., Sku],
    django_assert_max_num_queries: Callable[..., Any],
) -> None:
    gift = make_sku("GIFT-01", 0, Category.objects.create(name="赠品"))
    gift.specs = {"规格": "旅行装"}
    gift.save(update_fields=["specs"])
    make_promotion(
        type="full_gift", name="满159赠", rules={"threshold": "159.00", "gift_sku": "GIFT-01", "gift_qty": 1}
    )
    make_promotion(type="nth_item", name="第二件半价", rules={"n": 2, "rate": "0.5"})
    client = Client()
    client.force_login(staff)
    html = client.get("/admin/marketing/promotion/").content.decode()
    assert "满159赠商品 GIFT-01 旅行装 ×1" in html
    assert "第2件5折" in html
    assert "gift_sku" not in html and "rate=0.5" not in html
