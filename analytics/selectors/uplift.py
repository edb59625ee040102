"""Per-shopper figures of every campaign with a holdout, and their uplift report (B03).

A campaign's snapshot is a list of :class:`Unit` — one shopper, treated or held out, with the
window in which their spending counts: a segment campaign's window is the same for everyone
(start … start + window days); a lifecycle journey's starts when that shopper's occasion was
reached (or held out). Spending is paid orders net of refunds (``spending_orders``), the CUPED
covariate the same shopper's spending in the ``PRE_DAYS`` before their window.

Everything is read in a fixed number of queries, whatever the number of shoppers or campaigns:
the snapshot rows, the orders of those shoppers over the union of the windows (one query,
bucketed in Python by ``bisect``), and the cost rows. The statistics are
:mod:`analytics.uplift.stats`.
"""

from __future__ import annotations

import bisect
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from analytics.models import OrderTouch, Tool
from analytics.uplift.stats import Shopper, UpliftResult, uplift_analyse
from marketing.models import Coupon, CouponStatus, JourneyKind, JourneyPush, JourneySend, PricingPolicy
from marketing.selectors.journeys import REPORT_WINDOW_DAYS
from members.global_holdout import GlobalHoldout, global_holdout_current
from members.models import CampaignMember, Member, PointsEntry, SegmentCampaign
from members.selectors.people import order_net_amount, spending_orders

PRE_DAYS = 60
JOURNEY_WINDOW_DAYS = REPORT_WINDOW_DAYS  # the journey report's window
DEFAULT_POINTS_PER_YUAN = 100


@dataclass(frozen=True)
class Unit:
    member_id: int
    holdout: bool
    start: datetime
    end: datetime


@dataclass(frozen=True)
class UpliftReport:
    name: str
    start: datetime | None
    end: datetime | None
    finished: bool  # the window is over (otherwise figures are "so far")
    treated: int
    holdout: int
    cost: int  # fen: coupon deductions on the campaign's coupons + points given at their value
    result: UpliftResult | None  # None: not started, or a group with fewer than two shoppers


def _shoppers(units: Sequence[Unit], members: QuerySet) -> list[Shopper]:
    """Each unit's window spend and pre-period spend (in the units' order), from one query of
    the shoppers' orders."""
    if not units:
        return []
    since = min(u.start for u in units) - timedelta(days=PRE_DAYS)
    until = max(u.end for u in units)
    paid: dict[int, list[tuple[datetime, int]]] = defaultdict(list)
    rows = (
        spending_orders(since=since)
        .filter(paid_at__lt=until, member_id__in=members)
        .annotate(net=order_net_amount())
        .values_list("member_id", "paid_at", "net")
        .order_by("member_id", "paid_at")
    )
    for member_id, paid_at, net in rows.iterator(chunk_size=5000):
        if paid_at is not None:  # spending orders are paid; the column is nullable
            paid[member_id].append((paid_at, int(net)))
    shoppers: list[Shopper] = []
    for unit in units:
        orders = paid.get(unit.member_id, [])
        times = [t for t, _net in orders]
        lo = bisect.bisect_left(times, unit.start - timedelta(days=PRE_DAYS))
        mid = bisect.bisect_left(times, unit.start)
        hi = bisect.bisect_left(times, unit.end)
        window = [net for _t, net in orders[mid:hi]]
        pre = float(sum(net for _t, net in orders[lo:mid]))
        shoppers.append(Shopper(converted=bool(window), gmv=float(sum(window)), pre=pre))
    return shoppers


def _split(units: Sequence[Unit], shoppers: Sequence[Shopper]) -> tuple[list[Shopper], list[Shopper]]:
    treated = [s for u, s in zip(units, shoppers, strict=True) if not u.holdout]
    holdout = [s for u, s in zip(units, shoppers, strict=True) if u.holdout]
    return treated, holdout


def _coupon_cost(coupon_ids: Iterable[int]) -> dict[int, int]:
    """coupon id → what it took off its order, net of refunds (attribution's coupon column)."""
    used = dict(
        Coupon.objects.filter(pk__in=list(coupon_ids), status=CouponStatus.USED, order__isnull=False).values_list(
            "order_id", "pk"
        )
    )
    if not used:
        return {}
    costs: dict[int, int] = defaultdict(int)
    touches = (
        OrderTouch.objects.filter(order_id__in=list(used), tool=Tool.COUPON)
        .values("order_id")
        .annotate(fen=Sum("coupon"))
        .order_by()
    )
    for row in touches:
        costs[used[row["order_id"]]] += int(row["fen"] or 0)
    return dict(costs)


def _points_value(points: int, per_yuan: int) -> int:
    return points * 100 // max(per_yuan, 1)


def _points_per_yuan() -> int:
    found = PricingPolicy.objects.order_by("pk").values_list("points_per_yuan", flat=True).first()
    return int(found or DEFAULT_POINTS_PER_YUAN)


