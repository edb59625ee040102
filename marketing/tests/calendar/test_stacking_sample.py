"""The overlap detail's sample cart on worked examples: which discounts stack, which are beaten
and why (the engine's explanation in the merchant's words), and the margin against cost.

Each example is written like a pricing scenario (rules in the scenario vocabulary, yuan strings)
plus the outcome expected per campaign.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
import time_machine
from django.contrib.auth.models import User

from mall.models import ShopSettings, Sku
from marketing.selectors.campaign_stacking import stacking_sample
from marketing.tests.calendar.helpers import NOW, campaign, sku

pytestmark = pytest.mark.django_db

MINUS_15 = {"type": "full_reduction", "rules": {"tiers": [{"threshold": "100.00", "off": "15.00"}]}}
MINUS_10 = {"type": "full_reduction", "rules": {"tiers": [{"threshold": "100.00", "off": "10.00"}]}}
EIGHTY = {"type": "limited_discount", "rules": {"rate": "0.8"}}
NINETY = {"type": "limited_discount", "rules": {"rate": "0.9"}}

EXAMPLES: list[dict[str, Any]] = [
    {
        "name": "two 满减 of one type: the policy keeps the better one, the other is beaten",
        "first": {"promotions": [MINUS_15]},
        "second": {"promotions": [MINUS_10]},
        "expect": {
            "payable": 8500,
            "margin": Decimal("29.4"),
            "outcomes": ("alone", "beaten"),
            "saved": (1500, 0),
            "reason": "已有更优惠的同类优惠（同类的「甲 规则1」优惠更多）",
        },
    },
    {
        "name": "a 满减 and a shop coupon stack",
        "first": {"promotions": [MINUS_15]},
        "second": {"coupons": [{"kind": "no_threshold", "off": "20.00"}]},
        "expect": {
            "payable": 6500,
            "margin": Decimal("7.7"),
            "outcomes": ("stacked", "stacked"),
            "saved": (1500, 2000),
        },
    },
    {
        "name": "two 限时折扣: one item price per line, the lower wins",
        "first": {"promotions": [NINETY]},
        "second": {"promotions": [EIGHTY]},
        "expect": {
            "payable": 8000,
            "margin": Decimal("25.0"),
            "outcomes": ("beaten", "alone"),
            "saved": (0, 2000),
            "reason": "已有更优惠的同类优惠",
        },
    },
]


@pytest.fixture
def lipstick(db: Any) -> Sku:
    return sku("LIP-01", "100.00", "60.00")


@pytest.mark.parametrize("example", EXAMPLES, ids=[e["name"] for e in EXAMPLES])
def test_worked_examples(example: dict[str, Any], staff: User, lipstick: Sku) -> None:
    with time_machine.travel(NOW, tick=False):
        first = campaign(staff, "甲", publish=True, **example["first"])
        second = campaign(staff, "乙", **example["second"])
        sample = stacking_sample(campaign_ids=[first.pk, second.pk], now=NOW)
    expect = example["expect"]
    assert sample.error == ""
    assert [(s.code, q) for s, q in sample.cart] == [("LIP-01", 1)]  # one unit reaches ¥100
    assert sample.payable == expect["payable"]
    assert sample.cost == 6000
    assert sample.margin_percent == expect["margin"]
    outcomes = {o.campaign.pk: o for o in sample.outcomes}
    assert (outcomes[first.pk].outcome, outcomes[second.pk].outcome) == expect["outcomes"]
    assert (outcomes[first.pk].saved, outcomes[second.pk].saved) == expect["saved"]
    beaten = [o for o in sample.outcomes if o.outcome == "beaten"]
    for outcome in beaten:
        winner = next(o for o in sample.outcomes if o is not outcome)
        assert outcome.beaten_by == (winner.campaign.name,)
        assert outcome.rejected[0].reason == expect["reason"]
        assert "conflict" not in outcome.rejected[0].reason  # words, never the engine's code
        assert outcome.outcome_label == "被其他活动压过"


def test_three_campaigns_at_once(staff: User, lipstick: Sku) -> None:
    """满减 beats 满减, the coupon stacks on the winner: ¥100 − 15 − 20 = ¥65."""
    with time_machine.travel(NOW, tick=False):
        first = campaign(staff, "甲", publish=True, promotions=[MINUS_15])
        second = campaign(staff, "乙", promotions=[MINUS_10])
        third = campaign(staff, "丙", coupons=[{"kind": "no_threshold", "off": "20.00"}])
        sample = stacking_sample(campaign_ids=[first.pk, second.pk, third.pk], now=NOW)
    assert sample.payable == 6500
    assert [(o.campaign.name, o.outcome, o.saved) for o in sample.outcomes] == [
        ("甲", "stacked", 1500),
        ("乙", "beaten", 0),
        ("丙", "stacked", 2000),
    ]
    beaten = sample.outcome_of(second.pk)
    assert beaten is not None and beaten.beaten_by == ("甲",)  # the coupon is another level: not a winner over 乙


def test_the_cart_is_built_up_to_the_highest_threshold_and_can_be_edited(staff: User, lipstick: Sku) -> None:
    cheap = sku("MASK-01", "30.00", "10.00")
    big = {
        "type": "full_reduction",
        "rules": {"tiers": [{"threshold": "100.00", "off": "10.00"}, {"threshold": "250.00", "off": "40.00"}]},
    }
    with time_machine.travel(NOW, tick=False):
        first = campaign(staff, "甲", publish=True, promotions=[big], skus=(cheap.pk, lipstick.pk))
        second = campaign(staff, "乙", promotions=[EIGHTY], skus=(cheap.pk,))
        auto = stacking_sample(campaign_ids=[first.pk, second.pk], now=NOW)
        edited = stacking_sample(campaign_ids=[first.pk, second.pk], now=NOW, cart=[(cheap, 1)])
    assert auto.shared_sku_ids == (cheap.pk,) and auto.shared_shown == (cheap,)
    assert [(s.code, q) for s, q in auto.cart] == [("MASK-01", 9)]  # 9 × ¥30 ≥ ¥250
    # 8折 on ¥270 = ¥216 (item price), then 满100减10 on ¥216: the two stack, margin vs ¥90 cost
    assert auto.payable == 21600 - 1000
    assert {o.campaign.name: o.outcome for o in auto.outcomes} == {"甲": "stacked", "乙": "stacked"}
    # the merchant's own cart: ¥24 after 8折 never reaches ¥100, so 甲 does not apply, and says why
    first_outcome = edited.outcome_of(first.pk)
    assert first_outcome is not None and first_outcome.outcome == "not_applicable"
    assert first_outcome.rejected[0].reason == "未达到使用门槛（适用商品合计 ¥24.00，未达到门槛 ¥100.00）"
    assert edited.payable == 2400


def test_margin_unknown_without_cost_and_the_floor_flag(staff: User) -> None:
    no_cost = sku("NOCOST", "100.00", None)
    ShopSettings.objects.update_or_create(pk=1, defaults={"margin_floor_percent": 20})
    with time_machine.travel(NOW, tick=False):
        first = campaign(staff, "甲", publish=True, promotions=[MINUS_15])
        second = campaign(staff, "乙", coupons=[{"kind": "no_threshold", "off": "20.00"}])
        unknown = stacking_sample(campaign_ids=[first.pk, second.pk], now=NOW)
        known = sku("COST", "100.00", "60.00")
        priced = stacking_sample(campaign_ids=[first.pk, second.pk], now=NOW, cart=[(known, 1)])
    assert unknown.cart[0][0] == no_cost
    assert (unknown.margin_percent, unknown.missing_cost, unknown.below_floor) == (None, ("商品 NOCOST",), False)
    assert (priced.margin_percent, priced.floor_percent, priced.below_floor) == (Decimal("7.7"), 20, True)


def test_campaigns_without_shared_goods_get_no_cart(staff: User) -> None:
    a, b = sku("A-1", "100.00", "50.00"), sku("B-1", "100.00", "50.00", category="零食")
    with time_machine.travel(NOW, tick=False):
        first = campaign(staff, "甲", publish=True, promotions=[MINUS_15], skus=(a.pk,))
        second = campaign(staff, "乙", promotions=[MINUS_10], skus=(b.pk,))
        sample = stacking_sample(campaign_ids=[first.pk, second.pk], now=NOW)
    assert sample.cart == () and sample.error == "这些活动没有共同的商品，不会在同一件商品上叠加。"


def test_the_sample_costs_a_fixed_number_of_queries(staff: User, lipstick: Sku, django_assert_num_queries: Any) -> None:
    """However many campaigns are compared: one query per tool kind for the scopes, the rule
    load (with the shop's shipping rule), the wallet's templates, the SKUs and their costs."""
    coupon = {"kind": "no_threshold", "off": "5.00"}
    with time_machine.travel(NOW, tick=False):
        ids = [
            campaign(staff, f"活动{i}", publish=i == 0, promotions=[MINUS_15, EIGHTY], coupons=[coupon]).pk
            for i in range(4)
        ]
        stacking_sample(campaign_ids=ids[:2], now=NOW)  # the ShopSettings row exists from here on
        with django_assert_num_queries(27):
            two = stacking_sample(campaign_ids=ids[:2], now=NOW)
        with django_assert_num_queries(27):
            four = stacking_sample(campaign_ids=ids, now=NOW)
    assert len(two.outcomes) == 2 and len(four.outcomes) == 4
