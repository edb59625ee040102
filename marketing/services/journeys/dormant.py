"""沉睡召回 (F17): shoppers whose last paid order is ``journey.days`` (30) or more days old.

The occasion is the dormancy's start, the shop-local date of that last paid order: a shopper is
recalled once per dormancy, and again only after buying and falling asleep anew. Shoppers who
never paid are new, not dormant. One aggregate per batch over the (member, paid_at) index.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta

from django.db.models import Max
from django.utils import timezone

from marketing.models import Journey
from marketing.services.journeys.common import Candidate, local_date
from orders.models import Order


def candidates(*, journey: Journey, lo: int, hi: int, now: datetime) -> list[Candidate]:
    cutoff_day = local_date(now) - timedelta(days=journey.days)
    # Asleep when the last paid order fell on cutoff_day or before (shop-local calendar days).
    cutoff = datetime.combine(cutoff_day + timedelta(days=1), time.min, tzinfo=timezone.get_current_timezone())
    rows = (
        # Paid before ``now``: a run for a past day (``--now``) sees the shop as it was then.
        Order.objects.filter(member_id__gte=lo, member_id__lte=hi, paid_at__lte=now)
        .values("member_id")
        .annotate(last=Max("paid_at"))
        .filter(last__lt=cutoff)
        .values_list("member_id", "last")
        .order_by("member_id")
    )
    return [Candidate(member_id=member_id, occasion=local_date(last).isoformat()) for member_id, last in rows]
