"""The console home: today's real figures and a 30-day chart of paid GMV and orders.

unfold calls ``dashboard_callback`` for the admin index; it adds the figures to the
template context of ``templates/admin/index.html``. Reads go through
``mall.selectors.dashboard`` (a fixed number of queries); this module only shapes them.
"""

from __future__ import annotations

import json
from typing import Any

from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from mall.console.display import yuan
from mall.console.roles import ROLE_LABELS
from mall.selectors.audit import audit_describe
from mall.selectors.dashboard import (
    DailyPoint,
    TodayFigures,
    dashboard_daily_series,
    dashboard_recent_audit,
    dashboard_today,
)

CHART_DAYS = 30
PENDING_QUERY = "?status__exact=paid"


def _admin_link(request: HttpRequest, url_name: str, perm: str, query: str = "") -> str | None:
    """The changelist link for a card, or None when the model is not in the console or not allowed."""
    if not request.user.has_perm(perm):
        return None
    try:
        return reverse(url_name) + query
    except NoReverseMatch:
        return None


def _kpi_cards(request: HttpRequest, today: TodayFigures) -> list[dict[str, Any]]:
    order_list = "admin:orders_order_changelist"
    return [
        {
            "key": "orders_placed",
            "title": _("今日下单"),
            "value": str(today.orders_placed),
            "hint": _("今日支付 %(paid)s 单") % {"paid": today.paid_orders},
            "icon": "receipt_long",
            "href": _admin_link(request, order_list, "orders.view_order"),
        },
        {
            "key": "paid_gmv",
            "title": _("今日支付金额"),
            "value": yuan(today.paid_gmv),
            "hint": _("今日到账订单的实付合计"),
            "icon": "payments",
            "href": _admin_link(request, "admin:orders_payment_changelist", "orders.view_payment"),
        },
        {
            "key": "new_members",
            "title": _("今日新增会员"),
            "value": str(today.new_members),
            "hint": _("今日注册的顾客"),
            "icon": "person_add",
            "href": _admin_link(request, "admin:members_member_changelist", "members.view_member"),
        },
        {
            "key": "pending_shipments",
            "title": _("待发货"),
            "value": str(today.pending_shipments),
            "hint": _("已支付、尚未发货的订单"),
            "icon": "local_shipping",
            "href": _admin_link(request, order_list, "orders.view_order", PENDING_QUERY),
        },
        {
            "key": "needs_attention",
            "title": _("需人工处理"),
            "value": str(today.needs_attention),
            "hint": _("如超时后到账、库存不足需退款的订单"),
            "icon": "warning",
            "href": _admin_link(request, order_list, "orders.view_order", "?needs_attention__exact=1"),
            "alert": today.needs_attention > 0,
        },
    ]


def _chart_labels(series: list[DailyPoint]) -> list[str]:
    return [date_format(point.day, "m-d") for point in series]


def chart_gmv_data(series: list[DailyPoint]) -> str:
    """Chart.js data for the line chart of daily paid GMV in yuan (float only for drawing)."""
    return json.dumps(
        {
            "labels": _chart_labels(series),
            "datasets": [
                {
                    "label": _("支付金额(元)"),
                    "data": [point.paid_gmv / 100 for point in series],
                    "borderColor": "var(--color-primary-600)",
                    "backgroundColor": "var(--color-primary-600)",
                    "displayYAxis": True,
                    "maxTicksXLimit": 10,
                }
            ],
        },
        ensure_ascii=False,
    )


def chart_options(kind: str) -> str:
    """Chart.js options: unfold's defaults (app.js) plus a zero-based y axis and whole-number
    ticks for counts. JSON only, so no callbacks; passing options replaces unfold's defaults."""
    y_ticks: dict[str, Any] = {"color": "#9ca3af"}
    if kind == "bar":
        y_ticks["precision"] = 0
    return json.dumps(
        {
            "animation": False,
            "responsive": True,
            "maintainAspectRatio": False,
            "interaction": {"mode": "index", "intersect": False},
            "datasets": {
                "bar": {"borderRadius": 4, "maxBarThickness": 8, "categoryPercentage": 0.7},
                "line": {
                    "borderWidth": 2,
                    "pointRadius": 0,
                    "pointHoverRadius": 4,
                    "cubicInterpolationMode": "monotone",
                },
            },
            "plugins": {"legend": {"display": False}, "tooltip": {"enabled": True}},
            "scales": {
                "x": {
                    "border": {"width": 0},
                    "grid": {"display": False},
                    "ticks": {"color": "#9ca3af", "maxTicksLimit": 10},
                },
                "y": {
                    "beginAtZero": True,
                    "suggestedMax": 1,
                    "border": {"width": 0},
                    "grid": {"color": "rgba(156, 163, 175, 0.25)"},
                    "ticks": y_ticks,
                },
            },
        }
    )


