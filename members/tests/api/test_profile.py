"""GET/PATCH me, and the 401 every shopper endpoint gives without a valid token."""

from __future__ import annotations

from typing import Any

import pytest
from rest_framework.test import APIClient

from members.models import Member, PointsEntry
from members.services.points import points_grant
from members.tests.fixtures import client_for

pytestmark = pytest.mark.django_db


def test_me_shows_the_profile_without_secrets(
    member: Member, member_client: APIClient, django_assert_max_num_queries: Any
) -> None:
    points_grant(member_id=member.pk, delta=320, reason=PointsEntry.Reason.GRANT, ref="hello")

    with django_assert_max_num_queries(2):  # the member (authentication) and the balance
        response = member_client.get("/api/v1/me")

    assert response.status_code == 200
    body = response.json()
    assert body["id"] == member.pk
    assert body["nickname"] == "小明"
    assert body["points_balance"] == 320
    assert body["invite_code"] == member.invite_code
    assert body["tier"] == "normal"
    assert "openid" not in body and "session_key" not in body
    assert member.openid not in response.content.decode()


def test_patch_me_updates_the_profile(member: Member, member_client: APIClient) -> None:
    response = member_client.patch(
        "/api/v1/me",
        {"nickname": "新名字", "phone": "13812345678", "birthday": "1990-02-03", "avatar_url": "https://a.cn/x.png"},
        format="json",
    )

    assert response.status_code == 200
    assert response.json()["phone"] == "13812345678"
    assert response.json()["birthday"] == "1990-02-03"
    member.refresh_from_db()
    assert (member.nickname, member.avatar_url) == ("新名字", "https://a.cn/x.png")


def test_changing_the_birthday_is_409(member_client: APIClient) -> None:
    member_client.patch("/api/v1/me", {"birthday": "1990-02-03"}, format="json")

    response = member_client.patch("/api/v1/me", {"birthday": "1991-02-03"}, format="json")

    assert response.status_code == 409
    assert response.json()["code"] == "birthday_already_set"


@pytest.mark.parametrize(
    ("payload", "code"),
    [
        ({"phone": "12345"}, "phone_invalid"),
        ({"avatar_url": "javascript:alert(1)"}, "avatar_url_invalid"),
        ({"nickname": " "}, "nickname_invalid"),
        ({"birthday": "not-a-date"}, "invalid_input"),
    ],
)
def test_patch_me_validation_errors(member_client: APIClient, payload: dict[str, str], code: str) -> None:
    response = member_client.patch("/api/v1/me", payload, format="json")

    assert response.status_code == 400
    assert response.json()["code"] == code


SHOPPER_ENDPOINTS = [
    ("get", "/api/v1/me"),
    ("patch", "/api/v1/me"),
    ("get", "/api/v1/me/points"),
    ("get", "/api/v1/addresses"),
    ("post", "/api/v1/addresses"),
    ("patch", "/api/v1/addresses/1"),
    ("delete", "/api/v1/addresses/1"),
    ("post", "/api/v1/addresses/1/set-default"),
]


@pytest.mark.parametrize(("method", "url"), SHOPPER_ENDPOINTS)
def test_shopper_endpoints_need_a_token(method: str, url: str) -> None:
    response = getattr(APIClient(), method)(url, {}, format="json")

    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"


def test_a_blocked_members_token_stops_working(member: Member) -> None:
    client = client_for(member)
    Member.objects.filter(pk=member.pk).update(is_blocked=True)

    response = client.get("/api/v1/me")

    assert response.status_code == 401
    assert response.json()["code"] == "authentication_failed"


def test_a_forged_token_is_refused() -> None:
    response = APIClient(HTTP_AUTHORIZATION="Bearer eyJhbGciOiJIUzI1NiJ9.eyJtZW1iZXJfaWQiOjF9.c2lnbmF0dXJl").get(
        "/api/v1/me"
    )

    assert response.status_code == 401
