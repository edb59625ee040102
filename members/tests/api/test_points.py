"""me/points: balance plus the paginated ledger, only the shopper's own."""

from __future__ import annotations

from typing import Any

import pytest
from rest_framework.test import APIClient

from members.models import Member, PointsEntry
from members.services.points import points_grant, points_spend

pytestmark = pytest.mark.django_db

Reason = PointsEntry.Reason


def test_balance_and_paginated_entries(
    member: Member, other_member: Member, member_client: APIClient, django_assert_max_num_queries: Any
) -> None:
    for i in range(5):
        points_grant(member_id=member.pk, delta=100, reason=Reason.ORDER_EARN, ref=f"O{i}")
    points_spend(member_id=member.pk, amount=150, reason=Reason.ORDER_REDEEM, ref="O9")
    points_grant(member_id=other_member.pk, delta=7, reason=Reason.GRANT, ref="x")

    with django_assert_max_num_queries(4):  # member, count, page, balance
        response = member_client.get("/api/v1/me/points?page_size=4")

    assert response.status_code == 200
    body = response.json()
    assert body["balance"] == 350
    assert body["count"] == 6
    assert body["next"] is not None and body["previous"] is None
    assert len(body["entries"]) == 4
    newest = body["entries"][0]
    assert (newest["delta"], newest["reason"], newest["ref"]) == (-150, "order_redeem", "O9")
    assert newest["reason_display"] == "下单抵扣"
    second_page = member_client.get(body["next"]).json()
    assert len(second_page["entries"]) == 2


def test_no_entries_yet(member_client: APIClient) -> None:
    response = member_client.get("/api/v1/me/points")

    assert response.json() == {"balance": 0, "count": 0, "next": None, "previous": None, "entries": []}
