"""Console pages for segments (F34): the rule builder with a live count and a sample of shoppers,
JSON export and import. The builder (static/console/segment_builder.js) edits the rule tree in
a hidden field and asks :meth:`SegmentAdmin.preview_view` for the count as conditions change."""

from __future__ import annotations

import json
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST
from unfold.admin import ModelAdmin
from unfold.decorators import action

from mall.console.display import mask_phone
from mall.console.service_admin import ServiceRefusalMixin
from mall.errors import ApplicationError
from mall.models import Category, Product
from members.models import Member, RfmGroup, Segment, Tag
from members.selectors.segments import FIELDS, OPERATOR_LABELS, TOOLS, segment_count, segment_sample
from members.services.segments import segment_export, segment_import, segment_save

SAMPLE_SIZE = 10


def builder_config() -> dict[str, Any]:
    """Everything the builder shows: fields, operators and the choices of each value, in words."""
    return {
        "fields": [
            {
                "name": name,
                "label": str(field.label),
                "operators": [[op, str(OPERATOR_LABELS[op])] for op in field.operators],
                "value": field.value,
                "windowed": field.windowed,
            }
            for name, field in FIELDS.items()
        ],
        "choices": {
            "tier": [[value, str(label)] for value, label in Member.Tier.choices],
            "rfm_group": [[value, str(label)] for value, label in RfmGroup.choices],
            "birthday_month": [[m, f"{m} 月"] for m in range(1, 13)],
            "tag": [[pk, name] for pk, name in Tag.objects.order_by("kind", "name").values_list("pk", "name")],
            "bought_category": [
                [pk, name] for pk, name in Category.objects.order_by("sort_order", "pk").values_list("pk", "name")
            ],
            "bought_product": [
                [pk, title] for pk, title in Product.objects.order_by("-pk").values_list("pk", "title")[:500]
            ],
            "took_part": [[key, str(label)] for key, label in TOOLS.items()],
        },
        "ops": [["all", str(_("满足全部"))], ["any", str(_("满足任一"))], ["none", str(_("全部不满足"))]],
        "texts": {
            "add": str(_("添加条件")),
            "addGroup": str(_("添加条件组")),
            "remove": str(_("删除")),
            "days": str(_("近 N 天（留空为不限）")),
            "count": str(_("符合条件的会员")),
            "sample": str(_("部分会员")),
            "invalid": str(_("规则不完整")),
            "yuan": str(_("元")),
            "cities": str(_("多个城市用逗号分隔")),
        },
    }


class SegmentRulesWidget(forms.Textarea):
    template_name = "members/segment_rules_widget.html"

    class Media:
        js = ("console/segment_builder.js",)

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        context["builder_config"] = builder_config()
        context["preview_url"] = reverse("admin:members_segment_preview")
        return context

    def render(self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: Any = None) -> SafeString:
        # The project's templates directory, not the form renderer's (widget templates live there).
        return mark_safe(render_to_string(self.template_name, self.get_context(name, value, attrs)))  # noqa: S308


class SegmentForm(forms.ModelForm):
    rules = forms.JSONField(label=_("规则"), widget=SegmentRulesWidget, initial={"op": "all", "conditions": []})

    class Meta:
        model = Segment
        fields = ("name", "description", "rules")


class SegmentImportForm(forms.Form):
    text = forms.CharField(label=_("人群 JSON"), widget=forms.Textarea(attrs={"rows": 12}))


@admin.register(Segment)
class SegmentAdmin(ServiceRefusalMixin, ModelAdmin):
    form = SegmentForm
    list_display = ("name", "layer", "member_count", "counted_at", "updated_at")
    list_filter = ("layer",)
    search_fields = ("name",)
    actions_list = ["import_json"]
    actions_detail = ["export_json"]

    def save_model(self, request: HttpRequest, obj: Segment, form: forms.ModelForm, change: bool) -> None:
        saved = segment_save(
            actor=request.user,
            name=form.cleaned_data["name"],
            description=form.cleaned_data.get("description") or "",
            rules=form.cleaned_data["rules"],
            segment_id=obj.pk if change else None,
        )
        obj.pk = saved.pk

    def get_urls(self) -> list[URLPattern]:
        wrap = self.admin_site.admin_view
        return [
            path("preview/", wrap(require_POST(self.preview_view)), name="members_segment_preview"),
            path("import/", wrap(self.import_view), name="members_segment_import"),
            path("<int:object_id>/export/", wrap(self.export_view), name="members_segment_export"),
            *super().get_urls(),
        ]

    def preview_view(self, request: HttpRequest) -> JsonResponse:
        if not self.has_view_permission(request):
            raise PermissionDenied
        try:
            rules = json.loads(request.body or b"{}")
            count = segment_count(rules)
            sample = segment_sample(rules, size=SAMPLE_SIZE)
        except ValueError:
            return JsonResponse({"code": "segment_rules_invalid", "message": str(_("人群规则无效。"))}, status=400)
        except ApplicationError as exc:
            return JsonResponse({"code": exc.code, "message": str(exc.message)}, status=400)
        rows = [
            {
                "id": m.pk,
                "name": str(m),
                "phone": mask_phone(m.phone),
                "tier": m.get_tier_display(),
                "url": reverse("admin:members_member_change", args=[m.pk]),
            }
            for m in sample
        ]
        return JsonResponse({"count": count, "sample": rows})

    def export_view(self, request: HttpRequest, object_id: int) -> HttpResponse:
        if not self.has_view_permission(request):
            raise PermissionDenied
        segment = Segment.objects.filter(pk=object_id).first()
        if segment is None:
            raise PermissionDenied
        response = HttpResponse(segment_export(segment=segment), content_type="application/json; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="segment-{segment.pk}.json"'
        return response

    @action(description=_("导出 JSON"), icon="download")
    def export_json(self, request: HttpRequest, object_id: int) -> HttpResponse:
        return HttpResponseRedirect(reverse("admin:members_segment_export", args=[object_id]))

    @action(description=_("导入 JSON"), icon="upload")
    def import_json(self, request: HttpRequest) -> HttpResponse:
        return HttpResponseRedirect(reverse("admin:members_segment_import"))

    def import_view(self, request: HttpRequest) -> HttpResponse:
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = SegmentImportForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                segment = segment_import(actor=request.user, text=form.cleaned_data["text"])
            except ApplicationError as exc:
                messages.error(request, str(exc.message))
            else:
                messages.success(request, _("已导入人群「%(name)s」。") % {"name": segment.name})
                return HttpResponseRedirect(reverse("admin:members_segment_change", args=[segment.pk]))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("导入人群"),
            "form": form,
        }
        return TemplateResponse(request, "members/segment_import.html", context)
