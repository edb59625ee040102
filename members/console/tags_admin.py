"""Console pages for tags (F32, F33): the automatic rules with their thresholds in words, the
tag list, tagging shoppers in bulk from the member list (all matching the filters, after a
confirmation page) or from a sheet of phone numbers / member ids, and the background jobs."""

from __future__ import annotations

import csv
import io
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import SimpleListFilter, helpers
from django.core.exceptions import PermissionDenied
from django.db.models import Count, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils.translation import gettext_lazy as _
from openpyxl import load_workbook
from unfold.admin import ModelAdmin
from unfold.decorators import display
from unfold.widgets import UnfoldAdminFileFieldWidget, UnfoldAdminSelectWidget

from mall.console.service_admin import ServiceRefusalMixin
from mall.errors import ApplicationError
from members.models import Member, MemberRfm, Tag, TagBulkJob, TagRule
from members.services.tags import (
    BULK_BACKGROUND_AT,
    IMPORT_MAX_ROWS,
    RULE_DEFAULTS,
    rule_text,
    tag_create,
    tag_import_rows,
    tag_members_bulk,
    tag_rule_update,
)

PARAM_LABELS = {
    "days": _("统计天数"),
    "min_spend": _("最低实付金额（元）"),
    "min_orders": _("最少订单数"),
    "min_share": _("最低占比（%）"),
}


class TagRuleForm(forms.ModelForm):
    """One number field per threshold of the rule; money in yuan on screen, fen in the row."""

    class Meta:
        model = TagRule
        fields = ("is_enabled",)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        key = self.instance.key
        params = {**RULE_DEFAULTS.get(key, {}), **(self.instance.params or {})}
        for name, value in params.items():
            initial = value / 100 if name == "min_spend" else value
            field_class = forms.DecimalField if name == "min_spend" else forms.IntegerField
            self.fields[f"param_{name}"] = field_class(label=PARAM_LABELS[name], initial=initial, min_value=0)

    def params(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for name, value in self.cleaned_data.items():
            if name.startswith("param_"):
                key = name.removeprefix("param_")
                out[key] = round(value * 100) if key == "min_spend" else int(value)
        return out


@admin.register(TagRule)
class TagRuleAdmin(ServiceRefusalMixin, ModelAdmin):
    list_display = ("key", "rule_display", "is_enabled", "computed_at")
    form = TagRuleForm
    readonly_fields = ("key", "rule_display", "computed_at")

    @display(description=_("规则"))
    def rule_display(self, obj: TagRule) -> str:
        return rule_text(obj.key, obj.params or {})

    def get_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        form = self.get_form(request, obj)
        return ["key", "rule_display", "is_enabled", *[n for n in form.base_fields if n.startswith("param_")]]

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any) -> Any:
        kwargs["fields"] = ("is_enabled",)
        base = super().get_form(request, obj, change, **kwargs)
        if obj is None:
            return base
        # Extra fields exist per instance: build them once so the admin's field list sees them.
        bound = base(instance=obj)
        attrs = {name: field for name, field in bound.fields.items() if name.startswith("param_")}
        return type("TagRuleParamsForm", (base,), attrs)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: TagRule, form: forms.ModelForm, change: bool) -> None:
        tag_rule_update(
            actor=request.user,
            key=obj.key,
            params=form.params(),  # type: ignore[attr-defined]
            is_enabled=form.cleaned_data["is_enabled"],
        )


class TagForm(forms.ModelForm):
    class Meta:
        model = Tag
        fields = ("name", "description")


class TagImportForm(forms.Form):
    tag = forms.ModelChoiceField(
        label=_("标签"), queryset=Tag.objects.filter(kind=Tag.Kind.MANUAL), widget=UnfoldAdminSelectWidget
    )
    op = forms.ChoiceField(label=_("操作"), choices=TagBulkJob.Op.choices, widget=UnfoldAdminSelectWidget)
    sheet = forms.FileField(
        label=_("名单"),
        help_text=_("xlsx 或 csv，第一列为手机号或会员 ID（可有表头）。"),
        widget=UnfoldAdminFileFieldWidget,
    )


def read_id_sheet(upload: Any) -> list[tuple[int, str]]:
    """Non-empty first-column cells with their row number; a header row (not a number) is skipped."""
    name = (upload.name or "").lower()
    data = upload.read()
    if name.endswith(".csv"):
        rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig", errors="replace"))))
    else:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        rows = [list(values) for values in book.worksheets[0].iter_rows(values_only=True, max_row=IMPORT_MAX_ROWS + 1)]
    values: list[tuple[int, str]] = []
    for number, row in enumerate(rows, start=1):
        cell = row[0] if row else None
        if isinstance(cell, float) and cell.is_integer():
            cell = int(cell)
        text = "" if cell is None else str(cell).strip()
        if not text or (number == 1 and not text.isdigit()):
            continue
        values.append((number, text))
    return values


