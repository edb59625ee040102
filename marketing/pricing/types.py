"""Inputs and outputs of the pricing engine: frozen dataclasses, money in integer fen.

The Django side fills the inputs from the database (a fetch step, like Saleor's
``fetch_checkout_info``); the engine never reaches back for more, so a quote is a pure
function of a :class:`PricingRequest`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import MISSING, dataclass, field, fields
from datetime import datetime
from decimal import Decimal
from typing import Any, ClassVar, Literal, TypeVar

from mall.money import Fen

PointsRequest = int | Literal["max"]


class PricingError(Exception):
    """The cart cannot be priced as asked (a stable ``code`` the API and the CLI report)."""

    def __init__(self, code: str, message: str, *, ref: str | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.ref = ref  # the engine id it is about (a coupon), so callers can name it


# --- inputs ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Scope:
    """Which SKUs a rule covers. Nothing set = the whole shop; categories and skus add up."""

    categories: frozenset[str] | None = None
    skus: frozenset[str] | None = None
    exclude_skus: frozenset[str] = frozenset()

    @property
    def whole_shop(self) -> bool:
        return self.categories is None and self.skus is None

    def matches(self, sku: str, category: str) -> bool:
        if sku in self.exclude_skus:
            return False
        if self.whole_shop:
            return True
        return (self.skus is not None and sku in self.skus) or (
            self.categories is not None and category in self.categories
        )


WHOLE_SHOP = Scope()


@dataclass(frozen=True, kw_only=True)
class ShopperInfo:
    """Who is buying. ``used`` says what the shopper already took from a promotion or coupon
    id: units for a flash sale, orders for any other rule (for ``per_user_limit``)."""

    tier: str = "normal"
    points: int = 0
    is_new: bool = False
    used: Mapping[str, int] = field(default_factory=dict)


@dataclass(frozen=True, kw_only=True)
class CatalogItem:
    sku: str
    category: str
    price: Fen


@dataclass(frozen=True)
class CartLine:
    sku: str
    qty: int


@dataclass(frozen=True, kw_only=True)
class RuleSpec:
    """What every promotion and coupon shares: an id, a window and who may use it.

    The window is half-open, ``starts_at <= at < ends_at``, so back-to-back slots never overlap.
    """

    type: ClassVar[str]
    id: str
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    new_user_only: bool = False
    per_user_limit: int | None = None

    def in_window(self, at: datetime) -> bool:
        if self.starts_at is not None and at < self.starts_at:
            return False
        return not (self.ends_at is not None and at >= self.ends_at)


# item-level promotions (step 1: the line's unit price is the lowest of these)


@dataclass(frozen=True, kw_only=True)
class FlashSale(RuleSpec):
    """秒杀: a fixed price for one SKU; ``per_user_limit`` counts units."""

    type: ClassVar[str] = "flash_sale"
    sku: str
    price: Fen


@dataclass(frozen=True, kw_only=True)
class LimitedDiscount(RuleSpec):
    """限时折扣: ``rate`` of the list price ("0.8" = 8折) over a scope."""

    type: ClassVar[str] = "limited_discount"
    rate: Decimal
    scope: Scope = WHOLE_SHOP


@dataclass(frozen=True)
class PriceStep:
    upto: int
    rate: Decimal


@dataclass(frozen=True, kw_only=True)
class SteppedPrice(RuleSpec):
    """阶梯涨价: units are numbered in one sequence per campaign; unit number ``n`` pays the
    rate of the first step with ``n <= upto``. ``sold`` is how many units were numbered before
    this quote's first one (the campaign's counter: reserved by order placement, read by
    previews), so a line of ``qty`` holds units ``sold + 1 … sold + qty`` and a line that
    straddles steps pays each unit at its own step. Units beyond the last step pay the list
    price."""

    type: ClassVar[str] = "stepped_price"
    sku: str
    sold: int
    steps: tuple[PriceStep, ...]


@dataclass(frozen=True, kw_only=True)
class GroupPrice(RuleSpec):
    """拼团价: the fetch step adds it only when the shopper buys within a group."""

    type: ClassVar[str] = "group_price"
    sku: str
    price: Fen


@dataclass(frozen=True, kw_only=True)
class BargainPrice(RuleSpec):
    """砍价: the bargain's current price for this shopper."""

    type: ClassVar[str] = "bargain_price"
    sku: str
    price: Fen


@dataclass(frozen=True, kw_only=True)
class FanPrice(RuleSpec):
    """粉丝专属价: a live room's price for its followers who came through the room's share link."""

    type: ClassVar[str] = "fan_price"
    sku: str
    price: Fen


