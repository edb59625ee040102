"""Cart API: contract shapes, stable codes, and that shopper A can never touch B's cart."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from mall.models import Sku
from members.models import Member
from orders.models import CartItem
from orders.services.cart import cart_item_add
from orders.tests.factories import SkuFactory

pytestmark = pytest.mark.django_db


def test_cart_needs_a_signed_in_shopper(sku: Sku) -> None:
    client = APIClient()
    assert client.get("/api/v1/cart").json()["code"] == "not_authenticated"
    response = client.post("/api/v1/cart/items", {"sku_id": sku.pk, "qty": 1}, format="json")
    assert response.status_code == 401
    assert not CartItem.objects.exists()


def test_add_then_view_the_cart(member_client: APIClient, sku: Sku) -> None:
    added = member_client.post("/api/v1/cart/items", {"sku_id": sku.pk, "qty": 2}, format="json")
    assert added.status_code == 201
    assert {k: added.json()[k] for k in ("sku_id", "qty", "price", "stock", "available")} == {
        "sku_id": sku.pk,
        "qty": 2,
        "price": 5900,
        "stock": 10,
        "available": True,
    }
    member_client.post("/api/v1/cart/items", {"sku_id": sku.pk, "qty": 1}, format="json")

    body = member_client.get("/api/v1/cart").json()

    assert [(i["sku_id"], i["qty"], i["title"]) for i in body["items"]] == [(sku.pk, 3, sku.product.title)]
    assert body["summary"] == {"selected_qty": 3, "goods_amount": 17700}


def test_cart_query_count_does_not_grow_with_lines(
    django_assert_num_queries,
    member: Member,
    member_client: APIClient,  # type: ignore[no-untyped-def]
) -> None:
    cart_item_add(member=member, sku_id=SkuFactory.create().pk, qty=1)
    with django_assert_num_queries(2):  # the shopper (token) + the cart
        assert len(member_client.get("/api/v1/cart").json()["items"]) == 1
    for _ in range(14):
        cart_item_add(member=member, sku_id=SkuFactory.create().pk, qty=1)
    with django_assert_num_queries(2):
        assert len(member_client.get("/api/v1/cart").json()["items"]) == 15


@pytest.mark.parametrize(
    ("payload", "status", "code"),
    [
        ({"sku_id": 999999, "qty": 1}, 400, "sku_not_found"),
        ({"sku_id": "x", "qty": 1}, 400, "invalid_input"),
        ({"qty": 1}, 400, "invalid_input"),
        ({"sku_id": 1, "qty": 0}, 400, "invalid_input"),
        ({"sku_id": 1, "qty": 100}, 400, "invalid_input"),
    ],
)
def test_add_bad_input(member_client: APIClient, payload: dict, status: int, code: str) -> None:
    response = member_client.post("/api/v1/cart/items", payload, format="json")
    assert (response.status_code, response.json()["code"]) == (status, code)


def test_add_off_shelf_sku_is_409_sku_unavailable(member_client: APIClient) -> None:
    sku = SkuFactory.create(product__is_on_shelf=False)
    response = member_client.post("/api/v1/cart/items", {"sku_id": sku.pk, "qty": 1}, format="json")
    assert (response.status_code, response.json()["code"]) == (409, "sku_unavailable")
    assert response.json()["details"] == {"sku_id": sku.pk}


def test_update_and_remove_own_row(member: Member, member_client: APIClient, sku: Sku) -> None:
    item = cart_item_add(member=member, sku_id=sku.pk, qty=1)
    response = member_client.patch(f"/api/v1/cart/items/{item.pk}", {"qty": 4, "selected": False}, format="json")
    assert response.status_code == 200
    assert (response.json()["qty"], response.json()["selected"]) == (4, False)
    assert member_client.delete(f"/api/v1/cart/items/{item.pk}").status_code == 204
    assert not CartItem.objects.filter(pk=item.pk).exists()


def test_shopper_b_cannot_read_change_or_remove_as_cart_rows(
    member: Member, member_client: APIClient, other_member_client: APIClient, sku: Sku
) -> None:
    item = cart_item_add(member=member, sku_id=sku.pk, qty=2)

    assert other_member_client.get("/api/v1/cart").json()["items"] == []
    patched = other_member_client.patch(f"/api/v1/cart/items/{item.pk}", {"qty": 9}, format="json")
    deleted = other_member_client.delete(f"/api/v1/cart/items/{item.pk}")

    assert (patched.status_code, patched.json()["code"]) == (404, "cart_item_not_found")
    assert (deleted.status_code, deleted.json()["code"]) == (404, "cart_item_not_found")
    stored = CartItem.objects.get(pk=item.pk)
    assert (stored.member_id, stored.qty) == (member.pk, 2)
    assert (
        member_client.patch("/api/v1/cart/items/99999999999999999999999", {"qty": 1}, format="json").status_code == 404
    )
