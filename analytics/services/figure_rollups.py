"""Daily rollups of attribution (issue 15 §4): per (day, tool, object) and per (day, product).

``figures_rollup`` rebuilds the rows of the days in [start, end] from ``OrderTouch`` and
``LineFigure`` in one transaction: delete the days, insert the aggregates. Running it twice gives
the same rows (idempotent); the beat job runs it for recent days, the console and
``analytics_report --refresh`` on demand. Dashboards read these rows, never orders.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.db.models import Count, Q, Sum
from django.utils import timezone

from analytics.models import LineFigure, OrderTouch, ProductDailyFigure, ToolDailyFigure
from analytics.services.attribution import CASH_COLUMNS, shop_day

RECENT_DAYS = 35


@transaction.atomic
def figures_rollup(*, start: dt.date, end: dt.date) -> dict[str, int]:
    """Recompute the tool and product rollups of the days start…end (inclusive)."""
    ToolDailyFigure.objects.filter(day__gte=start, day__lte=end).delete()
    ProductDailyFigure.objects.filter(day__gte=start, day__lte=end).delete()
    paid = Q(refund_key=0)
    touches = (
        OrderTouch.objects.filter(day__gte=start, day__lte=end)
        .values("day", "tool", "object_id")
        .annotate(
            participants=Count("member", filter=paid, distinct=True),
            new_shoppers=Count("member", filter=paid & Q(first_order=True), distinct=True),
            orders_sum=Sum("orders", default=0),
            gmv_sum=Sum("gmv", default=0),
            refunds_sum=Sum("gmv", filter=~paid, default=0),
            cogs_sum=Sum("cogs", default=0),
            **{f"{c}_sum": Sum(c, default=0) for c in OrderTouch.COST_FIELDS},
        )
        .order_by("day", "tool", "object_id")
    )
    names = dict(
        ((row["tool"], row["object_id"]), row["object_name"])
        for row in OrderTouch.objects.filter(day__gte=start, day__lte=end, refund_key=0)
        .order_by("id")
        .values("tool", "object_id", "object_name")
    )
    tool_rows: list[ToolDailyFigure] = []
    for row in touches:
        values: dict[str, Any] = dict(row)
        tool_rows.append(_tool_row(values, names))
    ToolDailyFigure.objects.bulk_create(tool_rows)
    paid_line = Q(refund_key=0)
    products = (
        LineFigure.objects.filter(day__gte=start, day__lte=end)
        .values("day", "product_id")
        .annotate(
            buyers=Count("order__member", filter=paid_line, distinct=True),
            first_orders=Count("order", filter=paid_line & Q(first_order=True), distinct=True),
            orders=Count("order", filter=paid_line, distinct=True),
            units_sum=Sum("units", default=0),
            campaign_units=Sum("units", filter=Q(in_campaign=True), default=0),
            paid_sum=Sum("paid", default=0),
            cogs_sum=Sum("cogs", default=0),
            cash_sum=Sum("cash_cost", default=0),
            missing=Sum("units", filter=Q(cost_known=False), default=0),
        )
        .order_by("day", "product_id")
    )
    product_rows = [
        ProductDailyFigure(
            day=row["day"],
            product_id=row["product_id"],
            buyers=row["buyers"],
            first_orders=row["first_orders"],
            orders=row["orders"],
            units=row["units_sum"],
            campaign_units=row["campaign_units"],
            paid=row["paid_sum"],
            cogs=row["cogs_sum"],
            cash_cost=row["cash_sum"],
            cost_missing=row["missing"],
        )
        for row in products
    ]
    ProductDailyFigure.objects.bulk_create(product_rows)
    return {"tool_rows": len(tool_rows), "product_rows": len(product_rows)}


def _tool_row(row: dict[str, Any], names: dict[tuple[str, int], str]) -> ToolDailyFigure:
    return ToolDailyFigure(
        day=row["day"],
        tool=row["tool"],
        object_id=row["object_id"],
        object_name=names.get((row["tool"], row["object_id"]), ""),
        participants=row["participants"],
        new_shoppers=row["new_shoppers"],
        orders=row["orders_sum"],
        gmv=row["gmv_sum"],
        cost=sum(row[f"{c}_sum"] for c in OrderTouch.COST_FIELDS),
        cash_cost=sum(row[f"{c}_sum"] for c in CASH_COLUMNS),
        cogs=row["cogs_sum"],
        refunds=-row["refunds_sum"],
    )


def figures_rollup_recent(*, days: int = RECENT_DAYS, now: dt.datetime | None = None) -> dict[str, int]:
    """The beat job: the last ``days`` Shanghai days up to today (refunds land on their own day)."""
    today = shop_day(now or timezone.now())
    return figures_rollup(start=today - dt.timedelta(days=days - 1), end=today)
