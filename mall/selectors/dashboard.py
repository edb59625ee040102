"""Figures for the console home page, by Asia/Shanghai calendar day, in a fixed number of queries.

Day boundaries are computed in Python (the shop's zone, whatever the server runs in) and
sent to the database as aware datetimes, so no database time-zone tables are needed
(MariaDB's CONVERT_TZ returns NULL without them). The 30-day series is one query of
conditional aggregates, one column per day, instead of one query per day.

These are reporting reads: they go to the replica when one is configured
(``mall.db_router.reporting_alias``); a few seconds of replication lag is fine on a dashboard.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.db.models import Count, Q, Sum
from django.utils import timezone

from mall.db_router import reporting
from mall.models import AuditLog
from members.models import Member
from orders.models import Order, OrderStatus

SHOP_TZ = ZoneInfo("Asia/Shanghai")


@dataclass(frozen=True)
class TodayFigures:
    """Today's headline figures; money in integer fen."""

    day: dt.date
    orders_placed: int
    paid_orders: int
    paid_gmv: int
    new_members: int
    pending_shipments: int
    needs_attention: int


@dataclass(frozen=True)
class DailyPoint:
    day: dt.date
    orders_placed: int
    paid_orders: int
    paid_gmv: int


def shop_day_bounds(day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """[start, end) of ``day`` in the shop's zone, as aware datetimes."""
    start = dt.datetime.combine(day, dt.time.min, tzinfo=SHOP_TZ)
    end = dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min, tzinfo=SHOP_TZ)
    return start, end


def shop_today(now: dt.datetime | None = None) -> dt.date:
    return (now or timezone.now()).astimezone(SHOP_TZ).date()


def dashboard_today(*, now: dt.datetime | None = None) -> TodayFigures:
    """Today's figures in two queries: one over orders, one over new members.

    Paid GMV counts orders whose payment arrived today (whatever happened to them after);
    pending shipments and orders needing attention are the current backlog, not today's.
    """
    day = shop_today(now)
    start, end = shop_day_bounds(day)
    placed_today = Q(created_at__gte=start, created_at__lt=end)
    paid_today = Q(paid_at__gte=start, paid_at__lt=end)
    pending = Q(status=OrderStatus.PAID)
    attention = Q(needs_attention=True)
    figures = (
        reporting(Order.objects.all())
        .filter(placed_today | paid_today | pending | attention)
        .aggregate(
            orders_placed=Count("id", filter=placed_today),
            paid_orders=Count("id", filter=paid_today),
            paid_gmv=Sum("payable_amount", filter=paid_today, default=0),
            pending_shipments=Count("id", filter=pending),
            needs_attention=Count("id", filter=attention),
        )
    )
    new_members = reporting(Member.objects.all()).filter(created_at__gte=start, created_at__lt=end).count()
    return TodayFigures(
        day=day,
        orders_placed=figures["orders_placed"],
        paid_orders=figures["paid_orders"],
        paid_gmv=int(figures["paid_gmv"]),
        new_members=new_members,
        pending_shipments=figures["pending_shipments"],
        needs_attention=figures["needs_attention"],
    )


def dashboard_daily_series(*, days: int = 30, now: dt.datetime | None = None) -> list[DailyPoint]:
    """The last ``days`` shop days up to today (oldest first), in one query."""
    if days < 1:
        raise ValueError("days must be at least 1")
    today = shop_today(now)
    day_list = [today - dt.timedelta(days=offset) for offset in range(days - 1, -1, -1)]
    first_start, _ = shop_day_bounds(day_list[0])
    aggregates: dict[str, Count | Sum] = {}
    for index, day in enumerate(day_list):
        start, end = shop_day_bounds(day)
        placed = Q(created_at__gte=start, created_at__lt=end)
        paid = Q(paid_at__gte=start, paid_at__lt=end)
        aggregates[f"placed_{index}"] = Count("id", filter=placed)
        aggregates[f"paid_{index}"] = Count("id", filter=paid)
        aggregates[f"gmv_{index}"] = Sum("payable_amount", filter=paid, default=0)
    row = (
        reporting(Order.objects.all())
        .filter(Q(created_at__gte=first_start) | Q(paid_at__gte=first_start))
        .aggregate(**aggregates)
    )
    return [
        DailyPoint(
            day=day,
            orders_placed=row[f"placed_{index}"],
            paid_orders=row[f"paid_{index}"],
            paid_gmv=int(row[f"gmv_{index}"]),
        )
        for index, day in enumerate(day_list)
    ]


def dashboard_recent_audit(*, limit: int = 8) -> list[AuditLog]:
    """The latest staff actions across the shop (who changed what), with their actors, in one query."""
    return list(reporting(AuditLog.objects.all()).select_related("actor").order_by("-id")[:limit])
