"""The 会员中心 and 积分商城 APIs: what the mini-program reads and the refusals it gets."""

from __future__ import annotations

import pytest
from django.utils import translation

from marketing.models import CouponChannel
from marketing.tests.factories import CouponTemplateFactory
from members.models import GrowthEntry, Member, PointsEntry, PointsMallItem, TierRule
from members.services.points import points_grant
from members.services.tiers import tier_rules
from members.tests.factories import MemberFactory
from members.tests.fixtures import client_for

pytestmark = pytest.mark.django_db


def test_the_tier_card_says_how_far_the_next_tier_is() -> None:
    member = MemberFactory.create(tier="silver")
    GrowthEntry.objects.create(
        member=member, source="order", source_id="P1", amount=120_000, orders=3, occurred_at="2026-11-01T00:00:00Z"
    )
    with translation.override("zh-hans"):
        body = client_for(member).get("/api/v1/me/tier").json()
    assert (body["tier"], body["tier_label"], body["next_tier_label"]) == ("silver", "白银会员", "黄金会员")
    assert (body["spend_12m"], body["spend_to_next"], body["orders_to_next"]) == (120_000, 80_000, 12)
    assert body["progress_percent"] == 60
    assert body["exclusive_service"] is None  # 白银 has no 专属客服 by default
    assert body["free_shipping_left"] == 0


def test_a_diamond_sees_uses_left_and_the_exclusive_service_entry() -> None:
    member = MemberFactory.create(tier="diamond")
    with translation.override("zh-hans"):
        body = client_for(member).get("/api/v1/me/tier").json()
    assert (body["free_shipping_left"], body["free_shipping_per_month"], body["next_tier"]) == (2, 2, None)
    assert "每月包邮 2 次" in body["perks"]
    service = body["exclusive_service"]
    assert service["session_from"].startswith("tier=diamond;")
    assert service["card_title"] == "钻石会员专属客服"


def test_redeeming_over_the_api_and_its_refusals() -> None:
    member: Member = MemberFactory.create()
    points_grant(member_id=member.pk, delta=800, reason=PointsEntry.Reason.GRANT, ref="g")
    template = CouponTemplateFactory.create(channel=CouponChannel.SYSTEM, per_user_limit=5)
    item = PointsMallItem.objects.create(name="5 元券", points=500, coupon_template=template, stock=1)
    client = client_for(member)
    listed = client.get("/api/v1/points-mall/items").json()
    assert [(r["name"], r["stock_left"]) for r in listed["results"]] == [("5 元券", 1)]
    ok = client.post(f"/api/v1/points-mall/items/{item.pk}/redeem", {"ref": "a"}, format="json")
    assert ok.status_code == 201, ok.json()
    assert ok.json()["points_balance"] == 300
    with translation.override("zh-hans"):
        again = client.post(f"/api/v1/points-mall/items/{item.pk}/redeem", {"ref": "b"}, format="json")
    assert again.status_code == 409
    assert again.json()["code"] == "points_mall_limit_reached"
    missing = client.post("/api/v1/points-mall/items/999999/redeem", {"ref": "c"}, format="json")
    assert (missing.status_code, missing.json()["code"]) == (404, "points_mall_item_not_found")


def test_buying_a_tier_over_the_api() -> None:
    member = MemberFactory.create()
    points_grant(member_id=member.pk, delta=100, reason=PointsEntry.Reason.GRANT, ref="g")
    tier_rules()
    TierRule.objects.filter(tier="silver").update(points_price=1000)
    client = client_for(member)
    short = client.post("/api/v1/me/tier/buy", {"ref": "x"}, format="json")
    assert (short.status_code, short.json()["code"]) == (409, "points_insufficient")
    points_grant(member_id=member.pk, delta=1000, reason=PointsEntry.Reason.GRANT, ref="g2")
    bought = client.post("/api/v1/me/tier/buy", {"ref": "y"}, format="json")
    assert bought.status_code == 201, bought.json()
    assert (bought.json()["tier"], bought.json()["points_balance"]) == ("silver", 100)
