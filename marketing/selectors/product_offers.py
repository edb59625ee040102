"""Which offers a product has right now, for the catalogue's cards and product page (F11).

``product_offers_for(product_ids=…, now=…)`` returns, per product, the badges the shop shows
next to the price: ``limited_discount`` (限时折扣: the promotion, its rate, the discounted
price and its window, for the countdown), ``group_buy`` (拼团: the campaign, its size, its
lowest group and leader prices), ``bargain`` (砍价: the campaign, its SKU, start and floor
price) and ``flash_sale`` (秒杀 / 限量发售: the live or next flash item within a day, its price
and window), each computed from data that is already in memory or from one query for the
whole page, never one per product. The group-buy and bargain entries come from
``marketing.selectors.deal_offers`` (held like the rules), the flash items from the pricing
rules' own load (``marketing.selectors.flash_sales``).

The answer also says until when it holds: ``valid_until`` is the next moment an offer of
these kinds starts or ends. The catalogue caches pages for seconds; it keeps a page no
longer than that moment, and drops it when the pricing-rules version moves (any merchant
change to a promotion), so a countdown is never served from before its promotion's state
changed. A new badge kind must fold its own next start/end into ``valid_until``.

Prices follow the engine's rule for a limited discount: list price × rate, rounded half up
to the fen; when several cover a SKU the lowest price wins (ties: the lower promotion id).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.utils import timezone

from mall.models import Sku
from mall.money import apply_rate
from marketing.models import PromotionType
from marketing.pricing import LimitedDiscount
from marketing.selectors.deal_offers import deal_offers_active
from marketing.selectors.pricing_rules import VERSION_KEY, PromotionEntry, pricing_rules_active, pricing_rules_version

OFFER_KINDS = ("limited_discount", "group_buy", "bargain", "flash_sale")
# The cache key of the offers' version (the pricing rules'), for callers that read it together
# with their own keys in one round trip.
OFFERS_VERSION_KEY = VERSION_KEY


@dataclass(frozen=True)
class ProductOffers:
    """``by_product[product_id]`` = {"limited_discount": {...}} for products that have one."""

    by_product: Mapping[int, Mapping[str, Any]]
    valid_until: datetime | None

    def for_product(self, product_id: int) -> dict[str, Any]:
        """Every offer kind of one product, None where it has none (a stable payload shape)."""
        found = self.by_product.get(product_id, {})
        return {kind: found.get(kind) for kind in OFFER_KINDS}


def product_offers_warm() -> None:
    """Load what offers are read from (the pricing rules, the group-buy / bargain index) into
    the caches, as the first quote and the first catalogue page of a version do."""
    pricing_rules_active()
    deal_offers_active()


def product_offers_version() -> str:
    """Offers change with the pricing rules: a cached page built under another version is stale."""
    return pricing_rules_version()


def _next_change(entries: Iterable[PromotionEntry], now: datetime) -> datetime | None:
    moments = [
        moment
        for entry in entries
        for moment in (entry.spec.starts_at, entry.spec.ends_at)
        if moment is not None and moment > now
    ]
    return min(moments, default=None)


def _limited_discount_data(entry: PromotionEntry, spec: LimitedDiscount, sku_id: int, price: int) -> dict[str, Any]:
    return {
        "promotion_id": entry.pk,
        "name": entry.name,
        "rate": str(spec.rate.normalize()),
        "price": price,
        "sku_id": sku_id,
        "starts_at": timezone.localtime(spec.starts_at).isoformat() if spec.starts_at else None,
        "ends_at": timezone.localtime(spec.ends_at).isoformat() if spec.ends_at else None,
    }


def _earliest(*moments: datetime | None) -> datetime | None:
    return min((m for m in moments if m is not None), default=None)


def product_offers_for(*, product_ids: Iterable[int], now: datetime | None = None) -> ProductOffers:
    """The offers of these products at ``now``: no query when no limited discount is running,
    else one for the products' active SKUs (the rules, the group-buy / bargain entries and the
    flash items come from their caches)."""
    from marketing.selectors.flash_sales import flash_offers_for_products  # flash selectors read the catalogue

    now = now or timezone.now()
    ids = sorted(set(product_ids))
    rules = pricing_rules_active(now=now)
    deals = deal_offers_active(now=now)
    flash = flash_offers_for_products(product_ids=ids, now=now)
    by_deal = {pid: found for pid in ids if (found := deals.for_product(pid, now))}
    for product_id, offer in flash.by_product.items():
        by_deal[product_id] = {**by_deal.get(product_id, {}), "flash_sale": offer.as_json(now)}
    limited = [e for e in rules.promotions if e.type == PromotionType.LIMITED_DISCOUNT]
    valid_until = _earliest(_next_change(limited, now), deals.next_change(ids, now), flash.valid_until)
    running = [(e, e.spec) for e in limited if isinstance(e.spec, LimitedDiscount) and e.spec.in_window(now)]
    if not ids or not running:
        return ProductOffers(by_product=by_deal, valid_until=valid_until)
    skus = Sku.objects.filter(product_id__in=ids, is_active=True).values_list(
        "pk", "product_id", "code", "price", "product__category_id"
    )
    best: dict[int, tuple[int, int, PromotionEntry, LimitedDiscount, int]] = {}
    for sku_id, product_id, code, price, category_id in skus.order_by("product_id", "pk"):
        category = str(category_id)
        for entry, spec in running:
            if not spec.scope.matches(code, category):
                continue
            offered = apply_rate(price, spec.rate)
            if offered >= price:
                continue
            current = best.get(product_id)
            if current is None or (offered, entry.pk) < (current[0], current[1]):
                best[product_id] = (offered, entry.pk, entry, spec, sku_id)
    by_product: dict[int, dict[str, Any]] = {pid: dict(found) for pid, found in by_deal.items()}
    for product_id, (offered, _pk, entry, spec, sku_id) in best.items():
        by_product.setdefault(product_id, {})["limited_discount"] = _limited_discount_data(entry, spec, sku_id, offered)
    return ProductOffers(by_product=by_product, valid_until=valid_until)
