"""Behaviour figures (F37) for the console and other dashboards, read from the daily rollups only.

Every selector takes an inclusive day range and runs one query. Visitors over several days are
the sum of each day's distinct visitors (a device counted once a day).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db.models import Sum
from django.db.models.functions import Coalesce

from analytics.catalogue import ACTIVITY_PAGES, LEAVE_REASONS, PATH_STEP_GAP, page_name
from analytics.models import EventDay, FunnelDay, HourDay, LeaveDay, PageDay, PathDay, ProductDay


@dataclass(frozen=True)
class PageDwell:
    page: str
    name: str
    views: int
    visitors: int
    avg_dwell_ms: int
    activity: bool


@dataclass(frozen=True)
class ClickPath:
    steps: list[str]  # page names, 支付 last
    sessions: int


@dataclass(frozen=True)
class Funnel:
    tool: str
    campaign_id: int
    viewers: int
    carters: int
    checkouts: int
    payers: int

    @property
    def conversion(self) -> float:
        """Payers per viewer (0 when nobody viewed)."""
        return self.payers / self.viewers if self.viewers else 0.0


@dataclass(frozen=True)
class LeaveReason:
    reason: str
    label: str
    leaves: int


@dataclass(frozen=True)
class ProductTraffic:
    views: int
    visitors: int
    carts: int


def _sum(field: str) -> Coalesce:
    return Coalesce(Sum(field), 0)


def page_dwell(*, day_from: date, day_to: date, activity_only: bool = False) -> list[PageDwell]:
    """Pages by views with their average dwell time; ``activity_only``: the campaign pages."""
    rows = PageDay.objects.filter(day__range=(day_from, day_to))
    if activity_only:
        rows = rows.filter(page__in=ACTIVITY_PAGES)
    totals = (
        rows.values("page")
        .annotate(v=_sum("views"), u=_sum("visitors"), d=_sum("dwell_ms"), dv=_sum("dwell_views"))
        .order_by("-v", "page")
    )
    return [
        PageDwell(
            page=row["page"],
            name=page_name(row["page"]),
            views=row["v"],
            visitors=row["u"],
            avg_dwell_ms=row["d"] // row["dv"] if row["dv"] else 0,
            activity=row["page"] in ACTIVITY_PAGES,
        )
        for row in totals
    ]


def top_click_paths(*, day_from: date, day_to: date, limit: int = 10) -> list[ClickPath]:
    """The commonest ways from the home page to a payment, most sessions first."""
    rows = (
        PathDay.objects.filter(day__range=(day_from, day_to))
        .values("path")
        .annotate(s=_sum("sessions"))
        .order_by("-s", "path")[:limit]
    )
    return [ClickPath(steps=[_step_name(step) for step in row["path"].split(" > ")], sessions=row["s"]) for row in rows]


def _step_name(step: str) -> str:
    if step == PATH_STEP_GAP:
        return step
    return page_name(step if step == "pay" else f"{step}/index")


def funnels(*, day_from: date, day_to: date) -> list[Funnel]:
    """View → cart → checkout → pay visitors: all traffic first (tool ""), then each tool and campaign."""
    rows = (
        FunnelDay.objects.filter(day__range=(day_from, day_to))
        .values("tool", "campaign_id")
        .annotate(v=_sum("viewers"), c=_sum("carters"), k=_sum("checkouts"), p=_sum("payers"))
        .order_by("tool", "campaign_id")
    )
    return [
        Funnel(
            tool=row["tool"],
            campaign_id=row["campaign_id"],
            viewers=row["v"],
            carters=row["c"],
            checkouts=row["k"],
            payers=row["p"],
        )
        for row in rows
    ]


def leave_reasons(*, day_from: date, day_to: date) -> list[LeaveReason]:
    """Why shoppers left the checkout, every reason listed (0 when none), commonest first."""
    counts = dict(
        LeaveDay.objects.filter(day__range=(day_from, day_to))
        .values("reason")
        .annotate(n=_sum("leaves"))
        .values_list("reason", "n")
    )
    reasons = [
        LeaveReason(reason=key, label=str(label), leaves=counts.get(key, 0)) for key, label in LEAVE_REASONS.items()
    ]
    return sorted(reasons, key=lambda r: -r.leaves)


def hourly_events(*, day_from: date, day_to: date) -> list[int]:
    """Events per hour of the day (Beijing time), 24 values."""
    counts = dict(
        HourDay.objects.filter(day__range=(day_from, day_to))
        .values("hour")
        .annotate(n=_sum("events"))
        .values_list("hour", "n")
    )
    return [counts.get(hour, 0) for hour in range(24)]


def daily_visitors(*, day_from: date, day_to: date) -> dict[date, int]:
    """Page-view visitors per day."""
    return dict(EventDay.objects.filter(day__range=(day_from, day_to), name="page_view").values_list("day", "visitors"))


def product_traffic(day_from: date, day_to: date) -> dict[int, ProductTraffic]:
    """Views, visitors and add-to-carts per product (for the product dashboards, F38)."""
    rows = (
        ProductDay.objects.filter(day__range=(day_from, day_to))
        .values("product_id")
        .annotate(v=_sum("views"), u=_sum("visitors"), c=_sum("carts"))
    )
    return {row["product_id"]: ProductTraffic(views=row["v"], visitors=row["u"], carts=row["c"]) for row in rows}
