"""Shipping in scenario files (issue 10 §4): the format's 包邮 keys, their mistakes, the check."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest

from marketing.pricing import ScenarioError, mismatches, parse_scenario, quote, quote_to_dict
from marketing.pricing.scenario import scenario_shipping
from marketing.tests.pricing.builders import SCENARIOS

NINE_NINE = json.loads((SCENARIOS / "own" / "f02_flash_9_9_free_shipping.json").read_text(encoding="utf-8"))


def _variant(**changes: Any) -> dict[str, Any]:
    data = copy.deepcopy(NINE_NINE)
    data.update(changes)
    return data


def test_the_9_9_flash_item_ships_free_and_the_answer_says_why() -> None:
    scenario = parse_scenario(NINE_NINE)
    q = quote(scenario.request)
    shipping = scenario_shipping(scenario, q)
    assert shipping is not None
    assert mismatches(scenario.expect, q, shipping) == []
    answer = quote_to_dict(q, shipping)
    assert answer["shipping"]["free_by"] == [{"rule_id": "flash:10", "kind": "flash_sale"}]
    assert (answer["shipping"]["fee"], answer["total"]) == ("0.00", "9.90")


def test_without_its_free_shipping_flag_the_same_item_pays_the_fee_and_the_check_says_so() -> None:
    data = copy.deepcopy(NINE_NINE)
    del data["promotions"][0]["free_shipping"]
    scenario = parse_scenario(data)
    q = quote(scenario.request)
    problems = mismatches(scenario.expect, q, scenario_shipping(scenario, q))
    assert problems == ["shipping_fee: expected 0.00, got 8.00", "shipping_reason: expected waived, got charged"]


def test_a_scenario_without_shipping_quotes_as_before() -> None:
    data = _variant(expect={"payable": "9.90"})
    del data["shipping"]
    scenario = parse_scenario(data)
    q = quote(scenario.request)
    assert scenario_shipping(scenario, q) is None
    assert "shipping" not in quote_to_dict(q)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"shipping": {"flat_fee": "8"}, "expect": {"shipping_fee": "0.00"}}, None),  # fine: no threshold
        ({"shipping": {"flat_fee": "abc"}}, "shipping.flat_fee"),
        ({"shipping": {"flat_fee": "8.00", "free_over": "99"}}, "shipping"),
        (
            {"catalog": [{"sku": "TISSUE", "category": "日用品", "price": "29.90", "free_shipping": "yes"}]},
            "free_shipping",
        ),
    ],
)
def test_mistakes_in_the_shipping_keys_name_their_field(changes: dict[str, Any], message: str | None) -> None:
    data = _variant(**changes)
    if message is None:
        parse_scenario(data)
        return
    with pytest.raises(ScenarioError) as caught:
        parse_scenario(data)
    assert message in str(caught.value)


def test_free_shipping_is_refused_on_an_order_promotion() -> None:
    data = _variant(
        promotions=[
            {
                "id": "p1",
                "type": "full_reduction",
                "tiers": [{"threshold": "9.00", "off": "1.00"}],
                "free_shipping": True,
            }
        ],
        expect={"payable": "28.90"},
    )
    with pytest.raises(ScenarioError, match=r"promotions\[0\]\.free_shipping: only on flash_sale"):
        parse_scenario(data)


def test_expecting_shipping_needs_a_shipping_rule() -> None:
    data = _variant()
    del data["shipping"]
    with pytest.raises(ScenarioError, match="needs a shipping rule"):
        parse_scenario(data)
