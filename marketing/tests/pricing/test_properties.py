"""Properties that hold for any shop, cart, rule set and wallet (6 × 400 examples)."""

from __future__ import annotations

import pickle
import random
from dataclasses import replace
from itertools import combinations
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from marketing.pricing import CartLine, PricingError, PricingRequest, Quote, quote, quote_to_dict
from marketing.pricing.best_coupons import CouponCandidate, application_order, best_combination, saving
from marketing.pricing.types import CouponSpec, StackingPolicy
from marketing.tests.pricing.builders import check_invariants
from marketing.tests.pricing.strategies import requests

EXAMPLES = settings(max_examples=400, deadline=None)
REFUSALS = {"purchase_limit_exceeded"}


def _quote(request: PricingRequest) -> Quote | PricingError:
    try:
        return quote(request)
    except PricingError as exc:
        assert exc.code in REFUSALS, exc.code
        return exc


def _canonical(result: Quote | PricingError) -> Any:
    if isinstance(result, PricingError):
        return ("error", result.code)
    data = quote_to_dict(result)
    data["lines"].sort(key=lambda line: (line["gift"], line["sku"], line["item_rule"] and line["item_rule"]["id"]))
    return data


@EXAMPLES
@given(requests())
def test_payable_never_negative_and_lines_add_up(request: PricingRequest) -> None:
    result = _quote(request)
    if isinstance(result, Quote):
        check_invariants(result)


@EXAMPLES
@given(requests(), st.integers(0, 2**32))
def test_cart_order_does_not_change_the_result(request: PricingRequest, seed: int) -> None:
    shuffled = list(request.cart)
    random.Random(seed).shuffle(shuffled)
    assert _canonical(_quote(request)) == _canonical(_quote(replace(request, cart=tuple(shuffled))))


@EXAMPLES
@given(requests())
def test_auto_selection_never_pays_more_than_any_single_coupon_or_none(request: PricingRequest) -> None:
    auto = _quote(request)
    if isinstance(auto, PricingError):
        return
    choices: list[tuple[str, ...]] = [()] + [(c.coupon_id,) for c in auto.coupons if c.usable]
    for choice in choices:
        picked = quote(replace(request, selected_coupon_ids=choice))
        assert auto.payable <= picked.payable, choice


@EXAMPLES
@given(requests())
def test_same_input_same_output(request: PricingRequest) -> None:
    first = _quote(request)
    again = _quote(pickle.loads(pickle.dumps(request)))  # noqa: S301 - our own bytes
    assert _canonical(first) == _canonical(again)
    if isinstance(first, Quote):
        assert first == again


@EXAMPLES
@given(requests(), st.integers(1, 4), st.booleans())
def test_a_cart_priced_after_another_of_its_shape_gets_the_same_quote(
    request: PricingRequest, extra: int, flip_new: bool
) -> None:
    """The rule book keeps the item offers ranked per cart shape and list prices; a quote with
    other quantities, another shopper or no member tier that reuses them gets what a fresh
    rule book gives it."""
    _quote(request)  # ranks the item offers of this shape and these prices
    other = replace(
        request,
        cart=tuple(CartLine(line.sku, line.qty % 3 + extra) for line in request.cart),
        shopper=replace(request.shopper, is_new=request.shopper.is_new != flip_new, used={}),
        tier_rates={} if flip_new else request.tier_rates,
    )
    reused = _quote(other)
    fresh = _quote(pickle.loads(pickle.dumps(other)))  # noqa: S301 - our own bytes; new rule objects
    assert _canonical(reused) == _canonical(fresh)


_owed = st.lists(st.integers(0, 5_000), min_size=1, max_size=4)
_masks = st.integers(1, 15)
_groups = st.sampled_from(("shop", "category", "platform", "solo"))
_shares = st.integers(1, 1_000)
_n_coupons = st.integers(0, 7)
_per_group = st.integers(1, 2)


@st.composite
def wallets(draw: st.DrawFn) -> tuple[list[CouponCandidate], dict[int, int], StackingPolicy]:
    """Candidates over overlapping scopes, so capping and application order really matter."""
    owed = dict(enumerate(draw(_owed)))
    cands = []
    for i in range(draw(_n_coupons)):
        positions = tuple(p for p in owed if draw(_masks) >> p & 1) or (0,)
        amount = sum(owed[p] for p in positions)
        group = draw(_groups)
        discount = max(1, amount * draw(_shares) // 1_000)
        if amount:
            spec = CouponSpec(id=f"c{i}", kind="no_threshold", group=group, off=discount)
            cands.append(CouponCandidate(spec, positions, amount, min(discount, amount)))
    return cands, owed, StackingPolicy(coupons_per_group=draw(_per_group))


def _allowed(combo: tuple[CouponCandidate, ...], policy: StackingPolicy) -> bool:
    groups = [c.spec.group for c in combo]
    if any(g not in policy.coupon_groups for g in groups):
        return len(combo) == 1
    return all(groups.count(g) <= policy.coupons_per_group for g in groups)


@EXAMPLES
@given(wallets())
def test_best_combination_is_exact(wallet: tuple[list[CouponCandidate], dict[int, int], StackingPolicy]) -> None:
    cands, owed, policy = wallet
    brute = max(
        (
            saving(application_order(combo, policy), owed)
            for size in range(len(cands) + 1)
            for combo in combinations(cands, size)
            if _allowed(combo, policy)
        ),
        default=0,
    )
    chosen = best_combination(cands, policy, owed)
    assert _allowed(chosen, policy)
    assert saving(chosen, owed) == brute
