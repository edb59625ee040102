"""Rule interfaces and the registries that map a ``type`` string to its rule class.

Like django-oscar's Condition/Benefit pairs, each rule is a small class that knows one
promotion type; unlike oscar they are plain classes over frozen specs, so adding a type is
one class plus ``@register_*`` and the applicator does not change. A rule holds only what
follows from its spec (it is compiled once and reused across quotes); everything about one
quote arrives as a :class:`RuleContext` argument.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, ClassVar, Generic, NamedTuple, TypeVar

from mall.money import Fen
from marketing.pricing import reasons
from marketing.pricing.state import LineState, ScopeLines
from marketing.pricing.types import (
    WHOLE_SHOP,
    Allocation,
    AppliedRule,
    CouponSpec,
    Hint,
    Level,
    RejectedRule,
    RuleSpec,
    Scope,
    ShopperInfo,
    StackingPolicy,
    UnitRange,
)

SpecT = TypeVar("SpecT", bound=RuleSpec)
K = TypeVar("K")
V = TypeVar("V")
REJECTIONS_KEPT = 32  # rejection records a compiled rule keeps for reuse across quotes
OUTCOMES_KEPT = 64  # outcomes an order rule keeps by the figure they depend on alone
RECORDS_KEPT = 256  # allocation and applied records a compiled rule keeps by their amount


def kept(store: dict[K, V], key: K, value: V, limit: int) -> V:
    """``value`` stored under ``key`` and returned: what a compiled rule keeps of answers that
    follow from its spec and one figure of the cart. A store at ``limit`` starts over, so a
    long-running process keeps the answers of the carts priced lately."""
    if len(store) >= limit:
        store.clear()
    store[key] = value
    return value


@dataclass(frozen=True)
class RuleContext:
    """What rules may read besides their spec: the quote's moment, shopper and policy."""

    at: datetime
    shopper: ShopperInfo
    policy: StackingPolicy
    price_of: Callable[[str], Fen]


def screen(spec: RuleSpec, ctx: RuleContext, *, count_orders: bool = True) -> tuple[str, str] | None:
    """The checks every rule shares: window, new shoppers only, per-user limit (in orders)."""
    if not spec.in_window(ctx.at):
        return reasons.OUT_OF_WINDOW, "not running at the quote time"
    if spec.new_user_only and not ctx.shopper.is_new:
        return reasons.NOT_NEW_SHOPPER, "for new shoppers only"
    if count_orders and spec.per_user_limit is not None:
        used = ctx.shopper.used.get(spec.id, 0)
        if used >= spec.per_user_limit:
            return reasons.LIMIT, f"used {used} of {spec.per_user_limit}"
    return None


