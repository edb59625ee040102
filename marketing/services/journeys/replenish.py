"""复购提醒 (F19): a consumable bought ``replenish_cycle_days`` ago and not bought again.

Due on the shop-local day the purchase date plus the product's cycle reaches, and still sent up
to ``journey.days`` later (a missed run catches up; an old purchase never wakes). The occasion
is (product, purchase order); a later paid order of the same product by the same shopper
(``rebought``, an EXISTS subquery) ends it. One query per batch over the shopper's recent lines.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db.models import Exists, Max, OuterRef

from mall.models import Product
from marketing.models import Journey
from marketing.services.journeys.common import PAID_STATUSES, Candidate, local_date
from orders.models import OrderLine


def longest_cycle() -> int | None:
    return Product.objects.filter(is_consumable=True).aggregate(days=Max("replenish_cycle_days"))["days"]


def candidates(*, journey: Journey, lo: int, hi: int, now: datetime, cycle_max: int | None = None) -> list[Candidate]:
    cycle_max = cycle_max if cycle_max is not None else longest_cycle()
    if not cycle_max:
        return []
    today = local_date(now)
    earliest = now - timedelta(days=cycle_max + journey.days + 1)
    rebought = OrderLine.objects.filter(
        order__member_id=OuterRef("order__member_id"),
        product_id=OuterRef("product_id"),
        order__paid_at__gt=OuterRef("order__paid_at"),
        order__paid_at__lte=now,
        order__status__in=PAID_STATUSES,
    )
    rows = (
        OrderLine.objects.filter(
            order__member_id__gte=lo,
            order__member_id__lte=hi,
            order__status__in=PAID_STATUSES,
            order__paid_at__gte=earliest,
            order__paid_at__lte=now,
            order__member__is_blocked=False,
            product__is_consumable=True,
            product__replenish_cycle_days__isnull=False,
            is_gift=False,
        )
        .filter(~Exists(rebought))
        .values_list(
            "order__member_id",
            "order_id",
            "order__paid_at",
            "product_id",
            "product__title",
            "product__replenish_cycle_days",
        )
        .order_by("order__member_id", "order_id", "product_id")
    )
    found: dict[str, Candidate] = {}
    for member_id, order_id, paid_at, product_id, title, cycle in rows:
        if paid_at is None or not cycle:  # filtered in SQL
            continue
        due = local_date(paid_at) + timedelta(days=cycle)
        if not due <= today <= due + timedelta(days=journey.days):
            continue
        occasion = f"p{product_id}:o{order_id}"
        found.setdefault(
            f"{member_id}/{occasion}",
            Candidate(member_id=member_id, occasion=occasion, product_id=product_id, product_title=title),
        )
    return list(found.values())
