"""Console pieces for the coupon sheets (P06): granting a template to a sheet of shoppers (from the
template's page; the report of granted / skipped rows afterwards), the read-only grant list, and
the xlsx / csv exports of templates and issued coupons (their own permission, audited)."""

from __future__ import annotations

import uuid
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from unfold.admin import ModelAdmin
from unfold.decorators import action, display

from mall.console.display import mask_phone
from mall.console.exports import exceeds_inline, job_started_response
from mall.console.sheets import LargeSheetUploadForm, SheetUnreadable, header_columns, read_cells, runs_as_job
from mall.errors import ApplicationError
from mall.models import SheetJob
from marketing.models import Coupon, CouponGrant, CouponTemplate
from marketing.services.coupon_grants import MAX_ROWS, PHONE_RE, GrantRow, coupon_grant_sheet, grant_report_rows
from marketing.services.coupon_sheet_jobs import GRANT_HEADERS, coupon_export_job_create, coupon_grant_job_create
from marketing.services.coupon_sheets import (
    EXPORT_PERMISSION,
    coupon_sheet_export,
    coupon_sheet_rows,
    template_sheet_rows,
)

GRANT_PERMISSION = "marketing.grant_coupons"


class CouponGrantForm(LargeSheetUploadForm):
    ref = forms.CharField(widget=forms.HiddenInput, max_length=64)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["sheet"].label = _("会员名单")
        self.fields["sheet"].help_text = _(
            "xlsx 或 csv，第一列为手机号或会员 ID（可有表头“手机号”或“会员 ID”）。"
            "超过 5000 行的名单在后台发放，可查看进度。"
        )


def read_grant_sheet(upload: Any) -> list[GrantRow]:
    try:
        cells = read_cells(upload, max_rows=MAX_ROWS)
    except SheetUnreadable as exc:
        raise ApplicationError(message=_("无法读取该 xlsx 文件。")) from exc
    column, start = 0, 0
    if cells:
        found = header_columns(cells[0], GRANT_HEADERS)
        if "value" in found:
            column, start = found["value"], 1
    rows = []
    for number, row in enumerate(cells[start:], start=start + 1):
        value = row[column].strip() if column < len(row) else ""
        if value:
            rows.append(GrantRow(line=number, value=value))
    return rows


def _download(content: bytes, *, dataset: str, fmt: str) -> HttpResponse:
    types = {
        "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "csv": "text/csv; charset=utf-8",
    }
    response = HttpResponse(content, content_type=types[fmt])
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="{dataset}-{stamp}.{fmt}"'
    return response


