"""Compiled rules: built once per promotion tuple, indexed by what they cover."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar, cast

import pytest

from marketing.pricing import (
    FlashSale,
    FullReduction,
    LimitedDiscount,
    PricingError,
    Promotion,
    ReductionTier,
    Scope,
    quote,
)
from marketing.pricing.rulebook import compile_rules, rules_for
from marketing.pricing.types import RejectedRule, RuleSpec
from marketing.tests.pricing.builders import make_request, rate, yuan


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
