"""Compiled rules: built once per promotion tuple, indexed by what they cover."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import ClassVar, cast

import pytest

from marketing.pricing import (
    BuyXGetY,
    CouponSpec,
    FlashSale,
    FullGift,
    FullReduction,
    LimitedDiscount,
    NthItem,
    PricingError,
    Promotion,
    ReductionTier,
    Scope,
    ShopperInfo,
    quote,
)
from marketing.pricing.rulebook import compile_rules, rules_for
from marketing.pricing.rules import OrderOutcome, RuleContext, coupon_rule
from marketing.pricing.rules.base import OUTCOMES_KEPT, RECORDS_KEPT
from marketing.pricing.state import ScopeLines
from marketing.pricing.types import Allocation, AppliedRule, RejectedRule, RuleSpec, StackingPolicy
from marketing.tests.pricing.builders import AT, make_request, rate, yuan


def _promotions() -> tuple[FlashSale | LimitedDiscount | FullReduction, ...]:
    return (
        FlashSale(id="f-a", sku="A", price=yuan("1")),
        FlashSale(id="f-z", sku="Z", price=yuan("1")),
        LimitedDiscount(id="one-product", rate=rate("0.9"), scope=Scope(skus=frozenset({"B"}))),
        LimitedDiscount(id="beauty", rate=rate("0.8"), scope=Scope(categories=frozenset({"美妆"}))),
        FullReduction(id="full", tiers=(ReductionTier(yuan("10"), yuan("1")),)),
    )


def test_the_same_tuple_is_compiled_once_and_gives_the_same_quote() -> None:
    promos = _promotions()
    assert rules_for(promos) is rules_for(promos)
    cached = quote(make_request([("A", "美妆", "20.00", 1), ("B", "x", "20.00", 1)], promotions=promos))
    fresh = quote(make_request([("A", "美妆", "20.00", 1), ("B", "x", "20.00", 1)], promotions=_promotions()))
    assert cached == fresh


def test_one_product_rules_are_indexed_by_sku() -> None:
    book = compile_rules(_promotions())
    assert sorted(book.item_rules.by_sku) == ["A", "B", "Z"]
    assert [r.id for r in book.item_rules.scoped] == ["beauty"]
    absent: list[RejectedRule] = []
    rules = book.item_rules.for_cart({"A": (0,)}, absent)
    assert sorted(r.id for r in rules) == ["beauty", "f-a"]
    assert sorted((r.rule_id, r.reason) for r in absent) == [("f-z", "out_of_scope"), ("one-product", "out_of_scope")]


def test_equal_scopes_are_shared() -> None:
    promos = (
        LimitedDiscount(id="a", rate=rate("0.9"), scope=Scope(categories=frozenset({"美妆"}))),
        LimitedDiscount(id="b", rate=rate("0.8"), scope=Scope(categories=frozenset({"美妆"}))),
    )
    first, second = compile_rules(promos).item_rules.scoped
    assert first.scope is second.scope


def test_duplicate_ids_and_unknown_types_are_refused() -> None:
    with pytest.raises(PricingError, match="share an id"):
        compile_rules((FlashSale(id="x", sku="A", price=1), FlashSale(id="x", sku="B", price=1)))

    @dataclass(frozen=True, kw_only=True)
    class Mystery(RuleSpec):
        type: ClassVar[str] = "mystery"

    with pytest.raises(PricingError, match="no rule for promotion type 'mystery'"):
        compile_rules(cast(tuple[Promotion, ...], (Mystery(id="m"),)))


def test_a_cart_shape_is_planned_once_and_quantities_do_not_replan() -> None:
    """Which rules touch which lines is worked out once per cart shape and rules version; a
    quantity change keeps the plan, another product makes a new one, results stay equal."""
    promos = _promotions()
    book = rules_for(promos)
    two = [("A", "美妆", "20.00", 1), ("B", "x", "20.00", 1)]
    first = quote(make_request(two, promotions=promos))
    plans = dict(book.plans)
    assert len(plans) == 1
    (item_plan, order_plan) = next(iter(plans.values()))
    assert sorted(rule.id for rule, _ in item_plan.covered) == ["beauty", "f-a", "one-product"]
    assert [(r.rule_id, r.reason) for r in item_plan.absent] == [("f-z", "out_of_scope")]
    assert [(rule.id, positions) for rule, positions in order_plan.covered] == [("full", (0, 1))]

    more = quote(make_request([("A", "美妆", "20.00", 3), ("B", "x", "20.00", 2)], promotions=promos))
    assert book.plans == plans  # the same shape: no new plan
    assert more.payable != first.payable
    assert more == quote(make_request([("A", "美妆", "20.00", 3), ("B", "x", "20.00", 2)], promotions=_promotions()))

    quote(make_request([*two, ("Z", "x", "5.00", 1)], promotions=promos))
    assert len(book.plans) == 2


def test_item_offers_are_ranked_once_per_shape_and_prices() -> None:
    """Each line's item offers are ranked once per cart shape, list prices and member tier;
    other quantities reuse the ranking, a price change ranks again."""
    promos = _promotions()
    book = rules_for(promos)
    quote(make_request([("A", "美妆", "20.00", 1), ("B", "x", "20.00", 1)], promotions=promos))
    (item_plan, _) = next(iter(book.plans.values()))
    ((_, ranking),) = item_plan.rankings.items()
    offers = [[(price, rule_id) for price, _special, rule_id, _i in line] for line in ranking.ranked]
    assert offers == [[(yuan("1"), "f-a"), (yuan("16"), "beauty")], [(yuan("18"), "one-product")]]

    quote(make_request([("A", "美妆", "20.00", 4), ("B", "x", "20.00", 2)], promotions=promos))
    assert list(item_plan.rankings.values()) == [ranking]
    dearer = quote(make_request([("A", "美妆", "30.00", 4), ("B", "x", "20.00", 2)], promotions=promos))
    assert len(item_plan.rankings) == 2
    assert [line.unit_price for line in dearer.lines] == [yuan("1"), yuan("18")]


def test_equal_positions_are_one_tuple_in_a_plan() -> None:
    """Order promotions over the same lines share one tuple, so the order step tells their
    scopes apart by identity."""
    promos = (
        FullReduction(id="shop", tiers=(ReductionTier(yuan("10"), yuan("1")),)),
        FullReduction(id="beauty", tiers=(ReductionTier(yuan("10"), yuan("2")),), scope=_beauty()),
    )
    book = rules_for(promos)
    quote(make_request([("A", "美妆", "20.00", 1), ("C", "美妆", "20.00", 1)], promotions=promos))
    (_, order_plan) = next(iter(book.plans.values()))
    (_, shop), (_, beauty) = sorted(order_plan.covered, key=lambda pair: pair[0].id)
    assert shop == beauty == (0, 1)
    assert shop is beauty


def _beauty() -> Scope:
    return Scope(categories=frozenset({"美妆"}))


def test_a_coupon_rule_is_built_once_per_spec_and_shared_scopes_are_measured_once() -> None:
    """Wallet coupons over the same scope are judged from one measurement per quote; each
    verdict is the one the coupon gets alone."""
    spec = CouponSpec(id="c-10", kind="amount_off", group="shop", threshold=yuan("30"), off=yuan("10"))
    assert coupon_rule(spec) is coupon_rule(spec)
    wallet = (
        spec,
        CouponSpec(id="c-95", kind="rate_off", group="shop", rate=rate("0.95")),
        CouponSpec(id="p-50", kind="amount_off", group="platform", threshold=yuan("50"), off=yuan("5")),
        CouponSpec(id="beauty-3", kind="no_threshold", group="category", scope=_beauty(), off=yuan("3")),
    )
    cart = [("A", "美妆", "20.00", 1), ("B", "x", "20.00", 1)]
    verdicts = quote(make_request(cart, coupons=wallet)).coupons
    together = {v.coupon_id: (v.usable, v.reason, v.discount) for v in verdicts}
    for coupon in wallet:
        (alone,) = quote(make_request(cart, coupons=(coupon,))).coupons
        assert together[coupon.id] == (alone.usable, alone.reason, alone.discount)
    assert together == {
        "c-10": (True, None, yuan("10")),
        "c-95": (True, None, yuan("2")),
        "p-50": (False, "threshold_not_met", 0),
        "beauty-3": (True, None, yuan("3")),
    }


def test_an_order_rule_keeps_its_outcome_per_amount_and_the_same_answer_as_a_fresh_rule() -> None:
    """满减 and 满赠 (below its threshold) give what the scope amount alone decides, so a rule
    keeps that outcome by amount; an amount seen again gets the very record, and a rule that
    has kept ``OUTCOMES_KEPT`` amounts starts over instead of growing."""
    ladder = FullReduction(
        id="ladder", tiers=(ReductionTier(yuan("100"), yuan("10")), ReductionTier(yuan("200"), yuan("30")))
    )
    gift = FullGift(id="gift", threshold=yuan("150"), gift_sku="G")
    used = {spec.id: compile_rules((spec,)).order_rules.scoped[0] for spec in (ladder, gift)}
    ctx = RuleContext(at=AT, shopper=ShopperInfo(tier="", points=0), policy=StackingPolicy(), price_of=lambda sku: 500)

    def outcome(rule_id: str, amount: int) -> OrderOutcome:
        return used[rule_id].evaluate(ScopeLines([], amount, 1), ctx)

    for rule_id in used:
        for amount in (yuan("99.99"), yuan("120"), yuan("250"), yuan("120")):
            fresh = compile_rules((ladder if rule_id == "ladder" else gift,)).order_rules.scoped[0]
            assert outcome(rule_id, amount) == fresh.evaluate(ScopeLines([], amount, 1), ctx)
        assert outcome(rule_id, yuan("120")) is outcome(rule_id, yuan("120"))
    assert outcome("ladder", yuan("120"))[0] == yuan("10")
    hint = outcome("ladder", yuan("120")).hint
    assert hint is not None and hint.short_by == yuan("80")  # 再买 ¥80 可减 ¥30
    assert outcome("gift", yuan("250")).gifts == (("G", 1),)  # reached: priced per quote, not kept
    assert yuan("250") not in used["gift"].outcomes
    for amount in range(OUTCOMES_KEPT + 5):
        outcome("ladder", amount)
    assert len(used["ladder"].outcomes) <= OUTCOMES_KEPT


def test_a_rule_hands_every_quote_the_same_records_for_the_same_amounts_and_stays_bounded() -> None:
    """Item and order promotions' allocations and applied records are immutable and follow from
    the rule and an amount, so a rule keeps them by amount: a cart priced again gets the very
    records, they equal a freshly compiled book's, a kept record with other gifts is never
    handed out, and a rule keeps at most ``RECORDS_KEPT`` of each."""
    promotions: tuple[Promotion, ...] = (
        FlashSale(id="flash", sku="A", price=yuan("5")),
        LimitedDiscount(id="beauty", rate=rate("0.8"), scope=Scope(categories=frozenset({"美妆"}))),
        NthItem(id="second-half", n=2, rate=rate("0.5"), scope=Scope(skus=frozenset({"C"}))),
        BuyXGetY(id="bxgy", buy_sku="C", buy_qty=1, gift_sku="G"),
        FullReduction(id="full", tiers=(ReductionTier(yuan("10"), yuan("1")),)),
    )
    items = [("A", "零食", "9.90", 2), ("B", "美妆", "30", 1), ("C", "服饰", "12", 3)]
    extra = [("G", "服饰", "4")]
    first = quote(make_request(items, extra_catalog=extra, promotions=promotions))
    again = quote(make_request(items, extra_catalog=extra, promotions=promotions))
    fresh = quote(make_request(items, extra_catalog=extra, promotions=tuple(replace(p) for p in promotions)))
    assert again == first == fresh
    assert {(a.rule_id, a.level) for a in first.applied} >= {
        ("flash", "item"),
        ("beauty", "item"),
        ("second-half", "order"),
        ("bxgy", "order"),
        ("full", "order"),
    }
    for kept_record, same in zip(first.applied, again.applied, strict=True):
        if kept_record.level in ("item", "order"):
            assert kept_record is same
    for line, same_line in zip(first.lines, again.lines, strict=True):
        assert line.allocations[0] is same_line.allocations[0]  # the item price's, or the gift's

    book = rules_for(promotions)
    (bxgy,) = [rule for rule in book.order_rules.by_sku["C"][0] if rule.id == "bxgy"]
    record = next(a for a in first.applied if a.rule_id == "bxgy")
    bxgy.applied_records[record.amount] = AppliedRule("bxgy", record.rule_type, "order", record.amount, (("X", 9),))
    third = quote(make_request(items, extra_catalog=extra, promotions=promotions))
    assert third == first and next(a for a in third.applied if a.rule_id == "bxgy").gifts == (("G", 3),)

    flash = book.item_rules.by_sku["A"][0][0]
    for amount in range(RECORDS_KEPT + 5):
        assert flash.allocation(amount) == Allocation("flash", "flash_sale", amount)
        assert flash.applied_record(amount) == AppliedRule("flash", "flash_sale", "item", amount)
    assert flash.allocations[RECORDS_KEPT + 4] == Allocation("flash", "flash_sale", RECORDS_KEPT + 4)
    assert len(flash.allocations) <= RECORDS_KEPT and len(flash.applied_records) <= RECORDS_KEPT
