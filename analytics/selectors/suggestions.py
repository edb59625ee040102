"""What accepted suggestions earned (F39): per accepted suggestion whose draft was saved, the
orders, GMV and cost of that tool object since the day it was accepted, read from the daily
attribution rollups (``ToolDailyFigure``), never from orders. Two queries whatever the rows."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import reduce
from operator import or_

from django.db.models import Q, Sum

from analytics.models import Suggestion, SuggestionState, ToolDailyFigure
from analytics.services.attribution import shop_day


@dataclass(frozen=True)
class Earned:
    orders: int = 0
    gmv: int = 0  # fen
    cost: int = 0  # fen: discounts, coupons, gifts, shipping, points … (attribution's cost)


@dataclass(frozen=True)
class AcceptedSuggestion:
    suggestion: Suggestion
    since: dt.date | None
    earned: Earned | None  # None: the draft was not saved (nothing linked yet)


def accepted_suggestions(*, limit: int = 20) -> list[AcceptedSuggestion]:
    """The latest accepted suggestions with what their saved drafts earned since acceptance."""
    rows = list(
        Suggestion.objects.filter(state=SuggestionState.ACCEPTED)
        .select_related("decided_by")
        .order_by("-decided_at", "-pk")[:limit]
    )
    starts: dict[tuple[str, int], dt.date] = {}
    for row in rows:
        if row.draft_object_id is not None and row.decided_at is not None:
            key = (row.draft_tool, row.draft_object_id)
            since = shop_day(row.decided_at)
            starts[key] = min(since, starts.get(key, since))
    sums: dict[tuple[str, int], Earned] = {}
    if starts:
        where = reduce(or_, (Q(tool=tool, object_id=pk, day__gte=day) for (tool, pk), day in starts.items()))
        figures = (
            ToolDailyFigure.objects.filter(where)
            .values("tool", "object_id")
            .annotate(orders=Sum("orders"), gmv=Sum("gmv"), cost=Sum("cost"))
        )
        for f in figures:
            sums[(f["tool"], f["object_id"])] = Earned(
                orders=int(f["orders"] or 0), gmv=int(f["gmv"] or 0), cost=int(f["cost"] or 0)
            )
    result = []
    for row in rows:
        linked = row.draft_object_id is not None
        key = (row.draft_tool, row.draft_object_id or 0)
        result.append(
            AcceptedSuggestion(
                suggestion=row,
                since=shop_day(row.decided_at) if row.decided_at else None,
                earned=sums.get(key, Earned()) if linked else None,
            )
        )
    return result
