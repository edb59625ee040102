"""The order step (``apply_order_promotions``) against the step's rules read plainly.

``_reference_step`` is the order step as its docstrings state it, one promotion of the cart's
plan at a time with none of the step's own speed-ups (one pass settling each type, scopes
summed once and shared, the plan's tuples): screened, in scope, not only special lines,
measured, then the best of each type applied (or every qualifying one, "stack"). Every quote
the engine prices must equal the quote priced with it, for any shop, cart, policy and wallet:
a later speed-up of the step is judged against it (issue 12).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bench.bench_pricing_inprocess import MIXES
from bench.bench_pricing_inprocess import request as bench_request
from marketing.pricing import (
    FullReduction,
    PricingError,
    PricingRequest,
    ReductionTier,
    applicator,
    quote,
    quote_to_dict,
)
from marketing.pricing.order_step import EFFECTS_KEPT, OrderEffect
from marketing.pricing.order_step import _apply as apply_outcome
from marketing.pricing.rulebook import SEEN, CartPlan, rules_for
from marketing.pricing.rules import OrderOutcome, OrderRule, RuleContext
from marketing.pricing.state import Ledger, LineState, ScopeLines
from marketing.pricing.types import DEFAULT_POLICY, Hint, RejectedRule, StackingPolicy
from marketing.tests.pricing.builders import AT, make_request, yuan
from marketing.tests.pricing.strategies import requests


def _reference_step(
    plan: CartPlan[OrderRule[Any]], lines: list[LineState], ctx: RuleContext, ledger: Ledger
) -> list[Hint]:
    joins = ctx.policy.special_price_lines_join_order_promotions
    hints: list[Hint] = []
    rejected: list[RejectedRule] = []
    by_type: dict[str, list[tuple[OrderRule[Any], list[LineState], OrderOutcome]]] = {}
    order = sorted(plan.entries, key=lambda entry: (entry[0].sequence, entry[0].id))
    for entry in order:
        rule, positions = entry[0], entry[1]
        if rule.conditional and (record := rule.screened_out(ctx)) is not None:
            rejected.append(record)
            continue
        if not positions:
            rejected.append(rule.out_of_scope)
            continue
        eligible = [lines[pos] for pos in positions if joins or not lines[pos].special]
        if not eligible:
            rejected.append(rule.only_special)
            continue
        scope = ScopeLines(eligible, sum(line.amount for line in eligible), sum(line.qty for line in eligible))
        outcome = rule.evaluate(scope, ctx)
        if outcome.hint is not None:
            hints.append(outcome.hint)
        if outcome.reason is not None:
            rejected.append(rule.rejected(outcome.reason, outcome.detail))
            continue
        by_type.setdefault(rule.type, []).append((rule, eligible, outcome))
    # every promotion is measured before any applies (gift lines are appended only then)
    for qualified in by_type.values():  # types in the order of their first rule: (sequence, id)
        if ctx.policy.same_type == "stack":
            winners = qualified
        else:
            best = max(qualified, key=lambda candidate: candidate[2].value)  # the first of equals
            winners = [best]
            rejected += [other[0].outdone_by(best[0].id) for other in qualified if other is not best]
        for rule, eligible, outcome in winners:
            apply_outcome(rule, eligible, outcome, lines, ctx, ledger)
    ledger.add_rejected("order", rejected)
    return hints


def _priced(request: PricingRequest, price: Any = quote) -> Any:
    try:
        return quote_to_dict(price(request))
    except PricingError as exc:
        return ("refused", exc.code)


def _both_ways(request: PricingRequest, monkeypatch: pytest.MonkeyPatch) -> tuple[Any, Any]:
    """The engine's quote (kept quotes and replayed order steps included) and the plain rules'
    (every step run, the order step by ``_reference_step``)."""
    engine = _priced(request)
    with monkeypatch.context() as patched:
        patched.setattr(applicator, "apply_order_promotions", _reference_step)
        plain = _priced(request, applicator.price_afresh)
    return engine, plain


@settings(max_examples=400, deadline=None)
@given(requests())
def test_the_order_step_prices_every_cart_as_the_plain_rules_do(request: PricingRequest) -> None:
    with pytest.MonkeyPatch.context() as monkeypatch:
        engine, plain = _both_ways(request, monkeypatch)
    assert engine == plain


@pytest.mark.parametrize("mix", sorted(MIXES))
@pytest.mark.parametrize(
    "policy",
    [
        DEFAULT_POLICY,
        StackingPolicy(same_type="stack"),
        StackingPolicy(special_price_lines_join_order_promotions=True),
        StackingPolicy(same_type="stack", special_price_lines_join_order_promotions=True),
    ],
)
def test_a_busy_shop_prices_the_same_under_every_policy(
    mix: str, policy: StackingPolicy, monkeypatch: pytest.MonkeyPatch
) -> None:
    request = replace(bench_request(MIXES[mix]()), policy=policy)
    engine, plain = _both_ways(request, monkeypatch)
    assert engine == plain
    assert isinstance(engine, dict)
    assert [applied for applied in engine["applied"] if applied["level"] == "order"], "order promotions apply"


@pytest.mark.parametrize("ids", [("ladder-a", "ladder-b"), ("ladder-b", "ladder-a")])
def test_of_two_equal_promotions_of_one_type_the_earlier_id_wins(ids: tuple[str, str]) -> None:
    tiers = (ReductionTier(yuan("99"), yuan("10")),)
    request = make_request(
        [("A", "food", "120", 1)],
        promotions=tuple(FullReduction(id=promotion_id, tiers=tiers) for promotion_id in ids),
    )
    priced = quote(request)
    assert [(applied.rule_id, applied.amount) for applied in priced.applied] == [("ladder-a", yuan("10"))]
    assert [(rejected.rule_id, rejected.reason) for rejected in priced.rejected] == [("ladder-b", "conflict")]


_VARIED = st.sampled_from(("coupons_and_points", "moment", "shopper", "gift_prices", "policy"))
_MOMENTS = st.sampled_from((AT, AT - timedelta(hours=2), AT + timedelta(seconds=1), AT + timedelta(hours=2)))


def _variant(request: PricingRequest, varied: str, data: st.DataObject) -> PricingRequest:
    """``request`` with one thing changed that is not a cart figure: the order step must either
    replay what it kept (coupons, points) or see the change in its key (the rest)."""
    if varied == "coupons_and_points":
        return replace(request, coupons=request.coupons[1:], points_to_use=0)
    if varied == "moment":
        return replace(request, at=data.draw(_MOMENTS))
    if varied == "shopper":
        used = {promotion.id: data.draw(st.integers(0, 6)) for promotion in request.promotions}
        return replace(request, shopper=replace(request.shopper, is_new=not request.shopper.is_new, used=used))
    if varied == "gift_prices":  # the SKUs not in the cart: gifts only
        in_cart = {line.sku for line in request.cart}
        catalog = {
            sku: item if sku in in_cart else replace(item, price=data.draw(st.integers(1, 30_000)))
            for sku, item in request.catalog.items()
        }
        return replace(request, catalog=catalog)
    policy = request.policy
    return replace(
        request,
        policy=replace(
            policy,
            same_type="stack" if policy.same_type == "best" else "best",
            special_price_lines_join_order_promotions=data.draw(st.booleans()),
        ),
    )


@settings(max_examples=300, deadline=None)
@given(requests(), _VARIED, st.data())
def test_a_cart_priced_again_replays_the_order_step_only_when_nothing_it_reads_changed(
    request: PricingRequest, varied: str, data: st.DataObject
) -> None:
    """The third quote of one cart replays the order step kept from the second; a request that
    changes something else the step reads (the moment, the shopper, a gift's price, the
    policy) is priced again, and one that changes only what comes after it (coupons, points)
    replays: every one equals the plain rules."""
    variant = _variant(request, varied, data)
    with pytest.MonkeyPatch.context() as monkeypatch:
        for priced in (request, request, request, variant, variant, variant, request):
            engine, plain = _both_ways(priced, monkeypatch)
            assert engine == plain


def test_the_third_quote_of_a_cart_comes_from_the_kept_effect() -> None:
    """A cart met once leaves only its key's hash; the second quote keeps what the step did,
    the third replays it (the plan holds it) and equals the first, record for record."""
    request = bench_request(MIXES["shop"]())
    first = quote(request)
    book = rules_for(request.promotions)
    (plan,) = [plans[1] for plans in book.plans.values()]
    assert all(entry is SEEN for entry in plan.effects.values())
    second = quote(replace(request, points_to_use=0))
    assert [type(entry[1]) for entry in plan.effects.values()] == [OrderEffect]
    third = quote(request)
    assert third == first
    assert [a for a in second.applied if a.level == "order"] == [a for a in first.applied if a.level == "order"]
    for line, again in zip(first.lines, third.lines, strict=True):
        assert line.allocations == again.allocations
    gift = request.catalog["SKU-050"]  # a gift of the shop: its price is in the key
    for price in range(EFFECTS_KEPT + 3):
        quote(replace(request, catalog={**request.catalog, gift.sku: replace(gift, price=price)}))
    assert len(plan.effects) == EFFECTS_KEPT
