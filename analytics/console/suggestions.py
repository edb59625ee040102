"""智能建议 (F39): new suggestions with the figures behind them; accept (opens the draft) or dismiss."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from analytics.console.suggestion_drafts import draft_url, object_url
from analytics.errors import SuggestionNotNew
from analytics.models import Suggestion, SuggestionState, Tool
from analytics.selectors.suggestions import accepted_suggestions
from analytics.services.suggestions import suggestion_decide
from mall.console.display import yuan

VIEW = "analytics.view_suggestion"
CHANGE = "analytics.change_suggestion"

MONEY_KEYS = {
    "gmv",
    "cost",
    "threshold",
    "off",
    "band_low",
    "band_high",
    "next_threshold",
    "next_off",
    "paid",
    "margin",
}
LABELS = {
    "days": gettext_lazy("天数"),
    "tool": gettext_lazy("工具"),
    "orders": gettext_lazy("订单数"),
    "new_shoppers": gettext_lazy("新客"),
    "gmv": gettext_lazy("成交额"),
    "cost": gettext_lazy("营销成本"),
    "roi": gettext_lazy("ROI"),
    "threshold": gettext_lazy("门槛"),
    "off": gettext_lazy("减"),
    "eligible_orders": gettext_lazy("满门槛订单"),
    "redeemed_orders": gettext_lazy("使用订单"),
    "redemption": gettext_lazy("核销率(%)"),
    "band_orders": gettext_lazy("区间订单"),
    "band_low": gettext_lazy("区间起"),
    "band_high": gettext_lazy("区间止"),
    "next_threshold": gettext_lazy("建议门槛"),
    "next_off": gettext_lazy("建议减"),
    "peak_start": gettext_lazy("高峰开始(点)"),
    "peak_orders": gettext_lazy("高峰订单"),
    "share": gettext_lazy("占比(%)"),
    "slot_hours": gettext_lazy("现有秒杀开场(点)"),
    "visitors": gettext_lazy("访客"),
    "buyers": gettext_lazy("买家"),
    "first_orders": gettext_lazy("首单"),
    "units": gettext_lazy("件数"),
    "paid": gettext_lazy("实付"),
    "margin": gettext_lazy("毛利"),
}


def _label(key: str) -> str:
    return str(LABELS[key]) if key in LABELS else key


def _value(key: str, value: Any) -> str:
    if key in MONEY_KEYS and isinstance(value, int):
        return yuan(value)
    if key == "tool" and value in Tool.values:
        return str(Tool(value).label)
    if isinstance(value, list):
        return "、".join(str(v) for v in value) or "—"
    return str(value)


def evidence_rows(evidence: dict[str, Any]) -> list[tuple[str, str]]:
    """The figures as (label, text) pairs, money in yuan; nested groups prefixed by their tool."""
    rows: list[tuple[str, str]] = []
    for key, value in evidence.items():
        if key in {"hours", "product_id", "promotion_id"}:
            continue
        if isinstance(value, dict):
            prefix = _value("tool", value.get("tool", ""))
            for sub, inner in value.items():
                if sub != "tool":
                    rows.append((f"{prefix} · {_label(sub)}", _value(sub, inner)))
        else:
            rows.append((_label(key), _value(key, value)))
    return rows


def suggestions_view(request: HttpRequest) -> HttpResponse:
    if not request.user.has_perm(VIEW):
        raise PermissionDenied
    new = list(Suggestion.objects.filter(state=SuggestionState.NEW).order_by("-day", "kind", "subject")[:50])
    accepted = [
        {
            "suggestion": row.suggestion,
            "since": row.since,
            "earned": row.earned,
            "gmv": yuan(row.earned.gmv) if row.earned else "",
            "cost": yuan(row.earned.cost) if row.earned else "",
            "draft_url": object_url(row.suggestion.draft_tool, row.suggestion.draft_object_id),
            "draft_tool": str(Tool(row.suggestion.draft_tool).label)
            if row.suggestion.draft_tool in Tool.values
            else "",
        }
        for row in accepted_suggestions(limit=20)
    ]
    context = {
        **admin.site.each_context(request),
        "title": _("智能建议"),
        "new": [(s, evidence_rows(s.evidence)) for s in new],
        "accepted": accepted,
        "can_decide": request.user.has_perm(CHANGE),
    }
    return TemplateResponse(request, "admin/console/suggestions.html", context)


@require_POST
def suggestion_decide_view(request: HttpRequest, suggestion_id: int) -> HttpResponse:
    if not request.user.has_perm(CHANGE):
        raise PermissionDenied
    accept = request.POST.get("decision") == "accept"
    try:
        suggestion = suggestion_decide(actor=request.user, suggestion_id=suggestion_id, accept=accept)
    except SuggestionNotNew as exc:
        messages.error(request, str(exc.message))
        return redirect(reverse("console:analytics_suggestions"))
    if accept and suggestion.action_url:
        messages.success(request, _("已采纳，已打开预填的草稿，确认后再保存。"))
        return redirect(draft_url(suggestion.action_url, suggestion.pk))
    messages.success(request, _("已采纳。") if accept else _("已忽略。"))
    return redirect(reverse("console:analytics_suggestions"))
