"""Cached maps "(tool kind, tool object id) → campaign id", read on the order path.

Placement asks which budgeted campaign an applied rule spends (B02) and the anomaly watch which
live campaign a coupon claim or an order counts for (F31). Both maps are read from the cache in
one round trip and held in the process for ``MAPS_HOLD_SECONDS``, so an order costs no query
and at most one cache read for them; the campaign services drop both after any change to a
campaign, its status, budget or tools (:func:`campaign_tool_maps_forget`).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from functools import partial

from django.db import transaction
from django.db.models import Q, QuerySet

from mall.cache import cache_read_many, cache_write
from marketing.models import CampaignStatus, CampaignTool

ToolKey = tuple[str, int]

# A draft or paused campaign's budget still holds: its tools may be running on their own.
BUDGET_STATUSES = (CampaignStatus.DRAFT, CampaignStatus.LIVE, CampaignStatus.PAUSED)
BUDGETED_TOOLS_KEY = "campaigns:budgeted-tools"
BUDGETED_TOOLS_TTL = 300
LIVE_TOOLS_KEY = "campaigns:live-tools"
LIVE_TOOLS_TTL = 60


# Both maps are read together (one cache round trip) and held in the process this long: an
# order reads each once, and at a sale's peak hundreds a second would read them again (issue 12).
# A change made in this process drops them at once (``campaign_tool_maps_forget``); other
# processes see it within this time, as the guard's configuration (members.selectors.abuse).
MAPS_HOLD_SECONDS = 0.2
_held: tuple[float, dict[str, dict[ToolKey, int]]] | None = None


def _budgeted_rows() -> QuerySet[CampaignTool]:
    has_budget = Q(campaign__budget_amount__isnull=False) | Q(campaign__budget_uses__isnull=False)
    return CampaignTool.objects.filter(has_budget, campaign__status__in=BUDGET_STATUSES)


def _live_rows() -> QuerySet[CampaignTool]:
    return CampaignTool.objects.filter(campaign__status=CampaignStatus.LIVE)


# cache key -> (its timeout, the rows it lists)
_MAPS: dict[str, tuple[int, Callable[[], QuerySet[CampaignTool]]]] = {
    BUDGETED_TOOLS_KEY: (BUDGETED_TOOLS_TTL, _budgeted_rows),
    LIVE_TOOLS_KEY: (LIVE_TOOLS_TTL, _live_rows),
}


def _maps() -> dict[str, dict[ToolKey, int]]:
    """Both maps: held, or read from the cache in one round trip (a missing one from the database)."""
    global _held
    held = _held
    now = time.monotonic()
    if held is not None and now - held[0] < MAPS_HOLD_SECONDS:
        return held[1]
    cached = cache_read_many(list(_MAPS))
    maps: dict[str, dict[ToolKey, int]] = {}
    for key, (ttl, rows) in _MAPS.items():
        listed = cached.get(key)
        if not isinstance(listed, list):
            listed = [list(row) for row in rows().values_list("kind", "object_id", "campaign_id")]
            cache_write(key, listed, timeout=ttl)
        maps[key] = {(str(kind), int(pk)): int(campaign) for kind, pk, campaign in listed}
    _held = (now, maps)
    return maps


def budgeted_tools() -> dict[ToolKey, int]:
    """Every tool of a not-ended campaign that has a budget in money or uses."""
    return _maps()[BUDGETED_TOOLS_KEY]


def live_campaign_tools() -> dict[ToolKey, int]:
    """Every tool of a live campaign (the anomaly watch counts only those)."""
    return _maps()[LIVE_TOOLS_KEY]


def campaign_tool_maps_hold_drop() -> None:
    """Drop the maps held in this process (tests: the cache is cleared between them)."""
    global _held
    _held = None


def campaign_tool_maps_forget() -> None:
    """After a change to campaigns, their budgets or their tools: now, and again after commit."""
    campaign_tool_maps_hold_drop()
    for key in _MAPS:
        cache_write(key, None, timeout=1)
        transaction.on_commit(partial(cache_write, key, None, timeout=1), robust=True)
    transaction.on_commit(campaign_tool_maps_hold_drop, robust=True)
