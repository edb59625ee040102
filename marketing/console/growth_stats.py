"""The 裂变数据 page: invite rewards (F04) and distribution (F06) at a glance, with 30-day charts.

Reads only, through the selectors (a fixed number of queries); each half is shown to staff who
may view its rows (operators both, finance the distribution half).
"""

from __future__ import annotations

import json
from typing import Any

from django.contrib import admin
from django.contrib.admin.views.decorators import staff_member_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from mall.console.dashboard import chart_options
from mall.console.display import yuan
from marketing.selectors.distribution import commission_daily_series, distribution_totals
from marketing.selectors.invites import invite_stats

CHART_DAYS = 30
INVITE_PERMISSION = "marketing.view_invite"
COMMISSION_PERMISSION = "marketing.view_commission"


def _labels(days: list[Any]) -> list[str]:
    return [date_format(day, "m-d") for day in days]


def _invite_section() -> dict[str, Any]:
    stats = invite_stats(days=CHART_DAYS)
    chart = {
        "labels": _labels([point.day for point in stats.series]),
        "datasets": [
            {
                "label": _("绑定好友"),
                "data": [point.bound for point in stats.series],
                "backgroundColor": "var(--color-primary-300)",
                "displayYAxis": True,
                "maxTicksXLimit": 10,
            },
            {
                "label": _("发放奖励"),
                "data": [point.rewarded for point in stats.series],
                "backgroundColor": "var(--color-primary-700)",
            },
        ],
    }
    cards = [
        ("invites_bound", _("绑定好友"), str(stats.bound), _("计入奖励 %(n)d 位") % {"n": stats.counted}),
        (
            "invites_rewarded",
            _("已发放奖励"),
            str(stats.rewards),
            _("好友获券 %(n)d 位") % {"n": stats.invitees_rewarded},
        ),
        ("invite_points", _("返给邀请人的积分"), str(stats.points_granted), _("好友订单完成后发放，退款扣回")),
        ("invite_missing", _("未发出的券"), str(stats.coupons_missing), _("券已发完或超出每人限领")),
    ]
    return {
        "cards": [{"key": k, "title": t, "value": v, "hint": h} for k, t, v, h in cards],
        "chart": json.dumps(chart, ensure_ascii=False),
        "options": chart_options("bar"),
    }


def _distribution_section() -> dict[str, Any]:
    totals = distribution_totals()
    series = commission_daily_series(days=CHART_DAYS)
    chart = {
        "labels": _labels([point.day for point in series]),
        "datasets": [
            {
                "label": _("新增佣金(元)"),
                "data": [point.amount / 100 for point in series],
                "borderColor": "var(--color-primary-600)",
                "backgroundColor": "var(--color-primary-600)",
                "displayYAxis": True,
                "maxTicksXLimit": 10,
            }
        ],
    }
    cards = [
        ("commission_frozen", _("冻结中佣金"), yuan(totals["frozen"]), _("售后期结束后解冻")),
        ("commission_available", _("已解冻佣金"), yuan(totals["available"]), _("含已申请和已打款的提现")),
        (
            "commission_paid",
            _("已打款"),
            yuan(totals["paid"]),
            _("待审核提现 %(n)d 笔") % {"n": totals["requested_count"]},
        ),
        ("commission_reversed", _("已退回佣金"), yuan(totals["reversed"]), _("退款与取消")),
        ("promoters", _("推广员"), str(totals["approved"]), _("待审核申请 %(n)d 个") % {"n": totals["applied"]}),
        ("commission_orders", _("计佣订单"), str(totals["orders"]), ""),
    ]
    return {
        "cards": [{"key": k, "title": t, "value": v, "hint": h} for k, t, v, h in cards],
        "chart": json.dumps(chart, ensure_ascii=False),
        "options": chart_options("line"),
    }


@staff_member_required
def growth_stats_view(request: HttpRequest) -> HttpResponse:
    see_invites = request.user.has_perm(INVITE_PERMISSION)
    see_commission = request.user.has_perm(COMMISSION_PERMISSION)
    if not (see_invites or see_commission):
        raise PermissionDenied
    context = {
        **admin.site.each_context(request),
        "title": _("裂变数据"),
        "chart_days": CHART_DAYS,
        "invites": _invite_section() if see_invites else None,
        "distribution": _distribution_section() if see_commission else None,
    }
    return render(request, "marketing/growth_stats.html", context)
