"""Automatic tags at their thresholds (F32), set-based and idempotent, and the RFM groups."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from members.models import MemberRfm, MemberTag, RfmGroup, Tag, TagRule, TagRuleKey
from members.people_errors import TagRuleParamsInvalid
from members.services.tags import rfm_recompute, rule_text, tag_rule_update, tags_recompute
from members.tests.people.factories import shopper, spend
from orders.models import OrderStatus
from orders.tests.factories import CategoryFactory, ProductFactory, SkuFactory

pytestmark = pytest.mark.django_db


def tagged(name: str) -> set[int]:
    return set(MemberTag.objects.filter(tag__name=name).values_list("member_id", flat=True))


def test_high_spend_at_its_threshold():
    tag_rule_update(actor=None, key=TagRuleKey.HIGH_SPEND, params={"days": 30, "min_spend": 50_000})
    exactly, below, old, refunded = shopper(), shopper(), shopper(), shopper()
    spend(exactly, days_ago=1, amount=30_000)
    spend(exactly, days_ago=29, amount=20_000)  # 500.00 in 30 days: tagged
    spend(below, days_ago=1, amount=49_999)
    spend(old, days_ago=31, amount=90_000)  # outside the window
    spend(refunded, days_ago=2, amount=60_000, refunded=20_000)  # net 400.00
    spend(below, days_ago=2, amount=99_000, status=OrderStatus.CANCELLED)  # not spending
    tags_recompute()
    assert tagged("高消费") == {exactly.pk}


def test_high_frequency_at_its_threshold():
    tag_rule_update(actor=None, key=TagRuleKey.HIGH_FREQUENCY, params={"days": 90, "min_orders": 3})
    three, two = shopper(), shopper()
    for days in (1, 40, 89):
        spend(three, days_ago=days)
    spend(two, days_ago=1)
    spend(two, days_ago=2)
    spend(two, days_ago=91)
    tags_recompute()
    assert tagged("高频购买") == {three.pk}


def test_price_sensitive_when_most_orders_were_discounted():
    tag_rule_update(actor=None, key=TagRuleKey.PRICE_SENSITIVE, params={"days": 365, "min_orders": 2, "min_share": 60})
    three_of_five, two_of_four, one_only = shopper(), shopper(), shopper()
    for i in range(5):
        spend(three_of_five, days_ago=i + 1, discount=500 if i < 3 else 0)  # 60%
    for i in range(4):
        spend(two_of_four, days_ago=i + 1, discount=500 if i < 2 else 0)  # 50%
    spend(one_only, days_ago=1, discount=500)  # 100% but one order
    tags_recompute()
    assert tagged("价格敏感") == {three_of_five.pk}


def test_category_preference_by_share_of_spend():
    tag_rule_update(actor=None, key=TagRuleKey.PREFERS_CATEGORY, params={"days": 365, "min_share": 50})
    beauty = CategoryFactory.create(name="美妆")
    food = CategoryFactory.create(name="食品")
    skincare = CategoryFactory.create(name="护肤", parent=beauty)
    cream = SkuFactory.create(product=ProductFactory.create(category=skincare))
    snack = SkuFactory.create(product=ProductFactory.create(category=food))
    half, less = shopper(), shopper()
    spend(half, days_ago=1, amount=5_000, sku=cream)  # a sub-category counts for its top
    spend(half, days_ago=2, amount=5_000, sku=snack)
    spend(less, days_ago=1, amount=4_999, sku=cream)
    spend(less, days_ago=2, amount=5_001, sku=snack)
    tags_recompute()
    assert Tag.objects.get(name="偏好美妆").category == beauty
    assert tagged("偏好美妆") == {half.pk}
    assert tagged("偏好食品") == {half.pk, less.pk}


def test_new_and_dormant_shoppers():
    tag_rule_update(actor=None, key=TagRuleKey.NEW_SHOPPER, params={"days": 30})
    tag_rule_update(actor=None, key=TagRuleKey.DORMANT, params={"days": 90})
    now = timezone.now()
    new = shopper(joined=now - dt.timedelta(days=29))
    older = shopper(joined=now - dt.timedelta(days=31))
    asleep, awake, never = shopper(), shopper(), shopper()
    spend(asleep, days_ago=91)
    spend(awake, days_ago=91)
    spend(awake, days_ago=89)
    tags_recompute()
    assert new.pk in tagged("新客") and older.pk not in tagged("新客")
    assert tagged("沉睡") == {asleep.pk}
    assert never.pk not in tagged("沉睡")


def test_recompute_is_idempotent_and_removes_who_no_longer_matches():
    tag_rule_update(actor=None, key=TagRuleKey.HIGH_FREQUENCY, params={"days": 90, "min_orders": 2})
    member = shopper()
    first = spend(member, days_ago=1)
    spend(member, days_ago=2)
    assert tags_recompute().added >= 1
    again = tags_recompute()
    assert again.added == 0 and again.removed == 0
    assert tagged("高频购买") == {member.pk}
    first.refunded_amount = first.payable_amount
    first.save(update_fields=["refunded_amount"])
    type(first).objects.filter(pk=first.pk).update(status=OrderStatus.REFUNDED)
    tags_recompute(member_ids=[member.pk])
    assert tagged("高频购买") == set()


def test_a_disabled_rule_clears_its_tag():
    member = shopper()
    for days in (1, 2, 3):
        spend(member, days_ago=days)
    tags_recompute()
    assert member.pk in tagged("高频购买")
    tag_rule_update(actor=None, key=TagRuleKey.HIGH_FREQUENCY, params={}, is_enabled=False)
    tags_recompute()
    assert tagged("高频购买") == set()


def test_thresholds_are_checked_and_the_rule_is_said_in_words():
    with pytest.raises(TagRuleParamsInvalid):
        tag_rule_update(actor=None, key=TagRuleKey.HIGH_SPEND, params={"min_spend": -1})
    with pytest.raises(TagRuleParamsInvalid):
        tag_rule_update(actor=None, key=TagRuleKey.HIGH_SPEND, params={"days": "30"})
    rule = tag_rule_update(actor=None, key=TagRuleKey.HIGH_SPEND, params={"days": 30, "min_spend": 88_800})
    assert TagRule.objects.get(pk=rule.pk).params == {"days": 30, "min_spend": 88_800}
    from django.utils import translation

    with translation.override("zh-hans"):
        assert rule_text(rule.key, rule.params) == "近 30 天实付金额 ≥ ¥888.00"


def test_rfm_quintiles_map_to_named_groups():
    members = [shopper() for _ in range(10)]
    # Shopper i: last order i*10 days ago, i+1 orders, (i+1)*1000 each: recent ones buy less.
    for i, member in enumerate(members):
        for k in range(i + 1):
            spend(member, days_ago=i * 10 + k * 0.01, amount=(i + 1) * 1_000)
    never = shopper()
    assert rfm_recompute() == 10
    rows = {row.member_id: row for row in MemberRfm.objects.all()}
    assert never.pk not in rows
    first, last = rows[members[0].pk], rows[members[-1].pk]
    assert (first.r_score, first.f_score, first.m_score) == (5, 1, 1)
    assert (last.r_score, last.f_score, last.m_score) == (1, 5, 5)
    assert first.group == RfmGroup.GENERAL_DEVELOP
    assert last.group == RfmGroup.IMPORTANT_KEEP
    assert last.frequency == 10 and last.monetary == 100_000 and last.recency_days == 90
    # Equal values get equal scores; every score is a quintile 1..5.
    assert {row.r_score for row in rows.values()} == {1, 2, 3, 4, 5}
    assert rfm_recompute() == 10  # again: same rows
    assert MemberRfm.objects.count() == 10


def test_order_completion_refreshes_the_shoppers_tags(django_capture_on_commit_callbacks):
    from members.services.tags import member_tags_refresh_after_commit

    member = shopper()
    for days in (1, 2, 3):
        spend(member, days_ago=days)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        member_tags_refresh_after_commit(member_id=member.pk)
    assert len(callbacks) == 1
    from members.people_tasks import member_tags_refresh_task

    member_tags_refresh_task.run(member_id=member.pk)
    assert member.pk in tagged("高频购买")
