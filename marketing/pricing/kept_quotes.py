"""Whole quotes kept per rule book, for a request priced again with the same inputs (issue 12).

The checkout page prices one cart again and again: on opening, after the address is picked
(shipping is worked out after the engine), when the shopper leaves the coupon list without a
change, when the page is shown again. The engine is a pure function of its request, and the
request's moment counts only through the rules' and coupons' windows (``RuleSpec.in_window``,
half-open), so a quote stands for every moment between the window boundaries around the one
it was priced at. A kept quote is handed out only for an equal request (every field but the
moment) at a moment inside that span.

Only a rule book whose order rules are all ``replayable`` keeps quotes: their outcomes read
nothing of the catalogue but their gift SKUs' entries, so the key names those alone (item
rules read the cart's lines, the shopper and the moment). Like the order step's effects
(``order_step``), a request met once leaves only its key's hash:
the second time its quote is kept, from the third it is handed out. Quotes are immutable, so
requests share them.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

from marketing.pricing.types import CartLine, CatalogItem, CouponSpec, PricingRequest, Promotion

QUOTES_KEPT = 64  # per rule book: quotes and hashes of requests met once, oldest dropped first

# the moments a rule book's promotions open or close, in order
Boundaries = tuple[datetime, ...]


def boundaries_of(promotions: Iterable[Promotion]) -> Boundaries:
    moments = {moment for spec in promotions for moment in (spec.starts_at, spec.ends_at) if moment is not None}
    return tuple(sorted(moments))


def request_key(request: PricingRequest, gift_skus: Sequence[str]) -> tuple[Any, ...]:
    """Everything a quote reads but the promotions (the rule book holds the quotes) and the
    moment (see :func:`steady_span`): the shopper, the cart with its SKUs' catalogue entries,
    the entries of ``gift_skus`` (what the rule book's gift rules price), the coupons, the
    points asked for, the choice of coupons, the tier rates and the policy.

    The coupons count by identity (a wallet's specs are shared by the quotes of a process, and
    hashing every field of each on every quote would cost a fresh cart more than a kept quote
    saves); the entry kept for the key holds them, so no other object can take their ids."""
    catalog = request.catalog
    shopper = request.shopper
    return (
        shopper.tier,
        shopper.points,
        shopper.is_new,
        tuple(shopper.used.items()),
        # per cart line its SKU and quantity and its SKU's entry, as plain values (a dataclass
        # hashes through a Python call per object: issue 12, a 20-line cart priced once)
        tuple([_line(line, catalog) for line in request.cart]),
        tuple([catalog.get(sku) for sku in gift_skus]),
        tuple(map(id, request.coupons)),
        request.points_to_use,
        request.selected_coupon_ids,
        tuple(request.tier_rates.items()),
        request.policy,
    )


def _line(line: CartLine, catalog: Mapping[str, CatalogItem]) -> tuple[Any, ...]:
    item = catalog.get(line.sku)
    if item is None:  # refused by the request's own checks, never kept
        return (line.sku, line.qty, None)
    return (line.sku, line.qty, item.sku, item.category, item.price)


def steady_span(
    at: datetime, boundaries: Boundaries, coupons: Iterable[CouponSpec]
) -> tuple[datetime | None, datetime | None]:
    """The span ``[since, until)`` around ``at`` in which no promotion or coupon opens or
    closes (None: unbounded on that side): every window check gives the answer it gives at
    ``at``, so the quote priced at ``at`` holds for every moment of it."""
    i = bisect_right(boundaries, at)
    since = boundaries[i - 1] if i else None
    until = boundaries[i] if i < len(boundaries) else None
    for coupon in coupons:
        for moment in (coupon.starts_at, coupon.ends_at):
            if moment is None:
                continue
            if moment <= at:
                if since is None or moment > since:
                    since = moment
            elif until is None or moment < until:
                until = moment
    return since, until
