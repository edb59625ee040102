"""Step 2: order promotions, measured on the item-level amounts of their eligible lines.

The plan lists the rules in the order winners are applied, (sequence, id), so one type's rules
come together: each type is settled (its best applied, the others told who beat them) as soon
as its last rule is evaluated, in one pass (issue 12). Settling early changes nothing: a rule
is measured on item-level amounts, which applying another never moves.
"""

from __future__ import annotations

from typing import Any, NamedTuple

from mall.money import Fen
from marketing.pricing.rulebook import SEEN, CartPlan, OrderEntry, keep_newest
from marketing.pricing.rules import OrderOutcome, OrderRule, RuleContext
from marketing.pricing.state import Ledger, LineState, ScopeLines, spread
from marketing.pricing.types import Allocation, AppliedRule, Hint, RejectedRule

# (rule, its eligible lines, its outcome)
Candidate = tuple[OrderRule[Any], list[LineState], OrderOutcome]
_UNSEEN = ScopeLines([], 0, 0)  # a scope not resolved yet in this quote
_new_tuple = tuple.__new__
EFFECTS_KEPT = 32  # order-step effects (and hashes of carts met once) a plan keeps, oldest dropped first


def apply_order_promotions(
    plan: CartPlan[OrderRule[Any]], lines: list[LineState], ctx: RuleContext, ledger: Ledger
) -> list[Hint]:
    """Different types stack; of one type the best for the shopper wins (policy "best", ties
    to the smaller id) or every qualifying one applies ("stack"). Gifts become zero-price lines
    appended to ``lines``.

    A cart priced a third time with the same figures (the shopper picking coupons or points,
    which come after this step) gets what the step did the second time, replayed from the
    plan (issue 12): the step reads nothing but what ``effect_key`` holds when every covered
    rule is replayable. Carts met once cost only their key, so a cart being changed pays
    little for the carts it never comes back to."""
    if not plan.covered:
        return []
    screened = tuple([rule.screened_out(ctx) for rule in plan.conditional]) if plan.conditional else ()
    if not plan.replayable:
        return _evaluate(plan, lines, ctx, ledger, screened)[0]
    key = effect_key(plan, lines, ctx, screened)
    # kept by the key's hash (a tuple does not keep its hash, and a dict would work it out
    # again on every probe, store and eviction), with the key itself to compare
    digest = hash(key)
    found = plan.effects.get(digest)
    if found is None:  # met once: its hash remembered, what the step did kept if it comes again
        keep_newest(plan.effects, digest, SEEN, EFFECTS_KEPT)
        return _evaluate(plan, lines, ctx, ledger, screened)[0]
    if found is not SEEN and found[0] == key:
        return _replay(found[1], lines, ledger)
    kept_before = [len(line.allocations) for line in lines]
    records_before = ledger.record_count()
    hints, rejected = _evaluate(plan, lines, ctx, ledger, screened)
    effect = _effect(lines, kept_before, ledger.records_since(records_before), rejected, hints)
    keep_newest(plan.effects, digest, (key, effect), EFFECTS_KEPT)
    return hints


def effect_key(
    plan: CartPlan[OrderRule[Any]], lines: list[LineState], ctx: RuleContext, screened: tuple[RejectedRule | None, ...]
) -> tuple[Any, ...]:
    """Everything the order step reads: the policy's two switches, which conditional rules are
    screened out and why, the gifts' list prices, and per line its item-level figures (the
    plan fixes the lines' SKUs and categories; ``remaining`` equals ``amount`` here)."""
    policy = ctx.policy
    price_of = ctx.price_of
    return (
        policy.special_price_lines_join_order_promotions,
        policy.same_type,
        screened,
        tuple([price_of(sku) for sku in plan.gift_skus]),
        tuple([(line.amount, line.qty, line.unit_price, line.special) for line in lines]),
    )


class OrderEffect(NamedTuple):
    """What the order step did to one cart: per line (position, fen taken, its allocations in
    order), the gift lines (SKU, qty, list price, rule id, rule type, allocation), the applied
    and rejected records and the hints. All immutable, so quotes share it."""

    lines: tuple[tuple[int, Fen, tuple[Allocation, ...]], ...]
    gifts: tuple[tuple[str, int, Fen, str, str, Allocation], ...]
    applied: tuple[AppliedRule, ...]
    rejected: tuple[RejectedRule, ...]
    hints: tuple[Hint, ...]


def _effect(
    lines: list[LineState],
    kept_before: list[int],
    applied: tuple[AppliedRule, ...],
    rejected: list[RejectedRule],
    hints: list[Hint],
) -> OrderEffect:
    count = len(kept_before)
    changed = []
    for line, kept in zip(lines, kept_before, strict=False):
        if len(line.allocations) > kept:
            added = tuple(line.allocations[kept:])
            changed.append((line.pos, sum(allocation.amount for allocation in added), added))
    gifts = tuple(
        (gift.sku, gift.qty, gift.list_price, gift.item_rule_id or "", gift.item_rule_type or "", gift.allocations[0])
        for gift in lines[count:]
    )
    return OrderEffect(tuple(changed), gifts, applied, tuple(rejected), tuple(hints))


