"""Step 2: order promotions, measured on the item-level amounts of their eligible lines.

The plan lists the rules in the order winners are applied, (sequence, id), so one type's rules
come together: each type is settled (its best applied, the others told who beat them) as soon
as its last rule is evaluated, in one pass (issue 12). Settling early changes nothing: a rule
is measured on item-level amounts, which applying another never moves.
"""

from __future__ import annotations

from typing import Any

from mall.money import Fen
from marketing.pricing.rulebook import CartPlan, OrderEntry
from marketing.pricing.rules import OrderOutcome, OrderRule, RuleContext
from marketing.pricing.state import Ledger, LineState, ScopeLines, spread
from marketing.pricing.types import Hint, RejectedRule

# (rule, its eligible lines, its outcome)
Candidate = tuple[OrderRule[Any], list[LineState], OrderOutcome]
_UNSEEN = ScopeLines([], 0, 0)  # a scope not resolved yet in this quote
_new_tuple = tuple.__new__


def apply_order_promotions(
    plan: CartPlan[OrderRule[Any]], lines: list[LineState], ctx: RuleContext, ledger: Ledger
) -> list[Hint]:
    """Different types stack; of one type the best for the shopper wins (policy "best", ties
    to the smaller id) or every qualifying one applies ("stack"). Promotions over the same
    lines share one ScopeLines (eligible lines and their totals), so each scope is summed once;
    the plan numbers the distinct scopes, so they are looked up in a list. Gifts become
    zero-price lines appended to ``lines``."""
    if not plan.covered:
        return []
    joins = ctx.policy.special_price_lines_join_order_promotions
    stack = ctx.policy.same_type == "stack"
    hints: list[Hint] = []
    scopes: list[ScopeLines | None] = [_UNSEEN] * len(plan.scopes)
    rejected: list[RejectedRule] = []
    reject = rejected.append
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
            record = rule.screened_out(ctx)
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
    return hints


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
