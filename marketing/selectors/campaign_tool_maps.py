"""Cached maps "(tool kind, tool object id) → campaign id", read on the order path.

Placement asks which budgeted campaign an applied rule spends (B02) and the anomaly watch which
live campaign a coupon claim or an order counts for (F31). Both read one cache entry each, so an
order that touches no campaign costs no query; the campaign services drop both after any change
to a campaign, its status, budget or tools (:func:`campaign_tool_maps_forget`).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from django.db import transaction
from django.db.models import Q, QuerySet

from mall.cache import cache_read, cache_write
from marketing.models import CampaignStatus, CampaignTool

ToolKey = tuple[str, int]

# A draft or paused campaign's budget still holds: its tools may be running on their own.
BUDGET_STATUSES = (CampaignStatus.DRAFT, CampaignStatus.LIVE, CampaignStatus.PAUSED)
BUDGETED_TOOLS_KEY = "campaigns:budgeted-tools"
BUDGETED_TOOLS_TTL = 300
LIVE_TOOLS_KEY = "campaigns:live-tools"
LIVE_TOOLS_TTL = 60


def _cached_map(key: str, ttl: int, rows: Callable[[], QuerySet[CampaignTool]]) -> dict[ToolKey, int]:
    cached = cache_read(key)
    if not isinstance(cached, list):
        cached = [list(row) for row in rows().values_list("kind", "object_id", "campaign_id")]
        cache_write(key, cached, timeout=ttl)
    return {(str(kind), int(pk)): int(campaign) for kind, pk, campaign in cached}


def budgeted_tools() -> dict[ToolKey, int]:
    """Every tool of a not-ended campaign that has a budget in money or uses."""
    has_budget = Q(campaign__budget_amount__isnull=False) | Q(campaign__budget_uses__isnull=False)
    return _cached_map(
        BUDGETED_TOOLS_KEY,
        BUDGETED_TOOLS_TTL,
        lambda: CampaignTool.objects.filter(has_budget, campaign__status__in=BUDGET_STATUSES),
    )


def live_campaign_tools() -> dict[ToolKey, int]:
    """Every tool of a live campaign (the anomaly watch counts only those)."""
    return _cached_map(
        LIVE_TOOLS_KEY, LIVE_TOOLS_TTL, lambda: CampaignTool.objects.filter(campaign__status=CampaignStatus.LIVE)
    )


def campaign_tool_maps_forget() -> None:
    """After a change to campaigns, their budgets or their tools: now, and again after commit."""
    for key in (BUDGETED_TOOLS_KEY, LIVE_TOOLS_KEY):
        cache_write(key, None, timeout=1)
        transaction.on_commit(partial(cache_write, key, None, timeout=1), robust=True)
