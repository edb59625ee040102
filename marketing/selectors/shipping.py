"""The shipping fetch step: the shop's rule and the 包邮 waivers that concern one cart.

Free shipping is granted by several things (a product marked 包邮, a campaign that ships free
— flash item, release, group buy, bargain — and, with member tiers, a tier's free-shipping
uses). Each is a *waiver source* registered here with :func:`shipping_waiver_source`; the
fetch step asks every source for the waivers of this cart and the pure engine
(``marketing.pricing.shipping``) decides. A new source (the tiers' uses) registers itself
with the decorator in its own module, imported from its app's ``ready()``, without touching
checkout: it yields a waiver covering the whole order (``skus=None``), and ``order_place``
finds it in the quote's ``shipping.rules`` (kept in ``Order.pricing``) when it was the one
that made the order free (the threshold and line waivers are preferred, so a counted use is
only named when it was needed; spending it belongs to a placement hook of that feature).

Sources read what the cart already loaded (the SKUs' products, the deal's campaign), so the
built-in ones cost no query.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext as _

from mall.models import ShopSettings, Sku
from mall.money import Fen, format_yuan
from marketing.pricing import Quote
from marketing.pricing.shipping import (
    FREE_SHIPPING,
    ShippingQuote,
    ShippingRule,
    ShippingWaiver,
    shipping_lines,
    shipping_quote,
)

if TYPE_CHECKING:
    from marketing.services.deals import DealPricing
    from members.models import Member


@dataclass(frozen=True, kw_only=True)
class WaiverContext:
    """What a source may look at: the shopper (None in the console's 试算) and their tier, the
    cart's SKUs (products loaded), the deal's pricing when the order goes through a tool, and
    the time of the quote."""

    member: Member | None
    tier: str
    skus: Sequence[Sku]
    deal: DealPricing | None
    at: datetime


@dataclass(frozen=True, kw_only=True)
class FoundWaiver:
    waiver: ShippingWaiver
    name: str


WaiverSource = Callable[[WaiverContext], Iterable[FoundWaiver]]

_sources: dict[str, WaiverSource] = {}


def shipping_waiver_source(name: str) -> Callable[[WaiverSource], WaiverSource]:
    """Decorator: register a source of 包邮 waivers under ``name`` (one per name)."""

    def register(source: WaiverSource) -> WaiverSource:
        _sources[name] = source
        return source

    return register


def shipping_waiver_source_unregister(name: str) -> None:
    """For tests that register a source of their own."""
    _sources.pop(name, None)


@shipping_waiver_source("product")
def _product_waivers(ctx: WaiverContext) -> Iterator[FoundWaiver]:
    """Products marked 包邮 in the catalogue: every SKU of theirs in the cart ships free."""
    codes: dict[int, set[str]] = {}
    titles: dict[int, str] = {}
    for sku in ctx.skus:
        if sku.product.free_shipping:
            codes.setdefault(sku.product_id, set()).add(sku.code)
            titles[sku.product_id] = sku.product.title
    for product_id in sorted(codes):
        yield FoundWaiver(
            waiver=ShippingWaiver(rule_id=f"product:{product_id}", source="product", skus=frozenset(codes[product_id])),
            name=_("%(title)s 包邮") % {"title": titles[product_id]},
        )


@shipping_waiver_source("deal")
def _deal_waivers(ctx: WaiverContext) -> Iterator[FoundWaiver]:
    """A deal whose campaign ships free (秒杀 / 限量发售 item, 拼团, 砍价): its line ships free."""
    if ctx.deal is None or not ctx.deal.free_shipping:
        return
    for spec in ctx.deal.specs:
        code = getattr(spec, "sku", None)
        if isinstance(code, str):
            yield FoundWaiver(
                waiver=ShippingWaiver(rule_id=spec.id, source=spec.type, skus=frozenset({code})),
                name=_("%(name)s 包邮") % {"name": ctx.deal.names.get(spec.id) or spec.id},
            )


def shipping_rule_of(shop: ShopSettings) -> ShippingRule:
    return ShippingRule(flat_fee=shop.shipping_flat_fee, free_threshold=shop.free_shipping_threshold)


def shipping_waivers_collect(
    *, member: Member | None, tier: str, skus: Sequence[Sku], deal: DealPricing | None, at: datetime
) -> tuple[tuple[ShippingWaiver, ...], dict[str, str]]:
    """Every registered source's waivers for this cart, and their names by rule id."""
    ctx = WaiverContext(member=member, tier=tier, skus=skus, deal=deal, at=at)
    waivers: list[ShippingWaiver] = []
    names: dict[str, str] = {}
    for name in sorted(_sources):
        for found in _sources[name](ctx):
            waivers.append(found.waiver)
            names[found.waiver.rule_id] = found.name
    return tuple(waivers), names


@dataclass(frozen=True, kw_only=True)
class PricedShipping:
    """The engine's decision with the names the breakdown shows."""

    quote: ShippingQuote
    rule: ShippingRule
    names: Mapping[str, str]

    @property
    def fee(self) -> Fen:
        return self.quote.fee

    def label(self) -> str:
        """One line a shopper reads beside the fee: why it is free, or what it costs."""
        q = self.quote
        if q.reason == "threshold" and self.rule.free_threshold is not None:
            return _("满 %(yuan)s 元包邮") % {"yuan": format_yuan(self.rule.free_threshold)}
        if q.reason == "waived":
            return "、".join(self.names.get(w.rule_id, w.rule_id) for w in q.waived_by)
        if q.reason in ("nothing_to_pay", "no_fee"):
            return _("免运费")
        return _("运费 %(yuan)s 元") % {"yuan": format_yuan(q.fee)}

    def _rule(self, waiver: ShippingWaiver) -> dict[str, Any]:
        return {
            "rule_id": waiver.rule_id,
            "rule_type": FREE_SHIPPING,
            "kind": waiver.source,
            "name": self.names.get(waiver.rule_id, ""),
        }

    def as_json(self) -> dict[str, Any]:
        """The quote's ``shipping`` (fen): ``free``, ``reason`` and ``reason_label``, the rules (with the
        ``kind`` of thing that granted each) that made it free
        (``free_shipping:threshold`` for 满额包邮), waivers that covered only some lines."""
        q = self.quote
        label = self.label()  # once: a translated, formatted sentence (issue 12)
        if q.reason == "threshold":
            rules = [
                {
                    "rule_id": "free_shipping:threshold",
                    "rule_type": FREE_SHIPPING,
                    "kind": "threshold",
                    "name": label,
                }
            ]
        else:
            rules = [self._rule(w) for w in q.waived_by]
        return {
            "fee": q.fee,
            "flat_fee": q.flat_fee,
            "free": q.fee == 0,
            "reason": q.reason,
            "reason_label": label,
            "rules": rules,
            "not_enough": [self._rule(w) for w in q.partial],
            "short_by": q.short_by,
        }


def shipping_for_quote(
    *,
    q: Quote,
    skus_by_code: Mapping[str, Sku],
    member: Member | None,
    at: datetime,
    deal: DealPricing | None = None,
    shop: ShopSettings | None = None,
    tier: str | None = None,
    rule: ShippingRule | None = None,
) -> PricedShipping:
    """Shipping for a priced cart: collect the waivers of its (non-gift) SKUs, let the engine
    decide. ``tier`` defaults to the member's (the 试算 page passes the tier it tries); ``rule``
    is the shop's rule when the caller holds it already (the cached pricing rules carry it)."""
    if rule is None:
        rule = shipping_rule_of(shop or ShopSettings.load())
    cart_codes = [line.sku for line in q.lines if not line.is_gift]
    skus = [skus_by_code[code] for code in cart_codes if code in skus_by_code]
    shopper_tier = tier if tier is not None else (member.tier if member is not None else "normal")
    waivers, names = shipping_waivers_collect(member=member, tier=shopper_tier, skus=skus, deal=deal, at=at)
    decided = shipping_quote(rule=rule, lines=shipping_lines(q), waivers=waivers)
    return PricedShipping(quote=decided, rule=rule, names=names)
