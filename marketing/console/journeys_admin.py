"""生命周期旅程 in the console (F17–F19): the three journeys' settings, and their report page.

Settings save through :func:`journey_update` (validated, audited); the text's placeholders are
checked there and a refusal shows on the field. The report reads
:func:`marketing.selectors.journeys.journey_reports` (a fixed number of queries).
"""

from __future__ import annotations

import json
from typing import Any

from django import forms
from django.contrib import admin
from django.contrib.admin.views.decorators import staff_member_required
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from unfold.admin import ModelAdmin
from unfold.decorators import action, display

from analytics.console.uplift import uplift_summary
from analytics.selectors.uplift import journey_uplift
from mall.console.dashboard import chart_options
from mall.console.display import yuan
from mall.console.service_admin import ServiceRefusalMixin, ServiceValidatedForm
from marketing.errors import JourneyInvalid
from marketing.models import CouponTemplate, Journey, JourneyKind
from marketing.selectors.journeys import REPORT_WINDOW_DAYS, journey_reports
from marketing.services.journeys.common import PLACEHOLDERS, coupon_amount_text
from marketing.services.journeys.runner import SKIP_LABELS, journeys_ensure
from marketing.services.journeys.settings import JourneyData, journey_update, journey_validate

REPORT_URL = "console:marketing_journey_report"
PERMISSION = "marketing.view_journey"
PLACEHOLDER_NAMES = {
    "name": gettext_lazy("顾客昵称"),
    "amount": gettext_lazy("券面额，如 30元、满100减50、9折"),
    "product": gettext_lazy("商品名"),
}


def _template_label(template: CouponTemplate) -> str:
    return f"{template.name}（{coupon_amount_text(template)}）"


class JourneyForm(ServiceValidatedForm):
    class Meta:
        model = Journey
        fields = (
            "is_enabled",
            "priority",
            "days",
            "coupon_template",
            "coupon_valid_days",
            "title",
            "body",
            "holdout_percent",
        )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if "holdout_percent" in self.fields:
            self.fields["holdout_percent"].required = False  # empty means no holdout
        field = self.fields.get("coupon_template")
        if isinstance(field, forms.ModelChoiceField):
            field.queryset = CouponTemplate.objects.filter(is_active=True).order_by("-pk")
            field.label_from_instance = _template_label  # type: ignore[method-assign,assignment]
        kind = self.instance.kind
        if kind and "title" in self.fields:
            names = "，".join(f"{{{name}}} {PLACEHOLDER_NAMES[name]}" for name in sorted(PLACEHOLDERS[kind]))
            self.fields["title"].help_text = _("可用占位符：%(names)s") % {"names": names}

    def journey_data(self) -> JourneyData:
        data = self.cleaned_data
        template = data.get("coupon_template")
        return JourneyData(
            is_enabled=bool(data.get("is_enabled")),
            days=data.get("days") or 0,
            coupon_template_id=template.pk if template is not None else None,
            coupon_valid_days=data.get("coupon_valid_days") or 0,
            title=data.get("title") or "",
            body=data.get("body") or "",
            priority=data.get("priority") or 0,
            holdout_percent=data.get("holdout_percent") or 0,
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not self.errors:
            try:
                journey_validate(kind=self.instance.kind, data=self.journey_data())
            except JourneyInvalid as exc:
                for key, message in (exc.details.get("errors") or {}).items():
                    self.add_error(key if key in self.fields else None, message)
        return data


@admin.register(Journey)
class JourneyAdmin(ServiceRefusalMixin, ModelAdmin):
    form = JourneyForm
    list_display = (
        "kind",
        "is_enabled",
        "priority",
        "days",
        "coupon_template",
        "title",
        "holdout_percent",
        "uplift_link",
        "report_link",
    )
    list_select_related = ("coupon_template",)
    actions_list = ["open_report"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Journey]:
        journeys_ensure()
        return super().get_queryset(request)

    @display(description=gettext_lazy("效果"))
    def report_link(self, obj: Journey) -> str:
        return format_html('<a href="{}#journey-{}">{}</a>', reverse(REPORT_URL), obj.kind, _("查看报表"))

    @display(description=gettext_lazy("对照组效果"))
    def uplift_link(self, obj: Journey) -> str:
        report = journey_uplift(kind=obj.kind)
        if not report.holdout:
            return _("未设对照组") if not obj.holdout_percent else _("尚无对照数据")
        link = reverse("console:analytics_uplift_journey", args=[obj.kind])
        return format_html('<a class="text-primary-600" href="{}">{}</a>', link, uplift_summary(report))

    @action(description=gettext_lazy("旅程效果"), icon="monitoring", url_path="report")
    def open_report(self, request: HttpRequest) -> HttpResponse:
        return redirect(reverse(REPORT_URL))

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        journey_update(actor=request.user, kind=obj.kind, data=form.journey_data())

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        """Nothing related: the service saved the row."""


def _yuan_figure(fen: int) -> float:
    return round(fen / 100, 2)


@staff_member_required
def journey_report_view(request: HttpRequest) -> HttpResponse:
    if not request.user.has_perm(PERMISSION):
        raise PermissionDenied
    reports = journey_reports()
    chart = {
        "labels": [report.label for report in reports],
        "datasets": [
            {
                "label": _("7 天内成交额(元)"),
                "data": [_yuan_figure(report.gmv) for report in reports],
                "backgroundColor": "var(--color-primary-600)",
                "displayYAxis": True,
            }
        ],
    }
    rows = [
        {
            "kind": report.kind,
            "label": report.label,
            "eligible": report.eligible,
            "sent": report.sent,
            "granted": report.granted,
            "skipped": [
                {"label": str(SKIP_LABELS.get(reason, reason)), "count": count}
                for reason, count in sorted(report.skipped.items(), key=lambda pair: -pair[1])
            ],
            "coupons_used": report.coupons_used,
            "use_rate": f"{report.use_rate * 100:.1f}%",
            "orders": report.orders,
            "buyers": report.buyers,
            "gmv": yuan(report.gmv),
            "uplift_url": reverse("console:analytics_uplift_journey", args=[report.kind]),
        }
        for report in reports
    ]
    context = {
        **admin.site.each_context(request),
        "title": _("旅程效果"),
        "window_days": REPORT_WINDOW_DAYS,
        "rows": rows,
        "chart": json.dumps(chart, ensure_ascii=False),
        "options": chart_options("bar"),
        "settings_url": reverse("admin:marketing_journey_changelist"),
        "kinds": JourneyKind.choices,
    }
    return render(request, "marketing/journey_report.html", context)
