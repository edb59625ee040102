"""The 对照组效果 pages (B03): one segment campaign's or lifecycle journey's treated vs holdout,
with intervals, CUPED, incremental GMV and ROI, and "不显著" said plainly; plus the short
summary the campaign and journey lists show in a column.

Reads only, through :mod:`analytics.selectors.uplift`; the statistics are
:mod:`analytics.uplift.stats`.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from analytics.selectors.uplift import (
    PRE_DAYS,
    UpliftReport,
    global_holdout_uplift,
    journey_uplift,
    segment_campaign_uplift,
    segment_campaign_uplifts,
)
from analytics.uplift.stats import Estimate, UpliftResult
from mall.console.display import yuan
from mall.models import ShopSettings
from marketing.models import Journey, JourneyKind
from marketing.selectors.journeys import REPORT_WINDOW_DAYS
from members.models import SegmentCampaign

CAMPAIGN_PERMISSION = "members.view_segmentcampaign"
JOURNEY_PERMISSION = "marketing.view_journey"


def _fen(value: float) -> str:
    return yuan(round(value))


def _points(value: float) -> str:
    """A difference of shares in percentage points: 0.031 → +3.1 个百分点."""
    return _("%(sign)s%(value).1f 个百分点") % {"sign": "+" if value > 0 else "", "value": value * 100}


def _pct(value: float) -> str:
    return f"{'+' if value > 0 else ''}{value * 100:.1f}%"


def _interval(estimate: Estimate | None, show: Any) -> str:
    if estimate is None:
        return "—"
    return f"{show(estimate.low)} ~ {show(estimate.high)}"


def _verdict(estimate: Estimate | None) -> str:
    if estimate is None:
        return "—"
    if not estimate.significant:
        return _("不显著")
    return _("显著提升") if estimate.value > 0 else _("显著下降")


def uplift_summary(report: UpliftReport | None) -> str:
    """One line for a list column: "人均 +¥12.30（显著）", "不显著", or why there is none."""
    if report is None or report.start is None:
        return _("尚未开始")
    result = report.result
    if result is None:
        return _("样本不足")
    if not result.gmv_diff.significant:
        return _("不显著")
    return _("人均 %(diff)s（%(verdict)s）") % {
        "diff": ("+" if result.gmv_diff.value > 0 else "") + _fen(result.gmv_diff.value),
        "verdict": _verdict(result.gmv_diff),
    }


def _rows(result: UpliftResult) -> list[dict[str, str]]:
    return [
        {
            "key": "conversion",
            "label": _("转化率（窗口内下单）"),
            "treated": f"{result.conversion_treated * 100:.1f}%",
            "holdout": f"{result.conversion_holdout * 100:.1f}%",
            "diff": _points(result.conversion_diff.value),
            "interval": _interval(result.conversion_diff, _points),
            "lift": _pct(result.conversion_lift.value) if result.conversion_lift else "—",
            "lift_interval": _interval(result.conversion_lift, _pct),
            "verdict": _verdict(result.conversion_diff),
        },
        {
            "key": "gmv",
            "label": _("人均成交额（CUPED 校正）"),
            "treated": _fen(result.gmv_treated),
            "holdout": _fen(result.gmv_holdout),
            "diff": _fen(result.gmv_diff.value),
            "interval": _interval(result.gmv_diff, _fen),
            "lift": _pct(result.gmv_lift.value) if result.gmv_lift else "—",
            "lift_interval": _interval(result.gmv_lift, _pct),
            "verdict": _verdict(result.gmv_diff),
        },
        {
            "key": "gmv_raw",
            "label": _("人均成交额（未校正）"),
            "treated": _fen(result.gmv_treated),
            "holdout": _fen(result.gmv_holdout),
            "diff": _fen(result.gmv_diff_raw.value),
            "interval": _interval(result.gmv_diff_raw, _fen),
            "lift": "—",
            "lift_interval": "—",
            "verdict": _verdict(result.gmv_diff_raw),
        },
    ]


def _headline(result: UpliftResult) -> str:
    diff = result.gmv_diff
    if not diff.significant:
        return _(
            "不显著：人均成交额差 %(diff)s，95%% 置信区间 %(low)s ~ %(high)s 跨过 0，现有数据不能说明活动带来了增量。"
        ) % {"diff": _fen(diff.value), "low": _fen(diff.low), "high": _fen(diff.high)}
    return _(
        "显著：实验组人均成交额比对照组%(direction)s %(diff)s（95%% 置信区间 %(low)s ~ %(high)s），"
        "整体增量成交额约 %(incremental)s。"
    ) % {
        "direction": _("多") if diff.value > 0 else _("少"),
        "diff": _fen(abs(diff.value)),
        "low": _fen(diff.low),
        "high": _fen(diff.high),
        "incremental": _fen(result.incremental_gmv.value),
    }


def _context(request: HttpRequest, report: UpliftReport, back: str, back_label: str) -> dict[str, Any]:
    result = report.result
    window = "—"
    if report.start is not None and report.end is not None:
        start = date_format(timezone.localtime(report.start), "Y-m-d")
        end = date_format(timezone.localtime(report.end), "Y-m-d")
        window = f"{start} ~ {end}"
    figures: list[dict[str, str]] = []
    if result is not None:
        figures = [
            {"key": "incremental", "label": _("增量成交额"), "value": _fen(result.incremental_gmv.value),
             "interval": _interval(result.incremental_gmv, _fen)},
            {"key": "cost", "label": _("营销成本"), "value": yuan(result.cost), "interval": ""},
            {"key": "roi", "label": _("增量 ROI（增量成交额 ÷ 成本）"),
             "value": f"{result.roi.value:.2f}" if result.roi else _("无成本"),
             "interval": _interval(result.roi, lambda v: f"{v:.2f}") if result.roi else ""},
            {"key": "variance", "label": _("CUPED 方差降低"), "value": f"{result.variance_reduction * 100:.0f}%",
             "interval": ""},
        ]  # fmt: skip
    return {
        **admin.site.each_context(request),
        "title": _("「%(name)s」对照组效果") % {"name": report.name},
        "report": report,
        "window": window,
        "pre_days": PRE_DAYS,
        "headline": _headline(result) if result is not None else "",
        "significant": result is not None and result.gmv_diff.significant,
        "rows": _rows(result) if result is not None else [],
        "figures": figures,
        "back": back,
        "back_label": back_label,
    }


def segment_campaign_uplift_view(request: HttpRequest, campaign_id: int) -> HttpResponse:
    if not request.user.has_perm(CAMPAIGN_PERMISSION):
        raise PermissionDenied
    report = segment_campaign_uplift(campaign_id=campaign_id)
    if report is None:
        raise Http404
    back = reverse("admin:members_segmentcampaign_change", args=[campaign_id])
    context = _context(request, report, back, _("返回人群活动"))
    context["window_note"] = _("所有名单内顾客从活动开始算起的统计窗口")
    return render(request, "analytics/uplift.html", context)


def journey_uplift_view(request: HttpRequest, kind: str) -> HttpResponse:
    if not request.user.has_perm(JOURNEY_PERMISSION):
        raise PermissionDenied
    if kind not in JourneyKind.values:
        raise Http404
    report = journey_uplift(kind=kind)
    context = _context(request, report, reverse("admin:marketing_journey_changelist"), _("返回旅程设置"))
    holdout_percent = Journey.objects.filter(kind=kind).values_list("holdout_percent", flat=True).first() or 0
    context["window_note"] = _("每位顾客从触达（或被留作对照）起 %(days)d 天") % {"days": REPORT_WINDOW_DAYS}
    context["journey_holdout_percent"] = holdout_percent
    return render(request, "analytics/uplift.html", context)


SHOP_SETTINGS_PERMISSION = "mall.change_shopsettings"


def _may_see_uplift(request: HttpRequest) -> bool:
    return request.user.has_perm(CAMPAIGN_PERMISSION) or request.user.has_perm(JOURNEY_PERMISSION)


def _shop_settings_link(request: HttpRequest) -> str:
    """Where the owner switches the global holdout, or '' for staff who may not."""
    if not request.user.has_perm(SHOP_SETTINGS_PERMISSION):
        return ""
    pk = ShopSettings.load().pk
    return reverse("admin:mall_shopsettings_change", args=[pk])


def global_holdout_uplift_view(request: HttpRequest) -> HttpResponse:
    """The global holdout (no marketing at all) vs everyone else since it was switched on."""
    if not _may_see_uplift(request):
        raise PermissionDenied
    found = global_holdout_uplift()
    if found.report is None:
        context = {
            **admin.site.each_context(request),
            "title": _("全局对照组效果"),
            "settings_link": _shop_settings_link(request),
        }
        return render(request, "analytics/uplift_global_off.html", context)
    context = _context(request, found.report, reverse("console:analytics_uplift"), _("返回对照组效果"))
    context["title"] = _("全局对照组效果")
    context["window_note"] = _("开启以来注册过的全部会员，对照组不收任何营销推送，订单与售后通知照常")
    context["global_note"] = _global_note(found.holdout.enabled, found.holdout.percent)
    context["settings_link"] = _shop_settings_link(request)
    return render(request, "analytics/uplift.html", context)


def _global_note(enabled: bool, percent: int) -> str:
    if enabled:
        note = _("全局对照组已开启：%(percent)s%% 的会员不参加人群活动和旅程，不收营销提醒，照常购物和参加公开活动。")
        return note % {"percent": percent}
    return _("全局对照组已关闭：以下为关闭前这一组的数字，关闭后的成交不再计入。")


OVERVIEW_LIMIT = 50


def uplift_overview_view(request: HttpRequest) -> HttpResponse:
    """Every campaign with a holdout on one page: segment campaigns (latest first) and journeys."""
    campaigns_allowed = request.user.has_perm(CAMPAIGN_PERMISSION)
    journeys_allowed = request.user.has_perm(JOURNEY_PERMISSION)
    if not (campaigns_allowed or journeys_allowed):
        raise PermissionDenied
    rows: list[dict[str, Any]] = []
    if campaigns_allowed:
        ids = list(
            SegmentCampaign.objects.filter(holdout_percent__gt=0, started_at__isnull=False)
            .order_by("-started_at", "-pk")
            .values_list("pk", flat=True)[:OVERVIEW_LIMIT]
        )
        reports = segment_campaign_uplifts(campaign_ids=ids)
        rows += [
            _overview_row(_("人群活动"), reports[pk], reverse("console:analytics_uplift_campaign", args=[pk]))
            for pk in ids
        ]
    if journeys_allowed:
        for kind in JourneyKind.values:
            report = journey_uplift(kind=kind)
            if report.treated or report.holdout:
                link = reverse("console:analytics_uplift_journey", args=[kind])
                rows.append(_overview_row(_("生命周期旅程"), report, link))
    found = global_holdout_uplift()
    if found.report is not None:
        rows.insert(0, _overview_row(_("全局对照组"), found.report, reverse("console:analytics_uplift_global")))
    context = {
        **admin.site.each_context(request),
        "title": _("对照组效果"),
        "rows": rows,
        "global_holdout": found.holdout,
        "global_link": reverse("console:analytics_uplift_global"),
    }
    return render(request, "analytics/uplift_overview.html", context)


def _overview_row(kind: str, report: UpliftReport, link: str) -> dict[str, Any]:
    result = report.result
    return {
        "kind": kind,
        "name": report.name,
        "link": link,
        "treated": report.treated,
        "holdout": report.holdout,
        "summary": uplift_summary(report),
        "significant": result is not None and result.gmv_diff.significant,
        "incremental": _fen(result.incremental_gmv.value) if result is not None else "—",
        "roi": f"{result.roi.value:.2f}" if result is not None and result.roi else "—",
        "finished": report.finished,
    }
