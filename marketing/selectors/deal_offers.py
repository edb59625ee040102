"""拼团 and 砍价 entries of products, for the catalogue's cards and product page (F03, F05).

``product_offers_for`` (``marketing.selectors.product_offers``) adds ``group_buy`` and
``bargain`` to a product's offers from this index: every campaign running or starting later,
by product, loaded in two queries and then held — like the pricing rules — in this process
and in the shared cache under the pricing rules' version. Every campaign service bumps that
version, so a merchant's change shows at the next request; an entry is shown only inside its
window (checked at read time), and :meth:`DealOffersIndex.next_change` tells the catalogue's
page cache when an entry starts or ends.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.utils import timezone

from mall.cache import cache_read, cache_write
from marketing.models import BargainCampaign, GroupBuyItem
from marketing.selectors.pricing_rules import RULES_TTL, pricing_rules_version

DEAL_OFFERS_KEY = "marketing:deal-offers:{version}"


@dataclass(frozen=True)
class DealOffer:
    kind: str  # "group_buy" | "bargain"
    product_id: int
    starts_at: datetime
    ends_at: datetime
    data: Mapping[str, Any]

    def running(self, at: datetime) -> bool:
        return self.starts_at <= at < self.ends_at


@dataclass(frozen=True)
class DealOffersIndex:
    by_product: Mapping[int, tuple[DealOffer, ...]]

    def for_product(self, product_id: int, at: datetime) -> dict[str, dict[str, Any]]:
        """The product's running entries by kind (the one ending soonest when several run)."""
        found: dict[str, dict[str, Any]] = {}
        for offer in sorted(self.by_product.get(product_id, ()), key=lambda o: (o.ends_at, o.data["campaign_id"])):
            if offer.running(at) and offer.kind not in found:
                found[offer.kind] = dict(offer.data)
        return found

    def next_change(self, product_ids: list[int], at: datetime) -> datetime | None:
        """The next moment an entry of these products starts or ends."""
        moments = [
            moment
            for product_id in product_ids
            for offer in self.by_product.get(product_id, ())
            for moment in (offer.starts_at, offer.ends_at)
            if moment > at
        ]
        return min(moments, default=None)


def _iso(at: datetime) -> str:
    return timezone.localtime(at).isoformat()


def deal_offers_load(*, now: datetime | None = None) -> DealOffersIndex:
    """Every active campaign not yet over, by product: two queries."""
    now = now or timezone.now()
    offers: dict[int, list[DealOffer]] = {}
    groups: dict[int, dict[str, Any]] = {}
    rows = (
        GroupBuyItem.objects.filter(
            campaign__is_active=True, campaign__ended_at__isnull=True, campaign__ends_at__gt=now
        )
        .values_list(
            "campaign_id",
            "campaign__product_id",
            "campaign__name",
            "campaign__group_size",
            "campaign__starts_at",
            "campaign__ends_at",
            "campaign__free_shipping",
            "price",
            "leader_price",
            "sku__price",
        )
        .order_by("campaign_id", "pk")
    )
    for campaign_id, product_id, name, size, starts_at, ends_at, free, price, leader_price, list_price in rows:
        entry = groups.setdefault(
            campaign_id,
            {
                "product_id": product_id,
                "starts_at": starts_at,
                "ends_at": ends_at,
                "data": {
                    "campaign_id": campaign_id,
                    "name": name,
                    "group_size": size,
                    "price": price,
                    "leader_price": leader_price,
                    "list_price": list_price,
                    "free_shipping": free,
                    "starts_at": _iso(starts_at),
                    "ends_at": _iso(ends_at),
                },
            },
        )
        data = entry["data"]
        if price < data["price"]:
            data.update(price=price, list_price=list_price)
        if leader_price is not None and (data["leader_price"] is None or leader_price < data["leader_price"]):
            data["leader_price"] = leader_price
    for entry in groups.values():
        offer = DealOffer("group_buy", entry["product_id"], entry["starts_at"], entry["ends_at"], entry["data"])
        offers.setdefault(offer.product_id, []).append(offer)
    bargains = BargainCampaign.objects.filter(is_active=True, ended_at__isnull=True, ends_at__gt=now).values_list(
        "pk", "sku__product_id", "sku_id", "name", "start_price", "floor_price", "free_shipping", "starts_at", "ends_at"
    )
    for campaign_id, product_id, sku_id, name, start_price, floor_price, free, starts_at, ends_at in bargains.order_by(
        "pk"
    ):
        data = {
            "campaign_id": campaign_id,
            "name": name,
            "sku_id": sku_id,
            "start_price": start_price,
            "floor_price": floor_price,
            "free_shipping": free,
            "starts_at": _iso(starts_at),
            "ends_at": _iso(ends_at),
        }
        offers.setdefault(product_id, []).append(DealOffer("bargain", product_id, starts_at, ends_at, data))
    return DealOffersIndex(by_product={pid: tuple(found) for pid, found in offers.items()})


_process_index: dict[str, tuple[float, DealOffersIndex]] = {}


def deal_offers_active(*, now: datetime | None = None) -> DealOffersIndex:
    """The index of the current pricing-rules version: from memory, the cache, or two queries."""
    version = pricing_rules_version()
    held = _process_index.get(version)
    if held is not None and time.monotonic() - held[0] < RULES_TTL:
        return held[1]
    key = DEAL_OFFERS_KEY.format(version=version)
    index = cache_read(key)
    if not isinstance(index, DealOffersIndex):
        index = deal_offers_load(now=now)
        cache_write(key, index, timeout=RULES_TTL)
    _process_index.clear()
    _process_index[version] = (time.monotonic(), index)
    return index
