"""Invite (F04) and distribution (F06) endpoints: the inviter's centre and invitees, applying,
clicks, the promoter centre's lists and withdrawals. List endpoints pin their query counts."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.contrib.auth.models import User
from django.utils import timezone
from rest_framework.test import APIClient

from mall.models import Sku
from marketing.models import Promoter, Withdrawal
from marketing.services.distribution import attribution_click, commissions_release_due, promoter_approve
from marketing.tests.conftest import complete, make_promoter, pay, place, signup
from members.models import Member
from members.services.abuse import block_entry_create
from members.tests.factories import MemberFactory
from members.tests.fixtures import client_for

pytestmark = pytest.mark.django_db


# --- invites -----------------------------------------------------------------------------------------


def test_the_invite_centre_shows_progress_rewards_and_points(
    invite_program: Callable, member: Member, member_client: APIClient, django_assert_max_num_queries: Any
) -> None:
    invite_program(reward_limit=2)
    for _ in range(4):
        signup(member.invite_code)
    with django_assert_max_num_queries(5):  # shopper, programme, counts, rewards, points
        body = member_client.get("/api/v1/me/invite").json()
    assert body["invite_code"] == member.invite_code
    assert body["share_path"] == f"/pages/home/index?invite={member.invite_code}"
    program = body["program"]
    assert (program["active"], program["threshold"], program["reward_summary"]) == (True, 3, "无门槛减20.00")
    assert program["points_rate"] == "0.100"
    assert (body["invited"], body["counted"], body["progress"], body["remaining"]) == (4, 4, 1, 2)
    assert body["limit_reached"] is False
    assert [(r["seq"], r["coupon_name"]) for r in body["rewards"]] == [(1, "邀请有礼 无门槛20元")]
    assert body["points_earned"] == 0


def test_after_the_last_reward_nothing_more_is_promised(
    invite_program: Callable, member: Member, member_client: APIClient
) -> None:
    for _ in range(4):
        signup(member.invite_code)
    body = member_client.get("/api/v1/me/invite").json()
    assert (body["progress"], body["remaining"], body["limit_reached"]) == (0, 0, True)


def test_invitees_are_masked_with_whether_they_ordered(
    invite_program: Callable,
    member: Member,
    member_client: APIClient,
    lipstick: Sku,
    shop: object,
    django_assert_max_num_queries: Any,
) -> None:
    buyer = signup(member.invite_code, nickname="张三丰")
    signup(member.invite_code, nickname="小明")
    place(buyer, [(lipstick, 1)])  # placed, not paid: not "ordered" yet
    with django_assert_max_num_queries(3):  # shopper, count, page
        body = member_client.get("/api/v1/me/invite/invitees").json()
    assert body["count"] == 2
    assert [(r["nickname"], r["has_ordered"], r["counts"]) for r in body["results"]] == [
        ("小*", False, True),
        ("张*丰", False, True),
    ]
    pay(buyer.orders.get())
    for _ in range(20):
        signup(member.invite_code)
    with django_assert_max_num_queries(3):
        body = member_client.get("/api/v1/me/invite/invitees?page=2").json()
    assert body["results"][-1]["has_ordered"] is True
    assert body["results"][-1]["rewarded"] is True


def test_invite_endpoints_need_a_signed_in_shopper() -> None:
    for path in ("/api/v1/me/invite", "/api/v1/me/invite/invitees", "/api/v1/me/promoter"):
        response = APIClient().get(path)
        assert (response.status_code, response.json()["code"]) == (401, "not_authenticated")


# --- applying and the centre ------------------------------------------------------------------------


def test_apply_then_approval_shows_the_share_code(
    distribution: Callable, member: Member, member_client: APIClient, staff: User
) -> None:
    body = member_client.get("/api/v1/me/promoter").json()
    assert (body["promoter"]["status"], body["earnings"]) == ("none", None)
    assert body["program"] == {
        "active": True,
        "default_rate": "0.100",
        "attribution_days": 7,
        "settle_days": 7,
        "min_withdrawal": 1000,
    }
    bad = member_client.post("/api/v1/promoter/apply", {"real_name": "李四", "phone": "123"}, format="json")
    assert (bad.status_code, bad.json()["code"]) == (400, "promoter_application_invalid")
    response = member_client.post(
        "/api/v1/promoter/apply", {"real_name": "李四", "phone": "13900139000", "reason": "宝妈群"}, format="json"
    )
    assert response.status_code == 201
    assert (response.json()["status"], response.json()["code"]) == ("applied", "")
    promoter = Promoter.objects.get(member=member)
    promoter_approve(actor=staff, promoter_id=promoter.pk)
    body = member_client.get("/api/v1/me/promoter").json()
    assert body["promoter"]["status"] == "approved"
    assert body["promoter"]["share_query"] == f"pc={promoter.code}"
    assert body["promoter"]["product_share_path"] == f"/pages/product/index?id={{product_id}}&pc={promoter.code}"
    assert body["earnings"] == {
        "pending": 0,
        "frozen": 0,
        "available": 0,
        "withdrawing": 0,
        "withdrawn": 0,
        "reversed": 0,
        "total": 0,
    }
    again = member_client.post("/api/v1/promoter/apply", {"real_name": "李四", "phone": "13900139000"}, format="json")
    assert (again.status_code, again.json()["code"]) == (409, "promoter_already_approved")


def test_lists_are_refused_to_shoppers_who_are_not_promoters(distribution: Callable, member_client: APIClient) -> None:
    for path in ("orders", "customers", "withdrawals"):
        response = member_client.get(f"/api/v1/me/promoter/{path}")
        assert (response.status_code, response.json()["code"]) == (409, "promoter_not_approved")


# --- clicks ---------------------------------------------------------------------------------------------


@pytest.fixture
def promoter(distribution: Callable, staff: User) -> Promoter:
    return make_promoter(MemberFactory.create(nickname="推广员小李"), staff)


def test_a_click_attributes_the_shopper_and_refuses_bad_codes(
    promoter: Promoter, member: Member, member_client: APIClient, lipstick: Sku
) -> None:
    response = member_client.post(
        "/api/v1/promoter/clicks", {"code": promoter.code, "product_id": lipstick.product_id}, format="json"
    )
    assert response.status_code == 200
    body = response.json()
    assert (body["promoter_nickname"], body["clicks"]) == ("推***李", 1)
    unknown = member_client.post("/api/v1/promoter/clicks", {"code": "PNOPE"}, format="json")
    assert (unknown.status_code, unknown.json()["code"]) == (404, "promoter_not_found")
    own = client_for(promoter.member).post("/api/v1/promoter/clicks", {"code": promoter.code}, format="json")
    assert (own.status_code, own.json()["code"]) == (409, "attribution_self")
    assert APIClient().post("/api/v1/promoter/clicks", {"code": promoter.code}, format="json").status_code == 401


# --- the promoter centre's lists and withdrawals ---------------------------------------------------------


@pytest.fixture
def earning(promoter: Promoter, staff: User, lipstick: Sku, cookie: Sku, shop: object) -> Promoter:
    """Three buyers through the promoter's link; two orders completed past the window."""
    buyers = [MemberFactory.create(nickname=name) for name in ("王小二", "赵六", "孙七")]
    for buyer in buyers:
        attribution_click(member=buyer, code=promoter.code)
    complete(place(buyers[0], [(lipstick, 2), (cookie, 1)]), staff)
    complete(place(buyers[1], [(lipstick, 1)]), staff)
    pay(place(buyers[2], [(cookie, 4)]))
    with time_machine.travel(timezone.now() + timedelta(days=8), tick=False):
        commissions_release_due()
    return promoter


