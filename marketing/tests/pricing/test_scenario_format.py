"""Reading scenario files: every mistake names its field in one line."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from marketing.pricing import ScenarioError, load_scenario, parse_promotion, parse_scenario
from marketing.pricing.types import FullReduction
from marketing.tests.pricing.builders import SCENARIOS

BASE = json.loads((SCENARIOS / "brief" / "f10_triple_stack.json").read_text(encoding="utf-8"))


def _set(data: dict[str, Any], path: str, value: Any) -> None:
    *parents, last = path.split(".")
    node: Any = data
    for part in parents:
        node = node[int(part)] if part.isdigit() else node[part]
    if value is _DELETE:
        del node[int(last) if last.isdigit() else last]
    elif last.isdigit():
        node[int(last)] = value
    else:
        node[last] = value


_DELETE = object()


@pytest.mark.parametrize(
    ("path", "value", "message"),
    [
        ("cart.0.qty", 0, "cart[0].qty: must be a positive integer"),
        ("cart.0.qty", "1", "cart[0].qty: must be a positive integer"),
        ("cart.0.qty", True, "cart[0].qty: must be a positive integer"),
        ("cart.0.sku", "NOPE", "cart[0].sku: 'NOPE' is not in the catalog"),
        ("catalog.0.price", 12.5, "catalog[0].price: amount must be a string like '12.50', got 12.5"),
        ("catalog.0.price", "12.345", "catalog[0].price: not an amount in yuan: '12.345'"),
        ("catalog.0.price", "-1.00", "catalog[0].price: must not be negative"),
        ("at", "2026-06-18T10:00:00", "at: must be an ISO 8601 date-time with a UTC offset"),
        ("at", _DELETE, "at: is required"),
        ("cart", [], "cart: must list at least one line"),
        ("shopper.tier", "platinum", "shopper.tier: unknown tier 'platinum'"),
        ("shopper.points", -5, "shopper.points: must be an integer >= 0"),
        ("promotions.0.type", "mystery", "promotions[0].type: unknown promotion type 'mystery'"),
        ("promotions.0.tiers", [], "promotions[0].tiers: must list at least one tier"),
        ("promotions.0.tiers.0.off", "0", "promotions[0].tiers[0].off: must be more than 0"),
        ("promotions.0.thresold", "1.00", "promotions[0].thresold: unknown field for type 'full_reduction'"),
        ("promotions.0.ends_at", "2020-01-01T00:00:00+08:00", "promotions[0].ends_at: must be after starts_at"),
        ("coupons.0.kind", "cashback", "coupons[0].kind: unknown coupon kind 'cashback'"),
        ("coupons.0.group", "store", "coupons[0].group: unknown coupon group 'store'"),
        ("coupons.0.rate", "0.9", "coupons[0].rate: unknown field for kind 'amount_off'"),
        ("coupons.1.id", "shop-20", "coupons[1].id: id 'shop-20' appears twice"),
        ("coupons.1.scope.categories", "美妆", "coupons[1].scope.categories: must be a list"),
        ("points_to_use", "lots", 'points_to_use: must be a whole number of points >= 0, or "max"'),
        ("expect.payable", 55, None),
        ("policy", {"same_type": "worst"}, "policy.same_type: must be 'best' or 'stack'"),
        ("tier_rates", {"gold": "1.5"}, "tier_rates.gold: rate must be between 0 and 1"),
        ("surprise", 1, "surprise: unknown field"),
    ],
)
def test_a_wrong_field_is_named(path: str, value: Any, message: str | None) -> None:
    data = copy.deepcopy(BASE)
    if path.startswith("promotions.0.ends_at"):
        data["promotions"][0]["starts_at"] = "2026-01-01T00:00:00+08:00"
    _set(data, path, value)
    if message is None:
        parse_scenario(data)  # ints are whole yuan: accepted
        return
    with pytest.raises(ScenarioError) as err:
        parse_scenario(data)
    assert str(err.value).startswith(message)
    assert "\n" not in str(err.value)


def test_gift_sku_must_be_in_the_catalog() -> None:
    data = copy.deepcopy(BASE)
    data["promotions"] = [{"id": "g", "type": "full_gift", "threshold": "1.00", "gift_sku": "GHOST"}]
    with pytest.raises(ScenarioError, match=r"^promotions\[0\]\.gift_sku: 'GHOST' is not in the catalog"):
        parse_scenario(data)


def test_unreadable_files(tmp_path: Path) -> None:
    with pytest.raises(ScenarioError, match="no such file"):
        load_scenario(tmp_path / "missing.json")
    broken = tmp_path / "broken.json"
    broken.write_text("{", encoding="utf-8")
    with pytest.raises(ScenarioError, match=r"not valid JSON \(.* line 1, column 2\)"):
        load_scenario(broken)
    listed = tmp_path / "list.json"
    listed.write_text("[]", encoding="utf-8")
    with pytest.raises(ScenarioError, match=r"^scenario: must be an object"):
        load_scenario(listed)


def test_promotion_json_reads_on_its_own() -> None:
    promo = parse_promotion(
        {
            "id": "t",
            "type": "full_reduction",
            "tiers": [{"threshold": "199.00", "off": "30"}, {"threshold": "99", "off": "10"}],
        }
    )
    assert isinstance(promo, FullReduction)
    assert [t.threshold for t in promo.tiers] == [9900, 19900]
