"""Allocation and rounding edge cases: largest remainder in fen, half-up rates, no negatives."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mall.money import allocate, apply_rate, rate_applier
from marketing.pricing import CouponSpec, FullReduction, ReductionTier, ShopperInfo, quote
from marketing.pricing.state import LineState, spread
from marketing.tests.pricing.builders import check_invariants, make_request, yuan


@pytest.mark.parametrize(
    ("total", "weights", "parts"),
    [
        (10, [1, 1, 1], [4, 3, 3]),  # the tie goes to the earlier line
        (1, [1, 1], [1, 0]),
        (0, [5, 7], [0, 0]),
        (7, [0, 0], [4, 3]),  # all-zero weights spread evenly
        (100, [1, 2, 3, 4], [10, 20, 30, 40]),
        (2, [9999, 1], [2, 0]),
    ],
)
def test_allocate_is_largest_remainder(total: int, weights: list[int], parts: list[int]) -> None:
    assert allocate(total, weights) == parts
    assert sum(parts) == total


@pytest.mark.parametrize(
    ("fen", "rate", "paid"),
    [(5, "0.5", 3), (15, "0.5", 8), (999, "0.85", 849), (1, "0.33", 0), (2, "0.88", 2), (10000, "0.95", 9500)],
)
def test_rates_round_half_up(fen: int, rate: str, paid: int) -> None:
    assert apply_rate(fen, Decimal(rate)) == paid


@settings(max_examples=400, deadline=None)
@given(
    st.integers(min_value=-(10**9), max_value=10**9),
    st.decimals(min_value=0, max_value=2, places=4, allow_nan=False, allow_infinity=False),
)
def test_rate_applier_is_apply_rate(fen: int, rate: Decimal) -> None:
    """The engine's integer fast path rounds exactly like the one Decimal rule."""
    assert rate_applier(rate)(fen) == apply_rate(fen, rate)


def _lines(*owed: int) -> list[LineState]:
    return [
        LineState(pos=pos, sku=f"S{pos}", category="x", qty=1, list_price=amount) for pos, amount in enumerate(owed)
    ]


def test_spread_never_takes_more_than_a_line_owes() -> None:
    lines = _lines(1, 2, 3)
    taken = spread(lines, 100, "r", "t")
    assert taken == 6
    assert [line.remaining for line in lines] == [0, 0, 0]


def test_spread_skips_lines_that_owe_nothing() -> None:
    lines = _lines(0, 10)
    assert spread(lines, 5, "r", "t") == 5
    assert [len(line.allocations) for line in lines] == [0, 1]


def test_reduction_over_three_equal_lines_gives_the_extra_fen_to_the_first_sku() -> None:
    req = make_request(
        [("C", "x", "10.00", 1), ("A", "x", "10.00", 1), ("B", "x", "10.00", 1)],
        promotions=(FullReduction(id="r", tiers=(ReductionTier(yuan("30"), 100),)),),
    )
    q = quote(req)
    check_invariants(q)
    assert {line.sku: line.paid for line in q.lines} == {"A": 966, "B": 967, "C": 967}


def test_one_fen_order_with_a_big_coupon_pays_zero_and_every_part_adds_up() -> None:
    c = CouponSpec(id="c", kind="no_threshold", group="shop", off=yuan("100"))
    q = quote(make_request([("A", "x", "0.01", 1), ("B", "x", "0.01", 3)], coupons=(c,)))
    check_invariants(q)
    assert q.payable == 0
    assert q.coupons[0].amount == 4


def test_points_spread_over_lines_add_up_to_the_points_value() -> None:
    q = quote(
        make_request(
            [("A", "x", "33.33", 1), ("B", "x", "33.33", 1), ("C", "x", "33.34", 1)],
            shopper=ShopperInfo(points=10_001),
            points_to_use="max",
        )
    )
    check_invariants(q)
    assert q.points_used == 5000
    assert sum(a.amount for line in q.lines for a in line.allocations if a.rule_id == "points") == 5000


def _allocate_by_remainder_tuples(total: int, weights: list[int]) -> list[int]:
    """The former implementation (a (remainder, -index) tuple per weight), kept as the oracle
    for the faster one."""
    weight_sum = sum(weights)
    if weight_sum == 0:
        weights, weight_sum = [1] * len(weights), len(weights)
    shares = [total * w // weight_sum for w in weights]
    remainders = [(total * w % weight_sum, -i) for i, w in enumerate(weights)]
    for _, neg_i in sorted(remainders, reverse=True)[: total - sum(shares)]:
        shares[-neg_i] += 1
    return shares


@settings(max_examples=400, deadline=None)
@given(
    st.integers(min_value=0, max_value=10**7),
    st.lists(st.sampled_from([0, 1, 2, 3, 7, 1990, 99_999]) | st.integers(0, 10**6), min_size=1, max_size=25),
)
def test_allocate_matches_the_remainder_tuple_oracle(total: int, weights: list[int]) -> None:
    """Equal remainders still favour the earlier weight after the speed-up (a stable sort)."""
    assert allocate(total, weights) == _allocate_by_remainder_tuples(total, weights)
