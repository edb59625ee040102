"""Promotions compiled into rule objects once and reused by every quote that prices them.

A shop's active promotions change rarely and are quoted on every cart view, so the rule
objects (with their parsed tiers, rate fractions and flags) are built once per promotion
tuple. The cache is keyed by the tuple's identity and keeps the tuple alive, so an id can
never be reused while its entry exists; a caller that builds a new tuple per request still
gets correct results, it just compiles again. Rules hold no per-quote state.
"""

from __future__ import annotations

import operator
import threading
from collections.abc import Callable, Container, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from functools import lru_cache
from typing import Any, Generic, TypeVar

from marketing.pricing import reasons
from marketing.pricing.item_step import ItemEntry, ItemRanking, item_entry, rank_items
from marketing.pricing.kept_quotes import boundaries_of
from marketing.pricing.rules import ITEM_RULES, ORDER_RULES, ItemRule, OrderOutcome, OrderRule, Rule, RuleContext
from marketing.pricing.state import LineState, ScopeIndex, ScopeLines
from marketing.pricing.types import PricingError, Promotion, RejectedRule, Scope, TierRate

CACHE_SIZE = 64


R = TypeVar("R", bound=Rule[Any])
K = TypeVar("K")
V = TypeVar("V")


@dataclass(frozen=True)
class RuleSet(Generic[R]):
    """The rules of one step, indexed by what they cover: rules over a scope, and one-product
    rules by SKU (with their out-of-scope records made in advance). A busy shop's product
    rules mostly name products that are not in this cart; those cost one dict probe per SKU."""

    scoped: tuple[R, ...]
    by_sku: Mapping[str, tuple[tuple[R, ...], tuple[RejectedRule, ...]]]

    @classmethod
    def of(cls, rules: Iterable[R]) -> RuleSet[R]:
        scoped: list[R] = []
        by_sku: dict[str, list[R]] = {}
        for rule in rules:
            if rule.sku is None:
                scoped.append(rule)
            else:
                by_sku.setdefault(rule.sku, []).append(rule)
        indexed = {sku: (tuple(rs), tuple(r.out_of_scope for r in rs)) for sku, rs in by_sku.items()}
        return cls(tuple(scoped), indexed)

    def for_cart(self, skus: Container[str], absent: list[RejectedRule]) -> list[R]:
        """The rules that may touch a cart of ``skus``; the others' records go to ``absent``."""
        rules = list(self.scoped)
        for sku, (sku_rules, records) in self.by_sku.items():
            if sku in skus:
                rules.extend(sku_rules)
            else:
                absent.extend(records)
        return rules


# (rule, the positions of the cart lines it covers); a scoped rule may cover none, because its
# screening (window, audience, limit) is reported before "out of scope", as before any plan
Covered = tuple[R, tuple[int, ...]]
PLANS_KEPT = 256  # cart shapes remembered per rule book
RANKINGS_KEPT = 16  # list prices and member tiers remembered per cart shape


@dataclass(frozen=True)
class CartPlan(Generic[R]):
    """What one step's rules cover in carts of one shape: the rules that may touch the cart
    with the line positions they cover, and the records of those that cannot (in advance)."""

    covered: tuple[Covered[R], ...]
    absent: tuple[RejectedRule, ...]
    # the distinct positions of the covered rules, in first-seen order: the order step sums
    # each scope once per quote and finds it by its number in a list (issue 12)
    scopes: tuple[tuple[int, ...], ...] = ()
    # the covered rules' entries for their step (``item_step.item_entry``, ``order_entry``)
    entries: tuple[Any, ...] = ()
    # the item step's offers ranked per line, by (member-tier rule, list prices); see ``item_ranking``
    rankings: dict[tuple[Any, tuple[int, ...]], ItemRanking] = field(default_factory=dict, compare=False, repr=False)
    # the order step: the covered rules screened on every quote (window, audience, limit), in
    # entry order; the SKUs whose list prices their outcomes read (gifts); whether every covered
    # rule is ``replayable``, and what the step did per key (``order_step.effect_key``)
    conditional: tuple[Any, ...] = ()
    gift_skus: tuple[str, ...] = ()
    replayable: bool = False
    effects: dict[Any, Any] = field(default_factory=dict, compare=False, repr=False)


