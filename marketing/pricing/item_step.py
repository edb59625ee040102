"""Step 1: each line's unit price is the single lowest offer; item offers never multiply."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any

from mall.money import Fen
from marketing.pricing.rules import ItemRule, RuleContext
from marketing.pricing.state import Ledger, LineState
from marketing.pricing.types import Allocation, RejectedRule, UnitRange

# (line amount, special, rule id, rule, lowest unit price, unit ranges)
Offer = tuple[Fen, bool, str, ItemRule[Any], Fen, tuple[UnitRange, ...]]
# what the step reads of a rule, in one tuple per rule (issue 12: the rules of one quote are of
# many classes, so reading these as attributes in the loop costs a dictionary walk each time):
# (rule, covered positions, id, special, offer, by_unit, screened = blocked or conditional,
#  and for a rate offer 2 × its numerator, its denominator, 2 × its denominator, else 0, 0, 0)
ItemEntry = tuple[ItemRule[Any], tuple[int, ...], str, bool, Callable[[Fen], Fen], bool, bool, int, int, int]


def item_entry(rule: ItemRule[Any], positions: tuple[int, ...]) -> ItemEntry:
    screened = rule.blocked is not None or rule.conditional
    num, den = rule.rate_fraction or (0, 0)
    return (rule, positions, rule.id, rule.special, rule.offer, rule.by_unit, screened, 2 * num, den, 2 * den)


def price_items(
    entries: Iterable[ItemEntry],
    lines: Sequence[LineState],
    ctx: RuleContext,
    ledger: Ledger,
) -> None:
    """Offers are compared by what the whole line would cost (the same as comparing unit
    prices, except for stepped prices, whose units may cost different amounts). Ties go to a
    normal price over a special one (so the line still joins order promotions), then to the
    rule id. Only the best offer per line is kept: one comparison per (rule, covered line),
    however many rules compete. ``entries`` pair each rule with the lines it covers."""
    best: list[Offer | None] = [None] * len(lines)
    offered: list[ItemRule[Any]] = []
    rejected: list[RejectedRule] = []
    reject = rejected.append
    for rule, positions, rule_id, special, offer, by_unit, screened, num2, den, den2 in entries:
        if screened:
            record = rule.rejected(*rule.blocked) if rule.blocked else rule.screened_out(ctx)
            if record is not None:
                reject(record)
                continue
        if not positions:
            reject(rule.out_of_scope)
            continue
        below_list = False
        for pos in positions:
            line = lines[pos]
            list_price = line.list_price
            ranges: tuple[UnitRange, ...] = ()
            if by_unit:
                amount, price, ranges = rule.line_offer(list_price, line.qty)
                if amount >= list_price * line.qty:
                    continue
            else:
                # mall.money.rate_applier's rounding half up, inlined for amounts >= 0
                price = (list_price * num2 + den) // den2 if den2 and list_price >= 0 else offer(list_price)
                if price >= list_price:
                    continue
                amount = price * line.qty
            below_list = True
            current = best[pos]
            if (
                current is None
                or amount < current[0]
                or (amount == current[0] and (special, rule_id) < (current[1], current[2]))
            ):
                best[pos] = (amount, special, rule_id, rule, price, ranges)
        if below_list:
            offered.append(rule)
        else:
            reject(rule.no_benefit)
    winners: set[str] = set()
    apply = ledger.apply
    for line, winning in zip(lines, best, strict=True):
        if winning is not None:
            amount, special, rule_id, rule, price, ranges = winning
            if rule.checks_winner:
                rule.check_winner(line, ctx)
            # LineState.set_item_price inlined (issue 12: once per line per quote)
            rule_type = rule.type
            line.unit_price = price
            line.amount = line.remaining = amount
            line.item_rule_id = rule_id
            line.item_rule_type = rule_type
            line.special = special
            line.ranges = ranges
            saved = line.list_price * line.qty - amount
            line.allocations.append(Allocation(rule_id, rule_type, saved))
            apply(rule_id, rule_type, "item", saved)
            winners.add(rule_id)
    for rule in offered:
        if rule.id not in winners:
            reject(rule.outpriced)
    ledger.add_rejected("item", rejected)
