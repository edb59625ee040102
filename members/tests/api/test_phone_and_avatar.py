"""getPhoneNumber (code → WeChat's verified number → the member) and chooseAvatar's upload.

WeChat's ``wxa/business/getuserphonenumber`` is replaced at the HTTP boundary with ``responses``,
with its documented answer and refusals (40029 invalid code, -1 system busy, 45011 quota).
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import responses
from django.core.files.storage import default_storage
from PIL import Image
from responses import matchers
from rest_framework.test import APIClient

from members.models import Member
from members.signals import member_phone_bound
from members.tests.wechat_stubs import (
    ACCESS_TOKEN,
    PHONE_NUMBER_URL,
    TOKEN_URL,
    stub_phone_number,
    stub_phone_number_error,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def bound() -> Iterator[list[dict[str, Any]]]:
    """Every member_phone_bound moment sent during the test (after commit: requests run inside
    ``django_capture_on_commit_callbacks(execute=True)``, as the test's transaction never commits)."""
    seen: list[dict[str, Any]] = []

    def receiver(sender: Any, **kwargs: Any) -> None:
        seen.append({key: kwargs[key] for key in ("member_id", "phone", "source")})

    member_phone_bound.connect(receiver, dispatch_uid="test-phone-bound")
    yield seen
    member_phone_bound.disconnect(dispatch_uid="test-phone-bound")


def test_the_code_becomes_the_verified_phone_and_the_bound_moment(
    member: Member,
    member_client: APIClient,
    wechat_api: responses.RequestsMock,
    bound: list[dict[str, Any]],
    capture: Any,
) -> None:
    call = wechat_api.add(
        responses.POST,
        PHONE_NUMBER_URL,
        json={
            "errcode": 0,
            "errmsg": "ok",
            "phone_info": {
                "phoneNumber": "13800138000",
                "purePhoneNumber": "13800138000",
                "countryCode": "86",
                "watermark": {"timestamp": 1765000000, "appid": "wx-test-appid"},
            },
        },
        match=[
            matchers.query_param_matcher({"access_token": ACCESS_TOKEN}),
            matchers.json_params_matcher({"code": "phone-code-1"}),
        ],
    )

    with capture(execute=True):
        response = member_client.post("/api/v1/me/phone/wechat", {"code": "phone-code-1"}, format="json")

    assert response.status_code == 200, response.content
    assert response.json()["phone"] == "13800138000"
    member.refresh_from_db()
    assert member.phone == "13800138000"
    assert call.call_count == 1
    assert bound == [{"member_id": member.pk, "phone": "13800138000", "source": "wechat"}]

    # the same number again is no new moment
    stub_phone_number(wechat_api, phone="13800138000")
    with capture(execute=True):
        assert member_client.post("/api/v1/me/phone/wechat", {"code": "phone-code-2"}, format="json").status_code == 200
    assert len(bound) == 1


@pytest.mark.parametrize(
    ("errcode", "errmsg", "status", "code"),
    [
        (40029, "invalid code", 400, "phone_code_invalid"),
        (-1, "system error", 503, "wechat_unavailable"),
        (45011, "api minute-quota reach limit", 429, "wechat_rate_limited"),
    ],
)
def test_wechat_refusals_are_stable_codes_and_bind_nothing(
    member: Member,
    member_client: APIClient,
    wechat_api: responses.RequestsMock,
    bound: list[dict[str, Any]],
    capture: Any,
    errcode: int,
    errmsg: str,
    status: int,
    code: str,
) -> None:
    stub_phone_number_error(wechat_api, errcode=errcode, errmsg=errmsg)

    with capture(execute=True):
        response = member_client.post("/api/v1/me/phone/wechat", {"code": "bad"}, format="json")

    assert response.status_code == status
    assert response.json()["code"] == code
    assert response.json()["message"]  # a Chinese sentence, not WeChat's errmsg
    assert errmsg not in response.json()["message"]
    member.refresh_from_db()
    assert member.phone == ""
    assert bound == []


def test_a_number_issued_for_another_mini_program_is_refused(
    member: Member,
    member_client: APIClient,
    wechat_api: responses.RequestsMock,
    bound: list[dict[str, Any]],
    capture: Any,
) -> None:
    stub_phone_number(wechat_api, appid="wx-someone-else")

    with capture(execute=True):
        response = member_client.post("/api/v1/me/phone/wechat", {"code": "c"}, format="json")

    assert response.status_code == 400
    assert response.json()["code"] == "phone_watermark_mismatch"
    member.refresh_from_db()
    assert member.phone == "" and bound == []


def test_a_number_outside_the_mainland_is_refused(
    member: Member, member_client: APIClient, wechat_api: responses.RequestsMock
) -> None:
    stub_phone_number(wechat_api, phone="2025550123", country_code="1")

    response = member_client.post("/api/v1/me/phone/wechat", {"code": "c"}, format="json")

    assert response.status_code == 400
    assert response.json()["code"] == "phone_invalid"


def test_an_expired_access_token_is_fetched_again(
    member: Member, member_client: APIClient, wechat_api: responses.RequestsMock
) -> None:
    """40001: another worker refreshed the shared token; wechatpy fetches one and retries once."""
    stub_phone_number_error(wechat_api, errcode=40001, errmsg="invalid credential, access_token is invalid")
    stub_phone_number(wechat_api, phone="13912345678")

    response = member_client.post("/api/v1/me/phone/wechat", {"code": "c"}, format="json")

    assert response.status_code == 200
    assert response.json()["phone"] == "13912345678"
    assert len([c for c in wechat_api.calls if str(c.request.url).startswith(TOKEN_URL)]) == 2


def test_no_code_is_a_400(member_client: APIClient) -> None:
    response = member_client.post("/api/v1/me/phone/wechat", {}, format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_input"


def test_typing_a_new_phone_in_the_profile_is_the_same_moment(
    member: Member,
    member_client: APIClient,
    bound: list[dict[str, Any]],
    capture: Any,
) -> None:
    with capture(execute=True):
        assert member_client.patch("/api/v1/me", {"phone": "13700001111"}, format="json").status_code == 200
    assert bound == [{"member_id": member.pk, "phone": "13700001111", "source": "profile"}]


@pytest.fixture
def capture(django_capture_on_commit_callbacks: Any) -> Any:
    return django_capture_on_commit_callbacks


# --- avatar ---------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


def _image(fmt: str = "PNG", size: tuple[int, int] = (16, 16)) -> io.BytesIO:
    data = io.BytesIO()
    Image.new("RGB", size, (250, 65, 38)).save(data, format=fmt)
    data.seek(0)
    data.name = f"tmp_avatar.{fmt.lower()}"
    return data


def test_the_chosen_avatar_is_stored_and_replaces_the_previous_one(
    member: Member, member_client: APIClient, capture: Any
) -> None:
    first = member_client.post("/api/v1/me/avatar", {"file": _image("PNG")}, format="multipart")
    assert first.status_code == 201, first.content
    first_url = first.json()["avatar_url"]
    assert first_url.startswith("/media/avatars/") and first_url.endswith(".png")
    first_name = first_url.removeprefix("/media/")
    assert default_storage.exists(first_name)
    assert "tmp_avatar" not in first_url  # the stored name is ours, never the file's

    with capture(execute=True):  # the old file goes after commit
        second = member_client.post("/api/v1/me/avatar", {"file": _image("JPEG")}, format="multipart")
    assert second.status_code == 201
    member.refresh_from_db()
    assert member.avatar_url == second.json()["avatar_url"] != first_url
    assert member.avatar_url.endswith(".jpg")
    assert not default_storage.exists(first_name)  # the old picture is gone


@pytest.mark.parametrize(
    ("payload", "detail"),
    [
        (lambda: io.BytesIO(b"GIF89a not really"), "reason"),
        (lambda: _image("GIF"), "format"),
        (lambda: _image("BMP"), "format"),
    ],
)
def test_not_an_accepted_picture_is_refused(
    member: Member, member_client: APIClient, payload: Any, detail: str
) -> None:
    upload = payload()
    upload.name = getattr(upload, "name", "x.gif")
    response = member_client.post("/api/v1/me/avatar", {"file": upload}, format="multipart")
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "avatar_invalid" and detail in body["details"]
    member.refresh_from_db()
    assert member.avatar_url == ""


def test_a_picture_over_2_mb_is_refused(member: Member, member_client: APIClient, monkeypatch: Any) -> None:
    monkeypatch.setattr("members.services.profile.AVATAR_MAX_BYTES", 100)
    response = member_client.post("/api/v1/me/avatar", {"file": _image("PNG", (64, 64))}, format="multipart")
    assert response.status_code == 400
    assert response.json()["code"] == "avatar_invalid"
    assert json.dumps(response.json()["details"]).count("max_bytes") == 1


def test_no_file_is_a_400(member_client: APIClient) -> None:
    response = member_client.post("/api/v1/me/avatar", {}, format="multipart")
    assert response.status_code == 400
    assert response.json()["code"] == "avatar_invalid"
