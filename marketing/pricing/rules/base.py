"""Rule interfaces and the registries that map a ``type`` string to its rule class.

Like django-oscar's Condition/Benefit pairs, each rule is a small class that knows one
promotion type; unlike oscar they are plain classes over frozen specs, so adding a type is
one class plus ``@register_*`` and the applicator does not change.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, ClassVar, Generic, NamedTuple, TypeVar

from mall.money import Fen
from marketing.pricing import reasons
from marketing.pricing.state import LineState, ScopeIndex
from marketing.pricing.types import CouponSpec, Hint, Promotion, RuleSpec, ShopperInfo, StackingPolicy, TierRate

SpecT = TypeVar("SpecT", bound=RuleSpec)


@dataclass(frozen=True)
class RuleContext:
    """What rules may read besides their spec."""

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


class ItemRule(ABC, Generic[SpecT]):
    """Step 1: offers a unit price for some lines; the lowest offer on a line wins."""

    type: ClassVar[str]
    special: ClassVar[bool] = False  # flash/group/bargain: the line skips order promotions
    counts_orders: ClassVar[bool] = True  # False when per_user_limit counts units instead

    def __init__(self, spec: SpecT, ctx: RuleContext) -> None:
        self.spec = spec
        self.ctx = ctx

    @property
    def id(self) -> str:
        return self.spec.id

    def blocked(self) -> tuple[str, str] | None:
        """A reason this rule gives nothing at all on this quote, beyond :func:`screen`."""
        return None

    @abstractmethod
    def positions(self, index: ScopeIndex) -> tuple[int, ...]:
        """The lines this rule may price."""

    @abstractmethod
    def unit_price(self, line: LineState) -> Fen:
        """The unit price this rule offers the line (its list price or more = no offer)."""

    def check_winner(self, line: LineState) -> None:
        """Called when this rule gives the line its price; may refuse the cart."""


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

    @property
    def qualified(self) -> bool:
        return self.reason is None


class OrderRule(ABC, Generic[SpecT]):
    """Step 2: a promotion over the order's eligible lines in its scope.

    ``sequence`` orders application across types: unit-specific money off first, then money
    spread over the scope, then gifts (which take no money).
    """

    type: ClassVar[str]
    sequence: ClassVar[int]

    def __init__(self, spec: SpecT, ctx: RuleContext) -> None:
        self.spec = spec
        self.ctx = ctx

    @property
    def id(self) -> str:
        return self.spec.id

    @abstractmethod
    def positions(self, index: ScopeIndex) -> tuple[int, ...]:
        """The lines in this promotion's scope (before dropping special-price lines)."""

    @abstractmethod
    def evaluate(self, lines: Sequence[LineState]) -> OrderOutcome:
        """What the promotion gives on ``lines`` (eligible, non-empty), on item-level amounts."""


class CouponRule(ABC):
    """Step 3: one coupon kind. ``discount`` is the saving on the scope's amount."""

    kind: ClassVar[str]

    def __init__(self, spec: CouponSpec) -> None:
        self.spec = spec

    def reaches(self, amount: Fen) -> bool:
        return amount >= self.spec.threshold

    @abstractmethod
    def discount(self, amount: Fen) -> Fen:
        """The saving on ``amount`` (already known to reach the threshold), at most ``amount``."""


ITEM_RULES: dict[str, type[ItemRule[RuleSpec]]] = {}
ORDER_RULES: dict[str, type[OrderRule[RuleSpec]]] = {}
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


def item_rule(spec: Promotion | TierRate, ctx: RuleContext) -> ItemRule[RuleSpec] | None:
    cls = ITEM_RULES.get(spec.type)
    return None if cls is None else cls(spec, ctx)


def order_rule(spec: Promotion, ctx: RuleContext) -> OrderRule[RuleSpec] | None:
    cls = ORDER_RULES.get(spec.type)
    return None if cls is None else cls(spec, ctx)


def coupon_rule(spec: CouponSpec) -> CouponRule:
    return COUPON_RULES[spec.kind](spec)
