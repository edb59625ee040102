"""The engine's working state for one quote: mutable lines, a scope index and a ledger.

Kept apart from the frozen input/output types so rules can update amounts cheaply while the
caller only ever sees immutable results.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import starmap
from operator import attrgetter
from typing import Any, NamedTuple

from mall.money import Fen
from marketing.pricing.types import Allocation, AppliedRule, Level, RejectedRule, Scope, UnitRange

LEVELS: tuple[Level, ...] = ("item", "order", "coupon", "points")
_BY_RULE_ID = attrgetter("rule_id")
_new_object = object.__new__


class LineState:
    """One cart line while it is being priced. ``remaining`` is what is still to be paid."""

    __slots__ = (
        "allocations",
        "amount",
        "category",
        "is_gift",
        "item_rule_id",
        "item_rule_type",
        "list_price",
        "pos",
        "qty",
        "ranges",
        "remaining",
        "sku",
        "special",
        "unit_price",
    )

    def __init__(self, *, pos: int, sku: str, category: str, qty: int, list_price: Fen) -> None:
        self.pos = pos
        self.sku = sku
        self.category = category
        self.qty = qty
        self.list_price = list_price
        self.unit_price = list_price
        self.amount = list_price * qty  # item-level amount, fixed after step 1
        self.remaining = self.amount
        self.item_rule_id: str | None = None
        self.item_rule_type: str | None = None
        self.special = False
        self.is_gift = False
        self.allocations: list[Allocation] = []
        self.ranges: tuple[UnitRange, ...] = ()

    @classmethod
    def gift(
        cls, pos: int, sku: str, qty: int, list_price: Fen, rule_id: str, rule_type: str, allocation: Allocation
    ) -> LineState:
        """A gift line, at 0 with ``allocation`` (its list value) saved by ``rule_id``: each field
        set once, without ``__init__``'s keywords and defaults (issue 12: per gift per quote)."""
        line = _new_object(cls)
        line.pos = pos
        line.sku = sku
        line.category = ""
        line.qty = qty
        line.list_price = list_price
        line.unit_price = line.amount = line.remaining = 0
        line.item_rule_id = rule_id
        line.item_rule_type = rule_type
        line.special = False
        line.is_gift = True
        line.allocations = [allocation]
        line.ranges = ()
        return line


class ScopeIndex:
    """Answers "which lines does this scope cover" from dicts built once per quote, so a rule
    costs O(lines it covers), not O(lines), and equal scopes are resolved once."""

    def __init__(self, lines: Sequence[LineState]) -> None:
        self._all = tuple(line.pos for line in lines)
        self._by_sku = {line.sku: line.pos for line in lines}
        self.sku_positions = {line.sku: (line.pos,) for line in lines}
        by_category: dict[str, list[int]] = {}
        for line in lines:
            by_category.setdefault(line.category, []).append(line.pos)
        self._by_category = {category: tuple(positions) for category, positions in by_category.items()}
        # keyed by id(): every scope asked about belongs to a spec that outlives this quote, and
        # the compiled rule book interns equal scopes, so equal scopes are resolved once
        self._cache: dict[int, tuple[int, ...]] = {}

    def for_scope(self, scope: Scope) -> tuple[int, ...]:
        cached = self._cache.get(id(scope))
        if cached is None:
            cached = self._cache[id(scope)] = self._resolve(scope)
        return cached

    def _resolve(self, scope: Scope) -> tuple[int, ...]:
        categories, skus = scope.categories, scope.skus
        if not scope.exclude_skus:
            # the common shapes answered straight from the dicts (their tuples are in order)
            if categories is None:
                if skus is None:
                    return self._all
                if len(skus) == 1:
                    (sku,) = skus
                    return self.sku_positions.get(sku, ())
            elif skus is None and len(categories) == 1:
                (category,) = categories
                return self._by_category.get(category, ())
        if scope.whole_shop:
            if not scope.exclude_skus:
                return self._all
            found = set(self._all)
        else:
            found = set()
            for sku in scope.skus or ():
                pos = self._by_sku.get(sku)
                if pos is not None:
                    found.add(pos)
            for category in scope.categories or ():
                found.update(self._by_category.get(category, ()))
        for sku in scope.exclude_skus:
            found.discard(self._by_sku.get(sku, -1))
        return tuple(sorted(found))


class ScopeLines(NamedTuple):
    """The eligible lines of one scope with their item-level totals, computed once per scope
    and shared by every promotion over it."""

    lines: list[LineState]
    amount: Fen
    units: int


def spread(lines: Sequence[LineState], total: Fen, rule_id: str, rule_type: str) -> Fen:
    """Take up to ``total`` off ``lines`` in proportion to what each still owes (largest
    remainder). Returns what was taken: never more than the lines owe, so nothing goes below 0.

    ``mall.money.allocate`` inlined (issue 12: it runs once per order promotion and for points,
    over every line): what the lines owe is never negative and, once something is taken, never
    all zero, so its checks and the second sum go; the parts are the same, ties to the earlier
    line."""
    owed = [line.remaining for line in lines]
    owed_sum = sum(owed)
    take = total if total < owed_sum else owed_sum
    if take <= 0:
        return 0
    shares = [take * w // owed_sum for w in owed]
    left = take - sum(shares)
    if left:
        remainders = [take * w % owed_sum for w in owed]
        for i in sorted(range(len(owed)), key=remainders.__getitem__, reverse=True)[:left]:
            shares[i] += 1
    for line, part in zip(lines, shares, strict=True):
        if part:
            line.remaining -= part
            line.allocations.append(Allocation(rule_id, rule_type, part))
    return take


class Ledger:
    """Collects what each rule gave and why others did not apply, in a stable order.

    The item and order steps hand in each rule's whole record (made by the rule, kept by
    amount); the coupons' and points' savings land in parts and stay plain lists until the end."""

    def __init__(self) -> None:
        # the item and order steps' records, one per rule, listed first
        self._records: list[AppliedRule] = []
        # (level, rule id) -> [rule id, rule type, level, amount]: AppliedRule's fields (no gifts)
        self._applied: dict[tuple[str, str], list[Any]] = {}
        self._rejected: dict[str, list[RejectedRule]] = {level: [] for level in LEVELS}

    def apply(self, rule_id: str, rule_type: str, level: Level, amount: Fen) -> None:
        """A saving that lands in parts (the coupons' and points' steps), summed per rule."""
        entry = self._applied.get((level, rule_id))
        if entry is None:
            self._applied[(level, rule_id)] = [rule_id, rule_type, level, amount]
        else:
            entry[3] += amount

    def add_applied(self, records: Sequence[AppliedRule]) -> None:
        """Whole records of the item and order steps (a rule applies once in a quote), in the
        order they applied: listed before the coupons' and points'."""
        self._records += records

    def add_rejected(self, level: Level, rejected: Sequence[RejectedRule]) -> None:
        self._rejected[level].extend(rejected)

    def record_count(self) -> int:
        return len(self._records)

    def records_since(self, count: int) -> tuple[AppliedRule, ...]:
        """The whole records added after the first ``count`` (what one step applied)."""
        return tuple(self._records[count:])

    def applied(self) -> tuple[AppliedRule, ...]:
        return (*self._records, *starmap(AppliedRule, self._applied.values()))  # no bytecode per rule

    def rejected(self) -> tuple[RejectedRule, ...]:
        """By level, then rule id (a stable sort: one id rejected twice keeps its order)."""
        records: list[RejectedRule] = []
        for level in LEVELS:
            records += sorted(self._rejected[level], key=_BY_RULE_ID)
        return tuple(records)
