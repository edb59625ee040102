"""The 营销效果 pages (issue 15 §3): per tool and campaign ROI (F36), one live campaign (F29),
products (F38), and the xlsx export of the per-tool table.

Reads only, through ``analytics.selectors.attribution`` (rollups and attribution rows, never
orders). The live page polls its JSON endpoint every 60 seconds; the selector caches a minute.
"""

from __future__ import annotations

import datetime as dt
import io
import json
from typing import Any

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook

from analytics.models import Tool
from analytics.selectors.attribution import (
    CAMPAIGN_SHARE,
    FIRST_ORDER_SHARE,
    SLOW_UNITS,
    THIN_MARGIN,
    LiveCampaign,
    ProductClass,
    ToolFigure,
    campaign_live,
    product_figures,
    tool_daily_series,
    tool_figures,
)
from analytics.services.attribution import shop_day
from analytics.services.figure_rollups import figures_rollup
from mall.console.dashboard import chart_options
from mall.console.display import yuan

VIEW_PERMISSION = "analytics.view_ordertouch"
WINDOWS = (7, 30, 90)


def _check(request: HttpRequest) -> None:
    if not request.user.has_perm(VIEW_PERMISSION):
        raise PermissionDenied


def _window(request: HttpRequest) -> tuple[int, dt.date, dt.date]:
    try:
        days = int(request.GET.get("days", "30"))
    except ValueError:
        days = 30
    days = days if days in WINDOWS else 30
    end = shop_day(timezone.now())
    return days, end - dt.timedelta(days=days - 1), end


def _pct(value: Any) -> str:
    return "—" if value is None else f"{value}%"


def _row(figure: ToolFigure) -> dict[str, Any]:
    live = None
    if figure.object_id is not None and figure.tool not in (Tool.DIRECT, Tool.POINTS, Tool.FREE_SHIPPING):
        live = reverse("console:analytics_live", args=[figure.tool, figure.object_id])
    return {
        "tool": figure.tool_label,
        "name": figure.name or figure.tool_label,
        "participants": figure.participants,
        "new_shoppers": figure.new_shoppers,
        "orders": figure.orders,
        "gmv": yuan(figure.gmv),
        "cost": yuan(figure.cost),
        "refunds": yuan(figure.refunds),
        "margin": yuan(figure.margin),
        "roi": figure.roi_text,
        "margin_roi": figure.margin_roi_text,
        "redemption": _pct(figure.redemption_rate),
        "conversion": _pct(figure.conversion),
        "efficiency": figure.efficiency,
        "live": live,
    }


def _charts(tools: list[ToolFigure], start: dt.date, end: dt.date) -> dict[str, Any]:
    costed = [t for t in tools if t.roi is not None]
    roi_chart = {
        "labels": [t.tool_label for t in costed],
        "datasets": [
            {
                "label": _("ROI（成交额 ÷ 成本）"),
                "data": [float(t.roi or 0) for t in costed],
                "backgroundColor": "var(--color-primary-600)",
                "displayYAxis": True,
            }
        ],
    }
    series = tool_daily_series(start=start, end=end)
    daily = {
        "labels": [date_format(p.day, "m-d") for p in series],
        "datasets": [
            {
                "label": _("活动成交额(元)"),
                "data": [p.gmv / 100 for p in series],
                "borderColor": "var(--color-primary-600)",
                "backgroundColor": "var(--color-primary-600)",
                "displayYAxis": True,
                "maxTicksXLimit": 10,
            },
            {
                "label": _("营销成本(元)"),
                "data": [p.cost / 100 for p in series],
                "borderColor": "var(--color-primary-300)",
                "backgroundColor": "var(--color-primary-300)",
            },
        ],
    }
    return {
        "roi": json.dumps(roi_chart, ensure_ascii=False),
        "roi_options": chart_options("bar"),
        "daily": json.dumps(daily, ensure_ascii=False),
        "daily_options": chart_options("line"),
    }


def _quadrant(products: list[Any]) -> str:
    colours = {
        ProductClass.TRAFFIC: "#3b82f6",
        ProductClass.PROFIT: "#16a34a",
        ProductClass.SLOW: "#9ca3af",
        ProductClass.REGULAR: "#f59e0b",
    }
    datasets = []
    for klass, label in ProductClass.LABELS.items():
        points = [
            {"x": p.orders, "y": float(p.margin_rate or 0), "label": p.title}
            for p in products
            if p.klass == klass and p.units > 0
        ]
        datasets.append({"label": str(label), "data": points, "backgroundColor": colours[klass], "pointRadius": 5})
    return json.dumps({"datasets": datasets}, ensure_ascii=False)


def _quadrant_options() -> str:
    return json.dumps(
        {
            "animation": False,
            "responsive": True,
            "maintainAspectRatio": False,
            "scales": {
                "x": {"title": {"display": True, "text": _("订单数（引流能力）")}, "beginAtZero": True},
                "y": {"title": {"display": True, "text": _("毛利率 %")}},
            },
        },
        ensure_ascii=False,
    )


