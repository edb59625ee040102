"""Daily rollups of the behaviour events (F37): one day at a time, replaced whole.

``rollup_day`` deletes the day's rollup rows and writes them again from the raw events in one
transaction, so running it twice (beat every few minutes for today and yesterday, a re-run
after late events) gives the same figures. Visitors are distinct anonymous ids within the day.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from datetime import date, timedelta
from typing import Any

from django.db import transaction
from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone

from analytics.catalogue import HOME_PAGE, PATH_STEP_GAP, PAY_STEP
from analytics.models import BehaviourEvent, EventDay, FunnelDay, HourDay, LeaveDay, PageDay, PathDay, ProductDay

ROLLUPS = (PageDay, EventDay, ProductDay, FunnelDay, HourDay, LeaveDay, PathDay)
MAX_PATH_STEPS = 8


def _visitors(name: str | None = None) -> Count:
    return Count("anon_id", distinct=True, filter=Q(name=name) if name else None)


FUNNEL_STEPS = {
    "viewers": _visitors("page_view"),
    "carters": _visitors("add_to_cart"),
    "checkouts": _visitors("checkout_start"),
    "payers": _visitors("pay"),
}


def path_key(page: str) -> str:
    """A page's short form in a click path ("pages/home/index" → "pages/home")."""
    return page[: -len("/index")] if page.endswith("/index") else page


def session_path(steps: list[str]) -> str | None:
    """The path from the first home view to the first payment, or None if the session paid not after home."""
    try:
        start = steps.index(HOME_PAGE)
    except ValueError:
        return None
    path: list[str] = []
    for step in steps[start:]:
        if path and path[-1] == step:
            continue
        path.append(step)
        if step == PAY_STEP:
            break
    else:
        return None
    if len(path) > MAX_PATH_STEPS:
        path = [*path[: MAX_PATH_STEPS - 4], PATH_STEP_GAP, *path[-3:]]
    return " > ".join(path_key(step) for step in path)[:255]


def _paths(events: QuerySet[BehaviourEvent]) -> Counter[str]:
    rows = (
        events.filter(name__in=("page_view", PAY_STEP))
        .order_by("session", "occurred_at", "id")
        .values_list("session", "name", "page")
    )
    counts: Counter[str] = Counter()
    current: str | None = None
    steps: list[str] = []
    for session, name, page in rows.iterator(chunk_size=10_000):
        if session != current:
            if steps and (path := session_path(steps)):
                counts[path] += 1
            current, steps = session, []
        steps.append(PAY_STEP if name == PAY_STEP else page)
    if steps and (path := session_path(steps)):
        counts[path] += 1
    return counts


@transaction.atomic
def rollup_day(*, day: date) -> None:
    events = BehaviourEvent.objects.filter(day=day)
    for model in ROLLUPS:
        model.objects.filter(day=day).delete()
    PageDay.objects.bulk_create(
        PageDay(day=day, page=row["page"], views=row["views"], visitors=row["visitors"], **_dwell(row))
        for row in events.filter(name="page_view")
        .values("page")
        .annotate(views=Count("id"), visitors=_visitors(), dwell=Sum("dwell_ms"), dwell_views=Count("dwell_ms"))
    )
    EventDay.objects.bulk_create(
        EventDay(day=day, name=row["name"], events=row["events"], visitors=row["visitors"])
        for row in events.values("name").annotate(events=Count("id"), visitors=_visitors())
    )
    ProductDay.objects.bulk_create(
        ProductDay(day=day, **row)
        for row in events.filter(product_id__isnull=False, name__in=("page_view", "add_to_cart"))
        .values("product_id")
        .annotate(
            views=Count("id", filter=Q(name="page_view")),
            visitors=_visitors("page_view"),
            carts=Count("id", filter=Q(name="add_to_cart")),
        )
    )
    funnels = [FunnelDay(day=day, tool="", campaign_id=0, **events.aggregate(**FUNNEL_STEPS))]
    attributed = events.exclude(tool="")
    funnels += [FunnelDay(day=day, campaign_id=0, **row) for row in attributed.values("tool").annotate(**FUNNEL_STEPS)]
    funnels += [
        FunnelDay(day=day, **row)
        for row in attributed.filter(campaign_id__isnull=False).values("tool", "campaign_id").annotate(**FUNNEL_STEPS)
    ]
    FunnelDay.objects.bulk_create(funnels)
    HourDay.objects.bulk_create(
        HourDay(day=day, **row) for row in events.values("hour").annotate(events=Count("id"), visitors=_visitors())
    )
    LeaveDay.objects.bulk_create(
        LeaveDay(day=day, **row)
        for row in events.filter(name="checkout_leave").values("reason").annotate(leaves=Count("id"))
    )
    PathDay.objects.bulk_create(
        PathDay(day=day, path=path, sessions=sessions) for path, sessions in _paths(events).items()
    )


def _dwell(row: Mapping[str, Any]) -> dict[str, int]:
    return {"dwell_ms": int(row["dwell"] or 0), "dwell_views": int(row["dwell_views"] or 0)}


def rollup_recent(*, days: int = 2, today: date | None = None) -> list[date]:
    """Roll up the last ``days`` days (today included): late events of yesterday still count."""
    today = today or timezone.localdate()
    done = [today - timedelta(days=offset) for offset in range(days)]
    for day in done:
        rollup_day(day=day)
    return done
