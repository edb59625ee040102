"""The cart quote: the engine's explainable breakdown through the API, and its error codes."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from rest_framework.test import APIClient

from mall.models import Category, Sku
from marketing.api.serializers import QuoteOutputSerializer
from marketing.models import CouponTemplate, Promotion
from marketing.services.coupons import coupon_claim
from marketing.tests.conftest import grant_points
from members.models import Member
from members.tests.fixtures import SHOPPER_CONTEXT

pytestmark = pytest.mark.django_db


@pytest.fixture
def f10(
    make_promotion: Callable[..., Promotion],
    make_template: Callable[..., CouponTemplate],
    member: Member,
    beauty: Category,
) -> dict[str, Any]:
    """The brief's 三重叠加: 店铺券20 + 美妆品类券10 + 满100减15."""
    promotion = make_promotion(name="满100减15")
    shop_coupon = coupon_claim(context=SHOPPER_CONTEXT, member=member, template_id=make_template(name="店铺券20").pk)
    beauty_coupon = coupon_claim(
        context=SHOPPER_CONTEXT,
        member=member,
        template_id=make_template(name="美妆券10", group="category", off=1000, category_ids=(beauty.pk,)).pk,
    )
    return {"promotion": promotion, "shop": shop_coupon, "beauty": beauty_coupon}


def test_quote_explains_every_fen(
    f10: dict[str, Any], member_client: APIClient, lipstick: Sku, shop: object, django_assert_max_num_queries: Any
) -> None:
    member_client.post("/api/v1/cart/quote", {"items": [{"sku_id": lipstick.pk, "qty": 1}]}, format="json")
    with django_assert_max_num_queries(11):
        response = member_client.post(
            "/api/v1/cart/quote", {"items": [{"sku_id": lipstick.pk, "qty": 1}]}, format="json"
        )
    assert response.status_code == 200
    body = response.json()
    assert body["payable"] == {"fen": 5500, "yuan": "55.00"}
    assert body["subtotal"]["fen"] == 10000
    assert (body["shipping_fee"]["fen"], body["total"]["fen"]) == (800, 6300)
    (line,) = body["lines"]
    assert (line["sku_id"], line["title"], line["paid"]["fen"]) == (lipstick.pk, "商品 LIP-01", 5500)
    assert {d["name"]: d["amount"]["fen"] for d in line["discounts"]} == {
        "满100减15": 1500,
        "店铺券20": 2000,
        "美妆券10": 1000,
    }
    assert {a["rule_id"] for a in body["applied"]} == {
        f"promotion:{f10['promotion'].pk}",
        f"coupon:{f10['shop'].pk}",
        f"coupon:{f10['beauty'].pk}",
    }
    assert body["coupons"]["auto_selected"] is True
    assert {c["coupon_id"] for c in body["coupons"]["usable"] if c["applied"]} == {f10["shop"].pk, f10["beauty"].pk}
    assert body["points"]["earned"] == 55


def test_quote_with_the_shoppers_own_choice_and_points(
    f10: dict[str, Any], member: Member, member_client: APIClient, lipstick: Sku
) -> None:
    grant_points(member, 10_000)
    body = member_client.post(
        "/api/v1/cart/quote",
        {"items": [{"sku_id": lipstick.pk, "qty": 1}], "coupon_ids": [f10["shop"].pk], "points": "max"},
        format="json",
    ).json()
    assert body["coupons"]["auto_selected"] is False
    assert [c["coupon_id"] for c in body["coupons"]["usable"] if c["applied"]] == [f10["shop"].pk]
    rejected = {r["rule_id"]: r["reason"] for r in body["rejected"]}
    assert rejected[f"coupon:{f10['beauty'].pk}"] == "not_selected"
    assert body["points"]["used"] == 3250  # half of the 65.00 left after 满减 and the shop coupon
    assert body["payable"]["fen"] == 10000 - 1500 - 2000 - 3250