def roi_view(request: HttpRequest) -> HttpResponse:
    """营销效果: per tool, per campaign, products; ``?days=7|30|90``, ``?refresh=1`` recomputes."""
    _check(request)
    days, start, end = _window(request)
    if request.method == "POST":
        figures_rollup(start=start, end=end)
        return redirect(f"{reverse('console:analytics_roi')}?days={days}")
    tools = tool_figures(start=start, end=end)
    campaigns = [c for c in tool_figures(start=start, end=end, per_campaign=True) if c.tool != Tool.DIRECT]
    products = product_figures(start=start, end=end)
    context = {
        **admin.site.each_context(request),
        "title": _("营销效果"),
        "days": days,
        "windows": WINDOWS,
        "tools": [_row(t) for t in tools],
        "campaigns": [_row(c) for c in campaigns],
        "charts": _charts(tools, start, end),
        "quadrant": _quadrant(products),
        "quadrant_options": _quadrant_options(),
        "products": [
            {
                "title": p.title,
                "views": p.views,
                "visitors": p.visitors,
                "conversion": _pct(p.conversion),
                "units": p.units,
                "paid": yuan(p.paid),
                "margin": yuan(p.margin),
                "margin_rate": _pct(p.margin_rate),
                "campaign_share": _pct(p.campaign_share),
                "klass": p.klass,
                "class_label": p.class_label,
                "cost_missing": p.cost_missing,
            }
            for p in products
        ],
        "rule": _(
            "滞销：周期内售出少于 %(slow)d 件；利润品：毛利率不低于 %(thin)s%%；引流品：毛利率低于 %(thin)s%%，"
            "且首单占其订单 %(first)s%% 以上或活动成交占其件数 %(campaign)s%% 以上；其余为常规。"
            "毛利 = 实付 − 商品成本 − 佣金与邀请奖励。"
        )
        % {
            "slow": SLOW_UNITS,
            "thin": int(THIN_MARGIN * 100),
            "first": int(FIRST_ORDER_SHARE * 100),
            "campaign": int(CAMPAIGN_SHARE * 100),
        },
    }
    return render(request, "analytics/roi.html", context)


EXPORT_COLUMNS = (
    gettext_lazy("营销工具"),
    gettext_lazy("参与人数"),
    gettext_lazy("新客"),
    gettext_lazy("订单数"),
    gettext_lazy("成交额(元)"),
    gettext_lazy("营销成本(元)"),
    gettext_lazy("退款(元)"),
    gettext_lazy("毛利(元)"),
    gettext_lazy("ROI"),
    gettext_lazy("毛利 ROI"),
    gettext_lazy("券核销率"),
    gettext_lazy("转化率"),
)


def roi_export_view(request: HttpRequest) -> HttpResponse:
    """The per-tool table as xlsx (money in yuan, numbers as numbers)."""
    _check(request)
    _days, start, end = _window(request)
    book = Workbook()
    sheet = book.active
    sheet.title = _("营销工具")
    sheet.append([str(title) for title in EXPORT_COLUMNS])
    for t in tool_figures(start=start, end=end):
        sheet.append(
            [
                t.tool_label,
                t.participants,
                t.new_shoppers,
                t.orders,
                t.gmv / 100,
                t.cost / 100,
                t.refunds / 100,
                t.margin / 100,
                t.roi_text,
                t.margin_roi_text,
                _pct(t.redemption_rate),
                _pct(t.conversion),
            ]
        )
    buffer = io.BytesIO()
    book.save(buffer)
    response = HttpResponse(
        buffer.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f'attachment; filename="roi-{start:%Y%m%d}-{end:%Y%m%d}.xlsx"'
    return response


def _live_json(live: LiveCampaign) -> dict[str, Any]:
    def figures(f: ToolFigure) -> dict[str, Any]:
        return {
            "participants": f.participants,
            "new_shoppers": f.new_shoppers,
            "orders": f.orders,
            "gmv": yuan(f.gmv),
            "cost": yuan(f.cost),
            "roi": f.roi_text,
        }

    return {
        "name": live.name,
        "today": figures(live.today),
        "total": figures(live.total),
        "stock_left": live.stock_left,
        "quota_left": live.quota_left,
        "refreshed_at": timezone.localtime(live.refreshed_at).strftime("%H:%M:%S"),
    }


def _live(tool: str, object_id: int) -> LiveCampaign:
    if tool not in Tool.values:
        raise Http404
    return campaign_live(tool=tool, object_id=object_id)


def live_view(request: HttpRequest, tool: str, object_id: int) -> HttpResponse:
    """实时看板 of one campaign; the page asks ``live_json_view`` again every 60 seconds."""
    _check(request)
    live = _live(tool, object_id)
    context = {
        **admin.site.each_context(request),
        "title": _("实时看板：%(name)s") % {"name": live.name},
        "live": live,
        "tool_label": Tool(tool).label,
        "initial": json.dumps(_live_json(live), ensure_ascii=False),
        "poll_url": reverse("console:analytics_live_json", args=[tool, object_id]),
    }
    return render(request, "analytics/live.html", context)


def live_json_view(request: HttpRequest, tool: str, object_id: int) -> JsonResponse:
    _check(request)
    return JsonResponse(_live_json(_live(tool, object_id)), json_dumps_params={"ensure_ascii": False})
