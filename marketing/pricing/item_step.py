"""Step 1: each line's unit price is the single lowest offer; item offers never multiply.

Every per-price offer depends only on the list price (``rules/item.py``), so for carts of one
shape at one set of list prices each line's offers rank the same whatever the quantities, the
moment or the shopper. :func:`rank_items` ranks them once (the rule book keeps the ranking
with the cart's plan); :func:`price_items` then screens the conditional rules of this quote,
takes per line the first offer whose rule is still in, and works out only the per-unit
(stepped) offers, whose amounts depend on the quantity (issue 12: a busy shop's 50 promotions
cost a walk of each line's ranked offers, not a comparison per rule and covered line).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from mall.money import Fen
from marketing.pricing.rules import ItemRule, RuleContext
from marketing.pricing.state import Ledger, LineState
from marketing.pricing.types import RejectedRule, UnitRange

# (line amount, special, rule id, rule, lowest unit price, unit ranges)
Offer = tuple[Fen, bool, str, ItemRule[Any], Fen, tuple[UnitRange, ...]]
# what the step reads of a rule, in one tuple per rule (issue 12: the rules of one quote are of
# many classes, so reading these as attributes in the loop costs a dictionary walk each time):
# (rule, covered positions, id, special, offer, by_unit, screened = blocked or conditional,
#  and for a rate offer 2 × its numerator, its denominator, 2 × its denominator, else 0, 0, 0)
ItemEntry = tuple[ItemRule[Any], tuple[int, ...], str, bool, Callable[[Fen], Fen], bool, bool, int, int, int]
# one per-price offer on one line, in ranking order: (unit price, special, rule id, entry number)
RankedOffer = tuple[Fen, bool, str, int]


def item_entry(rule: ItemRule[Any], positions: tuple[int, ...]) -> ItemEntry:
    screened = rule.blocked is not None or rule.conditional
    num, den = rule.rate_fraction or (0, 0)
    return (rule, positions, rule.id, rule.special, rule.offer, rule.by_unit, screened, 2 * num, den, 2 * den)


def unit_offer(entry: ItemEntry, list_price: Fen) -> Fen:
    """A per-price entry's unit price for ``list_price`` (the list price or more: no offer)."""
    num2, den, den2 = entry[7], entry[8], entry[9]
    # mall.money.rate_applier's rounding half up, inlined for amounts >= 0
    return (list_price * num2 + den) // den2 if den2 and list_price >= 0 else entry[4](list_price)


@dataclass(frozen=True, slots=True)
class ItemRanking:
    """The item offers of carts of one shape at one set of list prices (and member tier).

    ``ranked`` lists each line's per-price offers below its list price, cheapest first, ties
    to a normal price over a special one, then to the rule id: the order ``price_items``
    compares offers in. The entry numbers sort the rules by what a quote must still do."""

    entries: tuple[ItemEntry, ...]
    ranked: tuple[tuple[RankedOffer, ...], ...]
    screened: tuple[int, ...]  # blocked or conditional: screened on every quote
    by_unit: tuple[int, ...]  # per-unit offers over some lines: worked out on every quote
    # records a rule gets unless it is screened out: no line in scope, or (per price) no line
    # it would sell below the list price
    unscreened_records: tuple[tuple[int, RejectedRule], ...]
    below_list: tuple[int, ...]  # per-price rules below the list price on some line


def rank_items(entries: tuple[ItemEntry, ...], lines: Sequence[LineState]) -> ItemRanking:
    ranked: list[list[RankedOffer]] = [[] for _ in lines]
    screened: list[int] = []
    by_unit: list[int] = []
    records: list[tuple[int, RejectedRule]] = []
    below_list: list[int] = []
    for i, entry in enumerate(entries):
        rule, positions, rule_id, special, by_unit_rule = entry[0], entry[1], entry[2], entry[3], entry[5]
        if entry[6]:
            screened.append(i)
        if not positions:
            records.append((i, rule.out_of_scope))
            continue
        if by_unit_rule:
            by_unit.append(i)
            continue
        below = False
        for pos in positions:
            list_price = lines[pos].list_price
            price = unit_offer(entry, list_price)
            if price < list_price:
                ranked[pos].append((price, special, rule_id, i))
                below = True
        if below:
            below_list.append(i)
        else:
            records.append((i, rule.no_benefit))
    return ItemRanking(
        entries=entries,
        ranked=tuple(tuple(sorted(offers)) for offers in ranked),  # entry numbers never decide: ids differ
        screened=tuple(screened),
        by_unit=tuple(by_unit),
        unscreened_records=tuple(records),
        below_list=tuple(below_list),
    )


