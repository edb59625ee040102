"""试算: the merchant prices a made-up cart against the shop's rules, with no shopper behind it.

The request is built like a shopper's (same rules, tier rates, policy, stepped-price counts)
except that the tier, points balance and "new shopper" come from the form, the wallet is one
coupon per chosen template, and promotions not yet switched on may be included, so a rule
set can be tried before it goes live.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime

from django.db.models import Count

from mall.models import Sku
from marketing.models import CouponTemplate, PromotionType, PromotionUsage
from marketing.pricing import CartLine, CatalogItem, CouponSpec, PricingRequest, Quote, ShopperInfo
from marketing.pricing.types import PointsRequest
from marketing.selectors.pricing_fetch import gift_promotions_in_stock
from marketing.selectors.pricing_rules import PricingRules, pricing_rules_load
from marketing.selectors.quotes import Labels, money, quote_breakdown, run_quote
from marketing.selectors.shipping import PricedShipping, shipping_for_quote


@dataclass(frozen=True)
class PriceCheck:
    quote: Quote
    breakdown: dict[str, object]
    shipping: PricedShipping | None = None


def _template_id(pk: int) -> str:
    return f"template:{pk}"


def _sold(rules: PricingRules) -> dict[int, int]:
    """Orders so far per stepped-price promotion (the 试算 prices the next one)."""
    stepped = [p.pk for p in rules.promotions if p.type == PromotionType.STEPPED_PRICE]
    if not stepped:
        return {}
    rows = PromotionUsage.objects.filter(promotion_id__in=stepped).values("promotion_id").annotate(n=Count("id"))
    return {row["promotion_id"]: row["n"] for row in rows.order_by()}


def price_check_quote(
    *,
    lines: Sequence[tuple[Sku, int]],
    tier: str,
    is_new: bool,
    points_balance: int,
    points: PointsRequest,
    templates: Sequence[CouponTemplate],
    auto_coupons: bool,
    at: datetime,
    include_inactive: bool,
    rules: PricingRules | None = None,
) -> PriceCheck:
    """Quote the cart and render its breakdown; refusals raise the API's error classes.

    ``rules`` replaces the shop's rules (the overlap detail prices only the campaigns it
    compares, not every rule in the shop)."""
    if rules is None:
        rules = pricing_rules_load(now=at, include_inactive=include_inactive)
    skus = {sku.code: sku for sku, _qty in lines}
    gifts = rules.gift_codes() - skus.keys()
    if gifts:
        skus.update((s.code, s) for s in Sku.objects.select_related("product").filter(code__in=gifts))
    catalog = {
        code: CatalogItem(sku=code, category=str(sku.product.category_id), price=sku.price)
        for code, sku in skus.items()
    }
    coupons: list[CouponSpec] = []
    names = {p.spec.id: p.name for p in rules.promotions}
    for template in templates:
        entry = rules.templates.get(template.pk)
        if entry is None:
            continue
        valid_from, valid_until = template.validity_for(at)
        coupons.append(replace(entry.spec, id=_template_id(template.pk), starts_at=valid_from, ends_at=valid_until))
        names[_template_id(template.pk)] = template.name
    promotions, gifts_out = gift_promotions_in_stock(rules.promotion_specs(_sold(rules)), skus)
    request = PricingRequest(
        at=at,
        shopper=ShopperInfo(tier=tier, points=points_balance, is_new=is_new),
        catalog=catalog,
        cart=tuple(CartLine(sku.code, qty) for sku, qty in lines),
        promotions=promotions,
        coupons=tuple(coupons),
        points_to_use=points,
        selected_coupon_ids=None if auto_coupons else tuple(c.id for c in coupons),
        tier_rates=rules.tier_rates,
        policy=rules.policy,
    )
    q = run_quote(request, names)
    coupon_pks = {c.id: int(c.id.split(":")[1]) for c in coupons}
    labels = Labels(names=names, skus_by_code=skus, coupon_pks=coupon_pks, gifts_out=gifts_out)
    shipping = shipping_for_quote(q=q, skus_by_code=skus, member=None, at=at, tier=tier)
    breakdown = quote_breakdown(q, labels)
    breakdown["shipping"] = {"fee": money(shipping.fee), "reason_label": shipping.label(), "free": shipping.fee == 0}
    return PriceCheck(quote=q, breakdown=breakdown, shipping=shipping)
