"""新品优先购 (F35 high-value playbook): products a segment may see before their public launch.

While a window is open (``starts_at <= now < launch_at``) the product is left out of the shop's
product lists (``mall.selectors.catalogue.product_list``) and shown to the segment's shoppers on
their 新品优先购 page; from ``launch_at`` on it is an ordinary product again.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from members.models import EarlyAccess, Member
from members.selectors.segments import segment_members


def early_access_open(*, now: datetime | None = None) -> QuerySet[EarlyAccess]:
    now = now or timezone.now()
    return EarlyAccess.objects.filter(starts_at__lte=now, launch_at__gt=now)


def early_access_product_ids(*, now: datetime | None = None) -> QuerySet[Any]:
    """The products hidden from everyone's lists right now (one subquery)."""
    return early_access_open(now=now).values("product_id")


def early_access_for_member(*, member: Member, now: datetime | None = None) -> list[dict[str, Any]]:
    """The shopper's open windows: product cards with their public launch time, soonest first.
    One query per distinct segment with an open window (a handful), plus the cards'."""
    from mall.models import Product
    from mall.selectors.catalogue import product_card_data
    from marketing.selectors.product_offers import product_offers_for

    now = now or timezone.now()
    windows = list(early_access_open(now=now).select_related("segment").order_by("launch_at", "pk"))
    allowed: dict[int, bool] = {}
    for window in windows:
        if window.segment_id not in allowed:
            allowed[window.segment_id] = segment_members(window.segment.rules, now).filter(pk=member.pk).exists()
    launch: dict[int, datetime] = {}
    for window in windows:
        if allowed[window.segment_id]:
            launch.setdefault(window.product_id, window.launch_at)
    if not launch:
        return []
    products = Product.objects.filter(pk__in=list(launch), is_on_shelf=True).prefetch_related("tags", "images")
    offers = product_offers_for(product_ids=list(launch), now=now)
    cards = [{**product_card_data(p, offers), "launch_at": launch[p.pk]} for p in products]
    return sorted(cards, key=lambda card: (card["launch_at"], card["id"]))