class CouponTemplateSheetsMixin:
    """For ``CouponTemplateAdmin``: 按名单发券 on a template's page and the template exports."""

    admin_site: Any
    model: Any

    def has_grant_coupons_permission(self, request: HttpRequest, object_id: Any = None) -> bool:
        return bool(request.user.has_perm(GRANT_PERMISSION))

    def has_export_coupons_permission(self, request: HttpRequest) -> bool:
        return bool(request.user.has_perm(EXPORT_PERMISSION))

    @action(description=_("按名单发券"), icon="upload_file", permissions=["grant_coupons"])
    def grant_sheet(self, request: HttpRequest, object_id: str) -> HttpResponse:
        return HttpResponseRedirect(reverse("admin:marketing_coupontemplate_grant", args=[int(object_id)]))

    @action(description=_("导出所选模板（xlsx）"), permissions=["export_coupons"])
    def export_templates_xlsx(self, request: HttpRequest, queryset: QuerySet[CouponTemplate]) -> HttpResponse:
        return self._export(request, queryset, "xlsx")

    @action(description=_("导出所选模板（csv）"), permissions=["export_coupons"])
    def export_templates_csv(self, request: HttpRequest, queryset: QuerySet[CouponTemplate]) -> HttpResponse:
        return self._export(request, queryset, "csv")

    def _export(self, request: HttpRequest, queryset: QuerySet[CouponTemplate], fmt: str) -> HttpResponse:
        if exceeds_inline(queryset):
            ids = queryset.order_by().values_list("pk", flat=True)
            job = coupon_export_job_create(
                actor=request.user, kind=SheetJob.Kind.COUPON_TEMPLATE_EXPORT, ids=ids, fmt=fmt
            )
            return job_started_response(request, job)
        header, rows = template_sheet_rows(queryset)
        content = coupon_sheet_export(actor=request.user, dataset="coupon_templates", fmt=fmt, header=header, rows=rows)
        return _download(content, dataset="coupon_templates", fmt=fmt)

    def grant_urls(self) -> list[URLPattern]:
        return [
            path(
                "<int:object_id>/grant/",
                self.admin_site.admin_view(self.grant_view),
                name="marketing_coupontemplate_grant",
            )
        ]

    def grant_view(self, request: HttpRequest, object_id: int) -> HttpResponse:
        if not self.has_grant_coupons_permission(request):
            raise PermissionDenied
        template = CouponTemplate.objects.filter(pk=object_id).first()
        if template is None:
            raise PermissionDenied
        form = CouponGrantForm(request.POST or None, request.FILES or None, initial={"ref": uuid.uuid4().hex})
        if request.method == "POST" and form.is_valid() and runs_as_job(form.cleaned_data["sheet"]):
            upload = form.cleaned_data["sheet"]
            try:
                job = coupon_grant_job_create(
                    actor=request.user, template_id=template.pk, source=upload, source_name=upload.name or "list.xlsx"
                )
            except ApplicationError as exc:
                messages.error(request, str(exc.message))
            else:
                return job_started_response(request, job)
        elif request.method == "POST" and form.is_valid():
            try:
                rows = read_grant_sheet(form.cleaned_data["sheet"])
                grant = coupon_grant_sheet(
                    template_id=template.pk, rows=rows, ref=form.cleaned_data["ref"], actor=request.user
                )
            except ApplicationError as exc:
                messages.error(request, str(exc.message))
            else:
                messages.success(
                    request, _("已发放 %(g)d 张，跳过 %(s)d 行。") % {"g": grant.granted, "s": grant.skipped}
                )
                return HttpResponseRedirect(reverse("admin:marketing_coupongrant_change", args=[grant.pk]))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("按名单发券：%(name)s") % {"name": template.name},
            "form": form,
            "template_obj": template,
        }
        return TemplateResponse(request, "marketing/coupon_grant.html", context)


class CouponSheetsMixin:
    """For ``CouponAdmin``: the issued-coupon exports."""

    def has_export_coupons_permission(self, request: HttpRequest) -> bool:
        return bool(request.user.has_perm(EXPORT_PERMISSION))

    @action(description=_("导出所选优惠券（xlsx）"), permissions=["export_coupons"])
    def export_coupons_xlsx(self, request: HttpRequest, queryset: QuerySet[Coupon]) -> HttpResponse:
        return self._export(request, queryset, "xlsx")

    @action(description=_("导出所选优惠券（csv）"), permissions=["export_coupons"])
    def export_coupons_csv(self, request: HttpRequest, queryset: QuerySet[Coupon]) -> HttpResponse:
        return self._export(request, queryset, "csv")

    def _export(self, request: HttpRequest, queryset: QuerySet[Coupon], fmt: str) -> HttpResponse:
        if exceeds_inline(queryset):
            ids = queryset.order_by().values_list("pk", flat=True)
            job = coupon_export_job_create(actor=request.user, kind=SheetJob.Kind.COUPON_EXPORT, ids=ids, fmt=fmt)
            return job_started_response(request, job)
        header, rows = coupon_sheet_rows(queryset)
        content = coupon_sheet_export(actor=request.user, dataset="coupons", fmt=fmt, header=header, rows=rows)
        return _download(content, dataset="coupons", fmt=fmt)


@admin.register(CouponGrant)
class CouponGrantAdmin(ModelAdmin):
    list_display = ("id", "template", "rows", "granted", "skipped", "created_by", "created_at")
    list_filter = ("template",)
    list_select_related = ("template", "created_by")
    readonly_fields = ("template", "rows", "granted", "skipped", "created_by", "created_at", "report_table")
    fields = readonly_fields

    @display(description=_("明细"))
    def report_table(self, obj: CouponGrant) -> str:
        from django.template.loader import render_to_string

        rows = grant_report_rows(obj)
        for row in rows:  # phones masked on screen, like everywhere in the console
            if PHONE_RE.match(row["value"].replace(" ", "")):
                row["value"] = mask_phone(row["value"].replace(" ", ""))
        titles = [_("行号"), _("手机号或会员 ID"), _("会员 ID"), _("结果")]
        return render_to_string("marketing/coupon_grant_report.html", {"rows": rows, "titles": titles})

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
