"""新品优先购 (F35 high-value playbook): products a segment may see before their public launch.

While a window is open (``starts_at <= now < launch_at``) the product is left out of the shop's
product lists (``mall.selectors.catalogue.product_list``) and the home screen's lists (both shared
cached payloads: nobody's early products are in them, and they expire at the next window change),
its product page answers 404 ``not_found`` to every shopper outside the window's segment (and to
anonymous visitors), and it is shown to the segment's shoppers on their 新品优先购 page and product
page; from ``launch_at`` on it is an ordinary product again.
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


def early_access_schedule(*, now: datetime) -> tuple[set[int], datetime | None]:
    """The products in an open window now, and the next moment a window opens or launches
    (shared cached lists must not outlive it). One query over the windows not yet launched."""
    ids: set[int] = set()
    moments: list[datetime] = []
    for product_id, starts_at, launch_at in EarlyAccess.objects.filter(launch_at__gt=now).values_list(
        "product_id", "starts_at", "launch_at"
    ):
        if starts_at <= now:
            ids.add(product_id)
        else:
            moments.append(starts_at)
        moments.append(launch_at)
    return ids, min(moments, default=None)


def early_access_next_change(*, now: datetime) -> datetime | None:
    return early_access_schedule(now=now)[1]


def early_access_allows(*, product_id: int, member_id: int | None, now: datetime | None = None) -> bool:
    """Whether the shopper may see the product now: yes unless it is in an open window whose
    segment (any of them, when several) does not hold the shopper."""
    now = now or timezone.now()
    windows = list(early_access_open(now=now).filter(product_id=product_id).select_related("segment"))
    if not windows:
        return True
    if member_id is None:
        return False
    return any(segment_members(window.segment.rules, now).filter(pk=member_id).exists() for window in windows)


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