@dataclass(frozen=True, kw_only=True)
class TierRate(RuleSpec):
    """会员折扣: built by the engine from the shop's tier table, not configured per campaign."""

    type: ClassVar[str] = "tier_rate"
    tier: str
    rate: Decimal


# order-level promotions (step 2: measured on item-level amounts of their scope)


@dataclass(frozen=True)
class ReductionTier:
    threshold: Fen
    off: Fen


@dataclass(frozen=True, kw_only=True)
class FullReduction(RuleSpec):
    """满减: the highest reached tier; ``repeat`` = 每满 (multiples), capped by ``max_off``."""

    type: ClassVar[str] = "full_reduction"
    tiers: tuple[ReductionTier, ...]
    repeat: bool = False
    max_off: Fen | None = None
    scope: Scope = WHOLE_SHOP


@dataclass(frozen=True, kw_only=True)
class FullGift(RuleSpec):
    """满赠: once per order, ``gift_qty`` of ``gift_sku`` free when the scope reaches ``threshold``."""

    type: ClassVar[str] = "full_gift"
    threshold: Fen
    gift_sku: str
    gift_qty: int = 1
    scope: Scope = WHOLE_SHOP


@dataclass(frozen=True, kw_only=True)
class NthItem(RuleSpec):
    """第 n 件 rate 折: the cheapest unit of every full group of n (dearest first) at ``rate``."""

    type: ClassVar[str] = "nth_item"
    n: int
    rate: Decimal
    scope: Scope = WHOLE_SHOP


@dataclass(frozen=True, kw_only=True)
class BuyXGetY(RuleSpec):
    """买A送B: every ``buy_qty`` units of ``buy_sku`` add ``gift_qty`` of ``gift_sku`` free."""

    type: ClassVar[str] = "buy_x_get_y"
    buy_sku: str
    buy_qty: int
    gift_sku: str
    gift_qty: int = 1


Promotion = (
    FlashSale
    | LimitedDiscount
    | SteppedPrice
    | GroupPrice
    | BargainPrice
    | FanPrice
    | FullReduction
    | FullGift
    | NthItem
    | BuyXGetY
)

CouponKind = Literal["amount_off", "rate_off", "no_threshold"]


@dataclass(frozen=True, kw_only=True)
class CouponSpec(RuleSpec):
    """One coupon in the shopper's wallet. ``kind`` picks the rule; ``group`` the stacking slot."""

    type: ClassVar[str] = "coupon"
    kind: CouponKind
    group: str
    scope: Scope = WHOLE_SHOP
    threshold: Fen = 0
    off: Fen = 0
    rate: Decimal | None = None
    max_off: Fen | None = None


@dataclass(frozen=True, kw_only=True)
class StackingPolicy:
    """The merchant's stacking settings (the scenario README's default policy).

    ``coupon_groups`` stack with each other, ``coupons_per_group`` each; a coupon whose group is
    not listed can only be used alone. ``same_type`` = "best" keeps the single best order
    promotion of each type, "stack" applies every one that qualifies.
    """

    coupon_groups: tuple[str, ...] = ("shop", "category", "platform")
    coupons_per_group: int = 1
    special_price_lines_join_order_promotions: bool = False
    special_price_lines_take_coupons: bool = True
    points_cap_rate: Decimal = Decimal("0.5")
    points_per_yuan: int = 100
    points_earned_per_yuan: int = 1
    same_type: Literal["best", "stack"] = "best"


DEFAULT_POLICY = StackingPolicy()


@dataclass(frozen=True, kw_only=True)
class PricingRequest:
    """Everything one quote depends on. ``at`` must be timezone-aware.

    ``selected_coupon_ids`` None = the engine picks the best combination; a tuple (maybe empty)
    = the shopper's own choice, validated.
    """

    at: datetime
    shopper: ShopperInfo
    catalog: Mapping[str, CatalogItem]
    cart: tuple[CartLine, ...]
    promotions: tuple[Promotion, ...] = ()
    coupons: tuple[CouponSpec, ...] = ()
    points_to_use: PointsRequest = 0
    selected_coupon_ids: tuple[str, ...] | None = None
    tier_rates: Mapping[str, Decimal] = field(default_factory=dict)
    policy: StackingPolicy = DEFAULT_POLICY


# --- outputs --------------------------------------------------------------------------

Level = Literal["item", "order", "coupon", "points"]
RecordT = TypeVar("RecordT")


