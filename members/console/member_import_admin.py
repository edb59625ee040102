"""Console pages for members brought over from the old shop (P06): the staging list (待匹配 rows
are the ones still waiting for their shopper) and the sheet upload, with a dry run and per-row
errors (all or nothing, like the bulk-ship upload)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils.translation import gettext_lazy as _
from unfold.admin import ModelAdmin
from unfold.decorators import action, display

from mall.console.display import mask_phone, yuan
from mall.console.sheets import LargeSheetUploadForm, SheetUnreadable, header_columns, read_cells, runs_as_job
from mall.errors import ApplicationError
from mall.models import SheetJob
from mall.services.sheet_jobs import sheet_job_create
from members.models import Member, MemberImport
from members.services.member_import import (
    MAX_ROWS,
    SHEET_HEADERS,
    MemberSheetRow,
    member_import_check,
    member_import_create,
)

HEADERS = SHEET_HEADERS


class MemberImportForm(LargeSheetUploadForm):
    dry_run = forms.BooleanField(label=_("只检查，不导入"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["sheet"].label = _("会员表")
        self.fields["sheet"].help_text = _(
            "xlsx 或 csv，第一行为表头：手机号、姓名、生日、会员等级、积分、标签、累计消费(元)；手机号必填。"
            "超过 5000 行的表格在后台导入，可查看进度。"
        )


class MemberSheetInvalid(ApplicationError):
    code = "member_sheet_invalid"
    default_message = _("无法读取该表格。")


def read_member_sheet(upload: Any) -> list[MemberSheetRow]:
    try:
        cells = read_cells(upload, max_rows=MAX_ROWS)
    except SheetUnreadable as exc:
        raise MemberSheetInvalid(message=_("无法读取该 xlsx 文件。"), details={"rows": []}) from exc
    if not cells:
        return []
    columns = header_columns(cells[0], HEADERS)
    if "phone" not in columns:
        raise MemberSheetInvalid(message=_("表头中没有“手机号”一列。"), details={"rows": []})
    rows: list[MemberSheetRow] = []
    for number, row in enumerate(cells[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        values = {key: (row[index] if index < len(row) else "") for key, index in columns.items()}
        rows.append(MemberSheetRow(line=number, **values))
    return rows


@admin.register(MemberImport)
class MemberImportAdmin(ModelAdmin):
    list_display = (
        "id",
        "phone_masked",
        "name",
        "tier_label",
        "points",
        "spend_yuan",
        "tags_text",
        "state",
        "member",
        "matched_at",
    )
    list_filter = ("state",)
    search_fields = ("phone", "name")
    list_per_page = 50
    actions_list = ["import_sheet"]
    readonly_fields = (
        "phone_masked",
        "name",
        "birthday",
        "tier_label",
        "points",
        "spend_yuan",
        "tags_text",
        "state",
        "member",
        "matched_at",
        "imported_by",
        "created_at",
    )
    fields = readonly_fields

    @display(description=_("手机号"))
    def phone_masked(self, obj: MemberImport) -> str:
        return mask_phone(obj.phone)

    @display(description=_("会员等级"))
    def tier_label(self, obj: MemberImport) -> str:
        return str(dict(Member.Tier.choices).get(obj.tier, "-")) if obj.tier else "-"

    @display(description=_("累计消费(元)"))
    def spend_yuan(self, obj: MemberImport) -> str:
        return yuan(obj.total_spend)

    @display(description=_("标签"))
    def tags_text(self, obj: MemberImport) -> str:
        return "、".join(obj.tags or []) or "-"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_import_sheet_permission(self, request: HttpRequest) -> bool:
        return bool(request.user.has_perm("members.add_memberimport"))

    @action(description=_("导入会员表"), icon="upload_file", permissions=["import_sheet"])
    def import_sheet(self, request: HttpRequest) -> HttpResponse:
        return HttpResponseRedirect(reverse("admin:members_memberimport_upload"))

    def get_urls(self) -> list[URLPattern]:
        urls: list[URLPattern] = [
            path("upload/", self.admin_site.admin_view(self.upload_view), name="members_memberimport_upload"),
        ]
        return urls + super().get_urls()

    def upload_view(self, request: HttpRequest) -> HttpResponse:
        if not self.has_import_sheet_permission(request):
            raise PermissionDenied
        form = MemberImportForm(request.POST or None, request.FILES or None)
        row_errors: list[dict[str, Any]] = []
        checked_rows: int | None = None
        if request.method == "POST" and form.is_valid() and runs_as_job(form.cleaned_data["sheet"]):
            upload = form.cleaned_data["sheet"]
            try:
                job = sheet_job_create(
                    kind=SheetJob.Kind.MEMBER_IMPORT,
                    actor=request.user,
                    params={"dry_run": bool(form.cleaned_data["dry_run"])},
                    source=upload,
                    source_name=upload.name or "members.xlsx",
                )
            except ApplicationError as exc:
                messages.error(request, str(exc.message))
            else:
                messages.info(request, _("表格较大，已转为后台任务；可以离开本页，完成后在“表格任务”中查看结果。"))
                return HttpResponseRedirect(reverse("console:sheet_job", args=[job.pk]))
        elif request.method == "POST" and form.is_valid():
            try:
                rows = read_member_sheet(form.cleaned_data["sheet"])
                if form.cleaned_data["dry_run"]:
                    checked_rows = member_import_check(rows=rows)
                else:
                    created = member_import_create(rows=rows, actor=request.user)
            except ApplicationError as exc:
                messages.error(request, str(exc.message))
                row_errors = list(exc.details.get("rows") or [])
            else:
                if checked_rows is None:
                    matched = sum(1 for row in created if row.state == MemberImport.State.MATCHED)
                    messages.success(
                        request,
                        _("已导入 %(n)d 位会员，其中 %(m)d 位已匹配到现有会员，其余等待会员绑定手机号。")
                        % {"n": len(created), "m": matched},
                    )
                    return HttpResponseRedirect(reverse("admin:members_memberimport_changelist"))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("导入会员表"),
            "form": form,
            "row_errors": row_errors,
            "checked_rows": checked_rows,
        }
        return TemplateResponse(request, "members/member_import_upload.html", context)
