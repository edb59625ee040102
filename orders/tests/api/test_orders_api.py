"""Orders API: idempotent placement, list/detail, cancel, confirm receipt, and isolation between shoppers."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.contrib.auth.models import User
from rest_framework.test import APIClient

from mall.models import ShopSettings, Sku
from members.models import Address, Member
from orders.models import CartItem, Order, OrderStatus
from orders.services.cart import cart_item_add
from orders.services.orders import order_ship
from orders.tests.conftest import pay, reload
from orders.tests.factories import SkuFactory

pytestmark = pytest.mark.django_db


def post_order(client: APIClient, payload: dict, key: str | None = "key-1"):  # type: ignore[no-untyped-def]
    headers = {"Idempotency-Key": key} if key is not None else {}
    return client.post("/api/v1/orders", payload, format="json", headers=headers)


def test_place_requires_the_idempotency_key(member_client: APIClient, sku: Sku, address: Address) -> None:
    response = post_order(member_client, {"items": [{"sku_id": sku.pk, "qty": 1}], "address_id": address.pk}, key=None)
    assert (response.status_code, response.json()["code"]) == (400, "idempotency_key_required")
    assert not Order.objects.exists()


def test_place_then_replay_gives_the_same_response_and_one_order(
    member: Member, member_client: APIClient, sku: Sku, address: Address, shop: ShopSettings
) -> None:
    cart_item_add(member=member, sku_id=sku.pk, qty=2)
    payload = {"address_id": address.pk, "remark": "放门口"}

    first = post_order(member_client, payload)
    again = post_order(member_client, payload)

    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json() == again.json()
    assert again["Idempotent-Replayed"] == "true"
    body = first.json()
    assert (body["status"], body["payable_amount"], body["remark"]) == ("pending_payment", 11800, "放门口")
    assert [(line["sku_id"], line["qty"], line["unit_price"]) for line in body["lines"]] == [(sku.pk, 2, 5900)]
    assert body["address"]["receiver"] == address.receiver
    assert Order.objects.count() == 1
    assert Sku.objects.get(pk=sku.pk).stock == 8
    assert not CartItem.objects.filter(member=member).exists()


def test_place_stock_shortage_is_409_with_the_sku(
    member_client: APIClient, address: Address, shop: ShopSettings
) -> None:
    scarce = SkuFactory.create(stock=1)
    response = post_order(member_client, {"items": [{"sku_id": scarce.pk, "qty": 2}], "address_id": address.pk})
    assert (response.status_code, response.json()["code"]) == (409, "stock_insufficient")
    assert response.json()["details"]["sku_id"] == scarce.pk
    assert not Order.objects.exists()


def test_place_with_another_shoppers_address_is_404(
    member_client: APIClient, sku: Sku, other_address: Address, shop: ShopSettings
) -> None:
    response = post_order(member_client, {"items": [{"sku_id": sku.pk, "qty": 1}], "address_id": other_address.pk})
    assert (response.status_code, response.json()["code"]) == (404, "address_not_found")
    assert not Order.objects.exists()


def test_list_filters_by_status_and_paginates(
    member: Member, member_client: APIClient, sku: Sku, place: Callable[..., Order]
) -> None:
    pending = [place(member, [(sku, 1)]) for _ in range(3)]
    paid = pay(place(member, [(sku, 1)]))

    everything = member_client.get("/api/v1/orders", {"page_size": 2}).json()
    only_paid = member_client.get("/api/v1/orders", {"status": "paid"}).json()

    assert everything["count"] == 4 and len(everything["results"]) == 2 and everything["next"]
    assert everything["results"][0]["no"] == paid.no  # newest first
    assert [o["no"] for o in only_paid["results"]] == [paid.no]
    assert only_paid["results"][0]["status_display"] == "待发货"
    assert {pending[0].no} <= {
        o["no"] for o in member_client.get("/api/v1/orders", {"status": "pending_payment"}).json()["results"]
    }
    bad = member_client.get("/api/v1/orders", {"status": "lost"})
    assert (bad.status_code, bad.json()["code"]) == (400, "invalid_input")


def test_list_query_count_does_not_grow_with_orders(
    django_assert_num_queries,  # type: ignore[no-untyped-def]
    member: Member,
    member_client: APIClient,
    place: Callable[..., Order],
) -> None:
    place(member, [(SkuFactory.create(), 1)])
    with django_assert_num_queries(4):  # shopper, count, page, lines
        assert len(member_client.get("/api/v1/orders").json()["results"]) == 1
    for _ in range(6):
        place(member, [(SkuFactory.create(), 1), (SkuFactory.create(), 2)])
    with django_assert_num_queries(4):
        assert len(member_client.get("/api/v1/orders").json()["results"]) == 7


def test_detail_by_number(member_client: APIClient, placed_order: Order) -> None:
    body = member_client.get(f"/api/v1/orders/{placed_order.no}").json()
    assert (body["no"], body["status"], body["payable_amount"], body["shipping_fee"]) == (
        placed_order.no,
        "pending_payment",
        11800,
        0,
    )
    assert body["expires_at"] and body["paid_at"] is None


def test_shopper_b_can_neither_read_nor_change_as_orders(
    other_member_client: APIClient, placed_order: Order, sku: Sku
) -> None:
    no = placed_order.no
    assert other_member_client.get("/api/v1/orders").json()["count"] == 0
    for response in (
        other_member_client.get(f"/api/v1/orders/{no}"),
        other_member_client.post(f"/api/v1/orders/{no}/cancel"),
        other_member_client.post(f"/api/v1/orders/{no}/confirm-receipt"),
    ):
        assert (response.status_code, response.json()["code"]) == (404, "order_not_found")
    assert reload(placed_order).status == OrderStatus.PENDING_PAYMENT
    assert Sku.objects.get(pk=sku.pk).stock == 8


def test_shopper_b_cannot_replay_as_idempotency_key(
    member: Member,
    member_client: APIClient,
    other_member_client: APIClient,
    sku: Sku,
    address: Address,
    other_address: Address,
    shop: ShopSettings,
) -> None:
    mine = post_order(member_client, {"items": [{"sku_id": sku.pk, "qty": 1}], "address_id": address.pk}, key="k")
    theirs = post_order(
        other_member_client, {"items": [{"sku_id": sku.pk, "qty": 1}], "address_id": other_address.pk}, key="k"
    )
    assert (mine.status_code, theirs.status_code) == (201, 201)
    assert mine.json()["no"] != theirs.json()["no"]
    assert theirs.json()["address"]["receiver"] == other_address.receiver


def test_cancel_own_pending_order(member_client: APIClient, placed_order: Order, sku: Sku) -> None:
    response = member_client.post(f"/api/v1/orders/{placed_order.no}/cancel")
    assert response.status_code == 200
    assert (response.json()["status"], response.json()["cancel_reason"]) == ("cancelled", "shopper")
    assert member_client.post(f"/api/v1/orders/{placed_order.no}/cancel").status_code == 200
    assert Sku.objects.get(pk=sku.pk).stock == 10


def test_cancel_paid_order_is_409(member_client: APIClient, paid_order: Order) -> None:
    response = member_client.post(f"/api/v1/orders/{paid_order.no}/cancel")
    assert (response.status_code, response.json()["code"]) == (409, "order_status_invalid")


def test_confirm_receipt_of_a_shipped_order(member_client: APIClient, paid_order: Order, staff: User) -> None:
    early = member_client.post(f"/api/v1/orders/{paid_order.no}/confirm-receipt")
    assert (early.status_code, early.json()["code"]) == (409, "order_status_invalid")
    order_ship(order_id=paid_order.pk, carrier="顺丰", tracking_no="SF1", actor=staff)
    response = member_client.post(f"/api/v1/orders/{paid_order.no}/confirm-receipt")
    assert response.status_code == 200
    assert (response.json()["status"], response.json()["tracking_no"]) == ("completed", "SF1")


def test_place_keeps_the_tracking_parameter_and_ignores_junk(
    member_client: APIClient, sku: Sku, address: Address, shop: ShopSettings
) -> None:
    """Issue 15: ``src`` (the push or share that brought the shopper) is optional; unknown values are dropped."""
    items = [{"sku_id": sku.pk, "qty": 1}]
    tracked = post_order(member_client, {"items": items, "address_id": address.pk, "src": "seg:7"}, key="k-src")
    junk = post_order(member_client, {"items": items, "address_id": address.pk, "src": "javascript:x"}, key="k-junk")
    plain = post_order(member_client, {"items": items, "address_id": address.pk}, key="k-plain")
    assert (tracked.status_code, junk.status_code, plain.status_code) == (201, 201, 201)
    by_no = dict(Order.objects.values_list("no", "src"))
    assert [by_no[r.json()["no"]] for r in (tracked, junk, plain)] == ["seg:7", "", ""]
    too_long = post_order(member_client, {"items": items, "address_id": address.pk, "src": "x" * 65}, key="k-long")
    assert (too_long.status_code, too_long.json()["code"]) == (400, "invalid_input")