def segment_campaign_uplifts(*, campaign_ids: Sequence[int], now: datetime | None = None) -> dict[int, UpliftReport]:
    """Uplift of several segment campaigns at once (the console list): seven queries in all."""
    now = now or timezone.now()
    campaigns = {c.pk: c for c in SegmentCampaign.objects.filter(pk__in=list(campaign_ids))}
    started = [c for c in campaigns.values() if c.started_at is not None]
    ends = {c.pk: min(c.started_at + timedelta(days=c.window_days), now) for c in started if c.started_at}
    units: dict[int, list[Unit]] = defaultdict(list)
    coupon_of: dict[int, int] = {}  # coupon id → campaign id
    if started:
        rows = (
            CampaignMember.objects.filter(campaign_id__in=[c.pk for c in started])
            .exclude(skip_reason=CampaignMember.Skip.GLOBAL_HOLDOUT)  # left out of the campaign
            .values_list("campaign_id", "member_id", "is_holdout", "coupon_id")
        )
        for campaign_id, member_id, held, coupon_id in rows.order_by("campaign_id", "member_id").iterator(5000):
            start = campaigns[campaign_id].started_at
            assert start is not None  # noqa: S101 - only started campaigns are read
            units[campaign_id].append(Unit(member_id, held, start, ends[campaign_id]))
            if coupon_id is not None:
                coupon_of[coupon_id] = campaign_id
    everyone = [u for group in units.values() for u in group]
    members = CampaignMember.objects.filter(campaign_id__in=list(units)).values("member_id")
    figures = _shoppers(everyone, members)
    offsets: dict[int, int] = {}
    at = 0
    for campaign_id, group in units.items():
        offsets[campaign_id], at = at, at + len(group)
    coupon_costs = _coupon_cost(coupon_of)
    cost: dict[int, int] = defaultdict(int)
    for coupon_id, fen in coupon_costs.items():
        cost[coupon_of[coupon_id]] += fen
    refs = {f"segment-campaign-{c.pk}": c.pk for c in started if c.points}
    if refs:
        per_yuan = _points_per_yuan()
        granted = (
            PointsEntry.objects.filter(ref__in=list(refs), delta__gt=0)
            .values("ref")
            .annotate(points=Sum("delta"))
            .order_by()
        )
        for row in granted:
            cost[refs[row["ref"]]] += _points_value(int(row["points"] or 0), per_yuan)
    reports: dict[int, UpliftReport] = {}
    for campaign_id, campaign in campaigns.items():
        group = units.get(campaign_id, [])
        at = offsets.get(campaign_id, 0)
        treated, holdout = _split(group, figures[at : at + len(group)])
        end = ends.get(campaign_id)
        reports[campaign_id] = UpliftReport(
            name=campaign.name,
            start=campaign.started_at,
            end=end,
            finished=end is not None and end < now,
            treated=len(treated),
            holdout=len(holdout),
            cost=cost.get(campaign_id, 0),
            result=uplift_analyse(treated=treated, holdout=holdout, cost=cost.get(campaign_id, 0)) if group else None,
        )
    return reports


def segment_campaign_uplift(*, campaign_id: int, now: datetime | None = None) -> UpliftReport | None:
    return segment_campaign_uplifts(campaign_ids=[campaign_id], now=now).get(campaign_id)


def journey_uplift(
    *, kind: str, since: datetime | None = None, now: datetime | None = None, window_days: int = JOURNEY_WINDOW_DAYS
) -> UpliftReport:
    """A lifecycle journey's reached vs held-out shoppers, each over ``window_days`` from their
    occasion (sends since ``since``; all when None): four queries."""
    now = now or timezone.now()
    sends = JourneySend.objects.filter(kind=kind).exclude(push=JourneyPush.GLOBAL_HOLDOUT)
    if since is not None:
        sends = sends.filter(sent_at__gte=since)
    units: list[Unit] = []
    coupons: list[int] = []
    rows = sends.values_list("member_id", "is_holdout", "sent_at", "coupon_id").order_by("sent_at", "pk")
    for member_id, held, sent_at, coupon_id in rows.iterator(5000):
        units.append(Unit(member_id, held, sent_at, min(sent_at + timedelta(days=window_days), now)))
        if coupon_id is not None:
            coupons.append(coupon_id)
    treated, holdout = _split(units, _shoppers(units, sends.values("member_id")))
    cost = sum(_coupon_cost(coupons).values())
    start = units[0].start if units else None
    end = max((u.end for u in units), default=None)
    return UpliftReport(
        name=str(JourneyKind(kind).label),
        start=start,
        end=end,
        finished=bool(units) and all(u.end < now for u in units),
        treated=len(treated),
        holdout=len(holdout),
        cost=cost,
        result=uplift_analyse(treated=treated, holdout=holdout, cost=cost),
    )


@dataclass(frozen=True)
class GlobalHoldoutUplift:
    holdout: GlobalHoldout  # the shop's setting as it stands
    report: UpliftReport | None  # None until the holdout has been switched on once


def global_holdout_uplift(*, now: datetime | None = None) -> GlobalHoldoutUplift:
    """The global holdout vs every other shopper since it was switched on (until it was switched
    off, or now): per-shopper conversion and GMV with CUPED on the ``PRE_DAYS`` before. Every
    shopper registered before the window's end counts, in the group the salt puts them in; there
    is no cost (nothing is given to measure this), so no ROI. Three queries."""
    now = now or timezone.now()
    holdout = global_holdout_current()
    if holdout.since is None or not holdout.salt:
        return GlobalHoldoutUplift(holdout=holdout, report=None)
    start, end = holdout.since, min(holdout.until or now, now)
    members = Member.objects.filter(created_at__lt=end)
    ids = list(members.order_by("pk").values_list("pk", flat=True))
    assigned = GlobalHoldout(enabled=True, percent=holdout.percent, salt=holdout.salt)
    units = [Unit(member_id, assigned.holds_out(member_id), start, end) for member_id in ids]
    treated, held = _split(units, _shoppers(units, members.values("pk")))
    return GlobalHoldoutUplift(
        holdout=holdout,
        report=UpliftReport(
            name=str(_("全局对照组")),
            start=start,
            end=end,
            finished=holdout.until is not None,
            treated=len(treated),
            holdout=len(held),
            cost=0,
            result=uplift_analyse(treated=treated, holdout=held, cost=0),
        ),
    )
