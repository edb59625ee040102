"""Checkout preview API: the full breakdown, and 4xx with stable codes for bad input."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from mall.models import ShopSettings, Sku
from members.models import Address, Member
from orders.api.checkout import QuoteOutputSerializer
from orders.services.cart import cart_item_add
from orders.tests.conftest import grant_points
from orders.tests.factories import SkuFactory

pytestmark = pytest.mark.django_db


def test_preview_from_the_selected_cart(
    member: Member, member_client: APIClient, sku: Sku, address: Address, shop: ShopSettings
) -> None:
    cart_item_add(member=member, sku_id=sku.pk, qty=1)
    response = member_client.post("/api/v1/checkout/preview", {"address_id": address.pk}, format="json")
    assert response.status_code == 200
    body = response.json()
    assert body["lines"][0] | {"allocations": []} == {
        "sku_id": sku.pk,
        "product_id": sku.product_id,
        "title": sku.product.title,
        "image": "",
        "specs": {"规格": "50ml"},
        "qty": 1,
        "list_price": 5900,
        "unit_price": 5900,
        "item_amount": 5900,
        "discount_amount": 0,
        "paid_amount": 5900,
        "allocations": [],
        "is_gift": False,
        "item_rule": None,
    }
    assert (body["goods_amount"], body["shipping_fee"], body["payable_amount"]) == (5900, 800, 6700)
    assert body["hints"][0]["rule_type"] == "free_shipping"


def test_preview_with_explicit_items_and_points(member: Member, member_client: APIClient, shop: ShopSettings) -> None:
    grant_points(member, 10_000)
    sku = SkuFactory.create(price=10000)
    body = member_client.post(
        "/api/v1/checkout/preview", {"items": [{"sku_id": sku.pk, "qty": 1}], "points": "max"}, format="json"
    ).json()
    assert (body["points_used"], body["points_discount"], body["payable_amount"]) == (5000, 5000, 5000)
    (points,) = body["applied"]
    assert {"rule_type": "points", "level": "points", "amount": 5000}.items() <= points.items()


@pytest.mark.parametrize(
    ("payload", "status", "code"),
    [
        ({}, 400, "cart_empty"),
        ({"items": [{"sku_id": 987654, "qty": 1}]}, 400, "sku_not_found"),
        ({"items": [{"sku_id": 1, "qty": 0}]}, 400, "invalid_input"),
        ({"items": [{"sku_id": 1, "qty": -3}]}, 400, "invalid_input"),
        ({"items": []}, 400, "invalid_input"),
        ({"items": [{"sku_id": 1}]}, 400, "invalid_input"),
        ({"points": "lots"}, 400, "invalid_input"),
        ({"points": -1}, 400, "invalid_input"),
        ({"address_id": 987654, "items": [{"sku_id": 1, "qty": 1}]}, 404, "address_not_found"),
    ],
)
def test_preview_bad_input(member_client: APIClient, shop: ShopSettings, payload: dict, status: int, code: str) -> None:
    response = member_client.post("/api/v1/checkout/preview", payload, format="json")
    assert (response.status_code, response.json()["code"]) == (status, code)


def test_preview_stock_shortage_is_409(member_client: APIClient, sku: Sku, shop: ShopSettings) -> None:
    response = member_client.post("/api/v1/checkout/preview", {"items": [{"sku_id": sku.pk, "qty": 11}]}, format="json")
    assert (response.status_code, response.json()["code"]) == (409, "stock_insufficient")
    assert response.json()["details"] == {"sku_id": sku.pk, "requested": 11, "available": 10}


def test_preview_body_carries_every_documented_field_as_the_serializer_renders_it(
    member: Member, member_client: APIClient, shop: ShopSettings
) -> None:
    """The view builds plain data; every field ``QuoteOutputSerializer`` documents is there, unchanged by it."""
    grant_points(member, 500)
    skus = [SkuFactory.create(price=3000 + 1000 * i) for i in range(3)]
    items = [{"sku_id": s.pk, "qty": 1 + i} for i, s in enumerate(skus)]
    body = member_client.post("/api/v1/checkout/preview", {"items": items, "points": "max"}, format="json").json()
    assert len(body["lines"]) == 3 and body["points_used"] > 0
    documented = QuoteOutputSerializer(body).data
    assert documented == {name: body[name] for name in QuoteOutputSerializer().fields}


def test_the_compiled_answer_equals_drf_s_serializer_on_a_quote_with_rules(
    member: Member, member_client: APIClient, shop: ShopSettings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The preview answers through ``QuoteOutputSerializer`` compiled (issue 12): on a quote with
    points, allocations, a shipping hint and rejected rules, it is what the serializer gives."""
    from orders.api import checkout

    compared: list[bool] = []
    real = checkout.compiled_output

    def checked(serializer_class: type) -> object:
        projector = real(serializer_class)

        def project(data: object) -> object:
            answer = projector(data)
            compared.append(answer == serializer_class(data).data)
            return answer

        return project

    monkeypatch.setattr(checkout, "compiled_output", checked)
    grant_points(member, 500)
    skus = [SkuFactory.create(price=3000 + 1000 * i) for i in range(3)]
    items = [{"sku_id": s.pk, "qty": 1 + i} for i, s in enumerate(skus)]
    body = member_client.post("/api/v1/checkout/preview", {"items": items, "points": "max"}, format="json").json()
    assert body["applied"] and body["lines"][0]["allocations"]
    assert compared == [True]


@pytest.mark.parametrize(
    ("change", "message"),
    [("delete", "会员不存在。"), ("block", "账号已被封禁。")],
)
def test_preview_refuses_a_shopper_gone_or_blocked_since_the_token(
    member: Member, member_client: APIClient, sku: Sku, shop: ShopSettings, change: str, message: str
) -> None:
    """The preview reads the shopper's row with the wallet (issue 12): the refusals are the
    token's as everywhere, before the body is even looked at."""
    if change == "delete":
        member.delete()
    else:
        Member.objects.filter(pk=member.pk).update(is_blocked=True)
    response = member_client.post("/api/v1/checkout/preview", {"items": "not a list"}, format="json")
    assert response.status_code == 401
    assert response.json()["message"] == message