def price_items(ranking: ItemRanking, lines: Sequence[LineState], ctx: RuleContext, ledger: Ledger) -> None:
    """Offers are compared by what the whole line would cost (the same as comparing unit
    prices, except for stepped prices, whose units may cost different amounts). Ties go to a
    normal price over a special one (so the line still joins order promotions), then to the
    rule id. Only the best offer per line is kept."""
    entries = ranking.entries
    rejected: list[RejectedRule] = []
    reject = rejected.append
    out: set[int] = set()  # entries screened out of this quote
    for i in ranking.screened:
        rule = entries[i][0]
        record = rule.rejected(*rule.blocked) if rule.blocked else rule.screened_out(ctx)
        if record is not None:
            reject(record)
            out.add(i)
    if out:
        rejected += [record for i, record in ranking.unscreened_records if i not in out]
    else:
        rejected += [record for _i, record in ranking.unscreened_records]
    # per line: the first ranked offer still in, as (amount, special, rule id, rule, price, ranges)
    best: list[Offer | None] = []
    keep = best.append
    for line, offers in zip(lines, ranking.ranked, strict=True):
        for price, special, rule_id, i in offers:
            if i not in out:
                keep((price * line.qty, special, rule_id, entries[i][0], price, ()))
                break
        else:
            keep(None)
    offered = [entries[i][0] for i in ranking.below_list if i not in out]
    for i in ranking.by_unit:
        if i not in out:
            _per_unit_offers(entries[i], lines, best, offered, reject)
    _apply_winners(lines, best, offered, rejected, ctx, ledger)


def _per_unit_offers(
    entry: ItemEntry,
    lines: Sequence[LineState],
    best: list[Offer | None],
    offered: list[ItemRule[Any]],
    reject: Callable[[RejectedRule], None],
) -> None:
    """A per-unit (stepped) rule's offers, each against the best per-price offer of its line."""
    rule, positions, rule_id, special = entry[0], entry[1], entry[2], entry[3]
    below_list = False
    for pos in positions:
        line = lines[pos]
        amount, price, ranges = rule.line_offer(line.list_price, line.qty)
        if amount >= line.list_price * line.qty:
            continue
        below_list = True
        current = best[pos]
        if current is None or (amount, special, rule_id) < (current[0], current[1], current[2]):
            best[pos] = (amount, special, rule_id, rule, price, ranges)
    if below_list:
        offered.append(rule)
    else:
        reject(rule.no_benefit)


def _apply_winners(
    lines: Sequence[LineState],
    best: list[Offer | None],
    offered: list[ItemRule[Any]],
    rejected: list[RejectedRule],
    ctx: RuleContext,
    ledger: Ledger,
) -> None:
    """Each line takes its winning offer; each winning rule's records come from the rule, kept
    by amount (``Rule.allocation``), in the order the rules first won a line."""
    saved_by_rule: dict[ItemRule[Any], Fen] = {}
    for line, winning in zip(lines, best, strict=True):
        if winning is not None:
            amount, special, rule_id, rule, price, ranges = winning
            if rule.checks_winner:
                rule.check_winner(line, ctx)
            # the winning offer set on the line field by field (issue 12: once per line per quote)
            line.unit_price = price
            line.amount = line.remaining = amount
            line.item_rule_id = rule_id
            line.item_rule_type = rule.type
            line.special = special
            line.ranges = ranges
            saved = line.list_price * line.qty - amount
            line.allocations.append(rule.allocations.get(saved) or rule.allocation(saved))
            saved_by_rule[rule] = saved_by_rule.get(rule, 0) + saved
    ledger.add_applied(
        [rule.applied_records.get(saved) or rule.applied_record(saved) for rule, saved in saved_by_rule.items()]
    )
    for rule in offered:
        if rule not in saved_by_rule:
            rejected.append(rule.outpriced)
    ledger.add_rejected("item", rejected)