def _plan(rules: RuleSet[R], index: ScopeIndex, positions: dict[tuple[int, ...], tuple[int, ...]]) -> CartPlan[R]:
    absent: list[RejectedRule] = []
    covered: list[Covered[R]] = []
    slot_of: dict[tuple[int, ...], int] = {}
    item_entries: list[ItemEntry] = []
    order_entries: list[OrderEntry] = []
    for rule in rules.for_cart(index.sku_positions, absent):
        found = index.sku_positions.get(rule.sku, ()) if rule.sku is not None else index.for_scope(rule.scope)
        found = positions.setdefault(found, found)  # equal positions: one tuple
        covered.append((rule, found))
        slot = slot_of.setdefault(found, len(slot_of))
        if isinstance(rule, ItemRule):
            item_entries.append(item_entry(rule, found))
        elif isinstance(rule, OrderRule):
            order_entries.append(order_entry(rule, found, slot))
    # order rules in the order their winners apply, (sequence, id): the order step settles one
    # type as soon as its last rule is measured
    order_entries.sort(key=_application_order)
    entries = (*item_entries, *order_entries)
    order_rules = [entry[0] for entry in order_entries]
    return CartPlan(
        tuple(covered),
        tuple(absent),
        tuple(slot_of),
        entries,
        conditional=tuple(rule for rule in order_rules if rule.conditional),
        gift_skus=tuple(sorted({sku for rule in order_rules for sku in rule.gift_skus})),
        replayable=bool(order_rules) and all(rule.replayable for rule in order_rules),
    )


# what the order step reads of a rule, in one tuple per rule, as ``item_step.ItemEntry``:
# (rule, covered positions, their scope's number, conditional, type, evaluate, and the key
# winners are applied in: (sequence, id))
OrderEntry = tuple[
    OrderRule[Any],
    tuple[int, ...],
    int,
    bool,
    str,
    Callable[[ScopeLines, RuleContext], OrderOutcome],
    tuple[int, str],
]


def order_entry(rule: OrderRule[Any], positions: tuple[int, ...], slot: int) -> OrderEntry:
    return (rule, positions, slot, rule.conditional, rule.type, rule.evaluate, (rule.sequence, rule.id))


def _application_order(entry: OrderEntry) -> tuple[int, str]:
    return entry[6]


@dataclass(frozen=True)
class RuleBook:
    """The compiled rules of one promotion tuple, plus what they cover per cart shape.

    A cart's shape is its lines' SKUs and categories in SKU order: which rules can touch which
    lines depends on nothing else, so it is worked out once per shape and rules version and
    reused while the shopper changes quantities, coupons or points, and by every shopper whose
    cart has the same products. Prices, quantities and the shopper are still read per quote."""

    item_rules: RuleSet[ItemRule[Any]]
    order_rules: RuleSet[OrderRule[Any]]
    # what its kept quotes depend on (``kept_quotes``): the moments its promotions open or
    # close, in order; the SKUs its gift rules price; whether it keeps quotes at all (every
    # order rule ``replayable``)
    boundaries: tuple[datetime, ...] = ()
    gift_skus: tuple[str, ...] = ()
    keeps_quotes: bool = False
    plans: dict[tuple[tuple[str, str], ...], tuple[CartPlan[ItemRule[Any]], CartPlan[OrderRule[Any]]]] = field(
        default_factory=dict, compare=False, repr=False
    )
    # whole quotes by their request's hash (``kept_quotes``): (key, coupons, quote, since,
    # until) or SEEN
    quotes: dict[int, Any] = field(default_factory=dict, compare=False, repr=False)

    def plan(
        self, lines: Sequence[LineState], index: ScopeIndex
    ) -> tuple[CartPlan[ItemRule[Any]], CartPlan[OrderRule[Any]]]:
        """The item and order plans for carts shaped like ``lines`` (``index`` is theirs)."""
        shape = tuple([(line.sku, line.category) for line in lines])
        found = self.plans.get(shape)
        if found is None:
            positions: dict[tuple[int, ...], tuple[int, ...]] = {}
            found = (_plan(self.item_rules, index, positions), _plan(self.order_rules, index, positions))
            keep_newest(self.plans, shape, found, PLANS_KEPT)
        return found


_ABSENT = object()
# A key met once: its hash is stored with this, and what it leads to is kept the second time
# (the order step's effects, whole quotes), so keys never met again cost little.
SEEN = object()


