"""The shipping decision (运费 / 包邮): pure, no database."""

from __future__ import annotations

from marketing.pricing import FlashSale, ShopperInfo, quote
from marketing.pricing.shipping import (
    ShippingLine,
    ShippingRule,
    ShippingWaiver,
    shipping_lines,
    shipping_quote,
)
from marketing.tests.pricing.builders import make_request, yuan

SHOP = ShippingRule(flat_fee=800, free_threshold=9900)
FLASH = ShippingWaiver(rule_id="flash:12", source="flash_sale", skus=frozenset({"TISSUE"}))  # a product-like one
SERUM = ShippingWaiver(rule_id="product:3", source="product", skus=frozenset({"SERUM"}))
TIER = ShippingWaiver(rule_id="tier:gold", source="tier")  # the whole order


def test_a_9_9_flash_item_alone_pays_shipping_without_a_waiver() -> None:
    """The bug of issue 10 §4: a 9.9 包邮 lead product was charged the flat fee."""
    decided = shipping_quote(rule=SHOP, lines=[ShippingLine("TISSUE", 990)])
    assert (decided.fee, decided.reason, decided.short_by) == (800, "charged", 9900 - 990)


def test_a_waiver_covering_the_only_line_makes_it_free_and_names_itself() -> None:
    decided = shipping_quote(rule=SHOP, lines=[ShippingLine("TISSUE", 990)], waivers=[FLASH])
    assert (decided.fee, decided.reason, decided.waived_by) == (0, "waived", (FLASH,))
    assert decided.flat_fee == 800  # what was waived


def test_a_waiver_for_one_line_of_two_is_not_enough_and_is_reported() -> None:
    lines = [ShippingLine("TISSUE", 990), ShippingLine("SHAMPOO", 5000)]
    decided = shipping_quote(rule=SHOP, lines=lines, waivers=[FLASH])
    assert (decided.fee, decided.reason, decided.partial, decided.waived_by) == (800, "charged", (FLASH,), ())
    shampoo = ShippingWaiver(rule_id="product:4", source="product", skus=frozenset({"SHAMPOO"}))
    both = shipping_quote(rule=SHOP, lines=lines, waivers=[FLASH, SERUM, shampoo])
    assert (both.fee, both.reason, [w.rule_id for w in both.waived_by]) == (0, "waived", ["flash:12", "product:4"])


def test_the_threshold_comes_first_so_no_waiver_is_named() -> None:
    lines = [ShippingLine("TISSUE", 990), ShippingLine("SHAMPOO", 9500)]
    decided = shipping_quote(rule=SHOP, lines=lines, waivers=[FLASH, TIER])
    assert (decided.fee, decided.reason, decided.waived_by) == (0, "threshold", ())


def test_exactly_at_the_threshold_is_free() -> None:
    assert shipping_quote(rule=SHOP, lines=[ShippingLine("A", 9900)]).reason == "threshold"
    assert shipping_quote(rule=SHOP, lines=[ShippingLine("A", 9899)]).fee == 800


def test_a_whole_order_waiver_is_used_only_for_lines_nothing_else_covers() -> None:
    """A tier's free-shipping use (later) plugs in as a whole-order waiver; it is named only
    when it was needed, so the order spends a use only then."""
    only_flash = shipping_quote(rule=SHOP, lines=[ShippingLine("TISSUE", 990)], waivers=[TIER, FLASH])
    assert only_flash.waived_by == (FLASH,)
    mixed = shipping_quote(
        rule=SHOP, lines=[ShippingLine("TISSUE", 990), ShippingLine("SOAP", 1500)], waivers=[TIER, FLASH]
    )
    assert (mixed.fee, {w.rule_id for w in mixed.waived_by}) == (0, {"flash:12", "tier:gold"})


def test_a_shop_without_a_threshold_never_ships_free_by_amount() -> None:
    rule = ShippingRule(flat_fee=800, free_threshold=None)
    decided = shipping_quote(rule=rule, lines=[ShippingLine("A", 1_000_000)])
    assert (decided.fee, decided.short_by) == (800, 0)


def test_gifts_need_no_waiver_and_count_for_nothing() -> None:
    lines = [ShippingLine("TISSUE", 990), ShippingLine("SAMPLE", 0, is_gift=True)]
    decided = shipping_quote(rule=SHOP, lines=lines, waivers=[FLASH])
    assert (decided.fee, decided.goods_amount) == (0, 990)


def test_nothing_to_pay_ships_free_and_a_shop_without_a_fee_too() -> None:
    assert shipping_quote(rule=SHOP, lines=[ShippingLine("BARGAIN", 0)]).reason == "nothing_to_pay"
    free_shop = ShippingRule(flat_fee=0, free_threshold=9900)
    assert shipping_quote(rule=free_shop, lines=[ShippingLine("A", 100)]).reason == "no_fee"


def test_shipping_lines_measure_after_discounts_but_before_points() -> None:
    """满99包邮 is measured on what the goods cost after discounts; points are a way of paying."""
    request = make_request(
        [("TISSUE", "日用品", "29.90", 1), ("SHAMPOO", "日用品", "95.00", 1)],
        promotions=(FlashSale(id="flash:12", sku="TISSUE", price=yuan("9.90")),),
        shopper=ShopperInfo(points=2000),
        points_to_use=2000,
    )
    q = quote(request)
    assert q.points_value == 2000
    lines = shipping_lines(q)
    assert {line.sku: line.amount for line in lines} == {"TISSUE": 990, "SHAMPOO": 9500}
    assert shipping_quote(rule=SHOP, lines=lines).reason == "threshold"  # 104.90 ≥ 99 despite 20 yuan of points
