"""What-if replay (B01): past baskets priced twice, with the shop's rules and with a changed set.

Pure engine work, no Django: the caller streams :class:`Basket` values (one per paid order)
and gives the catalogue, the unit costs and the two promotion sets; :func:`replay` prices each
basket through :func:`~marketing.pricing.quote` before and after and adds up orders, GMV,
discount, margin and the distribution of the extra saving per affected order.

The assumption is the one the console states: the same baskets, no change of behaviour. No
coupons and no points are replayed (they are the shopper's choice, not the rule's), windows
and per-shopper limits are ignored (the promotion is tried as if it ran over the whole
period), and baskets are priced at today's list prices.

Identical baskets (same tier, same SKUs and quantities) are priced once: a shop's baskets
repeat a lot, and the memo is bounded so memory stays flat however many orders stream by.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from decimal import Decimal

from mall.money import Fen
from marketing.pricing.applicator import quote
from marketing.pricing.types import (
    DEFAULT_POLICY,
    CartLine,
    CatalogItem,
    PricingError,
    PricingRequest,
    Promotion,
    Quote,
    ShopperInfo,
    StackingPolicy,
)

# Upper edges (fen) of the savings bands; the last band is open. A saving below 0 (an edit that
# gives less than before) has its own band.
SAVING_EDGES: tuple[Fen, ...] = (500, 1000, 2000, 5000, 10000, 20000)
MEMO_LIMIT = 50_000


@dataclass(frozen=True)
class Basket:
    """One paid order as the engine sees it: the shopper's tier and the bought lines (no gifts)."""

    tier: str
    lines: tuple[CartLine, ...]


@dataclass(frozen=True)
class Priced:
    """What one quote of a basket comes to: paid, saved and cost of goods (gifts included)."""

    payable: Fen
    discount: Fen  # list price of the bought lines minus what is paid
    gift_value: Fen  # list price of the gifts a promotion added (their cost is in ``cogs``)
    cogs: Fen
    missing_cost: int  # units whose cost price is unknown (counted at 0)


@dataclass
class ReplayTotals:
    orders: int = 0
    affected: int = 0
    skipped: int = 0  # baskets the engine refused (a SKU gone from the catalogue)
    subtotal: Fen = 0
    gmv_before: Fen = 0
    gmv_after: Fen = 0
    discount_before: Fen = 0
    discount_after: Fen = 0
    gifts_before: Fen = 0
    gifts_after: Fen = 0
    cogs_before: Fen = 0
    cogs_after: Fen = 0
    missing_cost_units: int = 0
    savings: list[int] = field(default_factory=lambda: [0] * (len(SAVING_EDGES) + 2))

    @property
    def margin_before(self) -> Fen:
        return self.gmv_before - self.cogs_before

    @property
    def margin_after(self) -> Fen:
        return self.gmv_after - self.cogs_after

    def average(self, gmv: Fen) -> Fen:
        return (gmv + self.orders // 2) // self.orders if self.orders else 0


def saving_band(saving: Fen) -> int:
    """Index of the band of one order's extra saving: 0 = below 0, then one per edge, then open."""
    if saving < 0:
        return 0
    for i, edge in enumerate(SAVING_EDGES):
        if saving < edge:
            return i + 1
    return len(SAVING_EDGES) + 1


def touches(promotion: Promotion, basket: Basket, catalog: Mapping[str, CatalogItem]) -> bool:
    """Whether the promotion can change this basket's quote at all: one of its SKUs is bought,
    or a bought line is in its scope. A rule that touches no line is only ever rejected."""
    codes = {line.sku for line in basket.lines}
    for name in ("sku", "buy_sku"):
        code = getattr(promotion, name, None)
        if code is not None:
            return code in codes
    scope = getattr(promotion, "scope", None)
    if scope is None:
        return True
    return any(code in catalog and scope.matches(code, catalog[code].category) for code in codes)


def changed_rules(before: Iterable[Promotion], after: Iterable[Promotion]) -> tuple[Promotion, ...]:
    """The promotions in one set and not the other (equal dataclasses are the same rule)."""
    was, now = set(before), set(after)
    return tuple((was - now) | (now - was))


def timeless(promotions: Iterable[Promotion]) -> tuple[Promotion, ...]:
    """The promotions with no window and no per-shopper limit: tried over the whole period."""
    return tuple(replace(p, starts_at=None, ends_at=None, per_user_limit=None, new_user_only=False) for p in promotions)


@dataclass
class Replayer:
    """Prices baskets with one promotion set; holds the compiled rules and the bounded memo."""

    at: datetime
    catalog: Mapping[str, CatalogItem]
    costs: Mapping[str, Fen | None]
    promotions: tuple[Promotion, ...]
    tier_rates: Mapping[str, Decimal]
    policy: StackingPolicy = DEFAULT_POLICY
    _memo: dict[tuple[str, tuple[CartLine, ...]], Priced | None] = field(default_factory=dict)
    _shoppers: dict[str, ShopperInfo] = field(default_factory=dict)

    def price(self, basket: Basket) -> Priced | None:
        key = (basket.tier, basket.lines)
        if key in self._memo:
            return self._memo[key]
        shopper = self._shoppers.get(basket.tier)
        if shopper is None:
            shopper = self._shoppers[basket.tier] = ShopperInfo(tier=basket.tier)
        request = PricingRequest(
            at=self.at,
            shopper=shopper,
            catalog=self.catalog,
            cart=basket.lines,
            promotions=self.promotions,
            tier_rates=self.tier_rates,
            policy=self.policy,
        )
        try:
            priced: Priced | None = self._sum(quote(request))
        except PricingError:
            priced = None
        if len(self._memo) >= MEMO_LIMIT:
            self._memo.clear()
        self._memo[key] = priced
        return priced

    def _sum(self, q: Quote) -> Priced:
        cogs, missing = 0, 0
        for line in q.lines:
            cost = self.costs.get(line.sku)
            if cost is None:
                missing += line.qty
            else:
                cogs += cost * line.qty
        gifts = sum(line.list_price * line.qty for line in q.lines if line.is_gift)
        return Priced(
            payable=q.payable, discount=q.subtotal - q.payable, gift_value=gifts, cogs=cogs, missing_cost=missing
        )


def replay(
    baskets: Iterable[Basket],
    *,
    before: Replayer,
    after: Replayer,
    on_basket: Callable[[int], None] | None = None,
) -> ReplayTotals:
    """Add up every basket priced by ``before`` and by ``after`` (both with the same catalogue);
    ``on_basket`` hears the count."""
    totals = ReplayTotals()
    changed = changed_rules(before.promotions, after.promotions)
    for basket in baskets:
        was = before.price(basket)
        # a basket no changed rule can touch is quoted the same: no need to price it again
        now = after.price(basket) if any(touches(p, basket, before.catalog) for p in changed) else was
        if was is None or now is None:
            totals.skipped += 1
            continue
        totals.orders += 1
        totals.subtotal += was.payable + was.discount
        totals.gmv_before += was.payable
        totals.gmv_after += now.payable
        totals.discount_before += was.discount
        totals.discount_after += now.discount
        totals.gifts_before += was.gift_value
        totals.gifts_after += now.gift_value
        totals.cogs_before += was.cogs
        totals.cogs_after += now.cogs
        totals.missing_cost_units += now.missing_cost
        if was != now:
            totals.affected += 1
            totals.savings[saving_band(now.discount - was.discount)] += 1
        if on_basket is not None:
            on_basket(totals.orders + totals.skipped)
    return totals