def keep_newest(store: dict[K, V], key: K, value: V, limit: int) -> None:
    """Store ``value`` under ``key`` in a store quotes share across threads, the oldest entries
    dropped first once it holds ``limit`` (reads go without the lock: a dict read is atomic).
    A key stored again becomes the newest and drops nothing."""
    with _lock:
        if store.pop(key, _ABSENT) is _ABSENT:
            while len(store) >= limit:
                del store[next(iter(store))]
        store[key] = value


def item_ranking(
    plan: CartPlan[ItemRule[Any]], tier: ItemRule[Any] | None, lines: Sequence[LineState], index: ScopeIndex
) -> ItemRanking:
    """The item offers of ``plan``'s carts at ``lines``' list prices, plus the member-tier rule
    ``tier`` over every line, ranked per line: once per shape, prices and tier, like the plan."""
    key = (tier, tuple([line.list_price for line in lines]))
    found = plan.rankings.get(key)
    if found is None:
        entries = plan.entries if tier is None else (*plan.entries, item_entry(tier, index.for_scope(tier.scope)))
        found = rank_items(entries, lines)
        keep_newest(plan.rankings, key, found, RANKINGS_KEPT)
    return found


def compile_rules(promotions: tuple[Promotion, ...]) -> RuleBook:
    ids = [spec.id for spec in promotions]
    if len(set(ids)) != len(ids):
        raise PricingError(reasons.INVALID_REQUEST, "two promotions share an id")
    item_rules: list[ItemRule[Any]] = []
    order_rules: list[OrderRule[Any]] = []
    scopes: dict[Scope, Scope] = {}
    for spec in promotions:
        rule: ItemRule[Any] | OrderRule[Any]
        item_cls = ITEM_RULES.get(spec.type)
        order_cls = ORDER_RULES.get(spec.type)
        if item_cls is not None:
            rule = item_cls(spec)
            item_rules.append(rule)
        elif order_cls is not None:
            rule = order_cls(spec)
            order_rules.append(rule)
        else:
            raise PricingError(reasons.INVALID_REQUEST, f"no rule for promotion type {spec.type!r}")
        if rule.sku is None:
            rule.sku = _single_sku(rule.scope)  # a one-product scope is looked up like a SKU rule
        rule.scope = scopes.setdefault(rule.scope, rule.scope)
    return RuleBook(
        RuleSet.of(item_rules),
        RuleSet.of(order_rules),
        boundaries_of(promotions),
        tuple(sorted({sku for rule in order_rules for sku in rule.gift_skus})),
        all(rule.replayable for rule in order_rules),
    )


def _single_sku(scope: Scope) -> str | None:
    if scope.categories is None and scope.skus is not None and len(scope.skus) == 1 and not scope.exclude_skus:
        return next(iter(scope.skus))
    return None


_cache: dict[int, tuple[tuple[Promotion, ...], RuleBook]] = {}
_lock = threading.Lock()


_by_members: dict[tuple[int, ...], tuple[tuple[Promotion, ...], RuleBook]] = {}


def rules_for(promotions: tuple[Promotion, ...]) -> RuleBook:
    """The compiled rules of ``promotions``: from the cache when this very tuple was seen, or a
    tuple of the very same promotion objects (every quote builds its own tuple from the rules
    the process holds, so the identity of the tuple alone would miss on each request)."""
    hit = _cache.get(id(promotions))
    if hit is not None and hit[0] is promotions:
        return hit[1]
    members = tuple(map(id, promotions))
    same = _by_members.get(members)
    if same is not None and len(same[0]) == len(promotions) and all(map(operator.is_, same[0], promotions)):
        return same[1]
    book = compile_rules(promotions)
    with _lock:
        while len(_cache) >= CACHE_SIZE:
            del _cache[next(iter(_cache))]
        while len(_by_members) >= CACHE_SIZE:
            del _by_members[next(iter(_by_members))]
        _cache[id(promotions)] = (promotions, book)
        # The stored tuple keeps its promotions alive, so their ids cannot be reused meanwhile.
        _by_members[members] = (promotions, book)
    return book


@lru_cache(maxsize=64)
def tier_rule(tier: str, rate: Decimal) -> ItemRule[Any]:
    """The member-tier rate as an item rule (the shop's tier table has a handful of rows)."""
    return ITEM_RULES[TierRate.type](TierRate(id=f"tier:{tier}", tier=tier, rate=rate))
