"""Addresses over HTTP, including every attempt to read or change another shopper's address."""

from __future__ import annotations

from typing import Any

import pytest
from rest_framework.test import APIClient

from members.models import Address, Member
from members.services.addresses import ADDRESS_LIMIT
from members.tests.factories import AddressFactory

pytestmark = pytest.mark.django_db

NEW_ADDRESS = {
    "receiver": "王五",
    "phone": "13700001111",
    "province": "北京市",
    "city": "北京市",
    "district": "朝阳区",
    "detail": "建国路 88 号",
}
ADDRESS_KEYS = {"id", "receiver", "phone", "province", "city", "district", "detail", "is_default"}


def test_create_list_update_delete(member: Member, member_client: APIClient) -> None:
    created = member_client.post("/api/v1/addresses", NEW_ADDRESS, format="json")
    assert created.status_code == 201
    assert set(created.json()) == ADDRESS_KEYS
    assert created.json()["is_default"] is True
    first_id = created.json()["id"]
    second_id = member_client.post("/api/v1/addresses", {**NEW_ADDRESS, "detail": "二号"}, format="json").json()["id"]

    listed = member_client.get("/api/v1/addresses")
    assert [a["id"] for a in listed.json()] == [first_id, second_id]  # default first

    patched = member_client.patch(f"/api/v1/addresses/{second_id}", {"receiver": "赵六"}, format="json")
    assert patched.status_code == 200
    assert patched.json()["receiver"] == "赵六"

    deleted = member_client.delete(f"/api/v1/addresses/{first_id}")
    assert deleted.status_code == 204
    remaining = Address.objects.get(member=member)
    assert (remaining.pk, remaining.is_default) == (second_id, True)


def test_set_default(member: Member, member_client: APIClient) -> None:
    member_client.post("/api/v1/addresses", NEW_ADDRESS, format="json")
    second_id = member_client.post("/api/v1/addresses", NEW_ADDRESS, format="json").json()["id"]

    response = member_client.post(f"/api/v1/addresses/{second_id}/set-default")

    assert response.status_code == 200
    assert response.json()["is_default"] is True
    assert list(Address.objects.filter(member=member, is_default=True).values_list("pk", flat=True)) == [second_id]


def test_list_is_only_mine_and_bounded_in_queries(
    member: Member, other_member: Member, member_client: APIClient, django_assert_max_num_queries: Any
) -> None:
    mine = AddressFactory.create_batch(5, member=member)
    AddressFactory.create(member=other_member)

    with django_assert_max_num_queries(2):
        response = member_client.get("/api/v1/addresses")

    assert sorted(a["id"] for a in response.json()) == sorted(a.pk for a in mine)


@pytest.mark.parametrize(
    ("method", "suffix", "payload"),
    [
        ("patch", "", {"receiver": "冒充"}),
        ("patch", "", {"is_default": True}),
        ("delete", "", None),
        ("post", "/set-default", None),
    ],
    ids=["patch-receiver", "patch-default", "delete", "set-default"],
)
def test_shopper_cannot_touch_someone_elses_address(
    member_client: APIClient, other_member: Member, method: str, suffix: str, payload: dict[str, Any] | None
) -> None:
    theirs = AddressFactory.create(member=other_member, receiver="小红", is_default=True)

    response = getattr(member_client, method)(f"/api/v1/addresses/{theirs.pk}{suffix}", payload, format="json")

    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
    theirs.refresh_from_db()
    assert (theirs.receiver, theirs.is_default) == ("小红", True)


def test_shopper_cannot_read_someone_elses_address(member_client: APIClient, other_member: Member) -> None:
    theirs = AddressFactory.create(member=other_member)

    listed = member_client.get("/api/v1/addresses")
    # There is no single-address GET: the id answers nothing but the methods it allows.
    fetched = member_client.get(f"/api/v1/addresses/{theirs.pk}")

    assert theirs.pk not in [a["id"] for a in listed.json()]
    assert fetched.status_code == 405
    assert theirs.detail not in fetched.content.decode()


def test_missing_address_is_404(member_client: APIClient) -> None:
    response = member_client.patch("/api/v1/addresses/999999", {"receiver": "x"}, format="json")

    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_address_limit_is_409(member: Member, member_client: APIClient) -> None:
    AddressFactory.create_batch(ADDRESS_LIMIT, member=member)

    response = member_client.post("/api/v1/addresses", NEW_ADDRESS, format="json")

    assert response.status_code == 409
    assert response.json()["code"] == "address_limit_reached"


def test_unsetting_the_default_is_409(member_client: APIClient) -> None:
    only = member_client.post("/api/v1/addresses", NEW_ADDRESS, format="json").json()

    response = member_client.patch(f"/api/v1/addresses/{only['id']}", {"is_default": False}, format="json")

    assert response.status_code == 409
    assert response.json()["code"] == "address_default_required"


@pytest.mark.parametrize(
    ("payload", "code"),
    [
        ({**NEW_ADDRESS, "phone": "12"}, "phone_invalid"),
        ({**NEW_ADDRESS, "receiver": ""}, "invalid_input"),
        ({k: v for k, v in NEW_ADDRESS.items() if k != "detail"}, "invalid_input"),
    ],
)
def test_create_validation(member: Member, member_client: APIClient, payload: dict[str, str], code: str) -> None:
    response = member_client.post("/api/v1/addresses", payload, format="json")

    assert response.status_code == 400
    assert response.json()["code"] == code
    assert not Address.objects.filter(member=member).exists()
