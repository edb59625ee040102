"""活动日历 (F28): every campaign on a month or week grid, for the merchant to see what runs when.

Weeks run Monday to Sunday in the shop's time zone (Asia/Shanghai). A campaign is one bar per
week row it crosses, placed by its exact start and end as a share of the row (so a campaign
starting at 20:00 starts most of the way through its day), and bars that would cover each other
go to separate lanes. Campaigns whose windows cross are listed as overlaps, each linking to the
overlap detail that prices a sample cart.

Two queries whatever the number of campaigns (the campaigns in range, their tool kinds),
pinned in the tests.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from itertools import combinations
from typing import Literal

from django.utils import timezone

from marketing.models import PHASE_LABELS, Campaign, CampaignTool, CampaignToolKind

View = Literal["month", "week"]
PHASES = tuple(PHASE_LABELS)
# Material Symbols names per tool kind, shown on the bars (the console's icon font).
TOOL_ICONS = {
    CampaignToolKind.PROMOTION: "sell",
    CampaignToolKind.COUPON: "confirmation_number",
    CampaignToolKind.FLASH: "bolt",
    CampaignToolKind.GROUP_BUY: "groups",
    CampaignToolKind.BARGAIN: "content_cut",
}
WEEK = timedelta(days=7)


@dataclass(frozen=True)
class ToolBadge:
    kind: str
    icon: str
    label: str
    count: int


@dataclass(frozen=True)
class Bar:
    """One campaign's piece of one week row; ``left``/``width`` are percentages of the row."""

    campaign_id: int
    name: str
    phase: str
    phase_label: str
    starts_at: datetime
    ends_at: datetime
    tools: tuple[ToolBadge, ...]
    left: float
    width: float
    lane: int
    continues_before: bool
    continues_after: bool


@dataclass(frozen=True)
class WeekRow:
    days: tuple[date, ...]
    bars: tuple[Bar, ...]
    lanes: int
    # where "now" falls in this row (percent), None when the row is another week
    now_at: float | None


@dataclass(frozen=True)
class OverlapPair:
    first: Campaign
    second: Campaign
    starts_at: datetime
    ends_at: datetime


@dataclass(frozen=True)
class CampaignCalendar:
    view: View
    anchor: date
    first_day: date
    last_day: date  # inclusive
    month: int
    weeks: tuple[WeekRow, ...]
    today: date
    shown: int
    by_phase: dict[str, int]
    overlaps: tuple[OverlapPair, ...]
    previous: date
    following: date