def test_the_centre_shows_earnings_by_state(earning: Promoter, django_assert_max_num_queries: Any) -> None:
    client = client_for(earning.member)
    with django_assert_max_num_queries(5):  # shopper, promoter, programme, commission, withdrawals
        body = client.get("/api/v1/me/promoter").json()
    assert body["earnings"]["available"] == 2300 + 1000
    assert body["earnings"]["frozen"] == 1200
    assert body["earnings"]["total"] == 4500


def test_promoter_orders_are_masked_and_traceable(earning: Promoter, django_assert_max_num_queries: Any) -> None:
    client = client_for(earning.member)
    with django_assert_max_num_queries(5):  # shopper, promoter, count, page of orders + buyers, their rows
        body = client.get("/api/v1/me/promoter/orders").json()
    assert body["count"] == 3
    newest = body["results"][0]
    assert newest["buyer_nickname"] == "孙*"
    assert "****" in newest["order_no"]
    assert [
        (line["qty"], line["base_amount"], line["rate"], line["amount"], line["status"]) for line in newest["lines"]
    ] == [(4, 12000, "0.100", 1200, "frozen")]
    first = body["results"][2]
    assert sorted(line["amount"] for line in first["lines"]) == [300, 2000]
    assert {line["status"] for line in first["lines"]} == {"available"}


