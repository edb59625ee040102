"""Step 2: order promotions, measured on the item-level amounts of their eligible lines."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from mall.money import Fen
from marketing.pricing import reasons
from marketing.pricing.rules import OrderOutcome, OrderRule, RuleContext
from marketing.pricing.state import Ledger, LineState, ScopeLines, spread
from marketing.pricing.types import Allocation, Hint, RejectedRule

Candidate = tuple[OrderRule[Any], list[LineState], OrderOutcome]
_UNSEEN = ScopeLines([], 0, 0)  # a scope not resolved yet in this quote


def _candidates(
    covered: Iterable[tuple[OrderRule[Any], tuple[int, ...]]], lines: list[LineState], ctx: RuleContext, ledger: Ledger
) -> tuple[dict[str, list[Candidate]], list[Hint]]:
    """Evaluate every promotion that may apply. Promotions over the same lines share one
    ScopeLines (eligible lines and their totals), so each scope is summed once; the plan hands
    equal positions as one tuple, so they are told apart by identity, not by hashing them."""
    joins = ctx.policy.special_price_lines_join_order_promotions
    by_type: dict[str, list[Candidate]] = {}
    hints: list[Hint] = []
    scopes: dict[int, ScopeLines | None] = {}  # id(positions) -> its lines (None: none)
    rejected: list[RejectedRule] = []
    reject = rejected.append
    for rule, positions in covered:
        if rule.conditional:
            rejection = rule.rejection(ctx)
            if rejection:
                reject(rule.rejected(*rejection))
                continue
        scope = scopes.get(id(positions), _UNSEEN)
        if scope is _UNSEEN:
            scope = scopes[id(positions)] = _scope_lines(lines, positions, joins) if positions else None
        if scope is None:
            reject(rule.out_of_scope)
            continue
        if not scope.lines:
            reject(rule.only_special)
            continue
        outcome = rule.evaluate(scope, ctx)
        if outcome.hint is not None:
            hints.append(outcome.hint)
        if outcome.reason is not None:
            reject(rule.rejected(outcome.reason, outcome.detail))
            continue
        entries = by_type.get(rule.type)
        if entries is None:
            by_type[rule.type] = [(rule, scope.lines, outcome)]
        else:
            entries.append((rule, scope.lines, outcome))
    ledger.add_rejected("order", rejected)
    return by_type, hints


def _by_value_then_id(entry: Candidate) -> tuple[Fen, str]:
    return (-entry[2].value, entry[0].id)


def _by_sequence_then_id(entry: Candidate) -> tuple[int, str]:
    return (entry[0].sequence, entry[0].id)


def _scope_lines(lines: list[LineState], positions: tuple[int, ...], joins: bool) -> ScopeLines:
    eligible = []
    amount = units = 0
    for pos in positions:
        line = lines[pos]
        if joins or not line.special:
            eligible.append(line)
            amount += line.amount
            units += line.qty
    return ScopeLines(eligible, amount, units)


def apply_order_promotions(
    covered: Iterable[tuple[OrderRule[Any], tuple[int, ...]]], lines: list[LineState], ctx: RuleContext, ledger: Ledger
) -> list[Hint]:
    """Different types stack; of one type the best for the shopper wins (policy "best") or
    every qualifying one applies ("stack"). Gifts become zero-price lines appended to ``lines``."""
    by_type, hints = _candidates(covered, lines, ctx, ledger)
    winners: list[Candidate] = []
    stack = ctx.policy.same_type == "stack"
    for entries in by_type.values():
        if len(entries) == 1 or stack:
            winners.extend(entries)
            continue
        entries.sort(key=_by_value_then_id)
        winners.append(entries[0])
        detail = f"{entries[0][0].id} of the same type gives more"
        ledger.add_rejected("order", [rule.rejected(reasons.CONFLICT, detail) for rule, _, _ in entries[1:]])
    if len(winners) > 1:
        winners.sort(key=_by_sequence_then_id)
    for rule, scope_lines, outcome in winners:
        amount = 0
        for pos, off in outcome.per_line:
            line = lines[pos]
            part = min(off, line.remaining)
            if part:
                line.remaining -= part
                line.allocations.append(Allocation(rule.id, rule.type, part))
                amount += part
        if outcome.total:
            amount += spread(scope_lines, outcome.total, rule.id, rule.type)
        for sku, qty in outcome.gifts:
            amount += _add_gift(lines, sku, qty, rule, ctx)
        ledger.apply(rule.id, rule.type, "order", amount, outcome.gifts)
    return hints


def _add_gift(lines: list[LineState], sku: str, qty: int, rule: OrderRule[Any], ctx: RuleContext) -> Fen:
    """A zero-price line; its list value is the gift rule's saving, so the lines still add up."""
    gift = LineState(pos=len(lines), sku=sku, category="", qty=qty, list_price=ctx.price_of(sku))
    gift.set_item_price(0, rule.id, rule.type, special=False)
    gift.is_gift = True
    lines.append(gift)
    return gift.list_price * qty