class Rule(Generic[SpecT]):
    """A compiled promotion: its spec plus whatever can be worked out before any cart.

    What a rule covers is data, not behaviour: one SKU (``sku_field`` names the spec field)
    or a scope, so the scope index answers for every rule without a call into it.
    """

    type: ClassVar[str]
    level: ClassVar[Level]  # the step it applies in
    counts_orders: ClassVar[bool] = True  # False when per_user_limit counts units instead
    sku_field: ClassVar[str | None] = None

    def __init__(self, spec: SpecT) -> None:
        self.spec = spec
        self.id = spec.id
        self.sku: str | None = getattr(spec, self.sku_field) if self.sku_field else None
        self.scope: Scope = getattr(spec, "scope", WHOLE_SHOP)  # the rule book interns equal scopes
        # a reason the rule gives nothing whatever the cart or the moment (beyond screening)
        self.blocked: tuple[str, str] | None = None
        self._rejections: dict[tuple[str, str], RejectedRule] = {}
        self._outdone: dict[str, RejectedRule] = {}
        # the output records of its savings, by amount (``allocation``, ``applied_record``); a
        # hot path reads ``allocations.get(amount) or allocation(amount)``: a call only on a miss
        self.allocations: dict[Fen, Allocation] = {}
        self.applied_records: dict[Fen, AppliedRule] = {}
        self.out_of_scope = self.rejected(reasons.OUT_OF_SCOPE, "no line in its scope")
        limited = spec.per_user_limit is not None and self.counts_orders
        # most promotions have no window or audience: skip screening them on every quote
        self.conditional = spec.starts_at is not None or spec.ends_at is not None or spec.new_user_only or limited
        # what ``screened_out`` reads, taken from the spec once (issue 12)
        self._window = (spec.starts_at, spec.ends_at)
        self._new_only = spec.new_user_only
        self._limit = spec.per_user_limit if limited else None
        if self.conditional:
            self._out_of_window = self.rejected(reasons.OUT_OF_WINDOW, "not running at the quote time")
            self._not_new = self.rejected(reasons.NOT_NEW_SHOPPER, "for new shoppers only")

    def rejection(self, ctx: RuleContext) -> tuple[str, str] | None:
        """Why the rule is off for this quote (window, audience, limit); callers skip the call
        when ``conditional`` is False."""
        return screen(self.spec, ctx, count_orders=self.counts_orders)

    def screened_out(self, ctx: RuleContext) -> RejectedRule | None:
        """The record of ``rejection`` (the same checks in the same order as ``screen``),
        without its calls: a busy shop screens its conditional promotions on every quote.
        Callers skip the call when ``conditional`` is False."""
        at = ctx.at
        starts, ends = self._window
        if (starts is not None and at < starts) or (ends is not None and at >= ends):
            return self._out_of_window
        if self._new_only and not ctx.shopper.is_new:
            return self._not_new
        limit = self._limit
        if limit is not None:
            used = ctx.shopper.used.get(self.id, 0)
            if used >= limit:
                return self.rejected(reasons.LIMIT, f"used {used} of {limit}")
        return None

    def outdone_by(self, winner_id: str) -> RejectedRule:
        """The record of losing to ``winner_id`` of the same type (an order promotion): kept
        per winner, so a quote that ends the same way builds no wording (issue 12)."""
        record = self._outdone.get(winner_id)
        if record is None:
            record = self.rejected(reasons.CONFLICT, f"{winner_id} of the same type gives more")
            if len(self._outdone) < REJECTIONS_KEPT:
                self._outdone[winner_id] = record
        return record

    def allocation(self, amount: Fen) -> Allocation:
        """The record of ``amount`` of this rule's saving landing on one line. Immutable, so one
        instance serves every quote with that amount: an item rule's saving on a line is
        (list price − its price) × quantity, a handful of figures per product, and the item
        step writes one per line per quote (issue 12); kept like ``remember``'s outcomes."""
        record = self.allocations.get(amount)
        if record is None:
            record = kept(self.allocations, amount, Allocation(self.id, self.type, amount), RECORDS_KEPT)
        return record

    def applied_record(self, amount: Fen, gifts: tuple[tuple[str, int], ...] = ()) -> AppliedRule:
        """The record of this rule's whole saving on a quote (and its gifts), kept by amount
        like ``allocation``: a one-product rule's total is its line's saving, a 满减's one of
        its tiers, a gift's value follows from its quantity. A kept record with other gifts is
        replaced, never handed out."""
        record = self.applied_records.get(amount)
        if record is None or record.gifts != gifts:
            record = AppliedRule(self.id, self.type, self.level, amount, gifts)
            kept(self.applied_records, amount, record, RECORDS_KEPT)
        return record

    def rejected(self, reason: str, detail: str) -> RejectedRule:
        """The rejection record for ``reason`` and ``detail``; it is immutable, so one instance
        serves every quote that rejects this rule the same way. Wordings that name the cart's
        amounts vary without end, so only the first ``REJECTIONS_KEPT`` distinct ones are kept."""
        key = (reason, detail)
        rejected = self._rejections.get(key)
        if rejected is None:
            rejected = RejectedRule(rule_id=self.id, rule_type=self.type, reason=reason, detail=detail)
            if len(self._rejections) < REJECTIONS_KEPT:
                self._rejections[key] = rejected
        return rejected


class LineOffer(NamedTuple):
    """What a per-unit rule offers a whole line: its amount, its lowest unit price and the
    units' ranges (see ``UnitRange``)."""

    amount: Fen
    unit_price: Fen
    ranges: tuple[UnitRange, ...]


class ItemRule(Rule[SpecT]):
    """Step 1: offers a unit price for some lines; the lowest offer on a line wins.

    ``offer`` maps a line's list price to the unit price this rule offers (the list price or
    more = no offer); subclasses set it in ``__init__``. A rule whose units do not all cost
    the same (stepped prices) sets ``by_unit`` and answers ``line_offer`` instead; offers are
    compared by what the whole line costs.
    """

    level: ClassVar[Level] = "item"
    special: ClassVar[bool] = False  # flash/group/bargain: the line skips order promotions
    by_unit: ClassVar[bool] = False
    offer: Callable[[Fen], Fen]
    # a rate offer's (numerator, denominator): the item step works ``offer`` out inline
    rate_fraction: tuple[int, int] | None = None

    def line_offer(self, list_price: Fen, qty: int) -> LineOffer:
        price = self.offer(list_price)
        return LineOffer(price * qty, price, ())

    def __init__(self, spec: SpecT) -> None:
        super().__init__(spec)
        self.no_benefit = self.rejected(reasons.NO_BENEFIT, "not below the list price")
        self.outpriced = self.rejected(reasons.CONFLICT, "a lower item price won on its lines")

    checks_winner: ClassVar[bool] = False  # True where check_winner may refuse the cart

    def check_winner(self, line: LineState, ctx: RuleContext) -> None:
        """Called when this rule gives the line its price (when ``checks_winner``); may refuse
        the cart."""