def _replay(effect: OrderEffect, lines: list[LineState], ledger: Ledger) -> list[Hint]:
    for pos, taken, allocations in effect.lines:
        line = lines[pos]
        line.remaining -= taken
        line.allocations += allocations
    for sku, qty, list_price, rule_id, rule_type, allocation in effect.gifts:
        lines.append(LineState.gift(len(lines), sku, qty, list_price, rule_id, rule_type, allocation))
    ledger.add_applied(effect.applied)
    ledger.add_rejected("order", effect.rejected)
    return list(effect.hints)


def _evaluate(
    plan: CartPlan[OrderRule[Any]],
    lines: list[LineState],
    ctx: RuleContext,
    ledger: Ledger,
    screened: tuple[RejectedRule | None, ...],
) -> tuple[list[Hint], list[RejectedRule]]:
    """The step itself; its rejections go to the ledger and come back with its hints.
    Promotions over the same lines share one ScopeLines (eligible lines and their totals), so
    each scope is summed once; the plan numbers the distinct scopes, so they are looked up in
    a list."""
    joins = ctx.policy.special_price_lines_join_order_promotions
    stack = ctx.policy.same_type == "stack"
    hints: list[Hint] = []
    scopes: list[ScopeLines | None] = [_UNSEEN] * len(plan.scopes)
    rejected: list[RejectedRule] = []
    reject = rejected.append
    screens = iter(screened)
    group = ""  # the type being evaluated
    best: Candidate | None = None  # its best so far, and the others that qualified
    others: list[Candidate] = []
    entry: OrderEntry
    for entry in plan.entries:
        rule, positions, slot, conditional, rule_type, evaluate, _key = entry
        if rule_type != group:
            if best is not None:
                _settle(best, others, lines, ctx, ledger, rejected)
                best, others = None, []
            group = rule_type
        if conditional:
            record = next(screens)
            if record is not None:
                reject(record)
                continue
        scope = scopes[slot]
        if scope is _UNSEEN:
            scope = scopes[slot] = _scope_lines(lines, positions, joins) if positions else None
        if scope is None:
            reject(rule.out_of_scope)
            continue
        eligible = scope[0]
        if not eligible:
            reject(rule.only_special)
            continue
        outcome = evaluate(scope, ctx)
        if outcome[6] is not None:  # its hint
            hints.append(outcome[6])
        if outcome[1] is not None:  # its reason
            reject(rule.rejected(outcome[1], outcome[2]))
            continue
        if stack:
            _apply(rule, eligible, outcome, lines, ctx, ledger)
        elif best is None:
            best = (rule, eligible, outcome)
        elif outcome[0] > best[2][0]:  # the plan's order is by id: an equal value keeps the earlier
            others.append(best)
            best = (rule, eligible, outcome)
        else:
            others.append((rule, eligible, outcome))
    if best is not None:
        _settle(best, others, lines, ctx, ledger, rejected)
    ledger.add_rejected("order", rejected)
    return hints, rejected


def _scope_lines(lines: list[LineState], positions: tuple[int, ...], joins: bool) -> ScopeLines:
    eligible: list[LineState] = []
    add = eligible.append
    amount = units = 0
    if joins:
        for pos in positions:
            line = lines[pos]
            add(line)
            amount += line.amount
            units += line.qty
    else:
        for pos in positions:
            line = lines[pos]
            if not line.special:
                add(line)
                amount += line.amount
                units += line.qty
    return _new_tuple(ScopeLines, (eligible, amount, units))  # ScopeLines(...) without its Python frame


def _settle(
    best: Candidate,
    others: list[Candidate],
    lines: list[LineState],
    ctx: RuleContext,
    ledger: Ledger,
    rejected: list[RejectedRule],
) -> None:
    """Apply one type's winner; its other qualifying rules are recorded as outdone by it."""
    rule, eligible, outcome = best
    _apply(rule, eligible, outcome, lines, ctx, ledger)
    if others:
        winner_id = rule.id
        rejected += [other[0].outdone_by(winner_id) for other in others]


def _apply(
    rule: OrderRule[Any],
    scope_lines: list[LineState],
    outcome: OrderOutcome,
    lines: list[LineState],
    ctx: RuleContext,
    ledger: Ledger,
) -> None:
    """Its savings land on the lines (exact parts, a spread, gift lines); its records come from
    the rule, kept by amount (``Rule.allocation``, ``Rule.applied_record``)."""
    amount = 0
    for pos, off in outcome.per_line:
        line = lines[pos]
        part = min(off, line.remaining)
        if part:
            line.remaining -= part
            line.allocations.append(rule.allocation(part))
            amount += part
    if outcome.total:
        amount += spread(scope_lines, outcome.total, rule.id, rule.type)
    gifts = outcome.gifts
    for sku, qty in gifts:
        amount += _add_gift(lines, sku, qty, rule, ctx)
    ledger.add_applied((rule.applied_record(amount, gifts),))


def _add_gift(lines: list[LineState], sku: str, qty: int, rule: OrderRule[Any], ctx: RuleContext) -> Fen:
    """A zero-price line; its list value is the gift rule's saving, so the lines still add up."""
    list_price = ctx.price_of(sku)
    value = list_price * qty
    lines.append(LineState.gift(len(lines), sku, qty, list_price, rule.id, rule.type, rule.allocation(value)))
    return value
