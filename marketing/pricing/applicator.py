"""``quote()``: runs the default stacking policy's five steps over one request.

1. item price: the lowest offer per line;  2. order promotions on item-level amounts;
3. coupons;  4. points;  5. every saving is already spread over lines, so ``paid`` adds up.

Lines are worked on in SKU order (and every tie is broken by id or SKU), so the cart's order
cannot change any figure; the output lists lines in the cart's order, gifts last.
"""

from __future__ import annotations

from typing import Any

from mall.money import Fen
from marketing.pricing import reasons
from marketing.pricing.item_step import price_items
from marketing.pricing.kept_quotes import QUOTES_KEPT, request_key, steady_span
from marketing.pricing.order_step import apply_order_promotions
from marketing.pricing.points import redeem
from marketing.pricing.rulebook import SEEN, RuleBook, item_ranking, keep_newest, rules_for, tier_rule
from marketing.pricing.rules import ItemRule, RuleContext
from marketing.pricing.state import Ledger, LineState, ScopeIndex, spread
from marketing.pricing.types import LineQuote, PricingError, PricingRequest, Quote
from marketing.pricing.wallet import apply_coupons


def _invalid(message: str) -> PricingError:
    return PricingError(reasons.INVALID_REQUEST, message)


def _validate(request: PricingRequest) -> None:
    if request.at.tzinfo is None:
        raise _invalid("the quote time must be timezone-aware")
    skus = [line.sku for line in request.cart]
    if len(set(skus)) != len(skus):
        raise _invalid("a SKU appears on more than one cart line")
    for line in request.cart:
        if line.sku not in request.catalog:
            raise _invalid(f"cart SKU {line.sku} is not in the catalog")
        if isinstance(line.qty, bool) or not isinstance(line.qty, int) or line.qty <= 0:
            raise _invalid(f"cart SKU {line.sku}: qty must be a positive integer")
    coupon_ids = [c.id for c in request.coupons]
    if len(set(coupon_ids)) != len(coupon_ids):
        raise _invalid("two coupons share an id")
    if request.policy.points_per_yuan <= 0:
        raise _invalid("points_per_yuan must be positive")


def _context(request: PricingRequest) -> RuleContext:
    catalog = request.catalog

    def price_of(sku: str) -> Fen:
        item = catalog.get(sku)
        return 0 if item is None else item.price

    return RuleContext(at=request.at, shopper=request.shopper, policy=request.policy, price_of=price_of)


def _tier_rule(request: PricingRequest) -> ItemRule[Any] | None:
    """The shopper's member-tier rate as an item rule over every line (None: no discount)."""
    rate = request.tier_rates.get(request.shopper.tier)
    if rate is not None and rate < 1:
        return tier_rule(request.shopper.tier, rate)
    return None


def _line_quote(line: LineState) -> LineQuote:
    return LineQuote(
        sku=line.sku,
        qty=line.qty,
        list_price=line.list_price,
        item_rule_id=line.item_rule_id,
        item_rule_type=line.item_rule_type,
        unit_price=line.unit_price,
        line_price=line.amount,
        allocations=tuple(line.allocations),
        paid=line.remaining,
        special_price=line.special,
        is_gift=line.is_gift,
        unit_ranges=line.ranges,
    )


def quote(request: PricingRequest) -> Quote:
    """Price one cart. Pure: reads only ``request``, writes nothing; raises PricingError when
    the cart must be refused (e.g. ``purchase_limit_exceeded``, ``coupon_not_usable``).

    A request priced a third time with the same inputs, at a moment no window opens or closes
    in between, gets the quote kept the second time (``kept_quotes``); refusals are never kept."""
    at = request.at
    if at.tzinfo is None:  # refused by the request's own checks
        return price_afresh(request)
    try:
        book = rules_for(request.promotions)
    except PricingError:  # refused after the request's own checks, as always
        return price_afresh(request)
    if not book.keeps_quotes:
        return price_afresh(request, book)
    key = request_key(request, book.gift_skus)
    try:
        digest = hash(key)  # a tuple does not keep its hash: worked out once for probe and store
    except TypeError:  # a part that cannot be hashed: nothing is kept
        return price_afresh(request, book)
    found = book.quotes.get(digest)
    if found is not None and found is not SEEN:
        kept_key, _coupons, kept, since, until = found
        if (since is None or since <= at) and (until is None or at < until) and kept_key == key:
            return kept  # type: ignore[no-any-return]
    priced = price_afresh(request, book)
    if found is None:  # met once: its hash remembered, its quote kept if it comes again
        keep_newest(book.quotes, digest, SEEN, QUOTES_KEPT)
    else:  # the coupons kept with it: the key names them by identity
        since, until = steady_span(at, book.boundaries, request.coupons)
        keep_newest(book.quotes, digest, (key, request.coupons, priced, since, until), QUOTES_KEPT)
    return priced


def price_afresh(request: PricingRequest, book: RuleBook | None = None) -> Quote:
    """:func:`quote` without the kept quotes: every step run for this request (``book``: its
    promotions' rule book, when the caller has it)."""
    _validate(request)
    ctx = _context(request)
    cart_order = {line.sku: i for i, line in enumerate(request.cart)}
    lines: list[LineState] = []
    for pos, cart_line in enumerate(sorted(request.cart, key=lambda cl: cl.sku)):
        item = request.catalog[cart_line.sku]
        lines.append(LineState(pos=pos, sku=item.sku, category=item.category, qty=cart_line.qty, list_price=item.price))
    cart_count = len(lines)
    index = ScopeIndex(lines)
    ledger = Ledger()

    item_plan, order_plan = (book or rules_for(request.promotions)).plan(lines, index)
    price_items(item_ranking(item_plan, _tier_rule(request), lines, index), lines, ctx, ledger)
    ledger.add_rejected("item", item_plan.absent)
    hints = apply_order_promotions(order_plan, lines, ctx, ledger)
    ledger.add_rejected("order", order_plan.absent)
    paying = lines[:cart_count]
    wallet = apply_coupons(request.coupons, request.selected_coupon_ids, paying, index, ctx, ledger)
    left = sum(line.remaining for line in paying)
    points = redeem(request.points_to_use, request.shopper.points, left, request.policy)
    if points.value:
        ledger.apply("points", "points", "points", spread(paying, points.value, "points", "points"))

    payable = sum(line.remaining for line in paying)
    ordered = sorted(paying, key=lambda x: cart_order[x.sku]) + lines[cart_count:]
    all_hints = sorted((*hints, *wallet.hints), key=lambda h: (h.short_by, h.rule_id))
    return Quote(
        payable=payable,
        subtotal=sum(line.list_price * line.qty for line in paying),
        lines=tuple(_line_quote(line) for line in ordered),
        applied=ledger.applied(),
        rejected=ledger.rejected(),
        coupons=wallet.verdicts,
        coupons_auto=wallet.auto,
        points_used=points.used,
        points_value=points.value,
        points_max=points.max_points,
        points_earned=payable // 100 * request.policy.points_earned_per_yuan,
        gift_skus=tuple(sorted({line.sku for line in lines[cart_count:]})),
        hints=tuple(all_hints),
    )