@admin.register(Tag)
class TagAdmin(ServiceRefusalMixin, ModelAdmin):
    list_display = ("name", "kind", "rule_display", "members_display", "created_at")
    list_filter = ("kind",)
    search_fields = ("name",)
    form = TagForm
    actions_list = ["import_sheet"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Tag]:
        return super().get_queryset(request).select_related("rule").annotate(members=Count("member_tags"))

    @display(description=_("规则"))
    def rule_display(self, obj: Tag) -> str:
        return rule_text(obj.rule.key, obj.rule.params or {}) if obj.rule else "—"

    @display(description=_("人数"), ordering="members")
    def members_display(self, obj: Tag) -> int:
        return int(getattr(obj, "members", 0))

    def has_change_permission(self, request: HttpRequest, obj: Tag | None = None) -> bool:
        return super().has_change_permission(request, obj) and (obj is None or obj.kind == Tag.Kind.MANUAL)

    def has_delete_permission(self, request: HttpRequest, obj: Tag | None = None) -> bool:
        return super().has_delete_permission(request, obj) and (obj is None or obj.kind == Tag.Kind.MANUAL)

    def save_model(self, request: HttpRequest, obj: Tag, form: forms.ModelForm, change: bool) -> None:
        if change:
            super().save_model(request, obj, form, change)
            return
        created = tag_create(actor=request.user, name=obj.name, description=obj.description)
        obj.pk = created.pk

    def get_urls(self) -> list[URLPattern]:
        view = self.admin_site.admin_view(self.import_view)
        return [path("import/", view, name="members_tag_import"), *super().get_urls()]

    def import_sheet(self, request: HttpRequest) -> HttpResponse:
        return HttpResponseRedirect(reverse("admin:members_tag_import"))

    import_sheet.short_description = _("导入名单打标")  # type: ignore[attr-defined]

    def import_view(self, request: HttpRequest) -> HttpResponse:
        if not request.user.has_perm("members.change_member"):
            raise PermissionDenied
        form = TagImportForm(request.POST or None, request.FILES or None)
        row_errors: list[dict[str, Any]] = []
        if request.method == "POST" and form.is_valid():
            try:
                values = read_id_sheet(form.cleaned_data["sheet"])
                outcome = tag_import_rows(
                    actor=request.user,
                    tag_id=form.cleaned_data["tag"].pk,
                    op=form.cleaned_data["op"],
                    values=values,
                )
            except ApplicationError as exc:
                messages.error(request, str(exc.message))
                row_errors = list(exc.details.get("rows") or [])
            except Exception:
                messages.error(request, str(_("无法读取该文件，请上传 xlsx 或 csv。")))
            else:
                return _bulk_done(request, outcome.count, outcome.job)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("导入名单打标"),
            "form": form,
            "row_errors": row_errors,
        }
        return TemplateResponse(request, "members/tag_import.html", context)


def _bulk_done(request: HttpRequest, count: int, job: TagBulkJob | None) -> HttpResponse:
    if job is not None:
        messages.success(request, _("共 %(n)d 位会员，已转为后台任务处理，可在此查看进度。") % {"n": count})
        return HttpResponseRedirect(reverse("admin:members_tagbulkjob_change", args=[job.pk]))
    messages.success(request, _("已处理 %(n)d 位会员。") % {"n": count})
    return HttpResponseRedirect(reverse("admin:members_member_changelist"))


@admin.register(TagBulkJob)
class TagBulkJobAdmin(ModelAdmin):
    list_display = ("id", "tag", "op", "total", "progress_display", "status", "created_by", "created_at")
    readonly_fields = ("tag", "op", "total", "done", "progress_display", "status", "created_by", "created_at")
    fields = readonly_fields

    @display(description=_("进度"))
    def progress_display(self, obj: TagBulkJob) -> str:
        return f"{obj.done} / {obj.total}（{obj.percent}%）"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


# --- on the member list ------------------------------------------------------------------


class MemberTagFilter(SimpleListFilter):
    title = _("标签")
    parameter_name = "tag"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [(str(pk), name) for pk, name in Tag.objects.order_by("kind", "name").values_list("pk", "name")]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Member]) -> QuerySet[Member]:
        value = self.value()
        if value and value.isdigit():
            return queryset.filter(member_tags__tag_id=int(value))
        return queryset


class MemberRfmFilter(SimpleListFilter):
    title = _("RFM 分组")
    parameter_name = "rfm"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return list(MemberRfm._meta.get_field("group").choices or [])

    def queryset(self, request: HttpRequest, queryset: QuerySet[Member]) -> QuerySet[Member]:
        return queryset.filter(rfm__group=self.value()) if self.value() else queryset


class BulkTagForm(forms.Form):
    tag = forms.ModelChoiceField(
        label=_("标签"), queryset=Tag.objects.filter(kind=Tag.Kind.MANUAL), widget=UnfoldAdminSelectWidget
    )


def _bulk_tag_action(op: str) -> Any:
    def run(modeladmin: Any, request: HttpRequest, queryset: QuerySet[Member]) -> HttpResponse | None:
        """The queryset is every shopper matching the filters when "select all" was chosen."""
        count = queryset.count()
        form = BulkTagForm(request.POST if "apply" in request.POST else None)
        if "apply" in request.POST and form.is_valid():
            ids = list(queryset.order_by().values_list("pk", flat=True))
            try:
                outcome = tag_members_bulk(
                    actor=request.user, tag_id=form.cleaned_data["tag"].pk, op=op, member_ids=ids
                )
            except ApplicationError as exc:
                messages.error(request, str(exc.message))
                return None
            return _bulk_done(request, outcome.count, outcome.job)
        context = {
            **modeladmin.admin_site.each_context(request),
            "opts": modeladmin.model._meta,
            "title": _("批量添加标签") if op == TagBulkJob.Op.ADD else _("批量移除标签"),
            "form": form,
            "count": count,
            "background": count >= BULK_BACKGROUND_AT,
            "action": f"tag_members_{op}",
            "select_across": request.POST.get("select_across", "0"),
            "selected": request.POST.getlist(helpers.ACTION_CHECKBOX_NAME),
            "index": request.POST.get("index", "0"),
        }
        return TemplateResponse(request, "members/tag_bulk_confirm.html", context)

    run.__name__ = f"tag_members_{op}"
    return run


tag_members_add = admin.action(description=_("批量添加标签"), permissions=["change"])(
    _bulk_tag_action(TagBulkJob.Op.ADD)
)
tag_members_remove = admin.action(description=_("批量移除标签"), permissions=["change"])(
    _bulk_tag_action(TagBulkJob.Op.REMOVE)
)