def direct_init(cls: type[RecordT]) -> type[RecordT]:
    """Gives a frozen dataclass an ``__init__`` that writes its fields straight into the instance
    dict: the signature the dataclass declared (positional or keyword-only, the same defaults),
    without the frozen ``__init__``'s ``object.__setattr__`` per field. The output records are
    built many times per quote (an allocation per rule per line: issue 12); they stay frozen,
    equal, hashable and printable as before. Fields with a default factory are refused."""
    params: list[str] = []
    writes: list[str] = []
    defaults: dict[str, Any] = {}
    keyword_only = False
    for item in fields(cls):  # type: ignore[arg-type]
        if item.default_factory is not MISSING:
            raise TypeError(f"{cls.__name__}.{item.name}: a default factory is not supported")
        if item.kw_only and not keyword_only:
            params.append("*")
            keyword_only = True
        if item.default is MISSING:
            params.append(item.name)
        else:
            defaults[f"_default_{item.name}"] = item.default
            params.append(f"{item.name}=_default_{item.name}")
        writes.append(f"    own[{item.name!r}] = {item.name}")
    source = "\n".join([f"def __init__(self, {', '.join(params)}):", "    own = self.__dict__", *writes])
    exec(compile(source, f"<direct_init {cls.__name__}>", "exec"), defaults)  # noqa: S102 - field names from the class
    init = defaults["__init__"]
    init.__qualname__ = f"{cls.__qualname__}.__init__"
    init.__module__ = cls.__module__
    cls.__init__ = init  # type: ignore[method-assign]
    return cls


@direct_init
@dataclass(frozen=True)
class UnitRange:
    """Units ``first … last`` of a stepped campaign's sequence on one line, each at
    ``unit_price``: the step's ``rate`` of the list price, or the list price (``rate`` None)
    beyond the last step. Built per stepped line per quote (``direct_init``)."""

    first: int
    last: int
    unit_price: Fen
    rate: Decimal | None

    @property
    def qty(self) -> int:
        return self.last - self.first + 1


@direct_init
@dataclass(frozen=True)
class Allocation:
    """The part of one rule's saving that lands on one line."""

    rule_id: str
    rule_type: str
    amount: Fen


@direct_init
@dataclass(frozen=True, kw_only=True)
class LineQuote:
    """One priced line. ``qty * list_price - sum(allocations) == paid`` always holds.

    Usually every unit costs ``unit_price`` and ``line_price == unit_price * qty``. A line
    priced by a stepped campaign lists its ``unit_ranges`` (each with its own unit price,
    summing to ``line_price``); ``unit_price`` is then the lowest of them.
    """

    sku: str
    qty: int
    list_price: Fen
    item_rule_id: str | None
    item_rule_type: str | None
    unit_price: Fen
    line_price: Fen
    allocations: tuple[Allocation, ...]
    paid: Fen
    special_price: bool = False
    is_gift: bool = False
    unit_ranges: tuple[UnitRange, ...] = ()


@direct_init
@dataclass(frozen=True)
class AppliedRule:
    rule_id: str
    rule_type: str
    level: Level
    amount: Fen
    gifts: tuple[tuple[str, int], ...] = ()


@direct_init
@dataclass(frozen=True, kw_only=True)
class RejectedRule:
    rule_id: str
    rule_type: str
    reason: str
    detail: str = ""


@direct_init
@dataclass(frozen=True, kw_only=True)
class CouponVerdict:
    """How one wallet coupon fares on this cart: usable alone (with its saving), and applied?"""

    coupon_id: str
    kind: str
    group: str
    usable: bool
    reason: str | None
    discount: Fen
    applied: bool
    amount: Fen


@direct_init
@dataclass(frozen=True, kw_only=True)
class Hint:
    """凑单: adding ``short_by`` to the rule's scope earns ``reward`` off (or the gift)."""

    rule_id: str
    rule_type: str
    short_by: Fen
    reward: Fen
    gift_sku: str | None
    text: str


@direct_init
@dataclass(frozen=True, kw_only=True)
class Quote:
    """The priced cart. ``sum(line.paid) == payable``; every saving is traceable by rule id."""

    payable: Fen
    subtotal: Fen
    lines: tuple[LineQuote, ...]
    applied: tuple[AppliedRule, ...]
    rejected: tuple[RejectedRule, ...]
    coupons: tuple[CouponVerdict, ...]
    coupons_auto: bool
    points_used: int
    points_value: Fen
    points_max: int
    points_earned: int
    gift_skus: tuple[str, ...]
    hints: tuple[Hint, ...]
