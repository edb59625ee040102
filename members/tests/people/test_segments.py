"""Segments (F34): every field and operator counted against a hand-built shop, the tree's
all/any/none, bad trees refused, one SQL statement per count, export/import and the command."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.utils import timezone

from marketing.models import Coupon, Invite, PromotionUsage
from members.models import Address, CheckIn, Member, MemberRfm, MemberTag, PointsEntry, RfmGroup, Segment, Tag
from members.people_errors import SegmentNameTaken, SegmentRulesInvalid
from members.selectors.segments import FIELDS, segment_count, segment_members
from members.services.segments import segment_export, segment_import, segment_save
from members.tests.people.factories import shopper, spend
from orders.models import OrderStatus
from orders.tests.factories import CategoryFactory, ProductFactory, SkuFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def shop() -> dict[str, Any]:
    """Five shoppers a..e with known facts (written as rows)."""
    now = timezone.now()
    beauty = CategoryFactory.create(name="美妆")
    skincare = CategoryFactory.create(name="护肤", parent=beauty)
    food = CategoryFactory.create(name="食品")
    cream = SkuFactory.create(product=ProductFactory.create(category=skincare))
    snack = SkuFactory.create(product=ProductFactory.create(category=food))
    a = shopper(tier=Member.Tier.GOLD, birthday=dt.date(1990, 3, 5))
    b = shopper(tier=Member.Tier.SILVER, birthday=dt.date(1991, 7, 1))
    c = shopper(joined=now - dt.timedelta(days=10))
    d = shopper(tier=Member.Tier.GOLD)
    e = shopper()
    # a: 3 orders, 300.00 in 30 days, bought skincare 5 days ago
    spend(a, days_ago=5, amount=10_000, sku=cream)
    spend(a, days_ago=10, amount=10_000, sku=snack)
    spend(a, days_ago=20, amount=10_000, sku=snack)
    # b: one old order (100 days), food; one cancelled order (not spending)
    spend(b, days_ago=100, amount=50_000, sku=snack)
    spend(b, days_ago=1, amount=99_000, sku=cream, status=OrderStatus.CANCELLED)
    # d: bought skincare 60 days ago
    spend(d, days_ago=60, amount=20_000, sku=cream)
    tag = Tag.objects.create(name="直播粉丝")
    MemberTag.objects.create(member=a, tag=tag)
    MemberTag.objects.create(member=c, tag=tag)
    MemberRfm.objects.create(
        member=a, recency_days=5, frequency=3, monetary=30_000, r_score=5, f_score=5, m_score=5,
        group=RfmGroup.IMPORTANT_VALUE, computed_at=now,
    )  # fmt: skip
    MemberRfm.objects.create(
        member=b, recency_days=100, frequency=0, monetary=0, r_score=1, f_score=1, m_score=1,
        group=RfmGroup.LOST, computed_at=now,
    )  # fmt: skip
    PointsEntry.objects.create(member=a, delta=500, reason="grant", ref="t1")
    PointsEntry.objects.create(member=a, delta=-200, reason="order_redeem", ref="t2")
    PointsEntry.objects.create(member=b, delta=1000, reason="grant", ref="t3")
    for member, city, default in ((a, "深圳市", True), (b, "上海市", True), (c, "深圳市", False)):
        Address.objects.create(
            member=member, receiver="收", phone="13800138000", province="省", city=city, district="区",
            detail="路", is_default=default,
        )  # fmt: skip
    Invite.objects.create(inviter=e, invitee=c)
    return {"a": a, "b": b, "c": c, "d": d, "e": e, "tag": tag, "beauty": beauty, "skincare": skincare,
            "cream": cream, "food": food}  # fmt: skip


def who(shop: dict[str, Any], cond: dict[str, Any], op: str = "all") -> set[str]:
    rules = {"op": op, "conditions": [cond]}
    ids = set(segment_members(rules).values_list("pk", flat=True))
    names = {key for key in "abcde" if shop[key].pk in ids}
    assert segment_count(rules) == len(ids)
    return names


def test_tier(shop):
    assert who(shop, {"field": "tier", "operator": "in", "value": ["gold"]}) == {"a", "d"}
    assert who(shop, {"field": "tier", "operator": "not_in", "value": ["gold", "silver"]}) == {"c", "e"}


def test_tag(shop):
    tag = shop["tag"].pk
    assert who(shop, {"field": "tag", "operator": "has", "value": tag}) == {"a", "c"}
    assert who(shop, {"field": "tag", "operator": "not_has", "value": tag}) == {"b", "d", "e"}


def test_rfm_group(shop):
    assert who(shop, {"field": "rfm_group", "operator": "in", "value": ["important_value", "lost"]}) == {"a", "b"}
    assert who(shop, {"field": "rfm_group", "operator": "not_in", "value": ["lost"]}) == {"a", "c", "d", "e"}


def test_spend_in_a_window_and_ever(shop):
    assert who(shop, {"field": "spend", "operator": "gte", "value": 30_000, "days": 30}) == {"a"}
    assert who(shop, {"field": "spend", "operator": "gte", "value": 20_000}) == {"a", "b", "d"}
    assert who(shop, {"field": "spend", "operator": "lte", "value": 20_000}) == {"c", "d", "e"}
    assert who(shop, {"field": "spend", "operator": "eq", "value": 0, "days": 30}) == {"b", "c", "d", "e"}
    assert who(shop, {"field": "spend", "operator": "eq", "value": 50_000}) == {"b"}
    assert who(shop, {"field": "spend", "operator": "between", "value": [15_000, 50_000]}) == {"a", "b", "d"}


def test_order_count(shop):
    assert who(shop, {"field": "order_count", "operator": "gte", "value": 2}) == {"a"}
    assert who(shop, {"field": "order_count", "operator": "lte", "value": 1, "days": 90}) == {"b", "c", "d", "e"}
    assert who(shop, {"field": "order_count", "operator": "eq", "value": 1}) == {"b", "d"}
    assert who(shop, {"field": "order_count", "operator": "between", "value": [1, 3], "days": 30}) == {"a"}


def test_days_since_last_order(shop):
    assert who(shop, {"field": "days_since_last_order", "operator": "gte", "value": 30}) == {"b", "d"}
    assert who(shop, {"field": "days_since_last_order", "operator": "lte", "value": 30}) == {"a"}


def test_days_since_signup(shop):
    assert who(shop, {"field": "days_since_signup", "operator": "lte", "value": 30}) == {"c"}
    assert who(shop, {"field": "days_since_signup", "operator": "gte", "value": 30}) == {"a", "b", "d", "e"}


def test_bought_category_including_sub_categories_and_window(shop):
    beauty = shop["beauty"].pk
    assert who(shop, {"field": "bought_category", "operator": "yes", "value": beauty}) == {"a", "d"}
    assert who(shop, {"field": "bought_category", "operator": "yes", "value": beauty, "days": 30}) == {"a"}
    assert who(shop, {"field": "bought_category", "operator": "no", "value": beauty}) == {"b", "c", "e"}
    food = shop["food"].pk
    assert who(shop, {"field": "bought_category", "operator": "yes", "value": food}) == {"a", "b"}


def test_bought_product(shop):
    product = shop["cream"].product_id
    assert who(shop, {"field": "bought_product", "operator": "yes", "value": product}) == {"a", "d"}
    assert who(shop, {"field": "bought_product", "operator": "yes", "value": product, "days": 7}) == {"a"}
    assert who(shop, {"field": "bought_product", "operator": "no", "value": product}) == {"b", "c", "e"}


def test_took_part_in_a_tool(shop):
    from marketing.models import CouponTemplate, Promotion

    assert who(shop, {"field": "took_part", "operator": "yes", "value": "invite"}) == {"e"}
    assert who(shop, {"field": "took_part", "operator": "no", "value": "invite"}) == {"a", "b", "c", "d"}
    assert who(shop, {"field": "took_part", "operator": "yes", "value": "flash"}) == set()
    template = CouponTemplate.objects.create(name="券", kind="threshold_off", threshold=100, off=10, valid_days=7)
    now = timezone.now()
    Coupon.objects.create(
        template=template, member=shop["d"], seq=1, status="used", used_at=now - dt.timedelta(days=40),
        order=shop["d"].orders.first(),
        valid_from=now, valid_until=now + dt.timedelta(days=1),
    )  # fmt: skip
    assert who(shop, {"field": "took_part", "operator": "yes", "value": "coupon"}) == {"d"}
    assert who(shop, {"field": "took_part", "operator": "yes", "value": "coupon", "days": 30}) == set()
    promotion = Promotion.objects.create(
        name="满减", type="full_reduction", starts_at=now, ends_at=now + dt.timedelta(days=1), rules={}
    )
    order = shop["a"].orders.first()
    PromotionUsage.objects.create(promotion=promotion, member=shop["a"], order=order)
    assert who(shop, {"field": "took_part", "operator": "yes", "value": "promotion"}) == {"a"}
    CheckIn.objects.create(member=shop["b"], day=timezone.localdate(), streak=1, points=5)
    CheckIn.objects.filter(member=shop["b"]).update(created_at=now - dt.timedelta(days=10))
    assert who(shop, {"field": "took_part", "operator": "yes", "value": "checkin"}) == {"b"}
    assert who(shop, {"field": "took_part", "operator": "yes", "value": "checkin", "days": 7}) == set()


def test_points_balance(shop):
    assert who(shop, {"field": "points_balance", "operator": "gte", "value": 300}) == {"a", "b"}
    assert who(shop, {"field": "points_balance", "operator": "lte", "value": 300}) == {"a", "c", "d", "e"}
    assert who(shop, {"field": "points_balance", "operator": "eq", "value": 0}) == {"c", "d", "e"}
    assert who(shop, {"field": "points_balance", "operator": "between", "value": [301, 1000]}) == {"b"}


def test_city_of_the_default_address(shop):
    assert who(shop, {"field": "city", "operator": "in", "value": ["深圳市"]}) == {"a"}
    assert who(shop, {"field": "city", "operator": "not_in", "value": ["深圳市"]}) == {"b", "c", "d", "e"}


def test_birthday_month(shop):
    assert who(shop, {"field": "birthday_month", "operator": "in", "value": [3, 4]}) == {"a"}
    assert who(shop, {"field": "birthday_month", "operator": "not_in", "value": [3]}) == {"b"}


def test_every_field_is_covered_by_a_test():
    tested = {name.removeprefix("test_") for name in globals() if name.startswith("test_")}
    covered = {"tier", "tag", "rfm_group", "points_balance", "birthday_month", "bought_product", "order_count"}
    covered |= {"spend", "days_since_last_order", "days_since_signup", "bought_category", "took_part", "city"}
    assert set(FIELDS) == covered
    assert {"tier", "tag", "rfm_group", "order_count", "points_balance", "bought_product"} <= tested


def test_all_any_none_and_nesting(shop):
    gold = {"field": "tier", "operator": "in", "value": ["gold"]}
    tagged = {"field": "tag", "operator": "has", "value": shop["tag"].pk}

    def names(rules: dict[str, Any]) -> set[str]:
        ids = set(segment_members(rules).values_list("pk", flat=True))
        return {key for key in "abcde" if shop[key].pk in ids}

    assert names({"op": "all", "conditions": [gold, tagged]}) == {"a"}
    assert names({"op": "any", "conditions": [gold, tagged]}) == {"a", "c", "d"}
    assert names({"op": "none", "conditions": [gold, tagged]}) == {"b", "e"}
    # "30 天未消费 + 曾购买护肤品"
    idle = {"field": "days_since_last_order", "operator": "gte", "value": 30}
    skincare = {"field": "bought_category", "operator": "yes", "value": shop["skincare"].pk}
    assert names({"op": "all", "conditions": [idle, skincare]}) == {"d"}
    nested = {"op": "any", "conditions": [{"op": "all", "conditions": [idle, skincare]}, tagged]}
    assert names(nested) == {"a", "c", "d"}
    assert names({"op": "all", "conditions": []}) == {"a", "b", "c", "d", "e"}


@pytest.mark.parametrize(
    "rules",
    [
        {"op": "xor", "conditions": []},
        {"op": "all", "conditions": [{"field": "nope", "operator": "in", "value": [1]}]},
        {"op": "all", "conditions": [{"field": "tier", "operator": "gte", "value": 1}]},
        {"op": "all", "conditions": [{"field": "spend", "operator": "gte", "value": "100"}]},
        {"op": "all", "conditions": [{"field": "spend", "operator": "gte", "value": 1, "days": 0}]},
        {"op": "all", "conditions": [{"field": "birthday_month", "operator": "in", "value": [13]}]},
        {"op": "all", "conditions": [{"field": "took_part", "operator": "yes", "value": "lottery"}]},
        {"op": "all", "conditions": [{"field": "tier", "operator": "in", "value": []}]},
    ],
)
def test_bad_trees_are_refused(rules):
    with pytest.raises(SegmentRulesInvalid):
        segment_count(rules)


def test_a_count_is_one_statement(shop, django_assert_num_queries):
    rules = {
        "op": "all",
        "conditions": [
            {"field": "spend", "operator": "gte", "value": 100, "days": 90},
            {"field": "tag", "operator": "not_has", "value": shop["tag"].pk},
            {"field": "took_part", "operator": "no", "value": "coupon"},
            {"field": "points_balance", "operator": "lte", "value": 1000},
        ],
    }
    with django_assert_num_queries(1):
        segment_count(rules)


def test_save_export_import_and_the_command(shop, tmp_path: Path, capsys):
    rules = {"op": "all", "conditions": [{"field": "tier", "operator": "in", "value": ["gold"]}]}
    segment = segment_save(actor=None, name="金卡", rules=rules)
    assert segment.member_count == 2
    with pytest.raises(SegmentNameTaken):
        segment_save(actor=None, name="金卡", rules=rules)
    text = segment_export(segment=segment)
    Segment.objects.filter(pk=segment.pk).update(name="旧金卡")
    imported = segment_import(actor=None, text=text)
    assert (imported.name, imported.rules, imported.member_count) == ("金卡", rules, 2)
    with pytest.raises(SegmentRulesInvalid):
        segment_import(actor=None, text="{not json")
    path = tmp_path / "rules.json"
    path.write_text(json.dumps(rules), encoding="utf-8")
    call_command("segment_count", str(path))
    assert json.loads(capsys.readouterr().out) == {"count": 2}
    path.write_text(text, encoding="utf-8")
    call_command("segment_count", str(path))
    assert json.loads(capsys.readouterr().out) == {"count": 2}
