"""``quote()``: runs the default stacking policy's five steps over one request.

1. item price: the lowest offer per line;  2. order promotions on item-level amounts;
3. coupons;  4. points;  5. every saving is already spread over lines, so ``paid`` adds up.

Lines are worked on in SKU order (and every tie is broken by id or SKU), so the cart's order
cannot change any figure; the output lists lines in the cart's order, gifts last.
"""

from __future__ import annotations

from collections.abc import Sequence

from mall.money import Fen
from marketing.pricing import reasons
from marketing.pricing.points import redeem
from marketing.pricing.rules import (
    ItemRule,
    OrderOutcome,
    OrderRule,
    RuleContext,
    item_rule,
    order_rule,
    screen,
)
from marketing.pricing.state import Ledger, LineState, ScopeIndex, ScopeLines, spread
from marketing.pricing.types import (
    Allocation,
    Hint,
    LineQuote,
    PricingError,
    PricingRequest,
    Promotion,
    Quote,
    RuleSpec,
    TierRate,
)
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
    for label, ids in (("promotion", [p.id for p in request.promotions]), ("coupon", [c.id for c in request.coupons])):
        if len(set(ids)) != len(ids):
            raise _invalid(f"two {label}s share an id")
    if request.policy.points_per_yuan <= 0:
        raise _invalid("points_per_yuan must be positive")


def _context(request: PricingRequest) -> RuleContext:
    catalog = request.catalog

    def price_of(sku: str) -> Fen:
        item = catalog.get(sku)
        return 0 if item is None else item.price

    return RuleContext(at=request.at, shopper=request.shopper, policy=request.policy, price_of=price_of)


def _item_specs(request: PricingRequest) -> list[Promotion | TierRate]:
    specs: list[Promotion | TierRate] = list(request.promotions)
    tier = request.shopper.tier
    rate = request.tier_rates.get(tier)
    if rate is not None and rate < 1:
        specs.append(TierRate(id=f"tier:{tier}", tier=tier, rate=rate))
    return specs


def price_items(
    specs: Sequence[Promotion | TierRate],
    lines: Sequence[LineState],
    index: ScopeIndex,
    ctx: RuleContext,
    ledger: Ledger,
) -> None:
    """Step 1: each line takes the single lowest unit price on offer (ties: normal price over
    special price, so the line can still join order promotions; then rule id). Only the best
    offer per line is kept, so the cost is one comparison per (rule, covered line)."""
    best: list[tuple[Fen, bool, str, ItemRule[RuleSpec]] | None] = [None] * len(lines)
    offered: list[ItemRule[RuleSpec]] = []
    for spec in specs:
        rule = item_rule(spec, ctx)
        if rule is None:
            continue
        rejection = screen(spec, ctx, count_orders=rule.counts_orders) or rule.blocked()
        if rejection is not None:
            ledger.reject("item", spec.id, spec.type, *rejection)
            continue
        positions = rule.positions(index)
        if not positions:
            ledger.reject("item", spec.id, spec.type, reasons.OUT_OF_SCOPE, "no line in its scope")
            continue
        below_list = False
        for pos in positions:
            line = lines[pos]
            price = rule.unit_price(line)
            if price < line.list_price:
                below_list = True
                offer = (price, rule.special, rule.id, rule)
                current = best[pos]
                if current is None or offer[:3] < current[:3]:
                    best[pos] = offer
        if below_list:
            offered.append(rule)
        else:
            ledger.reject("item", spec.id, spec.type, reasons.NO_BENEFIT, "not below the list price")
    winners: set[str] = set()
    for line, offer in zip(lines, best, strict=False):
        if offer is None:
            continue
        price, special, rule_id, rule = offer
        rule.check_winner(line)
        line.set_item_price(price, rule_id, rule.type, special)
        ledger.apply(rule_id, rule.type, "item", (line.list_price - price) * line.qty)
        winners.add(rule_id)
    for rule in offered:
        if rule.id not in winners:
            ledger.reject("item", rule.id, rule.type, reasons.CONFLICT, "a lower item price won on its lines")