class OrderOutcome(NamedTuple):
    """What an order promotion would give, measured on item-level amounts.

    ``value`` ranks promotions of one type (money off, or the gifts' list value); 0 = nothing.
    ``per_line`` is an exact discount per line position; ``total`` is spread over the scope.
    A NamedTuple, not a dataclass: one is built per promotion per quote, on the hot path.
    """

    value: Fen
    reason: str | None = None
    detail: str = ""
    per_line: tuple[tuple[int, Fen], ...] = ()
    total: Fen = 0
    gifts: tuple[tuple[str, int], ...] = ()
    hint: Hint | None = None


class OrderRule(Rule[SpecT], ABC):
    """Step 2: a promotion over the order's eligible lines in its scope.

    ``sequence`` orders application across types: unit-specific money off first, then money
    spread over the scope, then gifts (which take no money).
    """

    sequence: ClassVar[int]
    level: ClassVar[Level] = "order"
    # True when ``evaluate`` reads nothing but its scope's lines (their amount, quantity, unit
    # price and SKU), its spec and ``ctx.price_of`` of ``gift_skus``: then the order step may
    # replay what it did for a cart priced before with the same figures (``order_step``)
    replayable: ClassVar[bool] = False
    gift_skus: tuple[str, ...] = ()

    def __init__(self, spec: SpecT) -> None:
        super().__init__(spec)
        detail = "flash-sale, group and bargain lines take no part in order promotions"
        self.only_special = self.rejected(reasons.SPECIAL_PRICE_EXCLUDED, detail)
        # outcomes that follow from one figure of the scope (its amount) and the spec alone
        self.outcomes: dict[Fen, OrderOutcome] = {}

    def remember(self, figure: Fen, outcome: OrderOutcome) -> OrderOutcome:
        """Keep ``outcome`` as what this rule gives whenever its scope shows ``figure`` (the
        caller knows nothing else counts): a cart priced again, as the shopper picks coupons or
        points, hands every rule the same amounts. It is immutable, so quotes share it."""
        return kept(self.outcomes, figure, outcome, OUTCOMES_KEPT)

    @abstractmethod
    def evaluate(self, scope: ScopeLines, ctx: RuleContext) -> OrderOutcome:
        """What the promotion gives on its eligible scope lines (never empty), item-level."""


class CouponRule(ABC):
    """Step 3: one coupon kind. ``discount`` is the saving on the scope's amount."""

    kind: ClassVar[str]

    def __init__(self, spec: CouponSpec) -> None:
        self.spec = spec
        self._rejections: dict[tuple[str, str], RejectedRule] = {}

    def rejected(self, reason: str, detail: str) -> RejectedRule:
        """The coupon's rejection record, one instance per wording as in ``Rule.rejected``
        (issue 12: a wallet's coupons are judged on every cart view)."""
        key = (reason, detail)
        rejected = self._rejections.get(key)
        if rejected is None:
            spec = self.spec
            rejected = RejectedRule(rule_id=spec.id, rule_type=spec.kind, reason=reason, detail=detail)
            if len(self._rejections) < REJECTIONS_KEPT:
                self._rejections[key] = rejected
        return rejected

    def reaches(self, amount: Fen) -> bool:
        return amount >= self.spec.threshold

    @abstractmethod
    def discount(self, amount: Fen) -> Fen:
        """The saving on ``amount`` (already known to reach the threshold), at most ``amount``."""


ITEM_RULES: dict[str, type[ItemRule[Any]]] = {}
ORDER_RULES: dict[str, type[OrderRule[Any]]] = {}
COUPON_RULES: dict[str, type[CouponRule]] = {}

ItemT = TypeVar("ItemT", bound=type[ItemRule[Any]])
OrderT = TypeVar("OrderT", bound=type[OrderRule[Any]])
CouponT = TypeVar("CouponT", bound=type[CouponRule])


def register_item(cls: ItemT) -> ItemT:
    ITEM_RULES[cls.type] = cls
    return cls


def register_order(cls: OrderT) -> OrderT:
    ORDER_RULES[cls.type] = cls
    return cls


def register_coupon(cls: CouponT) -> CouponT:
    COUPON_RULES[cls.kind] = cls
    return cls


_coupon_rules: dict[int, tuple[CouponSpec, CouponRule]] = {}
COUPON_RULES_KEPT = 4096


def coupon_rule(spec: CouponSpec) -> CouponRule:
    """The rule of a wallet coupon, built once per spec object: a shopper's wallet is priced
    on every cart view. Keyed by identity; the entry keeps its spec alive, so an id is never
    reused while it is stored. Rules hold no per-quote state."""
    hit = _coupon_rules.get(id(spec))
    if hit is not None and hit[0] is spec:
        return hit[1]
    rule = COUPON_RULES[spec.kind](spec)
    if len(_coupon_rules) >= COUPON_RULES_KEPT:
        _coupon_rules.clear()
    _coupon_rules[id(spec)] = (spec, rule)
    return rule
