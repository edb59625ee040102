"""Every scenario file is a test: the brief's worked examples and our own, at engine level."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from marketing.pricing import PricingError, Quote, load_scenario, mismatches, quote
from marketing.pricing import reasons as reason_codes
from marketing.pricing.rules import COUPON_RULES, ITEM_RULES, ORDER_RULES
from marketing.pricing.scenario import scenario_shipping
from marketing.tests.pricing.builders import SCENARIOS, check_invariants

BRIEF = sorted((SCENARIOS / "brief").glob("*.json"))
OWN = sorted((SCENARIOS / "own").glob("*.json"))


def _run(path: Path) -> Quote | PricingError:
    scenario = load_scenario(path)
    try:
        return quote(scenario.request)
    except PricingError as exc:
        return exc


@pytest.mark.parametrize("path", BRIEF + OWN, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_scenario_gives_what_it_expects(path: Path) -> None:
    scenario = load_scenario(path)
    assert scenario.expect != type(scenario.expect)(), "a scenario must expect something"
    result = _run(path)
    shipping = scenario_shipping(scenario, result) if isinstance(result, Quote) else None
    assert mismatches(scenario.expect, result, shipping) == []
    if isinstance(result, Quote):
        check_invariants(result)


def test_all_brief_examples_are_here() -> None:
    assert len(BRIEF) >= 16
    names = {p.stem for p in BRIEF}
    assert {"f10_triple_stack", "f02_flash_sale_limit", "f15_points_max_capped"} <= names


def test_scenarios_cover_every_rule_type_and_every_reason_code() -> None:
    types: set[str] = set()
    kinds: set[str] = set()
    seen_reasons: set[str] = set()
    errors: set[str] = set()
    for path in BRIEF + OWN:
        data = json.loads(path.read_text(encoding="utf-8"))
        types.update(p["type"] for p in data.get("promotions", []))
        kinds.update(c["kind"] for c in data.get("coupons", []))
        if data.get("tier_rates") and data["shopper"]["tier"] != "normal":
            types.add("tier_rate")
        result = _run(path)
        if isinstance(result, PricingError):
            errors.add(result.code)
        else:
            seen_reasons.update(r.reason for r in result.rejected)
    assert types >= set(ITEM_RULES) | set(ORDER_RULES)
    assert kinds >= set(COUPON_RULES)
    assert seen_reasons >= set(reason_codes.ALL)
    assert errors >= {
        reason_codes.PURCHASE_LIMIT_EXCEEDED,
        reason_codes.COUPON_NOT_FOUND,
        reason_codes.COUPON_NOT_USABLE,
        reason_codes.COUPON_CONFLICT,
    }


def test_f10_explains_every_saving_on_the_line() -> None:
    result = _run(SCENARIOS / "brief" / "f10_triple_stack.json")
    assert isinstance(result, Quote)
    (line,) = result.lines
    assert [(a.rule_id, a.amount) for a in line.allocations] == [
        ("full-100-15", 1500),
        ("shop-20", 2000),
        ("beauty-10", 1000),
    ]
    assert [c.coupon_id for c in result.coupons if c.applied] == ["shop-20", "beauty-10"]
