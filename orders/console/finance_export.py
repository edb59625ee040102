"""财务导出: the console page where finance (or the owner) picks shop days and states and downloads
the orders-with-lines workbook, or either sheet as csv (``orders.services.finance_export``)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, HttpRequest, HttpResponseBase, StreamingHttpResponse
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _
from unfold.widgets import (
    UnfoldAdminCheckboxSelectMultipleWidget,
    UnfoldAdminRadioSelectWidget,
    UnfoldAdminSingleDateWidget,
)

from mall.console.exports import exceeds_inline, job_started_response
from mall.selectors.dashboard import shop_today
from orders.models import OrderStatus
from orders.selectors.finance_export import FinanceRange, finance_orders
from orders.services.finance_export import (
    JOB_FORMAT_CSV_LINES,
    JOB_FORMAT_CSV_ORDERS,
    JOB_FORMAT_XLSX,
    SHEET_LINES,
    SHEET_ORDERS,
    finance_export_allowed,
    finance_export_csv,
    finance_export_job_create,
    finance_export_xlsx,
)

MAX_DAYS = 366
FORMAT_XLSX = JOB_FORMAT_XLSX
FORMAT_CSV_ORDERS = JOB_FORMAT_CSV_ORDERS
FORMAT_CSV_LINES = JOB_FORMAT_CSV_LINES


class FinanceExportForm(forms.Form):
    first_day = forms.DateField(label=_("支付日期从"), widget=UnfoldAdminSingleDateWidget)
    last_day = forms.DateField(label=_("支付日期到"), widget=UnfoldAdminSingleDateWidget)
    states = forms.MultipleChoiceField(
        label=_("订单状态"),
        choices=[(value, label) for value, label in OrderStatus.choices if value != OrderStatus.PENDING_PAYMENT],
        required=False,
        widget=UnfoldAdminCheckboxSelectMultipleWidget,
        help_text=_("不选则导出所有已支付过的订单。"),
    )
    fmt = forms.ChoiceField(
        label=_("文件格式"),
        choices=[
            (FORMAT_XLSX, _("Excel（订单与商品明细两个工作表）")),
            (FORMAT_CSV_ORDERS, _("CSV（订单）")),
            (FORMAT_CSV_LINES, _("CSV（商品明细）")),
        ],
        initial=FORMAT_XLSX,
        widget=UnfoldAdminRadioSelectWidget,
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        first, last = data.get("first_day"), data.get("last_day")
        if first and last:
            if last < first:
                raise forms.ValidationError(_("结束日期不能早于开始日期。"))
            if (last - first).days + 1 > MAX_DAYS:
                raise forms.ValidationError(_("一次最多导出 366 天。"))
        return data

    def selection(self) -> FinanceRange:
        data = self.cleaned_data
        return FinanceRange(first_day=data["first_day"], last_day=data["last_day"], states=tuple(data["states"]))


def _filename(selection: FinanceRange, suffix: str) -> str:
    return f"finance-orders-{selection.first_day:%Y%m%d}-{selection.last_day:%Y%m%d}{suffix}"


def finance_export_view(request: HttpRequest, *, admin_context: dict[str, Any]) -> HttpResponseBase:
    if not finance_export_allowed(actor=request.user):
        raise PermissionDenied
    if request.method == "POST":
        form = FinanceExportForm(request.POST)
        if form.is_valid():
            selection = form.selection()
            fmt = form.cleaned_data["fmt"]
            if exceeds_inline(finance_orders(selection=selection)):
                job = finance_export_job_create(actor=request.user, selection=selection, fmt=fmt)
                return job_started_response(request, job)
            if fmt == FORMAT_XLSX:
                target, _totals = finance_export_xlsx(actor=request.user, selection=selection)
                return FileResponse(target, as_attachment=True, filename=_filename(selection, ".xlsx"))
            sheet = SHEET_LINES if fmt == FORMAT_CSV_LINES else SHEET_ORDERS
            response = StreamingHttpResponse(
                finance_export_csv(actor=request.user, selection=selection, sheet=sheet),
                content_type="text/csv; charset=utf-8",
            )
            response["Content-Disposition"] = f'attachment; filename="{_filename(selection, f"-{sheet}.csv")}"'
            return response
    else:
        today = shop_today()
        form = FinanceExportForm(initial={"first_day": today.replace(day=1), "last_day": today, "fmt": FORMAT_XLSX})
    context = {**admin_context, "title": _("财务导出"), "form": form}
    return TemplateResponse(request, "orders/finance_export.html", context)
