"""The stacking policy and tier rates: validated, audited, effective at the next quote."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

import pytest
from django.contrib.auth.models import User

from mall.models import AuditLog, Sku
from marketing.errors import RulesInvalid
from marketing.models import CouponTemplate, PricingPolicy, TierRate
from marketing.selectors.checkout_pricing import quote_for_checkout
from marketing.selectors.pricing_rules import VERSION_KEY, pricing_rules_active
from marketing.services.coupons import coupon_claim
from marketing.services.policy import PolicyData, pricing_policy_update, tier_rate_set
from marketing.tests.conftest import grant_points
from members.models import Member
from members.tests.fixtures import SHOPPER_CONTEXT

pytestmark = pytest.mark.django_db


def test_default_policy_is_the_scenarios_readme(db: object) -> None:
    rules = pricing_rules_active()
    assert rules.policy.coupon_groups == ("shop", "category", "platform")
    assert rules.policy.points_cap_rate == Decimal("0.5")
    assert rules.policy.points_per_yuan == 100
    assert not rules.policy.special_price_lines_join_order_promotions
    assert dict(rules.tier_rates) == {
        "normal": Decimal("1"),
        "silver": Decimal("0.95"),
        "gold": Decimal("0.9"),
        "diamond": Decimal("0.85"),
    }


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"points_cap_rate": Decimal("1.5")}, "points_cap_rate"),
        ({"points_per_yuan": 0}, "points_per_yuan"),
        ({"coupons_per_group": 0}, "coupons_per_group"),
        ({"same_type": "random"}, "same_type"),
    ],
)
def test_bad_policies_are_refused(staff: User, overrides: dict, field: str) -> None:
    with pytest.raises(RulesInvalid) as caught:
        pricing_policy_update(actor=staff, data=PolicyData(**overrides))
    assert field in caught.value.details["errors"]


def test_points_cap_change_takes_effect_at_once_and_is_audited(
    staff: User, member: Member, lipstick: Sku, shop: object
) -> None:
    grant_points(member, 100_000)
    before = quote_for_checkout(member=member, items=[(lipstick, 1)], points="max")
    assert before.points_used == 5000
    cache_version = pricing_rules_active().version
    pricing_policy_update(actor=staff, data=PolicyData(points_cap_rate=Decimal("0.2")))
    assert pricing_rules_active().version != cache_version
    after = quote_for_checkout(member=member, items=[(lipstick, 1)], points="max")
    assert after.points_used == 2000
    log = AuditLog.objects.get(action="pricing_policy.update")
    assert (log.actor, log.data["before"]["points_cap_rate"], log.data["after"]["points_cap_rate"]) == (
        staff,
        "0.500",
        "0.2",
    )
    assert PricingPolicy.load().updated_by == staff


def test_coupon_groups_that_do_not_stack_are_used_alone(
    staff: User,
    member: Member,
    lipstick: Sku,
    shop: object,
    make_template: Callable[..., CouponTemplate],
) -> None:
    shop_coupon = coupon_claim(context=SHOPPER_CONTEXT, member=member, template_id=make_template(off=2000).pk)
    category_coupon = coupon_claim(
        context=SHOPPER_CONTEXT, member=member, template_id=make_template(group="category", off=1000).pk
    )
    both = quote_for_checkout(member=member, items=[(lipstick, 1)], coupon_ids=None)
    assert set(both.coupon_ids) == {shop_coupon.pk, category_coupon.pk}
    pricing_policy_update(actor=staff, data=PolicyData(category_coupons_stack=False))
    alone = quote_for_checkout(member=member, items=[(lipstick, 1)], coupon_ids=None)
    assert alone.coupon_ids == (shop_coupon.pk,)


def test_tier_rate_change_reprices_gold_members_at_once(
    staff: User, member: Member, lipstick: Sku, shop: object
) -> None:
    Member.objects.filter(pk=member.pk).update(tier="gold")
    member.refresh_from_db()
    assert quote_for_checkout(member=member, items=[(lipstick, 1)]).lines[0].unit_price == 9000
    tier_rate_set(actor=staff, tier="gold", rate=Decimal("0.8"))
    quote = quote_for_checkout(member=member, items=[(lipstick, 1)])
    assert quote.lines[0].unit_price == 8000
    assert quote.lines[0].item_rule == {"rule_id": "tier:gold", "rule_type": "tier_rate", "name": "会员折扣"}
    assert TierRate.objects.get(tier="gold").rate == Decimal("0.8")
    assert AuditLog.objects.filter(action="tier_rate.set", actor=staff).exists()


def test_tier_rate_must_lie_in_zero_to_one(staff: User) -> None:
    with pytest.raises(RulesInvalid):
        tier_rate_set(actor=staff, tier="gold", rate=Decimal("1.1"))
    with pytest.raises(RulesInvalid):
        tier_rate_set(actor=staff, tier="emperor", rate=Decimal("0.5"))


def test_the_cache_version_survives_a_cache_clear(db: object) -> None:
    from django.core.cache import cache

    first = pricing_rules_active()
    cache.delete(VERSION_KEY)
    assert pricing_rules_active().version != first.version
