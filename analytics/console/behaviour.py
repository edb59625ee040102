"""The 行为分析 page (F37): dwell on activity pages, click paths home → payment, the funnel
view → cart → checkout → pay per tool and campaign, and why checkouts were left.

Reads the daily rollups only (analytics.selectors.behaviour), never the raw events.
"""

from __future__ import annotations

import json
from datetime import date, timedelta
from typing import Any

from django.contrib import admin
from django.contrib.admin.views.decorators import staff_member_required
from django.core.exceptions import PermissionDenied
from django.db.models import Model
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from analytics.selectors.behaviour import (
    Funnel,
    daily_visitors,
    funnels,
    hourly_events,
    leave_reasons,
    page_dwell,
    top_click_paths,
)
from mall.console.dashboard import chart_options

PERMISSION = "analytics.view_pageday"
PERIODS = (7, 30, 90)
TOOL_NAMES: dict[str, Promise] = {
    "": gettext_lazy("全部流量"),
    "flash": gettext_lazy("秒杀"),
    "group_buy": gettext_lazy("拼团"),
    "bargain": gettext_lazy("砍价"),
    "release": gettext_lazy("限量发售"),
    "coupon": gettext_lazy("优惠券"),
    "promotion": gettext_lazy("促销活动"),
    "invite": gettext_lazy("邀请有礼"),
    "promoter": gettext_lazy("分销推广"),
    "message": gettext_lazy("消息推送"),
}


def _campaign_models() -> dict[str, type[Model]]:
    from marketing.models import BargainCampaign, FlashSlot, GroupBuyCampaign, LimitedRelease, Promotion

    return {
        "flash": FlashSlot,
        "release": LimitedRelease,
        "group_buy": GroupBuyCampaign,
        "bargain": BargainCampaign,
        "promotion": Promotion,
    }


def _campaign_names(rows: list[Funnel]) -> dict[tuple[str, int], str]:
    """Each campaign's name (one query per tool that has campaigns in the period)."""
    wanted: dict[str, set[int]] = {}
    for row in rows:
        if row.campaign_id:
            wanted.setdefault(row.tool, set()).add(row.campaign_id)
    names: dict[tuple[str, int], str] = {}
    models = _campaign_models()
    for tool, ids in wanted.items():
        model = models.get(tool)
        if model is not None:
            names.update({(tool, obj.pk): str(obj) for obj in model._default_manager.filter(pk__in=ids)})
    return names


def _pct(part: int, whole: int) -> str:
    return f"{part * 100 / whole:.1f}%" if whole else "—"


def _seconds(ms: int) -> str:
    return _("%(s).1f 秒") % {"s": ms / 1000}


def _bar(labels: list[str], label: str, data: list[Any], shade: str = "500") -> str:
    dataset = {
        "label": label,
        "data": data,
        "backgroundColor": f"var(--color-primary-{shade})",
        "displayYAxis": True,
        "maxBarThickness": 28,
    }
    return json.dumps({"labels": labels, "datasets": [dataset]}, ensure_ascii=False)


def _funnel_rows(rows: list[Funnel]) -> list[dict[str, Any]]:
    names = _campaign_names(rows)
    out: list[dict[str, Any]] = []
    for row in rows:
        tool = str(TOOL_NAMES.get(row.tool, row.tool))
        if row.campaign_id:
            campaign = names.get((row.tool, row.campaign_id)) or _("活动 %(id)d（已删除）") % {"id": row.campaign_id}
        else:
            campaign = _("全部活动") if row.tool else ""
        out.append(
            {
                "tool": tool,
                "campaign": campaign,
                "whole": not row.campaign_id,
                "viewers": row.viewers,
                "carters": row.carters,
                "checkouts": row.checkouts,
                "payers": row.payers,
                "cart_rate": _pct(row.carters, row.viewers),
                "checkout_rate": _pct(row.checkouts, row.carters),
                "pay_rate": _pct(row.payers, row.checkouts),
                "conversion": _pct(row.payers, row.viewers),
                "conversion_value": row.conversion,
            }
        )
    # all traffic first, then tools and campaigns by conversion (the weak ones stand out at the bottom)
    if out and not rows[0].tool:
        return [out[0], *sorted(out[1:], key=lambda r: -r["conversion_value"])]
    return out


