"""Every figure of the 数据 dashboards (issue 15 §3: F36 tools and campaigns, F29 live, F38 products).

Windows are Shanghai days [start, end]. Sums come from the daily rollups
(``ToolDailyFigure`` / ``ProductDailyFigure``); distinct counts over a window (participants, new
shoppers) from the attribution rows (``OrderTouch``, indexed by day, tool and object), because
distinct shoppers do not add up across days. No selector reads orders.

Definitions (stated on the pages too):

- GMV: what the touched orders paid, shipping included, less refunds. Every tool that touched an
  order is credited with the whole order (multi-touch, full credit).
- cost: discounts, coupon value, gift cost, free shipping waived, points redeemed (fen),
  commissions and invite rewards.
- ROI = GMV ÷ cost, shown "1:5.2"; margin = GMV − cost of goods − money paid out on top of the
  price (commission, invite rewards, shipping waived; discounts are already outside GMV); margin
  ROI = margin ÷ cost.
- products: margin rate = margin ÷ paid. 滞销: fewer than ``SLOW_UNITS`` units sold in the window;
  引流品: margin rate below ``THIN_MARGIN`` and (first orders ≥ ``FIRST_ORDER_SHARE`` of its orders
  or campaign units ≥ ``CAMPAIGN_SHARE`` of its units); 利润品: margin rate at least ``THIN_MARGIN``;
  the rest 常规.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.core.cache import cache
from django.db.models import Count, Q, Sum
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from analytics.models import FunnelDay, LineFigure, OrderTouch, ProductDailyFigure, Tool, ToolDailyFigure
from analytics.selectors.behaviour import product_traffic
from analytics.services.attribution import CASH_COLUMNS, shop_day
from mall.models import Product
from marketing.models import Coupon, CouponStatus, CouponTemplate, FlashItem, FlashSlot

SLOW_UNITS = 2
THIN_MARGIN = Decimal("0.20")
FIRST_ORDER_SHARE = Decimal("0.30")
CAMPAIGN_SHARE = Decimal("0.50")
LIVE_CACHE_SECONDS = 60


def ratio_text(numerator: int, denominator: int) -> str:
    """ROI as the merchant reads it: 1:5.2 (one decimal, half up); "—" without a cost."""
    if denominator <= 0:
        return "—"
    value = (Decimal(numerator) / Decimal(denominator)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    return f"1:{value}"


def ratio_value(numerator: int, denominator: int) -> Decimal | None:
    if denominator <= 0:
        return None
    return (Decimal(numerator) / Decimal(denominator)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def percent(numerator: int, denominator: int) -> Decimal | None:
    """A share in percent with one decimal, or None when there is nothing to divide by."""
    if denominator <= 0:
        return None
    return (Decimal(numerator) * 100 / Decimal(denominator)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


@dataclass
class ToolFigure:
    tool: str
    object_id: int | None
    name: str
    participants: int = 0
    new_shoppers: int = 0
    orders: int = 0
    gmv: int = 0
    cost: int = 0
    cash_cost: int = 0
    cogs: int = 0
    refunds: int = 0
    coupons_issued: int | None = None
    coupons_used: int | None = None
    # from the behaviour funnel (visitors a day, summed over the window); None = the tool has no page
    viewers: int | None = None
    payers: int = 0
    efficiency: str = ""  # "high" / "low" among the ranked rows with a cost

    @property
    def tool_label(self) -> str:
        return str(Tool(self.tool).label) if self.tool in Tool.values else self.tool

    @property
    def margin(self) -> int:
        return self.gmv - self.cogs - self.cash_cost

    @property
    def roi(self) -> Decimal | None:
        return ratio_value(self.gmv, self.cost)

    @property
    def roi_text(self) -> str:
        return ratio_text(self.gmv, self.cost)

    @property
    def margin_roi(self) -> Decimal | None:
        return ratio_value(self.margin, self.cost)

    @property
    def margin_roi_text(self) -> str:
        return ratio_text(self.margin, self.cost)

    @property
    def conversion(self) -> Decimal | None:
        """Visitors of the tool's pages who paid, as a percentage (the 行为分析 funnel's view → pay)."""
        if not self.viewers:
            return None
        return percent(self.payers, self.viewers)

    @property
    def redemption_rate(self) -> Decimal | None:
        if self.coupons_issued is None or self.coupons_used is None:
            return None
        return percent(self.coupons_used, self.coupons_issued)


def _window(start: dt.date, end: dt.date, tool: str | None) -> Q:
    q = Q(day__gte=start, day__lte=end)
    return q & Q(tool=tool) if tool else q


def tool_figures(
    *, start: dt.date, end: dt.date, tool: str | None = None, per_campaign: bool = False
) -> list[ToolFigure]:
    """Per tool (or per campaign = tool object), ranked by ROI; at most 3 queries.

    The top third of the rows that had a cost are marked ``high`` and the bottom third ``low``
    (at least one each when there are two or more).
    """
    keys = ["tool", "object_id"] if per_campaign else ["tool"]
    sums = (
        ToolDailyFigure.objects.filter(_window(start, end, tool))
        .values(*keys)
        .annotate(
            orders_sum=Sum("orders"),
            gmv_sum=Sum("gmv"),
            cost_sum=Sum("cost"),
            cash_sum=Sum("cash_cost"),
            cogs_sum=Sum("cogs"),
            refunds_sum=Sum("refunds"),
        )
        .order_by(*keys)
    )
    people = (
        OrderTouch.objects.filter(_window(start, end, tool), refund_key=0)
        .values(*keys)
        .annotate(
            participants=Count("member", distinct=True),
            new_shoppers=Count("member", filter=Q(first_order=True), distinct=True),
        )
        .order_by(*keys)
    )
    names: dict[tuple[str, int], str] = {}
    if per_campaign:
        names = {
            (row["tool"], row["object_id"]): row["object_name"]
            for row in ToolDailyFigure.objects.filter(_window(start, end, tool)).values(
                "tool", "object_id", "object_name"
            )
        }
    counted = {tuple(row[k] for k in keys): row for row in people}
    rows: list[ToolFigure] = []
    for row in sums:
        key = tuple(row[k] for k in keys)
        who = counted.get(key, {})
        figure = ToolFigure(
            tool=row["tool"],
            object_id=row.get("object_id"),
            name=names.get((row["tool"], row.get("object_id", 0)), ""),
            participants=int(who.get("participants", 0)),
            new_shoppers=int(who.get("new_shoppers", 0)),
            orders=int(row["orders_sum"] or 0),
            gmv=int(row["gmv_sum"] or 0),
            cost=int(row["cost_sum"] or 0),
            cash_cost=int(row["cash_sum"] or 0),
            cogs=int(row["cogs_sum"] or 0),
            refunds=int(row["refunds_sum"] or 0),
        )
        if not per_campaign:
            figure.name = figure.tool_label
        rows.append(figure)
    _coupon_redemption(rows, start=start, end=end, per_campaign=per_campaign)
    _funnel_conversion(rows, start=start, end=end, per_campaign=per_campaign)
    return rank(rows)


def _funnel_conversion(rows: list[ToolFigure], *, start: dt.date, end: dt.date, per_campaign: bool) -> None:
    """Viewers and payers from the behaviour funnel rollups (one query): campaign 0 is the whole tool."""
    funnels = FunnelDay.objects.filter(day__gte=start, day__lte=end).exclude(tool="")
    if not per_campaign:
        funnels = funnels.filter(campaign_id=0)
    sums = {
        (row["tool"], row["campaign_id"] if per_campaign else 0): (int(row["v"] or 0), int(row["p"] or 0))
        for row in funnels.values("tool", "campaign_id").annotate(v=Sum("viewers"), p=Sum("payers")).order_by()
    }
    for figure in rows:
        key = (figure.tool, (figure.object_id or 0) if per_campaign else 0)
        if key in sums:
            figure.viewers, figure.payers = sums[key]


def _coupon_redemption(rows: list[ToolFigure], *, start: dt.date, end: dt.date, per_campaign: bool) -> None:
    """Coupons claimed in the window and how many of those were used (one query)."""
    coupon_rows = [r for r in rows if r.tool == Tool.COUPON]
    if not coupon_rows:
        return
    from mall.selectors.dashboard import shop_day_bounds

    since, _ = shop_day_bounds(start)
    _, until = shop_day_bounds(end)
    counts = (
        Coupon.objects.filter(claimed_at__gte=since, claimed_at__lt=until)
        .values("template_id")
        .annotate(issued=Count("id"), used=Count("id", filter=Q(status=CouponStatus.USED)))
        .order_by("template_id")
    )
    by_template = {row["template_id"]: (row["issued"], row["used"]) for row in counts}
    for row in coupon_rows:
        if per_campaign:
            issued, used = by_template.get(row.object_id or 0, (0, 0))
        else:
            issued = sum(v[0] for v in by_template.values())
            used = sum(v[1] for v in by_template.values())
        row.coupons_issued, row.coupons_used = issued, used


def rank(rows: list[ToolFigure]) -> list[ToolFigure]:
    """Highest ROI first (rows without a cost last, by GMV); mark the high and low thirds."""
    costed = sorted((r for r in rows if r.cost > 0), key=lambda r: (-(r.roi or 0), -r.gmv, r.tool, r.object_id or 0))
    free = sorted((r for r in rows if r.cost <= 0), key=lambda r: (-r.gmv, r.tool, r.object_id or 0))
    if len(costed) >= 2:
        third = max(1, len(costed) // 3)
        for r in costed[:third]:
            r.efficiency = "high"
        for r in costed[-third:]:
            r.efficiency = "low"
    return costed + free


@dataclass(frozen=True)
class DailyPoint:
    day: dt.date
    orders: int
    gmv: int
    cost: int


def tool_daily_series(
    *, start: dt.date, end: dt.date, tool: str | None = None, object_id: int | None = None
) -> list[DailyPoint]:
    """One point per day of the window (zeros included), in one query."""
    q = _window(start, end, tool)
    if object_id is not None:
        q &= Q(object_id=object_id)
    by_day = {
        row["day"]: row
        for row in ToolDailyFigure.objects.filter(q)
        .values("day")
        .annotate(orders_sum=Sum("orders"), gmv_sum=Sum("gmv"), cost_sum=Sum("cost"))
        .order_by("day")
    }
    points = []
    day = start
    while day <= end:
        row: dict[str, Any] = dict(by_day.get(day, {}))
        points.append(
            DailyPoint(
                day=day,
                orders=int(row.get("orders_sum") or 0),
                gmv=int(row.get("gmv_sum") or 0),
                cost=int(row.get("cost_sum") or 0),
            )
        )
        day += dt.timedelta(days=1)
    return points


def participation_by_hour(*, start: dt.date, end: dt.date, tool: str | None = None) -> list[int]:
    """Paid orders per Shanghai hour of day (24 numbers) in the window: when shoppers take part
    (the intelligence issue's "活动参与高峰" suggestion stands on this). One query."""
    counts = dict(
        OrderTouch.objects.filter(_window(start, end, tool), refund_key=0)
        .values("hour")
        .annotate(n=Count("order", distinct=True))
        .values_list("hour", "n")
    )
    return [int(counts.get(hour, 0)) for hour in range(24)]


# --- live campaign (F29) -------------------------------------------------------------------


@dataclass
class LiveCampaign:
    tool: str
    object_id: int
    name: str
    today: ToolFigure
    total: ToolFigure
    stock_left: int | None
    quota_left: int | None
    adjust_url: str | None
    refreshed_at: dt.datetime
    extra: dict[str, Any] = field(default_factory=dict)


def _touch_figure(rows: Any, tool: str, object_id: int, name: str) -> ToolFigure:
    agg = rows.aggregate(
        n_participants=Count("member", filter=Q(refund_key=0), distinct=True),
        n_new=Count("member", filter=Q(refund_key=0, first_order=True), distinct=True),
        n_orders=Sum("orders", default=0),
        n_gmv=Sum("gmv", default=0),
        n_refunds=Sum("gmv", filter=~Q(refund_key=0), default=0),
        n_cogs=Sum("cogs", default=0),
        **{f"n_{c}": Sum(c, default=0) for c in OrderTouch.COST_FIELDS},
    )
    return ToolFigure(
        tool=tool,
        object_id=object_id,
        name=name,
        participants=int(agg["n_participants"]),
        new_shoppers=int(agg["n_new"]),
        orders=int(agg["n_orders"]),
        gmv=int(agg["n_gmv"]),
        cost=sum(int(agg[f"n_{c}"]) for c in OrderTouch.COST_FIELDS),
        cash_cost=sum(int(agg[f"n_{c}"]) for c in CASH_COLUMNS),
        cogs=int(agg["n_cogs"]),
        refunds=-int(agg["n_refunds"]),
    )


def _admin_url(name: str, *args: Any) -> str | None:
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return None


def _stock_and_quota(tool: str, object_id: int) -> tuple[int | None, int | None, str | None]:
    if tool in (Tool.FLASH, Tool.RELEASE):
        slot = FlashSlot.objects.filter(pk=object_id).first()
        if slot is None:
            return None, None, None
        items = list(FlashItem.objects.filter(slot_id=object_id).select_related("sku"))
        quota_left = sum(max(0, i.quota - i.locked - i.sold) for i in items)
        stock_left = sum(max(0, i.sku.stock) for i in items)
        return stock_left, quota_left, _admin_url("console:marketing_flash_slot", object_id)
    if tool == Tool.COUPON:
        template = CouponTemplate.objects.filter(pk=object_id).first()
        if template is None:
            return None, None, None
        left = None if template.total_quantity is None else template.total_quantity - template.issued_count
        return None, left, _admin_url("admin:marketing_coupontemplate_change", object_id)
    admin_names: dict[str, str] = {
        Tool.GROUP_BUY: "admin:marketing_groupbuycampaign_change",
        Tool.BARGAIN: "admin:marketing_bargaincampaign_change",
        Tool.PROMOTION: "admin:marketing_promotion_change",
        Tool.STEPPED: "admin:marketing_promotion_change",
        Tool.WHEEL: "admin:marketing_wheel_change",
        Tool.LIVE: "console:marketing_live_room",  # F24: the room's own page
    }
    if tool in admin_names:
        return None, None, _admin_url(admin_names[tool], object_id)
    return None, None, None


def campaign_live(*, tool: str, object_id: int, now: dt.datetime | None = None, use_cache: bool = True) -> LiveCampaign:
    """One running campaign's figures today and since it started, read from the attribution rows
    (indexed by tool and object, so no rollup lag); cached for a minute."""
    key = f"analytics:live:{tool}:{object_id}"
    if use_cache and now is None:
        cached = cache.get(key)
        if isinstance(cached, LiveCampaign):
            return cached
    moment = now or timezone.now()
    rows = OrderTouch.objects.filter(tool=tool, object_id=object_id)
    name = rows.filter(refund_key=0).order_by("-id").values_list("object_name", flat=True).first() or ""
    today = _touch_figure(rows.filter(day=shop_day(moment)), tool, object_id, name)
    total = _touch_figure(rows, tool, object_id, name)
    stock_left, quota_left, url = _stock_and_quota(tool, object_id)
    live = LiveCampaign(
        tool=tool,
        object_id=object_id,
        name=name or _("未命名活动"),
        today=today,
        total=total,
        stock_left=stock_left,
        quota_left=quota_left,
        adjust_url=url,
        refreshed_at=moment,
    )
    if use_cache and now is None:
        cache.set(key, live, LIVE_CACHE_SECONDS)
    return live


# --- products (F38) ------------------------------------------------------------------------


def product_views(*, start: dt.date, end: dt.date) -> dict[int, tuple[int, int]]:
    """Product id → (views, visitors) in the window: the one place product traffic is read.

    From the behaviour rollups (``ProductDay``, F37): product page views the mini-program sends,
    rolled up per shop day; visitors are distinct devices per day, summed over the window.
    """
    return {pk: (row.views, row.visitors) for pk, row in product_traffic(start, end).items()}


class ProductClass:
    TRAFFIC = "traffic"
    PROFIT = "profit"
    SLOW = "slow"
    REGULAR = "regular"

    LABELS = {
        TRAFFIC: gettext_lazy("引流品"),
        PROFIT: gettext_lazy("利润品"),
        SLOW: gettext_lazy("滞销"),
        REGULAR: gettext_lazy("常规"),
    }


@dataclass
class ProductFigure:
    product_id: int
    title: str
    views: int
    visitors: int
    buyers: int
    orders: int
    first_orders: int
    units: int
    campaign_units: int
    paid: int
    cogs: int
    cash_cost: int
    cost_missing: int
    klass: str = ""

    @property
    def margin(self) -> int:
        return self.paid - self.cogs - self.cash_cost

    @property
    def margin_rate(self) -> Decimal | None:
        return percent(self.margin, self.paid)

    @property
    def conversion(self) -> Decimal | None:
        return percent(self.buyers, self.visitors)

    @property
    def campaign_share(self) -> Decimal | None:
        return percent(self.campaign_units, self.units)

    @property
    def class_label(self) -> str:
        return str(ProductClass.LABELS[self.klass])


def product_class(figure: ProductFigure) -> str:
    """The rule in the module docstring."""
    if figure.units < SLOW_UNITS:
        return ProductClass.SLOW
    rate = Decimal(figure.margin) / Decimal(figure.paid) if figure.paid > 0 else Decimal(0)
    if rate >= THIN_MARGIN:
        return ProductClass.PROFIT
    first_share = Decimal(figure.first_orders) / Decimal(figure.orders) if figure.orders else Decimal(0)
    campaign_share = Decimal(figure.campaign_units) / Decimal(figure.units) if figure.units else Decimal(0)
    if first_share >= FIRST_ORDER_SHARE or campaign_share >= CAMPAIGN_SHARE:
        return ProductClass.TRAFFIC
    return ProductClass.REGULAR


def product_figures(*, start: dt.date, end: dt.date) -> list[ProductFigure]:
    """Every on-shelf product (and every product sold in the window), best sellers first; 3 queries + views."""
    sums = {
        row["product_id"]: row
        for row in ProductDailyFigure.objects.filter(day__gte=start, day__lte=end)
        .values("product_id")
        .annotate(
            buyers_sum=Sum("buyers"),
            orders_sum=Sum("orders"),
            first_sum=Sum("first_orders"),
            units_sum=Sum("units"),
            campaign_sum=Sum("campaign_units"),
            paid_sum=Sum("paid"),
            cogs_sum=Sum("cogs"),
            cash_sum=Sum("cash_cost"),
            missing_sum=Sum("cost_missing"),
        )
        .order_by("product_id")
    }
    buyers = dict(
        LineFigure.objects.filter(day__gte=start, day__lte=end, refund_key=0)
        .values("product_id")
        .annotate(n=Count("order__member", distinct=True))
        .values_list("product_id", "n")
    )
    traffic = product_views(start=start, end=end)
    products = Product.objects.filter(Q(is_on_shelf=True) | Q(pk__in=list(sums))).values_list("pk", "title")
    figures = []
    for pk, title in products:
        row: dict[str, Any] = dict(sums.get(pk, {}))
        views, visitors = traffic.get(pk, (0, 0))
        figure = ProductFigure(
            product_id=pk,
            title=title,
            views=views,
            visitors=visitors,
            buyers=int(buyers.get(pk, 0)),
            orders=int(row.get("orders_sum") or 0),
            first_orders=int(row.get("first_sum") or 0),
            units=int(row.get("units_sum") or 0),
            campaign_units=int(row.get("campaign_sum") or 0),
            paid=int(row.get("paid_sum") or 0),
            cogs=int(row.get("cogs_sum") or 0),
            cash_cost=int(row.get("cash_sum") or 0),
            cost_missing=int(row.get("missing_sum") or 0),
        )
        figure.klass = product_class(figure)
        figures.append(figure)
    figures.sort(key=lambda f: (-f.paid, -f.units, f.product_id))
    return figures