def chart_orders_data(series: list[DailyPoint]) -> str:
    """Chart.js data for the bar chart of orders placed and orders paid per day."""
    return json.dumps(
        {
            "labels": _chart_labels(series),
            "datasets": [
                {
                    "label": _("下单数"),
                    "data": [point.orders_placed for point in series],
                    "backgroundColor": "var(--color-primary-300)",
                    "displayYAxis": True,
                    "maxTicksXLimit": 10,
                },
                {
                    "label": _("支付单数"),
                    "data": [point.paid_orders for point in series],
                    "backgroundColor": "var(--color-primary-700)",
                },
            ],
        },
        ensure_ascii=False,
    )


def _shortcuts(request: HttpRequest) -> list[dict[str, Any]]:
    """Everyday entry points, each shown only when the model is in the console and allowed."""
    candidates = [
        (_("新增商品"), "add_box", "admin:mall_product_add", "mall.add_product", ""),
        (_("导入商品"), "upload_file", "admin:mall_product_import", "mall.add_product", ""),
        (_("待发货订单"), "local_shipping", "admin:orders_order_changelist", "orders.view_order", PENDING_QUERY),
        (
            _("待审核售后"),
            "assignment_return",
            "admin:orders_aftersale_changelist",
            "orders.view_aftersale",
            "?status__in=pending",
        ),
        (_("会员列表"), "group", "admin:members_member_changelist", "members.view_member", ""),
        (_("操作日志"), "history", "admin:mall_auditlog_changelist", "mall.view_auditlog", ""),
        (_("员工账号"), "badge", "admin:auth_user_changelist", "auth.view_user", ""),
        (_("新增员工"), "person_add", "console:staff_create", "auth.add_user", ""),
    ]
    shortcuts = []
    for title, icon, url_name, perm, query in candidates:
        href = _admin_link(request, url_name, perm, query)
        if href is not None:
            shortcuts.append({"title": title, "icon": icon, "href": href})
    return shortcuts


def _role_names(request: HttpRequest) -> list[str]:
    user = request.user
    if user.is_superuser:
        return [str(ROLE_LABELS["owner"])]
    names = [group.name for group in user.groups.all()]  # type: ignore[union-attr]
    return [str(ROLE_LABELS[name]) for name in names if name in ROLE_LABELS]


def dashboard_callback(request: HttpRequest, context: dict[str, Any]) -> dict[str, Any]:
    """Adds the home page figures; staff who may not read orders see the page without them."""
    context["title"] = _("首页")
    context["console_roles"] = _role_names(request)
    context["console_now"] = timezone.localtime()
    context["console_shortcuts"] = _shortcuts(request)
    if request.user.has_perm("mall.view_auditlog"):
        context["console_audit"] = audit_describe(dashboard_recent_audit(limit=8))
        context["console_audit_link"] = _admin_link(request, "admin:mall_auditlog_changelist", "mall.view_auditlog")
    if not request.user.has_perm("orders.view_order"):
        context["dashboard_allowed"] = False
        return context
    now = timezone.now()
    today = dashboard_today(now=now)
    series = dashboard_daily_series(days=CHART_DAYS, now=now)
    context.update(
        {
            "dashboard_allowed": True,
            "dashboard_today": today,
            "dashboard_kpis": _kpi_cards(request, today),
            "dashboard_chart_gmv": chart_gmv_data(series),
            "dashboard_chart_orders": chart_orders_data(series),
            "dashboard_chart_gmv_options": chart_options("line"),
            "dashboard_chart_orders_options": chart_options("bar"),
            "dashboard_series_paid_gmv": yuan(sum(point.paid_gmv for point in series)),
            "dashboard_series_orders": sum(point.orders_placed for point in series),
            "dashboard_chart_days": CHART_DAYS,
        }
    )
    return context
