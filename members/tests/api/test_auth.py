"""auth/wechat-login, auth/dev-login, auth/refresh over HTTP."""

from __future__ import annotations

import json
from typing import Any

import pytest
import responses
from pytest_django.fixtures import Settings
from rest_framework.test import APIClient

from members.models import Member
from members.services.auth import member_token_pair
from members.tests.wechat_stubs import stub_code2session, stub_code2session_error

pytestmark = pytest.mark.django_db

PROFILE_KEYS = {
    "id",
    "nickname",
    "avatar_url",
    "phone",
    "birthday",
    "tier",
    "invite_code",
    "points_balance",
    "created_at",
}


def _assert_no_secrets(body: Any, member: Member) -> None:
    text = json.dumps(body, ensure_ascii=False)
    assert member.openid not in text
    assert "openid" not in text
    assert "session_key" not in text
    if member.session_key:
        assert member.session_key not in text


def test_wechat_login_signs_up_and_returns_tokens_and_profile(wechat_api: responses.RequestsMock) -> None:
    stub_code2session(wechat_api, openid="oHttp", session_key="secret-key==", unionid="uHttp")

    response = APIClient().post("/api/v1/auth/wechat-login", {"code": "c"}, format="json")

    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"access", "refresh", "is_new", "member"}
    assert body["is_new"] is True
    assert set(body["member"]) == PROFILE_KEYS
    member = Member.objects.get(openid="oHttp")
    assert body["member"]["id"] == member.pk
    _assert_no_secrets(body, member)
    me = APIClient(HTTP_AUTHORIZATION=f"Bearer {body['access']}").get("/api/v1/me")
    assert me.status_code == 200
    assert me.json()["id"] == member.pk


def test_wechat_login_again_is_not_new(wechat_api: responses.RequestsMock, member: Member) -> None:
    stub_code2session(wechat_api, openid=member.openid)

    response = APIClient().post("/api/v1/auth/wechat-login", {"code": "c", "invite_code": None}, format="json")

    assert response.status_code == 200
    assert response.json()["is_new"] is False
    assert response.json()["member"]["id"] == member.pk


@pytest.mark.parametrize(
    ("errcode", "errmsg", "status", "code"),
    [
        (40029, "invalid code", 400, "wechat_code_invalid"),
        (45011, "api minute-quota reach limit", 429, "wechat_rate_limited"),
        (-1, "system error", 503, "wechat_unavailable"),
    ],
)
def test_wechat_errors_are_clean_error_bodies(
    wechat_api: responses.RequestsMock, errcode: int, errmsg: str, status: int, code: str
) -> None:
    stub_code2session_error(wechat_api, errcode=errcode, errmsg=errmsg)

    response = APIClient().post("/api/v1/auth/wechat-login", {"code": "c"}, format="json")

    assert response.status_code == status
    assert response.json()["code"] == code
    assert set(response.json()) == {"code", "message", "details"}
    assert not Member.objects.exists()


def test_wechat_login_requires_a_code() -> None:
    response = APIClient().post("/api/v1/auth/wechat-login", {}, format="json")

    assert response.status_code == 400
    assert response.json()["code"] == "invalid_input"
    assert "code" in response.json()["details"]


def test_a_stale_token_does_not_block_logging_in_again(wechat_api: responses.RequestsMock) -> None:
    stub_code2session(wechat_api, openid="oStale")
    client = APIClient(HTTP_AUTHORIZATION="Bearer expired.or.garbage")

    response = client.post("/api/v1/auth/wechat-login", {"code": "c"}, format="json")

    assert response.status_code == 200


def test_blocked_member_login_is_403(wechat_api: responses.RequestsMock) -> None:
    Member.objects.create(openid="oBlockedHttp", is_blocked=True)
    stub_code2session(wechat_api, openid="oBlockedHttp")

    response = APIClient().post("/api/v1/auth/wechat-login", {"code": "c"}, format="json")

    assert response.status_code == 403
    assert response.json()["code"] == "member_blocked"


def test_dev_login_returns_the_login_shape() -> None:
    response = APIClient().post("/api/v1/auth/dev-login", {"nickname": "测试员", "openid": "dev_t"}, format="json")

    assert response.status_code == 200
    body = response.json()
    assert body["is_new"] is True
    assert body["member"]["nickname"] == "测试员"
    _assert_no_secrets(body, Member.objects.get(openid="dev_t"))


def test_dev_login_is_404_when_disabled(settings: Settings) -> None:
    settings.DEV_LOGIN_ENABLED = False

    response = APIClient().post("/api/v1/auth/dev-login", {}, format="json")

    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_refresh_returns_a_new_pair(member: Member) -> None:
    pair = member_token_pair(member=member)

    response = APIClient().post("/api/v1/auth/refresh", {"refresh": pair.refresh}, format="json")

    assert response.status_code == 200
    assert set(response.json()) == {"access", "refresh"}
    me = APIClient(HTTP_AUTHORIZATION=f"Bearer {response.json()['access']}").get("/api/v1/me")
    assert me.json()["id"] == member.pk


def test_refresh_with_a_bad_token_is_401(member: Member) -> None:
    access_as_refresh = member_token_pair(member=member).access

    garbage = APIClient().post("/api/v1/auth/refresh", {"refresh": "nope"}, format="json")
    wrong_type = APIClient().post("/api/v1/auth/refresh", {"refresh": access_as_refresh}, format="json")

    for response in (garbage, wrong_type):
        assert response.status_code == 401
        assert response.json()["code"] == "token_invalid"
