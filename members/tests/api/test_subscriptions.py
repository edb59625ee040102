"""The subscribe-message API (F48): the template map the mini-program asks with, and the answers it posts."""

from __future__ import annotations

from typing import Any

import pytest
from rest_framework.test import APIClient

from members.models import Member, SubscribeCredit, SubscribeTemplate


@pytest.fixture
def api_client() -> APIClient:
    return APIClient()


@pytest.fixture
def templates(db: Any) -> dict[str, SubscribeTemplate]:
    rows = {
        kind: SubscribeTemplate.objects.create(kind=kind, template_id=f"TPL-{kind}", fields={"thing1": "title"})
        for kind in ("group_completed", "group_failed", "bargain_reached", "flash_restock", "coupon_expiring")
    }
    SubscribeTemplate.objects.create(
        kind="bargain_expired", template_id="TPL-OFF", fields={"thing1": "title"}, is_active=False
    )
    return rows


@pytest.mark.django_db
def test_the_template_map_lists_active_templates_and_the_ids_to_ask_per_moment(
    api_client: APIClient, templates: dict[str, SubscribeTemplate], django_assert_num_queries: Any
) -> None:
    with django_assert_num_queries(1):
        response = api_client.get("/api/v1/subscribe/templates", HTTP_AUTHORIZATION="Bearer stale-token")
    assert response.status_code == 200  # public: a stale token does not matter
    body = response.json()
    assert {"kind": "group_failed", "label": "拼团失败", "template_id": "TPL-group_failed"} in body["templates"]
    assert "bargain_expired" not in {entry["kind"] for entry in body["templates"]}  # switched off
    assert body["moments"] == {
        "paid": [],
        "group_open": ["TPL-group_completed", "TPL-group_failed"],
        "group_join": ["TPL-group_completed", "TPL-group_failed"],
        "bargain_start": ["TPL-bargain_reached"],
        "restock_reserve": ["TPL-flash_restock"],
        "coupon_claim": ["TPL-coupon_expiring"],
        "checkin": [],
        "team": [],
        "live_follow": [],
    }


@pytest.mark.django_db
def test_the_shoppers_answers_are_recorded_as_credits(
    member: Member, member_client: APIClient, templates: dict[str, SubscribeTemplate]
) -> None:
    answer = {"TPL-group_completed": "accept", "TPL-group_failed": "reject"}
    response = member_client.post(
        "/api/v1/me/subscriptions", {"results": answer, "moment": "group_open"}, format="json"
    )
    assert response.status_code == 200
    assert response.json() == {"credits": {"TPL-group_completed": 1, "TPL-group_failed": 0}}
    member_client.post("/api/v1/me/subscriptions", {"results": {"TPL-group_completed": "accept"}}, format="json")
    assert SubscribeCredit.objects.get(member=member, template_id="TPL-group_completed").credits == 2


@pytest.mark.django_db
@pytest.mark.parametrize(
    "body",
    [
        {},
        {"results": {}},
        {"results": {"TPL-group_failed": "maybe"}},
        {"results": ["TPL-group_failed"]},
        {"results": {"x" * 65: "accept"}},
        {"results": {f"T{i}": "accept" for i in range(11)}},
        {"results": {"TPL-group_failed": "accept"}, "moment": "somewhere"},
    ],
)
def test_bad_answers_are_refused_with_a_clear_400(
    member_client: APIClient, templates: dict[str, SubscribeTemplate], body: dict[str, Any]
) -> None:
    response = member_client.post("/api/v1/me/subscriptions", body, format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_input"
    assert response.json()["message"]
    assert not SubscribeCredit.objects.exists()


@pytest.mark.django_db
def test_recording_answers_needs_a_signed_in_shopper(api_client: APIClient) -> None:
    response = api_client.post("/api/v1/me/subscriptions", {"results": {"T": "accept"}}, format="json")
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"