def test_promoter_customers_count_their_orders(earning: Promoter, django_assert_max_num_queries: Any) -> None:
    client = client_for(earning.member)
    with django_assert_max_num_queries(4):  # shopper, promoter, count, page
        body = client.get("/api/v1/me/promoter/customers").json()
    assert body["count"] == 3
    assert sorted((r["nickname"], r["orders"]) for r in body["results"]) == [("孙*", 1), ("王*二", 1), ("赵*", 1)]


def test_withdrawals_through_the_api(earning: Promoter, django_assert_max_num_queries: Any) -> None:
    client = client_for(earning.member)
    too_small = client.post("/api/v1/me/promoter/withdrawals", {"amount": 500}, format="json")
    assert (too_small.status_code, too_small.json()["code"]) == (400, "withdrawal_below_minimum")
    assert "10.00" in too_small.json()["message"]
    too_big = client.post("/api/v1/me/promoter/withdrawals", {"amount": 3301}, format="json")
    assert (too_big.status_code, too_big.json()["code"]) == (409, "withdrawal_exceeds_balance")
    assert too_big.json()["details"] == {"available": 3300, "requested": 3301}
    made = client.post("/api/v1/me/promoter/withdrawals", {"amount": 3000}, format="json", HTTP_IDEMPOTENCY_KEY="w1")
    retried = client.post("/api/v1/me/promoter/withdrawals", {"amount": 3000}, format="json", HTTP_IDEMPOTENCY_KEY="w1")
    assert (made.status_code, retried.json()["id"]) == (201, made.json()["id"])
    assert Withdrawal.objects.count() == 1
    with django_assert_max_num_queries(4):  # shopper, promoter, count, page
        body = client.get("/api/v1/me/promoter/withdrawals").json()
    assert [(w["amount"], w["status"]) for w in body["results"]] == [(3000, "requested")]
    assert client.get("/api/v1/me/promoter").json()["earnings"]["withdrawing"] == 3000


def test_blocked_devices_cannot_move_attributions_or_withdraw(earning: Promoter, staff: User) -> None:
    block_entry_create(actor=staff, kind="device", value="farm-device-1", note="刷单")
    shopper = client_for(MemberFactory.create())
    clicked = shopper.post(
        "/api/v1/promoter/clicks", {"code": earning.code}, format="json", HTTP_X_DEVICE_ID="farm-device-1"
    )
    assert (clicked.status_code, clicked.json()["code"]) == (403, "access_blocked")
    withdrawn = client_for(earning.member).post(
        "/api/v1/me/promoter/withdrawals", {"amount": 1000}, format="json", HTTP_X_DEVICE_ID="farm-device-1"
    )
    assert (withdrawn.status_code, withdrawn.json()["code"]) == (403, "access_blocked")
    assert not Withdrawal.objects.exists()