def test_quote_rejections_and_hints(
    make_promotion: Callable[..., Promotion], member_client: APIClient, cookie: Sku
) -> None:
    make_promotion(name="满100减15")
    body = member_client.post("/api/v1/cart/quote", {"items": [{"sku_id": cookie.pk, "qty": 1}]}, format="json").json()
    (rejected,) = body["rejected"]
    assert (rejected["name"], rejected["reason"], rejected["reason_label"]) == (
        "满100减15",
        "threshold_not_met",
        "未达到使用门槛",
    )
    (hint,) = body["hints"]
    assert (hint["short_by"]["yuan"], hint["reward"]["yuan"]) == ("70.00", "15.00")


@pytest.mark.parametrize(
    ("payload", "status", "code"),
    [
        ({"items": [{"sku_id": 987654, "qty": 1}]}, 400, "sku_not_found"),
        ({"items": []}, 400, "invalid_input"),
        ({"points": "lots"}, 400, "invalid_input"),
        ({}, 400, "cart_empty"),
    ],
)
def test_quote_bad_input(member_client: APIClient, payload: dict, status: int, code: str) -> None:
    response = member_client.post("/api/v1/cart/quote", payload, format="json")
    assert (response.status_code, response.json()["code"]) == (status, code)


def test_quote_refuses_someone_elses_coupon_and_unusable_ones(
    make_template: Callable[..., CouponTemplate],
    member: Member,
    other_member: Member,
    member_client: APIClient,
    cookie: Sku,
) -> None:
    theirs = coupon_claim(context=SHOPPER_CONTEXT, member=other_member, template_id=make_template().pk)
    mine = coupon_claim(context=SHOPPER_CONTEXT, member=member, template_id=make_template(threshold=10000, off=1000).pk)
    items = [{"sku_id": cookie.pk, "qty": 1}]
    response = member_client.post("/api/v1/cart/quote", {"items": items, "coupon_ids": [theirs.pk]}, format="json")
    assert (response.status_code, response.json()["code"]) == (404, "coupon_not_found")
    response = member_client.post("/api/v1/cart/quote", {"items": items, "coupon_ids": [mine.pk]}, format="json")
    assert (response.status_code, response.json()["code"]) == (409, "coupon_not_usable")


def test_quote_needs_a_shopper(lipstick: Sku) -> None:
    response = APIClient().post("/api/v1/cart/quote", {"items": [{"sku_id": lipstick.pk, "qty": 1}]}, format="json")
    assert response.status_code == 401


def test_checkout_preview_agrees_with_the_cart_quote(
    f10: dict[str, Any], member_client: APIClient, lipstick: Sku, shop: object
) -> None:
    coupon_ids = [f10["shop"].pk, f10["beauty"].pk]
    items = [{"sku_id": lipstick.pk, "qty": 1}]
    quote = member_client.post("/api/v1/cart/quote", {"items": items, "coupon_ids": coupon_ids}, format="json").json()
    preview = member_client.post(
        "/api/v1/checkout/preview", {"items": items, "coupon_ids": coupon_ids}, format="json"
    ).json()
    assert preview["payable_amount"] == quote["total"]["fen"] == 6300
    assert preview["discount_amount"] == quote["discount"]["fen"] == 4500
    assert preview["lines"][0]["paid_amount"] == quote["lines"][0]["paid"]["fen"]


def test_the_plain_body_is_what_the_documented_serializer_gives(
    f10: dict[str, Any], member_client: APIClient, lipstick: Sku, cookie: Sku, shop: object
) -> None:
    """The view builds its body without the serializer; the schema's serializer must agree, key order included."""
    grant_points(f10["shop"].member, 1000)
    carts = [
        {"items": [{"sku_id": lipstick.pk, "qty": 2}, {"sku_id": cookie.pk, "qty": 1}], "points": "max"},
        {"items": [{"sku_id": cookie.pk, "qty": 1}]},
    ]
    for payload in carts:
        response = member_client.post("/api/v1/cart/quote", payload, format="json")
        assert response.status_code == 200, response.content
        body = response.json()
        assert (
            body["lines"]
            and body["applied"] + body["rejected"]
            and body["coupons"]["usable"] + body["coupons"]["unusable"]
        )
        documented = QuoteOutputSerializer(body).data
        assert json.dumps(documented, ensure_ascii=False) == json.dumps(body, ensure_ascii=False)
