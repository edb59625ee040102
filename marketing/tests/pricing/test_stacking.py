"""The default stacking policy rule by rule, and what the merchant can change about it."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from marketing.pricing import (
    BuyXGetY,
    CouponSpec,
    FlashSale,
    FullGift,
    FullReduction,
    GroupPrice,
    LimitedDiscount,
    NthItem,
    PricingError,
    Quote,
    ReductionTier,
    Scope,
    ShopperInfo,
    StackingPolicy,
    quote,
)
from marketing.pricing.types import PointsRequest
from marketing.tests.pricing.builders import AT, check_invariants, make_request, rate, yuan

TIERS = (
    ReductionTier(yuan("99"), yuan("10")),
    ReductionTier(yuan("199"), yuan("30")),
    ReductionTier(yuan("299"), yuan("50")),
)


def _reasons(q: Quote) -> dict[str, str]:
    return {r.rule_id: r.reason for r in q.rejected}


# --- step 1: item price -----------------------------------------------------------------


def test_item_offers_take_the_lowest_not_the_product() -> None:
    req = make_request(
        [("MASK", "美妆", "100.00", 1)],
        promotions=(LimitedDiscount(id="d80", rate=rate("0.8")),),
        shopper=ShopperInfo(tier="diamond"),
        tier_rates={"diamond": rate("0.85")},
    )
    q = quote(req)
    assert q.payable == yuan("80")
    assert q.lines[0].item_rule_id == "d80"
    assert _reasons(q) == {"tier:diamond": "conflict"}


def test_tie_between_flash_and_normal_offer_keeps_the_line_in_order_promotions() -> None:
    req = make_request(
        [("A", "x", "100.00", 1)],
        promotions=(
            FlashSale(id="flash", sku="A", price=yuan("90")),
            LimitedDiscount(id="d90", rate=rate("0.9")),
            FullReduction(id="full", tiers=(ReductionTier(yuan("90"), yuan("5")),)),
        ),
    )
    q = quote(req)
    assert q.lines[0].item_rule_id == "d90"
    assert not q.lines[0].special_price
    assert q.payable == yuan("85")


def test_rates_round_half_up_per_unit() -> None:
    # 9.99 × 0.85 = 8.4915 → 8.49 a unit; 0.05 × 0.5 = 2.5 fen → 3 fen
    req = make_request(
        [("A", "x", "9.99", 3), ("B", "y", "0.05", 1)],
        promotions=(
            LimitedDiscount(id="a85", rate=rate("0.85"), scope=Scope(skus=frozenset({"A"}))),
            LimitedDiscount(id="b50", rate=rate("0.5"), scope=Scope(skus=frozenset({"B"}))),
        ),
    )
    q = quote(req)
    by_sku = {line.sku: line for line in q.lines}
    assert by_sku["A"].unit_price == 849
    assert by_sku["A"].line_price == 2547
    assert by_sku["B"].unit_price == 3
    assert q.payable == 2550


def test_window_is_half_open() -> None:
    promo = LimitedDiscount(id="d", rate=rate("0.5"), starts_at=AT, ends_at=AT + timedelta(hours=1))
    at_start = quote(make_request([("A", "x", "10.00", 1)], promotions=(promo,), at=AT))
    at_end = quote(make_request([("A", "x", "10.00", 1)], promotions=(promo,), at=AT + timedelta(hours=1)))
    assert at_start.payable == yuan("5")
    assert at_end.payable == yuan("10")
    assert _reasons(at_end) == {"d": "out_of_window"}


def test_scope_adds_categories_and_skus_then_excludes() -> None:
    scope = Scope(categories=frozenset({"美妆"}), skus=frozenset({"TEA"}), exclude_skus=frozenset({"MASK"}))
    req = make_request(
        [
            ("LIP", "美妆", "10.00", 1),
            ("MASK", "美妆", "10.00", 1),
            ("TEA", "零食", "10.00", 1),
            ("NUT", "零食", "10.00", 1),
        ],
        promotions=(LimitedDiscount(id="d", rate=rate("0.5"), scope=scope),),
    )
    paid = {line.sku: line.paid for line in quote(req).lines}
    assert paid == {"LIP": 500, "MASK": 1000, "TEA": 500, "NUT": 1000}


def test_flash_sale_limit_counts_units_of_this_cart_and_earlier_orders() -> None:
    flash = FlashSale(id="f", sku="A", price=yuan("9.9"), per_user_limit=2)
    assert quote(make_request([("A", "x", "29.90", 2)], promotions=(flash,))).payable == yuan("19.80")
    with pytest.raises(PricingError) as err:
        quote(make_request([("A", "x", "29.90", 2)], promotions=(flash,), shopper=ShopperInfo(used={"f": 1})))
    assert err.value.code == "purchase_limit_exceeded"


def test_flash_sale_limit_does_not_bind_when_another_price_is_lower() -> None:
    flash = FlashSale(id="f", sku="A", price=yuan("9.9"), per_user_limit=1)
    cheaper = LimitedDiscount(id="d", rate=rate("0.1"))
    q = quote(make_request([("A", "x", "29.90", 3)], promotions=(flash, cheaper)))
    assert q.lines[0].item_rule_id == "d"
    assert _reasons(q) == {"f": "conflict"}


# --- step 2: order promotions -------------------------------------------------------------


def test_full_reduction_takes_the_highest_reached_tier_and_hints_the_next() -> None:
    q = quote(make_request([("A", "x", "125.00", 2)], promotions=(FullReduction(id="t", tiers=TIERS),)))
    assert q.payable == yuan("220")
    (hint,) = q.hints
    assert (hint.short_by, hint.reward, hint.text) == (yuan("49"), yuan("50"), "再买 ¥49.00 可减 ¥50.00")


def test_full_reduction_below_first_tier_hints_it() -> None:
    q = quote(make_request([("A", "x", "49.00", 2)], promotions=(FullReduction(id="t", tiers=TIERS),)))
    assert q.payable == yuan("98")
    assert [h.text for h in q.hints] == ["再买 ¥1.00 可减 ¥10.00"]
    assert _reasons(q) == {"t": "threshold_not_met"}


def test_every_full_repeats_and_hints_the_next_multiple() -> None:
    promo = FullReduction(id="e", tiers=(ReductionTier(yuan("100"), yuan("10")),), repeat=True)
    q = quote(make_request([("A", "x", "35.00", 7)], promotions=(promo,)))
    assert q.payable == yuan("225")
    assert [h.text for h in q.hints] == ["再买 ¥55.00 可减 ¥30.00"]


def test_order_promotion_never_takes_a_line_below_zero() -> None:
    promos = (
        NthItem(id="n", n=2, rate=rate("0")),
        FullReduction(id="silly", tiers=(ReductionTier(yuan("10"), yuan("500")),)),
    )
    q = quote(make_request([("A", "x", "50.00", 2), ("B", "y", "1.00", 1)], promotions=promos))
    check_invariants(q)
    assert q.payable == 0


def test_nth_item_handles_large_quantities_without_expanding_units() -> None:
    q = quote(make_request([("A", "x", "1.00", 100_001)], promotions=(NthItem(id="n", n=2, rate=rate("0.5")),)))
    assert q.payable == 100_001 * 100 - 50_000 * 50


def test_nth_item_with_too_few_units_is_rejected() -> None:
    q = quote(make_request([("A", "x", "60.00", 2)], promotions=(NthItem(id="n", n=3, rate=rate("0.5")),)))
    assert _reasons(q) == {"n": "threshold_not_met"}


def test_full_gift_adds_a_zero_price_line_and_hints_below_threshold() -> None:
    gift = FullGift(id="g", threshold=yuan("159"), gift_sku="S")
    reached = quote(make_request([("A", "x", "160.00", 1)], extra_catalog=[("S", "x", "30.00")], promotions=(gift,)))
    assert reached.gift_skus == ("S",)
    assert reached.lines[-1].is_gift and reached.lines[-1].paid == 0 and reached.lines[-1].list_price == yuan("30")
    check_invariants(reached)
    below = quote(make_request([("A", "x", "150.00", 1)], extra_catalog=[("S", "x", "30.00")], promotions=(gift,)))
    assert below.gift_skus == ()
    assert [h.text for h in below.hints] == ["再买 ¥9.00 可享满赠"]


def test_best_gift_of_one_type_wins_by_value() -> None:
    cheap = FullGift(id="cheap", threshold=yuan("100"), gift_sku="S1")
    dear = FullGift(id="dear", threshold=yuan("150"), gift_sku="S2")
    q = quote(
        make_request(
            [("A", "x", "160.00", 1)],
            extra_catalog=[("S1", "x", "5.00"), ("S2", "x", "20.00")],
            promotions=(cheap, dear),
        )
    )
    assert q.gift_skus == ("S2",)
    assert _reasons(q) == {"cheap": "conflict"}


def test_buy_x_get_y_counts_every_full_set() -> None:
    promo = BuyXGetY(id="b", buy_sku="A", buy_qty=2, gift_sku="B", gift_qty=3)
    q = quote(make_request([("A", "x", "10.00", 5)], extra_catalog=[("B", "x", "1.00")], promotions=(promo,)))
    assert [(line.sku, line.qty) for line in q.lines if line.is_gift] == [("B", 6)]


def test_group_price_line_skips_order_promotions_by_default() -> None:
    promos = (GroupPrice(id="g", sku="A", price=yuan("29")), FullReduction(id="t", tiers=TIERS))
    req = make_request([("A", "x", "59.00", 1), ("B", "x", "80.00", 1)], promotions=promos)
    assert quote(req).payable == yuan("109")
    joined = make_request(
        [("A", "x", "59.00", 1), ("B", "x", "80.00", 1)],
        promotions=promos,
        policy=StackingPolicy(special_price_lines_join_order_promotions=True),
    )
    assert quote(joined).payable == yuan("99")


def test_new_user_only_promotion() -> None:
    promo = LimitedDiscount(id="newbie", rate=rate("0.5"), new_user_only=True)
    assert quote(make_request([("A", "x", "10.00", 1)], promotions=(promo,))).payable == yuan("10")
    new = quote(make_request([("A", "x", "10.00", 1)], promotions=(promo,), shopper=ShopperInfo(is_new=True)))
    assert new.payable == yuan("5")


# --- step 3: coupons --------------------------------------------------------------------


def _coupon(cid: str, group: str = "shop", **kw: Any) -> CouponSpec:
    kw.setdefault("kind", "amount_off")
    return CouponSpec(id=cid, group=group, **kw)


def test_coupon_threshold_hint() -> None:
    c = _coupon("c", threshold=yuan("100"), off=yuan("15"))
    q = quote(make_request([("A", "x", "80.00", 1)], coupons=(c,)))
    assert [h.text for h in q.hints] == ["再买 ¥20.00 可用券减 ¥15.00"]
    assert q.coupons[0].reason == "threshold_not_met"


def test_rate_coupon_rounds_the_paid_amount_half_up() -> None:
    # 33.33 × 0.88 = 29.3304 → pays 29.33, saves 4.00
    c = _coupon("c", kind="rate_off", rate=rate("0.88"))
    q = quote(make_request([("A", "x", "33.33", 1)], coupons=(c,)))
    assert q.coupons[0].discount == 400
    assert q.payable == 2933


def test_coupons_per_group_can_be_raised() -> None:
    wallet = (_coupon("a", off=yuan("10")), _coupon("b", off=yuan("5")), _coupon("c", off=yuan("3")))
    one = quote(make_request([("A", "x", "100.00", 1)], coupons=wallet))
    two = quote(make_request([("A", "x", "100.00", 1)], coupons=wallet, policy=StackingPolicy(coupons_per_group=2)))
    assert one.payable == yuan("90")
    assert two.payable == yuan("85")


def test_coupon_of_a_group_that_does_not_stack_is_used_alone() -> None:
    wallet = (_coupon("shop", off=yuan("10")), _coupon("cat", group="category", off=yuan("8")))
    policy = StackingPolicy(coupon_groups=("shop",))
    q = quote(make_request([("A", "x", "100.00", 1)], coupons=wallet, policy=policy))
    assert q.payable == yuan("90")
    with pytest.raises(PricingError) as err:
        quote(
            make_request([("A", "x", "100.00", 1)], coupons=wallet, policy=policy, selected_coupon_ids=("shop", "cat"))
        )
    assert err.value.code == "coupon_conflict"


def test_special_price_lines_can_be_kept_out_of_coupons() -> None:
    req = make_request(
        [("A", "x", "29.90", 1)],
        promotions=(FlashSale(id="f", sku="A", price=yuan("9.9")),),
        coupons=(_coupon("c", kind="no_threshold", off=yuan("5")),),
        policy=StackingPolicy(special_price_lines_take_coupons=False),
    )
    q = quote(req)
    assert q.payable == yuan("9.9")
    assert q.coupons[0].reason == "special_price_excluded"


def test_coupon_per_user_limit_and_empty_selection() -> None:
    c = _coupon("c", kind="no_threshold", off=yuan("5"), per_user_limit=1)
    used = quote(make_request([("A", "x", "10.00", 1)], coupons=(c,), shopper=ShopperInfo(used={"c": 1})))
    assert used.coupons[0].reason == "limit"
    none = quote(make_request([("A", "x", "10.00", 1)], coupons=(c,), selected_coupon_ids=()))
    assert none.payable == yuan("10")
    assert not none.coupons_auto
    assert _reasons(none) == {"c": "not_selected"}


def test_coupon_larger_than_the_order_pays_zero() -> None:
    c = _coupon("c", kind="no_threshold", off=yuan("50"))
    q = quote(make_request([("A", "x", "10.00", 1), ("B", "y", "5.00", 1)], coupons=(c,)))
    assert q.payable == 0
    assert q.coupons[0].amount == yuan("15")
    check_invariants(q)


# --- step 4: points ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("price", "balance", "asked", "used", "payable"),
    [
        ("100.00", 5000, 1000, 1000, "90.00"),
        ("100.00", 8000, "max", 5000, "50.00"),
        ("100.00", 300, "max", 300, "97.00"),
        ("100.00", 8000, 7000, 5000, "50.00"),  # trimmed to the cap, not refused
        ("99.99", 99999, "max", 4999, "50.00"),  # cap floored: 49.995 → 49.99
        ("100.00", 0, "max", 0, "100.00"),
    ],
)
def test_points(price: str, balance: int, asked: PointsRequest, used: int, payable: str) -> None:
    q = quote(make_request([("A", "x", price, 1)], shopper=ShopperInfo(points=balance), points_to_use=asked))
    assert (q.points_used, q.payable) == (used, yuan(payable))
    check_invariants(q)


def test_points_exchange_rate_is_a_policy() -> None:
    policy = StackingPolicy(points_per_yuan=50, points_cap_rate=rate("1"))
    q = quote(
        make_request([("A", "x", "10.00", 1)], shopper=ShopperInfo(points=101), points_to_use="max", policy=policy)
    )
    assert (q.points_used, q.points_value) == (101, 202)


def test_negative_points_are_refused() -> None:
    with pytest.raises(PricingError) as err:
        quote(make_request([("A", "x", "10.00", 1)], points_to_use=-1))
    assert err.value.code == "invalid_request"


# --- invalid requests -------------------------------------------------------------------


@pytest.mark.parametrize(
    "kwargs",
    [
        {"at": AT.replace(tzinfo=None)},
        {"promotions": (LimitedDiscount(id="x", rate=rate("0.9")), LimitedDiscount(id="x", rate=rate("0.8")))},
    ],
)
def test_malformed_requests_are_refused(kwargs: dict[str, Any]) -> None:
    with pytest.raises(PricingError) as err:
        quote(make_request([("A", "x", "10.00", 1)], **kwargs))
    assert err.value.code == "invalid_request"


def test_duplicate_and_unknown_cart_skus_are_refused() -> None:
    req = make_request([("A", "x", "10.00", 1)])
    for cart in ((req.cart[0], req.cart[0]), (type(req.cart[0])("NOPE", 1),), (type(req.cart[0])("A", 0),)):
        with pytest.raises(PricingError):
            quote(type(req)(at=req.at, shopper=req.shopper, catalog=req.catalog, cart=cart))
