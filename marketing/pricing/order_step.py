"""Step 2: order promotions, measured on the item-level amounts of their eligible lines."""

from __future__ import annotations

from typing import Any

from mall.money import Fen
from marketing.pricing.rulebook import CartPlan, OrderEntry
from marketing.pricing.rules import OrderOutcome, OrderRule, RuleContext
from marketing.pricing.state import Ledger, LineState, ScopeLines, spread
from marketing.pricing.types import Allocation, Hint, RejectedRule

# (application order key, rule, its eligible lines, its outcome)
Candidate = tuple[tuple[int, str], OrderRule[Any], list[LineState], OrderOutcome]
_UNSEEN = ScopeLines([], 0, 0)  # a scope not resolved yet in this quote
_new_tuple = tuple.__new__


def _candidates(
    plan: CartPlan[OrderRule[Any]], lines: list[LineState], ctx: RuleContext
) -> tuple[dict[str, list[Candidate]], list[Hint], list[RejectedRule]]:
    """Evaluate every promotion that may apply. Promotions over the same lines share one
    ScopeLines (eligible lines and their totals), so each scope is summed once; the plan
    numbers the distinct scopes, so they are looked up in a list (issue 12). The rejection
    records go back to the caller, who adds the outdone ones and hands the ledger one list."""
    joins = ctx.policy.special_price_lines_join_order_promotions
    by_type: dict[str, list[Candidate]] = {}
    hints: list[Hint] = []
    scopes: list[ScopeLines | None] = [_UNSEEN] * len(plan.scopes)
    rejected: list[RejectedRule] = []
    reject = rejected.append
    entry: OrderEntry
    for entry in plan.entries:
        rule, positions, slot, conditional, rule_type, evaluate, key = entry
        if conditional:
            record = rule.screened_out(ctx)
            if record is not None:
                reject(record)
                continue
        scope = scopes[slot]
        if scope is _UNSEEN:
            if not positions:
                scope = scopes[slot] = None
            elif joins:
                scope = scopes[slot] = _scope_lines(lines, positions, joins)
            else:  # _scope_lines(lines, positions, False) inlined: once per scope per quote
                eligible = []
                amount = units = 0
                for pos in positions:
                    line = lines[pos]
                    if not line.special:
                        eligible.append(line)
                        amount += line.amount
                        units += line.qty
                scope = scopes[slot] = _new_tuple(ScopeLines, (eligible, amount, units))
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
        entries = by_type.get(rule_type)
        if entries is None:
            by_type[rule_type] = [(key, rule, eligible, outcome)]
        else:
            entries.append((key, rule, eligible, outcome))
    return by_type, hints, rejected


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


def apply_order_promotions(
    plan: CartPlan[OrderRule[Any]], lines: list[LineState], ctx: RuleContext, ledger: Ledger
) -> list[Hint]:
    """Different types stack; of one type the best for the shopper wins (policy "best") or
    every qualifying one applies ("stack"). Gifts become zero-price lines appended to ``lines``."""
    if not plan.covered:
        return []
    by_type, hints, rejected = _candidates(plan, lines, ctx)
    winners: list[Candidate] = []
    stack = ctx.policy.same_type == "stack"
    for entries in by_type.values():
        if len(entries) == 1 or stack:
            winners.extend(entries)
            continue
        # the most for the shopper, ties to the smaller id (a scan: a sort calls a key per entry)
        best = entries[0]
        best_value, best_id = best[3][0], best[1].id
        for entry in entries[1:]:
            value = entry[3][0]
            if value > best_value or (value == best_value and entry[1].id < best_id):
                best, best_value, best_id = entry, value, entry[1].id
        winners.append(best)
        for entry in entries:
            if entry is not best:
                rejected.append(entry[1].outdone_by(best_id))
    ledger.add_rejected("order", rejected)
    if len(winners) > 1:
        winners.sort()  # by (sequence, id): the keys are distinct, so no further element is compared
    apply = ledger.apply
    for _key, rule, scope_lines, outcome in winners:
        rule_id, rule_type = rule.id, rule.type
        amount = 0
        for pos, off in outcome.per_line:
            line = lines[pos]
            part = min(off, line.remaining)
            if part:
                line.remaining -= part
                line.allocations.append(Allocation(rule_id, rule_type, part))
                amount += part
        if outcome.total:
            amount += spread(scope_lines, outcome.total, rule_id, rule_type)
        gifts = outcome.gifts
        for sku, qty in gifts:
            amount += _add_gift(lines, sku, qty, rule_id, rule_type, ctx)
        apply(rule_id, rule_type, "order", amount, gifts)
    return hints


def _add_gift(lines: list[LineState], sku: str, qty: int, rule_id: str, rule_type: str, ctx: RuleContext) -> Fen:
    """A zero-price line; its list value is the gift rule's saving, so the lines still add up."""
    list_price = ctx.price_of(sku)
    value = list_price * qty
    lines.append(
        LineState.gift(len(lines), sku, qty, list_price, rule_id, rule_type, Allocation(rule_id, rule_type, value))
    )
    return value