def _order_candidates(
    promotions: Sequence[Promotion], lines: Sequence[LineState], index: ScopeIndex, ctx: RuleContext, ledger: Ledger
) -> tuple[dict[str, list[tuple[OrderRule[RuleSpec], list[LineState], OrderOutcome]]], list[Hint]]:
    joins = ctx.policy.special_price_lines_join_order_promotions
    by_type: dict[str, list[tuple[OrderRule[RuleSpec], list[LineState], OrderOutcome]]] = {}
    hints: list[Hint] = []
    scopes: dict[tuple[int, ...], ScopeLines] = {}
    for spec in promotions:
        rule = order_rule(spec, ctx)
        if rule is None:
            continue
        rejection = screen(spec, ctx)
        if rejection is not None:
            ledger.reject("order", spec.id, spec.type, *rejection)
            continue
        positions = rule.positions(index)
        if not positions:
            ledger.reject("order", spec.id, spec.type, reasons.OUT_OF_SCOPE, "no line in its scope")
            continue
        scope = scopes.get(positions)
        if scope is None:
            eligible = [lines[p] for p in positions if joins or not lines[p].special]
            scope = scopes[positions] = ScopeLines(
                eligible, sum(line.amount for line in eligible), sum(line.qty for line in eligible)
            )
        if not scope.lines:
            detail = "flash-sale, group and bargain lines take no part in order promotions"
            ledger.reject("order", spec.id, spec.type, reasons.SPECIAL_PRICE_EXCLUDED, detail)
            continue
        outcome = rule.evaluate(scope)
        if outcome.hint is not None:
            hints.append(outcome.hint)
        if not outcome.qualified:
            ledger.reject("order", spec.id, spec.type, outcome.reason or reasons.THRESHOLD_NOT_MET, outcome.detail)
            continue
        by_type.setdefault(rule.type, []).append((rule, scope.lines, outcome))
    return by_type, hints


def apply_order_promotions(
    promotions: Sequence[Promotion],
    lines: list[LineState],
    index: ScopeIndex,
    ctx: RuleContext,
    ledger: Ledger,
) -> list[Hint]:
    """Step 2: different types stack; of one type the best for the shopper wins (policy
    "best") or all apply ("stack"). Gifts become zero-price lines appended to ``lines``."""
    by_type, hints = _order_candidates(promotions, lines, index, ctx, ledger)
    winners: list[tuple[OrderRule[RuleSpec], list[LineState], OrderOutcome]] = []
    for entries in by_type.values():
        entries.sort(key=lambda e: (-e[2].value, e[0].id))
        keep = entries if ctx.policy.same_type == "stack" else entries[:1]
        winners.extend(keep)
        detail = f"{entries[0][0].id} of the same type gives more"
        for rule, _, _ in entries[len(keep) :]:
            ledger.reject("order", rule.id, rule.type, reasons.CONFLICT, detail)
    winners.sort(key=lambda e: (e[0].sequence, e[0].id))
    for rule, scope_lines, outcome in winners:
        amount = 0
        for pos, off in outcome.per_line:
            line = lines[pos]
            part = min(off, line.remaining)
            if part:
                line.remaining -= part
                line.allocations.append(Allocation(rule.id, rule.type, part))
                amount += part
        if outcome.total:
            amount += spread(scope_lines, outcome.total, rule.id, rule.type)
        gift_value = 0
        for sku, qty in outcome.gifts:
            gift_value += _add_gift(lines, sku, qty, rule, ctx)
        ledger.apply(rule.id, rule.type, "order", amount + gift_value, outcome.gifts)
    return hints


def _add_gift(lines: list[LineState], sku: str, qty: int, rule: OrderRule[RuleSpec], ctx: RuleContext) -> Fen:
    gift = LineState(pos=len(lines), sku=sku, category="", qty=qty, list_price=ctx.price_of(sku))
    gift.set_item_price(0, rule.id, rule.type, special=False)
    gift.is_gift = True
    lines.append(gift)
    return gift.list_price * qty


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
    )


def quote(request: PricingRequest) -> Quote:
    """Price one cart. Pure: reads only ``request``, writes nothing; raises PricingError when
    the cart must be refused (e.g. ``purchase_limit_exceeded``, ``coupon_not_usable``)."""
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

    price_items(_item_specs(request), lines, index, ctx, ledger)
    hints = apply_order_promotions(request.promotions, lines, index, ctx, ledger)
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
