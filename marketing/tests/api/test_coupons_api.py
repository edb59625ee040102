"""Coupon endpoints: center, claim, my coupons, usable for this cart."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.utils import timezone
from rest_framework.test import APIClient

from mall.models import Category, Sku
from marketing.models import CouponChannel, CouponTemplate
from marketing.services.coupons import coupon_claim
from marketing.tests.conftest import place
from members.models import Member
from members.tests.fixtures import SHOPPER_CONTEXT

pytestmark = pytest.mark.django_db


def test_center_lists_claimable_templates_with_my_state(
    make_template: Callable[..., CouponTemplate],
    member: Member,
    member_client: APIClient,
    beauty: Category,
    django_assert_max_num_queries: Any,
) -> None:
    mine = make_template(name="美妆券", threshold=10000, off=3000, category_ids=(beauty.pk,), total_quantity=100)
    make_template(name="无门槛", kind="no_threshold", off=500)
    make_template(name="下架", is_active=False)
    make_template(name="新人", channel=CouponChannel.NEW_USER_PACK)
    coupon_claim(context=SHOPPER_CONTEXT, member=member, template_id=mine.pk)
    with django_assert_max_num_queries(8):
        body = member_client.get("/api/v1/coupons/center").json()
    by_name = {entry["name"]: entry for entry in body}
    assert set(by_name) == {"美妆券", "无门槛"}
    beauty_entry = by_name["美妆券"]
    assert (beauty_entry["summary"], beauty_entry["scope"]["text"]) == ("满100.00减30.00", "限美妆可用")
    assert (beauty_entry["claimed"], beauty_entry["can_claim"], beauty_entry["reason"]) == (
        1,
        False,
        "coupon_limit_reached",
    )
    assert beauty_entry["remaining"] == 99
    assert by_name["无门槛"]["can_claim"] is True


def test_center_works_signed_out(make_template: Callable[..., CouponTemplate]) -> None:
    make_template(name="店铺券")
    body = APIClient().get("/api/v1/coupons/center").json()
    assert [(e["name"], e["claimed"], e["can_claim"]) for e in body] == [("店铺券", 0, True)]


def test_claim_returns_the_coupon_and_refuses_a_second(
    make_template: Callable[..., CouponTemplate], member_client: APIClient
) -> None:
    template = make_template(off=2000)
    response = member_client.post("/api/v1/coupons/claim", {"template_id": template.pk}, format="json")
    assert response.status_code == 201
    body = response.json()
    assert (body["status"], body["template"]["off"], body["template"]["summary"]) == ("unused", 2000, "无门槛减20.00")
    again = member_client.post("/api/v1/coupons/claim", {"template_id": template.pk}, format="json")
    assert (again.status_code, again.json()["code"]) == (409, "coupon_limit_reached")


@pytest.mark.parametrize(
    ("payload", "status", "code"),
    [
        ({}, 400, "invalid_input"),
        ({"template_id": "abc"}, 400, "invalid_input"),
        ({"template_id": 987654}, 404, "coupon_template_not_found"),
    ],
)
def test_claim_bad_input(member_client: APIClient, payload: dict, status: int, code: str) -> None:
    response = member_client.post("/api/v1/coupons/claim", payload, format="json")
    assert (response.status_code, response.json()["code"]) == (status, code)


def test_claim_needs_a_shopper(make_template: Callable[..., CouponTemplate]) -> None:
    response = APIClient().post("/api/v1/coupons/claim", {"template_id": make_template().pk}, format="json")
    assert (response.status_code, response.json()["code"]) == (401, "not_authenticated")


def test_sold_out_is_409(
    make_template: Callable[..., CouponTemplate], other_member: Member, member_client: APIClient
) -> None:
    template = make_template(total_quantity=1)
    coupon_claim(context=SHOPPER_CONTEXT, member=other_member, template_id=template.pk)
    response = member_client.post("/api/v1/coupons/claim", {"template_id": template.pk}, format="json")
    assert (response.status_code, response.json()["code"]) == (409, "coupon_sold_out")


def test_my_coupons_by_status(
    make_template: Callable[..., CouponTemplate],
    member: Member,
    other_member: Member,
    member_client: APIClient,
    lipstick: Sku,
    shop: object,
    django_assert_max_num_queries: Any,
) -> None:
    used = coupon_claim(context=SHOPPER_CONTEXT, member=member, template_id=make_template(name="已用").pk)
    with time_machine.travel(timezone.now() - timedelta(days=10), tick=False):
        coupon_claim(context=SHOPPER_CONTEXT, member=member, template_id=make_template(name="过期", valid_days=1).pk)
    coupon_claim(context=SHOPPER_CONTEXT, member=member, template_id=make_template(name="可用").pk)
    coupon_claim(context=SHOPPER_CONTEXT, member=other_member, template_id=make_template(name="别人的").pk)
    order = place(member, [(lipstick, 1)], coupon_ids=[used.pk])

    def names(status: str = "") -> list[str]:
        url = "/api/v1/me/coupons" + (f"?status={status}" if status else "")
        return [c["template"]["name"] for c in member_client.get(url).json()["results"]]

    assert sorted(names()) == sorted(["过期", "可用", "已用"])
    assert names("unused") == ["可用"]
    assert names("expired") == ["过期"]
    used_body = member_client.get("/api/v1/me/coupons?status=used").json()["results"]
    assert [(c["template"]["name"], c["order_no"]) for c in used_body] == [("已用", order.no)]
    with django_assert_max_num_queries(8):
        member_client.get("/api/v1/me/coupons")
    bad = member_client.get("/api/v1/me/coupons?status=lost")
    assert (bad.status_code, bad.json()["code"]) == (400, "invalid_input")


def test_usable_for_this_cart_with_reasons(
    make_template: Callable[..., CouponTemplate],
    member: Member,
    member_client: APIClient,
    beauty: Category,
    snacks: Category,
    lipstick: Sku,
) -> None:
    big = coupon_claim(
        context=SHOPPER_CONTEXT,
        member=member,
        template_id=make_template(name="满100减30", threshold=10000, off=3000).pk,
    )
    small = coupon_claim(context=SHOPPER_CONTEXT, member=member, template_id=make_template(name="立减10", off=1000).pk)
    far = coupon_claim(
        context=SHOPPER_CONTEXT,
        member=member,
        template_id=make_template(name="满300减50", threshold=30000, off=5000).pk,
    )
    snack = coupon_claim(
        context=SHOPPER_CONTEXT,
        member=member,
        template_id=make_template(name="零食券", group="category", off=500, category_ids=(snacks.pk,)).pk,
    )
    response = member_client.post(
        "/api/v1/coupons/usable", {"items": [{"sku_id": lipstick.pk, "qty": 1}]}, format="json"
    )
    assert response.status_code == 200
    body = response.json()
    assert body["best_coupon_ids"] == [big.pk]
    usable = {c["coupon_id"]: c for c in body["usable"]}
    assert set(usable) == {big.pk, small.pk}
    assert usable[small.pk]["discount"] == {"fen": 1000, "yuan": "10.00"}
    unusable = {c["coupon_id"]: c["reason"] for c in body["unusable"]}
    assert unusable == {far.pk: "threshold_not_met", snack.pk: "out_of_scope"}
    assert all(c["reason_label"] for c in body["unusable"])


def test_usable_ignores_someone_elses_coupons(
    make_template: Callable[..., CouponTemplate], other_member: Member, member_client: APIClient, lipstick: Sku
) -> None:
    coupon_claim(context=SHOPPER_CONTEXT, member=other_member, template_id=make_template().pk)
    body = member_client.post(
        "/api/v1/coupons/usable", {"items": [{"sku_id": lipstick.pk, "qty": 1}]}, format="json"
    ).json()
    assert (body["usable"], body["unusable"], body["best_coupon_ids"]) == ([], [], [])