def _midnight(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def calendar_range(*, view: View, anchor: date) -> tuple[date, date]:
    """First Monday and last Sunday the grid shows for ``anchor``'s month or week."""
    if view == "week":
        first = anchor - timedelta(days=anchor.weekday())
        return first, first + timedelta(days=6)
    month_first = anchor.replace(day=1)
    next_month = (month_first + timedelta(days=32)).replace(day=1)
    month_last = next_month - timedelta(days=1)
    first = month_first - timedelta(days=month_first.weekday())
    last = month_last + timedelta(days=6 - month_last.weekday())
    return first, last


def _neighbours(view: View, anchor: date) -> tuple[date, date]:
    if view == "week":
        return anchor - WEEK, anchor + WEEK
    month_first = anchor.replace(day=1)
    previous = (month_first - timedelta(days=1)).replace(day=1)
    following = (month_first + timedelta(days=32)).replace(day=1)
    return previous, following


def _share(moment: datetime, row_start: datetime) -> float:
    return max(0.0, min(100.0, (moment - row_start) / WEEK * 100))


def _lay_out(pieces: list[tuple[Campaign, float, float, bool, bool]]) -> tuple[list[tuple[int, int]], int]:
    """Greedy lanes: each bar takes the first lane whose last bar ended before it starts."""
    lane_ends: list[float] = []
    placed = []
    for index, (_campaign, left, width, _before, _after) in enumerate(pieces):
        for lane, end in enumerate(lane_ends):
            if end <= left + 1e-9:
                lane_ends[lane] = left + width
                break
        else:
            lane = len(lane_ends)
            lane_ends.append(left + width)
        placed.append((index, lane))
    return placed, len(lane_ends)


def campaign_calendar(*, view: View, anchor: date, now: datetime, phases: Collection[str] = ()) -> CampaignCalendar:
    """The grid for ``anchor``'s month or week; ``phases`` keeps only those phases (none = all)."""
    first, last = calendar_range(view=view, anchor=anchor)
    start, end = _midnight(first), _midnight(last + timedelta(days=1))
    campaigns = list(Campaign.objects.filter(starts_at__lt=end, ends_at__gt=start).order_by("starts_at", "pk"))
    by_phase = dict.fromkeys(PHASES, 0)
    for campaign in campaigns:
        by_phase[campaign.phase(now)] += 1
    if phases:
        campaigns = [c for c in campaigns if c.phase(now) in phases]
    counts: dict[int, dict[str, int]] = {}
    rows = CampaignTool.objects.filter(campaign_id__in=[c.pk for c in campaigns]).values_list("campaign_id", "kind")
    for campaign_id, kind in rows:
        kinds = counts.setdefault(campaign_id, {})
        kinds[kind] = kinds.get(kind, 0) + 1
    badges = {
        campaign.pk: tuple(
            ToolBadge(
                kind=kind, icon=TOOL_ICONS[CampaignToolKind(kind)], label=str(CampaignToolKind(kind).label), count=n
            )
            for kind, n in sorted(counts.get(campaign.pk, {}).items())
        )
        for campaign in campaigns
    }
    weeks = []
    day = first
    while day <= last:
        row_start = _midnight(day)
        row_end = row_start + WEEK
        pieces = [
            (
                c,
                _share(max(c.starts_at, row_start), row_start),
                max(_share(min(c.ends_at, row_end), row_start) - _share(max(c.starts_at, row_start), row_start), 1.5),
                c.starts_at < row_start,
                c.ends_at > row_end,
            )
            for c in campaigns
            if c.starts_at < row_end and c.ends_at > row_start
        ]
        placed, lanes = _lay_out(pieces)
        bars = []
        for index, lane in placed:
            campaign, left, width, before, after = pieces[index]
            phase = campaign.phase(now)
            bars.append(
                Bar(
                    campaign_id=campaign.pk,
                    name=campaign.name,
                    phase=phase,
                    phase_label=str(PHASE_LABELS[phase]),
                    starts_at=campaign.starts_at,
                    ends_at=campaign.ends_at,
                    tools=badges[campaign.pk],
                    left=round(left, 3),
                    width=round(min(width, 100 - left), 3),
                    lane=lane,
                    continues_before=before,
                    continues_after=after,
                )
            )
        weeks.append(
            WeekRow(
                days=tuple(day + timedelta(days=i) for i in range(7)),
                bars=tuple(bars),
                lanes=lanes,
                now_at=round(_share(now, row_start), 3) if row_start <= now < row_end else None,
            )
        )
        day += WEEK
    overlaps = tuple(
        OverlapPair(first=a, second=b, starts_at=max(a.starts_at, b.starts_at), ends_at=min(a.ends_at, b.ends_at))
        for a, b in combinations(campaigns, 2)
        if a.starts_at < b.ends_at and b.starts_at < a.ends_at and "ended" not in (a.phase(now), b.phase(now))
    )
    previous, following = _neighbours(view, anchor)
    return CampaignCalendar(
        view=view,
        anchor=anchor,
        first_day=first,
        last_day=last,
        month=anchor.month,
        weeks=tuple(weeks),
        today=timezone.localtime(now).date(),
        shown=len(campaigns),
        by_phase=by_phase,
        overlaps=overlaps,
        previous=previous,
        following=following,
    )
