"""Shipping (运费 / 包邮): the shop's flat fee and threshold, plus 包邮 waivers.

A waiver is free shipping granted by something other than the threshold: a product marked
包邮, a campaign that ships free (a 9.9 包邮 flash item, a release, a group buy, a bargain),
later a member tier's free-shipping uses. The fetch step collects the waivers that concern a
cart (``marketing.selectors.shipping``); this module decides, without Django:

1. nothing to pay for the goods (a bargain cut to 0), or a shop without a fee → no shipping;
2. the goods after discounts (before points) reach the shop's threshold → free (满额包邮);
   the threshold is checked first so a waiver that is counted (a tier's uses) is not spent
   when the order ships free anyway;
3. every line that is not a gift is covered by a waiver → free, and the quote names the
   waivers that did it. A line-specific waiver is preferred to a whole-order one for the
   same reason;
4. otherwise the flat fee, with how much more reaches the threshold (凑单). Waivers that
   covered only some lines are reported as not enough on their own.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from mall.money import Fen

if TYPE_CHECKING:
    from marketing.pricing.types import Quote

ShippingReason = Literal["charged", "threshold", "waived", "nothing_to_pay", "no_fee"]

FREE_SHIPPING = "free_shipping"
"""The rule type of every 包邮 in a quote's breakdown (the threshold and each waiver)."""


@dataclass(frozen=True, kw_only=True)
class ShippingRule:
    """The shop's rule: ``flat_fee`` per order, free at or above ``free_threshold`` (None: no
    free shipping by amount)."""

    flat_fee: Fen
    free_threshold: Fen | None


@dataclass(frozen=True, kw_only=True)
class ShippingWaiver:
    """包邮 from a product or campaign (``skus``: the SKU codes it covers) or for the whole
    order (``skus`` None, e.g. a tier's free-shipping use). ``source`` says what kind of
    thing granted it (``product``, ``flash_sale``, ``group_price``, ``bargain_price``, …).
    A campaign's waiver is collected only when the order goes through that campaign (the deal
    seam refuses a closed one), so it holds even when the campaign's price equals the list
    price (a bargain before its first cut, a release at full price)."""

    rule_id: str
    source: str
    skus: frozenset[str] | None = None

    def covers(self, line: ShippingLine) -> bool:
        return self.skus is None or line.sku in self.skus


@dataclass(frozen=True)
class ShippingLine:
    """One priced line as shipping sees it: what it costs after discounts, before points."""

    sku: str
    amount: Fen
    is_gift: bool = False


@dataclass(frozen=True, kw_only=True)
class ShippingQuote:
    """The decision. ``fee`` is what the order pays; ``waived_by`` the waivers that made it
    free (reason ``waived``); ``partial`` the waivers that covered some lines but not all;
    ``short_by`` what the goods lack to reach the threshold when the fee is charged."""

    fee: Fen
    flat_fee: Fen
    reason: ShippingReason
    goods_amount: Fen
    waived_by: tuple[ShippingWaiver, ...] = ()
    partial: tuple[ShippingWaiver, ...] = ()
    short_by: Fen = 0


def shipping_lines(q: Quote) -> tuple[ShippingLine, ...]:
    """The quote's lines with their amounts after every discount but points (points are a way
    of paying, so they never make an order miss free shipping)."""
    return tuple(
        ShippingLine(
            line.sku,
            line.paid + sum(a.amount for a in line.allocations if a.rule_type == "points"),
            line.is_gift,
        )
        for line in q.lines
    )


def _waiver_for(line: ShippingLine, waivers: Sequence[ShippingWaiver]) -> ShippingWaiver | None:
    """The waiver that covers ``line``: a line-specific one first, then a whole-order one."""
    covering = [w for w in waivers if w.covers(line)]
    specific = [w for w in covering if w.skus is not None]
    if specific:
        return min(specific, key=lambda w: w.rule_id)
    return min(covering, key=lambda w: w.rule_id) if covering else None


def shipping_quote(
    *, rule: ShippingRule, lines: Sequence[ShippingLine], waivers: Sequence[ShippingWaiver] = ()
) -> ShippingQuote:
    """Decide the order's shipping fee and why (see the module docstring for the order)."""
    goods = sum(line.amount for line in lines if not line.is_gift)
    if goods <= 0 or rule.flat_fee <= 0:
        reason: ShippingReason = "nothing_to_pay" if goods <= 0 else "no_fee"
        return ShippingQuote(fee=0, flat_fee=rule.flat_fee, reason=reason, goods_amount=goods)
    if rule.free_threshold is not None and goods >= rule.free_threshold:
        return ShippingQuote(fee=0, flat_fee=rule.flat_fee, reason="threshold", goods_amount=goods)
    shipped = sorted((line for line in lines if not line.is_gift), key=lambda line: line.sku)
    chosen = [_waiver_for(line, waivers) for line in shipped]
    used = tuple(sorted({w for w in chosen if w is not None}, key=lambda w: w.rule_id))
    if all(w is not None for w in chosen):
        return ShippingQuote(fee=0, flat_fee=rule.flat_fee, reason="waived", goods_amount=goods, waived_by=used)
    return ShippingQuote(
        fee=rule.flat_fee,
        flat_fee=rule.flat_fee,
        reason="charged",
        goods_amount=goods,
        partial=used,
        short_by=0 if rule.free_threshold is None else rule.free_threshold - goods,
    )
