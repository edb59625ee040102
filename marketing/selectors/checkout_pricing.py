"""The single call path for prices at checkout: preview and ``order_place`` both ask here.

:func:`quote_for_checkout` runs the fetch step and the pricing engine (item prices,
promotions, coupons, points) and shipping (the shop's rule and the 包邮 waivers of
``marketing.selectors.shipping``, decided by the engine); the result keeps the shape
``orders`` reads, plus what the order must remember: the coupons it takes, what it took from
each promotion and the points it will earn.

Invariants every version keeps (``order_place`` and refunds rely on them):

* ``line.item_amount == line.unit_price * line.qty`` (after item-level promotions);
* ``line.paid_amount == line.item_amount - line.discount_amount`` and
  ``line.discount_amount == sum(a["amount"] for a in line.allocations)`` (order-level rules,
  coupons and points spread over lines);
* ``goods_amount - discount_amount - points_discount + shipping_fee == payable_amount ==
  sum(line.paid_amount) + shipping_fee``.

A cart line that a stepped-price campaign (F13) prices across two or more steps becomes one
line per step here (same SKU, each with its own unit price and units in ``item_rule``), so
every order line keeps one unit price and refunds stay per unit; the line's other discounts
are spread over those parts by what each still owes (largest remainder).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.utils import timezone
from django.utils.translation import get_language

from mall.models import ShopSettings, Sku
from mall.money import Fen, allocate, format_yuan
from marketing.pricing import LineQuote, Quote, UnitRange
from marketing.pricing.rulebook import keep_newest
from marketing.pricing.shipping import ShippingLine, shipping_quote
from marketing.pricing.types import PointsRequest
from marketing.selectors.pricing_fetch import GIFT_OUT_OF_STOCK, PricingInput, held_wallet_at
from marketing.selectors.pricing_rules import PricingRules, pricing_rules_active
from marketing.selectors.quotes import quote_for_member, rule_label
from marketing.selectors.shipping import PricedShipping, shipping_for_quote, shipping_rule_of
from marketing.services.deals import DealRequest, deal_pricing

if TYPE_CHECKING:
    from members.models import Member

__all__ = [
    "CheckoutQuote",
    "PointsRequest",
    "QuoteLine",
    "checkout_rules",
    "quote_for_checkout",
    "shipping_fee_for",
]


@dataclass(frozen=True, kw_only=True)
class QuoteLine:
    """One priced line; amounts are integer fen for the whole line unless named unit_."""

    sku_id: int
    qty: int
    list_price: Fen
    unit_price: Fen
    item_amount: Fen
    discount_amount: Fen
    paid_amount: Fen
    allocations: tuple[dict[str, Any], ...] = ()
    is_gift: bool = False
    item_rule: dict[str, Any] | None = None


@dataclass(frozen=True, kw_only=True)
class CheckoutQuote:
    """The priced checkout: what the preview shows and what ``order_place`` persists.

    ``coupon_ids`` are the coupons this order takes (marked used at placement),
    ``promotion_usage`` is ``(promotion pk, units)`` for each promotion that gave something.
    """

    lines: tuple[QuoteLine, ...]
    goods_amount: Fen
    discount_amount: Fen
    shipping_fee: Fen
    points_used: int
    points_discount: Fen
    payable_amount: Fen
    applied: tuple[dict[str, Any], ...] = ()
    rejected: tuple[dict[str, Any], ...] = ()
    hints: tuple[dict[str, Any], ...] = field(default_factory=tuple)
    coupons: tuple[dict[str, Any], ...] = ()
    coupon_ids: tuple[int, ...] = ()
    promotion_usage: tuple[tuple[int, int], ...] = ()
    points_max: int = 0
    points_earned: int = 0
    # How many points take 1 yuan off (the merchant's stacking policy), for the checkout's wording.
    points_per_yuan: int = 100
    stepped_taken: tuple[tuple[int, int], ...] = ()
    # Why shipping costs what it does (``PricedShipping.as_json``): free by threshold or 包邮 rules.
    shipping: dict[str, Any] = field(default_factory=dict)
    # The SKU rows (with products) the quote priced, gifts included, by pk: the order's lines are
    # made from them without reading the gift SKUs again (not part of ``as_json``).
    skus: Mapping[int, Sku] = field(default_factory=dict, compare=False, repr=False)

    def as_json(self) -> dict[str, Any]:
        """The breakdown an order keeps in ``Order.pricing`` (plain JSON types only)."""
        return {
            "goods_amount": self.goods_amount,
            "discount_amount": self.discount_amount,
            "shipping_fee": self.shipping_fee,
            "points_used": self.points_used,
            "points_discount": self.points_discount,
            "payable_amount": self.payable_amount,
            "points_max": self.points_max,
            "points_earned": self.points_earned,
            "points_per_yuan": self.points_per_yuan,
            "applied": list(self.applied),
            "rejected": list(self.rejected),
            "hints": list(self.hints),
            "coupons": list(self.coupons),
            "coupon_ids": list(self.coupon_ids),
            "promotion_usage": [list(pair) for pair in self.promotion_usage],
            # F13: units each stepped campaign had numbered before this order's (placement only)
            "stepped_taken": [list(pair) for pair in self.stepped_taken],
            "shipping": self.shipping,
        }


def checkout_rules(*, version_read: Any = None) -> PricingRules:
    """The active pricing rules (cached, no query), read once per checkout: checkout reads the SKUs
    their gift promotions may add (``gift_codes()``) with the cart's, then hands both to
    :func:`quote_for_checkout`. ``version_read``: the rules version as the view read it with
    its throttles (``pricing_rules_active``)."""
    return pricing_rules_active(version_read=version_read)


def shipping_fee_for(*, goods_after_discounts: Fen, shop: ShopSettings) -> Fen:
    """The shop's rule alone (no 包邮 waivers): flat fee, free at or above the threshold
    measured on goods after discounts (before points)."""
    lines = (ShippingLine("", goods_after_discounts),)
    return shipping_quote(rule=shipping_rule_of(shop), lines=lines).fee


def _name(fetched: PricingInput, rule_id: str, rule_type: str) -> str:
    if rule_id.startswith("tier:"):
        return rule_label("tier_rate")
    return fetched.names.get(rule_id) or rule_label(rule_type)


def _split(allocations: Sequence[dict[str, Any]], capacities: list[Fen]) -> list[list[dict[str, Any]]]:
    """Each discount over the parts of a stepped line, by what each part still owes, so no
    part is discounted below 0 (every discount fits: together they never exceed the line)."""
    parts: list[list[dict[str, Any]]] = [[] for _ in capacities]
    owed = list(capacities)
    for allocation in allocations:
        for i, amount in enumerate(allocate(allocation["amount"], owed)):
            if amount:
                parts[i].append({**allocation, "amount": amount})
                owed[i] -= amount
    return parts


def _lines(line: LineQuote, fetched: PricingInput) -> list[QuoteLine]:
    """The checkout line(s) of one priced cart line: one per step of a stepped line."""
    whole = _line(line, fetched)
    if not line.unit_ranges or whole.item_rule is None:
        return [whole]
    ranges = line.unit_ranges
    if len(ranges) == 1:
        return [replace(whole, item_rule={**whole.item_rule, **_units(ranges[0])})]
    amounts = [r.unit_price * r.qty for r in ranges]
    parts = _split(whole.allocations, amounts)
    return [
        replace(
            whole,
            qty=r.qty,
            unit_price=r.unit_price,
            item_amount=amount,
            discount_amount=sum(a["amount"] for a in allocations),
            paid_amount=amount - sum(a["amount"] for a in allocations),
            allocations=tuple(allocations),
            item_rule={**whole.item_rule, **_units(r)},
        )
        for r, amount, allocations in zip(ranges, amounts, parts, strict=True)
    ]


def _units(r: UnitRange) -> dict[str, Any]:
    return {"units": [r.first, r.last], "rate": None if r.rate is None else str(r.rate)}


def _line(line: LineQuote, fetched: PricingInput) -> QuoteLine:
    allocations = tuple(
        {
            "rule_id": a.rule_id,
            "rule_type": a.rule_type,
            "name": _name(fetched, a.rule_id, a.rule_type),
            "amount": a.amount,
        }
        for a in line.allocations
        if a.rule_id != line.item_rule_id
    )
    discount = sum(a.amount for a in line.allocations if a.rule_id != line.item_rule_id)
    item_rule = None
    if line.item_rule_id is not None:
        rule_type = line.item_rule_type or ""
        item_rule = {
            "rule_id": line.item_rule_id,
            "rule_type": rule_type,
            "name": _name(fetched, line.item_rule_id, rule_type),
        }
    return QuoteLine(
        sku_id=fetched.skus_by_code[line.sku].pk,
        qty=line.qty,
        list_price=line.list_price,
        unit_price=line.unit_price,
        item_amount=line.line_price,
        discount_amount=discount,
        paid_amount=line.line_price - discount,
        allocations=allocations,
        is_gift=line.is_gift,
        item_rule=item_rule,
    )


def _promotion_usage(q: Quote, fetched: PricingInput) -> tuple[tuple[int, int], ...]:
    """Units each applied promotion touched (flash-sale limits count units, others orders)."""
    units: dict[int, int] = {}
    for line in q.lines:
        touched = {a.rule_id for a in line.allocations} | ({line.item_rule_id} if line.item_rule_id else set())
        for rule_id in touched:
            pk = fetched.promotion_pks.get(rule_id)
            if pk is not None:
                units[pk] = units.get(pk, 0) + line.qty
    applied = {fetched.promotion_pks[a.rule_id] for a in q.applied if a.rule_id in fetched.promotion_pks}
    return tuple(sorted((pk, units.get(pk, 0)) for pk in applied))


def _points_rejection(requested: PointsRequest, q: Quote, balance: int) -> dict[str, Any] | None:
    """Why fewer points were used than asked for (the engine trims rather than refuses)."""
    if requested == "max" or requested <= q.points_used:
        return None
    reason = "points_insufficient" if requested > balance else "points_over_cap"
    return {"rule_id": "points", "rule_type": "points", "reason": reason, "detail": f"max {q.points_max}"}


def quote_for_checkout(
    *,
    member: Member,
    items: Sequence[tuple[Sku, int]],
    coupon_ids: Sequence[int | str] | None = (),
    points: PointsRequest = 0,
    at: datetime | None = None,
    deal: DealRequest | None = None,
    stepped_taken: Mapping[int, int] | None = None,
    gift_skus: Mapping[str, Sku] | None = None,
    rules: PricingRules | None = None,
    whole_wallet: bool = True,
) -> CheckoutQuote:
    """Price ``items`` (SKU, qty) for ``member``. Reads only; callers validate SKUs and quantities.

    ``coupon_ids`` are the shopper's choice (empty = no coupon); ``None`` lets the engine pick
    the best combination. Refusals raise the engine's codes as API errors
    (``coupon_not_found``, ``coupon_unavailable``, ``coupon_not_usable``, ``coupon_conflict``,
    ``purchase_limit_exceeded``). A ``deal`` (one line only) adds its tool's price and is
    refused by the tool when it is not open to this shopper. ``stepped_taken`` (order
    placement only) prices the units it reserved in stepped campaigns (F13). ``gift_skus`` are
    the gift SKU rows the caller read with the cart's, by code, and ``rules`` the active rules
    the caller read for that (``checkout_rules``). ``whole_wallet=False`` (order placement):
    with the shopper's own choice, only the chosen coupons are read and judged, so ``coupons``,
    ``rejected`` and ``hints`` say nothing of the others (the price and refusals are the same).
    """
    now = at or held_wallet_at(member) or timezone.now()  # the instant its wallet was read, if it was
    extra = deal_pricing(deal=deal, member=member, items=list(items), at=now) if deal is not None else None
    priced = quote_for_member(
        member=member,
        items=items,
        coupon_ids=coupon_ids,
        points=points,
        at=now,
        extra_promotions=extra.specs if extra else (),
        extra_names=extra.names if extra else None,
        stepped_taken=stepped_taken,
        gift_skus=gift_skus,
        rules=rules,
        whole_wallet=whole_wallet,
    )
    q, fetched = priced.quote, priced.input
    shipping = shipping_for_quote(
        q=q, skus_by_code=fetched.skus_by_code, member=member, at=now, deal=extra, rule=fetched.rules.shipping
    )
    skus = {sku.pk: sku for sku in fetched.skus_by_code.values()}
    if extra is not None or stepped_taken or not whole_wallet:  # a deal, or placement: made afresh
        return _checkout_quote(q, fetched, shipping, points, stepped_taken, skus)
    inputs = _derived_inputs(fetched, shipping, points)
    held = _derived.get(id(q))
    if held is not None and held[0] is q and held[1] == inputs:
        return _with_skus(held[2], skus)
    made = _checkout_quote(q, fetched, shipping, points, None, skus)
    keep_newest(_derived, id(q), (q, inputs, made), DERIVED_KEPT)  # holds ``q``: its id is not reused meanwhile
    return made


# The checkout quote last made from each engine quote (issue 12). A kept engine quote
# (``marketing.pricing.kept_quotes``) comes back as the same object for a cart priced again, and
# what the checkout makes of it (lines, the named applied and refused rules, hints, coupons,
# shipping's breakdown: ~95 of the ~270 µs of CPU this function took, measured in process)
# follows from it and the inputs ``_derived_inputs`` names, so an equal set of inputs takes what
# was made last time. Only for the preview's whole wallet without a deal: a deal's names come
# with its request, and an order keeps what placement made in its own row. Shared, so its dicts
# are read, never changed. Bounded as the engine's own stores are (``keep_newest``: oldest dropped).
DERIVED_KEPT = 256
_derived: dict[int, tuple[Quote, tuple[Any, ...], CheckoutQuote]] = {}


def _with_skus(made: CheckoutQuote, skus: Mapping[int, Sku]) -> CheckoutQuote:
    """``made`` with this request's SKU rows: ``replace`` without its walk over every field
    (``skus`` is set the way a frozen dataclass's own ``__init__`` sets it)."""
    quote = object.__new__(CheckoutQuote)
    quote.__dict__.update(made.__dict__)
    object.__setattr__(quote, "skus", skus)
    return quote


def _derived_inputs(fetched: PricingInput, shipping: PricedShipping, points: PointsRequest) -> tuple[Any, ...]:
    """Everything :func:`_checkout_quote` reads but the engine quote and the SKU rows: compared,
    never hashed (dicts), each equal when it comes from the same rules and wallet. The language
    too: a rule without a name of its own, and shipping's reason, are named in it."""
    return (
        get_language(),
        shipping,
        points,
        fetched.names,
        fetched.coupon_pks,
        fetched.coupon_templates,
        fetched.promotion_pks,
        fetched.gifts_out,
        fetched.points_balance,
        fetched.request.policy.points_per_yuan,
        {code: sku.pk for code, sku in fetched.skus_by_code.items()},
    )


def _checkout_quote(
    q: Quote,
    fetched: PricingInput,
    shipping: PricedShipping,
    points: PointsRequest,
    stepped_taken: Mapping[int, int] | None,
    skus: Mapping[int, Sku],
) -> CheckoutQuote:
    """The checkout's breakdown of engine quote ``q``: its lines, the rules it applied, refused
    and hinted at by name, the wallet's coupons and shipping's breakdown."""
    shipping_fee = shipping.fee

    applied = [
        {
            "rule_id": a.rule_id,
            "rule_type": a.rule_type,
            "name": _name(fetched, a.rule_id, a.rule_type),
            "level": a.level,
            "amount": a.amount,
            **({"gifts": [{"sku": code, "qty": qty} for code, qty in a.gifts]} if a.gifts else {}),
        }
        for a in q.applied
    ]
    rejected = [
        {
            "rule_id": r.rule_id,
            "rule_type": r.rule_type,
            "name": _name(fetched, r.rule_id, r.rule_type),
            "reason": r.reason,
            "detail": r.detail,
        }
        for r in q.rejected
    ]
    rejected += [
        {
            "rule_id": rule_id,
            "rule_type": rule_type,
            "name": _name(fetched, rule_id, rule_type),
            "reason": GIFT_OUT_OF_STOCK,
            "detail": "",
        }
        for rule_id, rule_type in fetched.gifts_out
    ]
    points_rejection = _points_rejection(points, q, fetched.points_balance)
    if points_rejection:
        rejected.append(points_rejection)
    hints = [
        {
            "rule_id": h.rule_id,
            "rule_type": h.rule_type,
            "name": _name(fetched, h.rule_id, h.rule_type),
            "short_by": h.short_by,
            "reward": h.reward,
            "gift_sku": h.gift_sku,
            "text": h.text,
        }
        for h in q.hints
    ]
    if shipping_fee and shipping.quote.short_by > 0:
        short_by = shipping.quote.short_by
        hints.append(
            {
                "rule_id": "free_shipping",
                "rule_type": "free_shipping",
                "short_by": short_by,
                "reward": shipping_fee,
                "text": f"再买 {format_yuan(short_by)} 元即可包邮",
            }
        )
    coupons = [
        {
            "coupon_id": fetched.coupon_pks[v.coupon_id],
            # the budget and the anomaly watch map a coupon to its campaign by template, without
            # asking the database again (issue 12); the preview's answer does not show it
            "template_id": fetched.coupon_templates.get(v.coupon_id),
            "name": fetched.names.get(v.coupon_id, ""),
            "kind": v.kind,
            "group": v.group,
            "usable": v.usable,
            "reason": v.reason,
            "discount": v.discount,
            "applied": v.applied,
            "amount": v.amount,
        }
        for v in q.coupons
    ]
    return CheckoutQuote(
        lines=tuple(part for line in q.lines for part in _lines(line, fetched)),
        goods_amount=q.subtotal,
        discount_amount=q.subtotal - q.payable - q.points_value,
        shipping_fee=shipping_fee,
        points_used=q.points_used,
        points_discount=q.points_value,
        payable_amount=q.payable + shipping_fee,
        applied=tuple(applied),
        rejected=tuple(rejected),
        hints=tuple(hints),
        coupons=tuple(coupons),
        coupon_ids=tuple(fetched.coupon_pks[v.coupon_id] for v in q.coupons if v.applied),
        promotion_usage=_promotion_usage(q, fetched),
        points_max=q.points_max,
        points_earned=q.points_earned,
        points_per_yuan=fetched.request.policy.points_per_yuan,
        stepped_taken=tuple(sorted((stepped_taken or {}).items())),
        shipping=shipping.as_json(),
        skus=skus,
    )
