"""Inputs and outputs of the pricing engine: frozen dataclasses, money in integer fen.

The Django side fills the inputs from the database (a fetch step, like Saleor's
``fetch_checkout_info``); the engine never reaches back for more, so a quote is a pure
function of a :class:`PricingRequest`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import ClassVar, Literal

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


@dataclass(frozen=True, init=False)
class UnitRange:
    """Units ``first … last`` of a stepped campaign's sequence on one line, each at
    ``unit_price``: the step's ``rate`` of the list price, or the list price (``rate`` None)
    beyond the last step. Built per stepped line per quote, so its fields go straight into
    the instance dict (see ``Allocation``)."""

    first: int
    last: int
    unit_price: Fen
    rate: Decimal | None

    def __init__(self, first: int, last: int, unit_price: Fen, rate: Decimal | None) -> None:
        fields = self.__dict__
        fields["first"] = first
        fields["last"] = last
        fields["unit_price"] = unit_price
        fields["rate"] = rate

    @property
    def qty(self) -> int:
        return self.last - self.first + 1


# The output records below are built many times per quote (an allocation per rule per line), so
# they write their fields straight into the instance dict instead of the frozen dataclass's
# object.__setattr__ per field; they stay frozen, equal, hashable and printable as before.


@dataclass(frozen=True, init=False)
class Allocation:
    """The part of one rule's saving that lands on one line."""

    rule_id: str
    rule_type: str
    amount: Fen

    def __init__(self, rule_id: str, rule_type: str, amount: Fen) -> None:
        fields = self.__dict__
        fields["rule_id"] = rule_id
        fields["rule_type"] = rule_type
        fields["amount"] = amount


@dataclass(frozen=True, kw_only=True, init=False)
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

    def __init__(
        self,
        *,
        sku: str,
        qty: int,
        list_price: Fen,
        item_rule_id: str | None,
        item_rule_type: str | None,
        unit_price: Fen,
        line_price: Fen,
        allocations: tuple[Allocation, ...],
        paid: Fen,
        special_price: bool = False,
        is_gift: bool = False,
        unit_ranges: tuple[UnitRange, ...] = (),
    ) -> None:
        fields = self.__dict__
        fields["sku"] = sku
        fields["qty"] = qty
        fields["list_price"] = list_price
        fields["item_rule_id"] = item_rule_id
        fields["item_rule_type"] = item_rule_type
        fields["unit_price"] = unit_price
        fields["line_price"] = line_price
        fields["allocations"] = allocations
        fields["paid"] = paid
        fields["special_price"] = special_price
        fields["is_gift"] = is_gift
        fields["unit_ranges"] = unit_ranges


@dataclass(frozen=True, kw_only=True, init=False)
class AppliedRule:
    rule_id: str
    rule_type: str
    level: Level
    amount: Fen
    gifts: tuple[tuple[str, int], ...] = ()

    def __init__(
        self, rule_id: str, rule_type: str, level: Level, amount: Fen, gifts: tuple[tuple[str, int], ...] = ()
    ) -> None:
        # positional too (issue 12): the ledger builds one per applied rule per quote
        fields = self.__dict__
        fields["rule_id"] = rule_id
        fields["rule_type"] = rule_type
        fields["level"] = level
        fields["amount"] = amount
        fields["gifts"] = gifts


@dataclass(frozen=True, kw_only=True, init=False)
class RejectedRule:
    rule_id: str
    rule_type: str
    reason: str
    detail: str = ""

    def __init__(self, *, rule_id: str, rule_type: str, reason: str, detail: str = "") -> None:
        fields = self.__dict__
        fields["rule_id"] = rule_id
        fields["rule_type"] = rule_type
        fields["reason"] = reason
        fields["detail"] = detail


@dataclass(frozen=True, kw_only=True, init=False)
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

    def __init__(
        self,
        *,
        coupon_id: str,
        kind: str,
        group: str,
        usable: bool,
        reason: str | None,
        discount: Fen,
        applied: bool,
        amount: Fen,
    ) -> None:
        fields = self.__dict__
        fields["coupon_id"] = coupon_id
        fields["kind"] = kind
        fields["group"] = group
        fields["usable"] = usable
        fields["reason"] = reason
        fields["discount"] = discount
        fields["applied"] = applied
        fields["amount"] = amount


@dataclass(frozen=True, kw_only=True, init=False)
class Hint:
    """凑单: adding ``short_by`` to the rule's scope earns ``reward`` off (or the gift)."""

    rule_id: str
    rule_type: str
    short_by: Fen
    reward: Fen
    gift_sku: str | None
    text: str

    def __init__(
        self,
        *,
        rule_id: str,
        rule_type: str,
        short_by: Fen,
        reward: Fen,
        gift_sku: str | None,
        text: str,
    ) -> None:
        fields = self.__dict__
        fields["rule_id"] = rule_id
        fields["rule_type"] = rule_type
        fields["short_by"] = short_by
        fields["reward"] = reward
        fields["gift_sku"] = gift_sku
        fields["text"] = text


@dataclass(frozen=True, kw_only=True, init=False)
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

    def __init__(
        self,
        *,
        payable: Fen,
        subtotal: Fen,
        lines: tuple[LineQuote, ...],
        applied: tuple[AppliedRule, ...],
        rejected: tuple[RejectedRule, ...],
        coupons: tuple[CouponVerdict, ...],
        coupons_auto: bool,
        points_used: int,
        points_value: Fen,
        points_max: int,
        points_earned: int,
        gift_skus: tuple[str, ...],
        hints: tuple[Hint, ...],
    ) -> None:
        fields = self.__dict__
        fields["payable"] = payable
        fields["subtotal"] = subtotal
        fields["lines"] = lines
        fields["applied"] = applied
        fields["rejected"] = rejected
        fields["coupons"] = coupons
        fields["coupons_auto"] = coupons_auto
        fields["points_used"] = points_used
        fields["points_value"] = points_value
        fields["points_max"] = points_max
        fields["points_earned"] = points_earned
        fields["gift_skus"] = gift_skus
        fields["hints"] = hints