def behaviour_context(*, days: int, today: date | None = None) -> dict[str, Any]:
    today = today or timezone.localdate()
    first = today - timedelta(days=days - 1)
    visitors = daily_visitors(day_from=first, day_to=today)
    day_list = [first + timedelta(days=n) for n in range(days)]
    trend = {
        "labels": [date_format(day, "m-d") for day in day_list],
        "datasets": [
            {
                "label": _("访客"),
                "data": [visitors.get(day, 0) for day in day_list],
                "borderColor": "var(--color-primary-600)",
                "backgroundColor": "var(--color-primary-600)",
                "displayYAxis": True,
                "maxTicksXLimit": 10,
            }
        ],
    }
    pages = page_dwell(day_from=first, day_to=today)
    activity = [page for page in pages if page.activity]
    funnel_list = funnels(day_from=first, day_to=today)
    overall = next((f for f in funnel_list if not f.tool), Funnel("", 0, 0, 0, 0, 0))
    steps = [(_("浏览"), overall.viewers), (_("加购"), overall.carters), (_("结算"), overall.checkouts)]
    steps.append((_("支付"), overall.payers))
    reasons = leave_reasons(day_from=first, day_to=today)
    hours = hourly_events(day_from=first, day_to=today)
    cards = [
        ("visitors", _("访客（人·天）"), str(sum(visitors.values())), _("每天去重后相加")),
        ("page_views", _("浏览量"), str(sum(page.views for page in pages)), ""),
        (
            "payers",
            _("支付人数"),
            str(overall.payers),
            _("浏览→支付 %(p)s") % {"p": _pct(overall.payers, overall.viewers)},
        ),
        ("leaves", _("离开结算"), str(sum(r.leaves for r in reasons)), _("见下方原因")),
    ]
    return {
        "days": days,
        "periods": PERIODS,
        "cards": [{"key": k, "title": t, "value": v, "hint": h} for k, t, v, h in cards],
        "trend": json.dumps(trend, ensure_ascii=False),
        "line_options": chart_options("line"),
        "bar_options": chart_options("bar"),
        "dwell_chart": _bar(
            [page.name for page in activity], _("平均停留(秒)"), [round(p.avg_dwell_ms / 1000, 1) for p in activity]
        ),
        "has_activity": bool(activity),
        "pages": [
            {
                "name": p.name,
                "views": p.views,
                "visitors": p.visitors,
                "dwell": _seconds(p.avg_dwell_ms),
                "activity": p.activity,
            }
            for p in pages[:15]
        ],
        "paths": [
            {"steps": path.steps, "sessions": path.sessions} for path in top_click_paths(day_from=first, day_to=today)
        ],
        "funnel_chart": _bar([label for label, _n in steps], _("人数"), [n for _label, n in steps], "600"),
        "funnel_steps": [{"label": label, "value": n, "rate": _pct(n, steps[0][1])} for label, n in steps],
        "funnels": _funnel_rows(funnel_list),
        "reasons_chart": _bar([r.label for r in reasons], _("次数"), [r.leaves for r in reasons], "400"),
        "reasons": [{"key": r.reason, "label": r.label, "leaves": r.leaves} for r in reasons],
        "hours_chart": _bar([f"{h}" for h in range(24)], _("事件数"), hours, "300"),
    }


@staff_member_required
def behaviour_view(request: HttpRequest) -> HttpResponse:
    if not request.user.has_perm(PERMISSION):
        raise PermissionDenied
    try:
        days = int(request.GET.get("days", "30"))
    except ValueError:
        days = 30
    if days not in PERIODS:
        days = 30
    context = {**admin.site.each_context(request), "title": _("行为分析"), **behaviour_context(days=days)}
    return render(request, "analytics/behaviour.html", context)
