"""活动模板 (F27) in the console: ``/console/marketing/campaign-templates/``.

The six built-in templates and the shop's saved ones; each makes a draft campaign (its page and
tools in draft) starting when the merchant says, downloads as JSON, and a JSON file can be
imported. Every change goes through ``marketing.services.campaign_templates`` (audited);
using a template needs ``add_campaign``, importing or deleting ``change_campaign``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.views.decorators import staff_member_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from unfold.widgets import UnfoldAdminSplitDateTimeWidget, UnfoldAdminTextInputWidget

from mall.console.display import yuan
from mall.errors import ApplicationError
from mall.money import parse_yuan
from marketing.campaign_templates import BUILTIN_LABELS, BUILTIN_TEMPLATES
from marketing.models import CampaignTemplate
from marketing.services.campaign_templates import (
    campaign_from_template,
    campaign_template_delete,
    campaign_template_import,
    template_by_key,
    template_export,
)

VIEW = "marketing.view_campaign"
ADD = "marketing.add_campaign"
CHANGE = "marketing.change_campaign"
KIND_LABELS = {"promotion": _("价格规则"), "coupon": _("优惠券"), "flash": _("秒杀场次")}


class UseForm(forms.Form):
    starts_at = forms.SplitDateTimeField(label=_("开始时间"), widget=UnfoldAdminSplitDateTimeWidget)
    name = forms.CharField(
        label=_("活动名称"),
        max_length=60,
        required=False,
        help_text=_("留空使用模板里的名称"),
        widget=UnfoldAdminTextInputWidget,
    )


class ImportForm(forms.Form):
    file = forms.FileField(label=_("模板文件（JSON）"), required=False)
    text = forms.CharField(label=_("或粘贴 JSON"), required=False, widget=forms.Textarea(attrs={"rows": 4}))
    name = forms.CharField(label=_("模板名称"), max_length=60, required=False, widget=UnfoldAdminTextInputWidget)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("file") and not (data.get("text") or "").strip():
            raise forms.ValidationError(_("请选择文件或粘贴 JSON。"))
        return data

    def raw(self) -> bytes | str:
        upload = self.cleaned_data.get("file")
        return upload.read() if upload else self.cleaned_data["text"]


@dataclass(frozen=True)
class TemplateCard:
    key: str
    name: str
    description: str
    hours: int
    tools: str
    budget: str
    blocks: int
    saved_id: int | None


def _summary(key: str, name: str, description: str, data: dict[str, Any], saved_id: int | None) -> TemplateCard:
    counts: dict[str, int] = {}
    for tool in data.get("tools", []):
        counts[tool["kind"]] = counts.get(tool["kind"], 0) + 1
    tools = "、".join(f"{KIND_LABELS[kind]} ×{n}" for kind, n in counts.items() if kind in KIND_LABELS)
    budget = data["campaign"].get("budget_amount")
    return TemplateCard(
        key=key,
        name=name,
        description=description,
        hours=data["campaign"]["hours"],
        tools=tools or str(_("无")),
        budget=str(yuan(parse_yuan(budget))) if budget else str(_("不限")),
        blocks=len((data.get("page") or {}).get("blocks", [])),
        saved_id=saved_id,
    )


def _cards() -> tuple[list[TemplateCard], list[TemplateCard]]:
    builtin = [
        _summary(f"builtin:{key}", str(BUILTIN_LABELS[key][0]), str(BUILTIN_LABELS[key][1]), data, None)
        for key, data in BUILTIN_TEMPLATES.items()
    ]
    saved = [
        _summary(f"saved:{t.pk}", t.name, t.description, t.data, t.pk) for t in CampaignTemplate.objects.all()[:100]
    ]
    return builtin, saved


def _require(request: HttpRequest, perm: str) -> None:
    if not request.user.has_perm(perm):
        raise PermissionDenied


def _post(request: HttpRequest, bound: dict[str, forms.Form]) -> HttpResponse | None:
    op = request.POST.get("op", "")
    if op == "use":
        _require(request, ADD)
        key = request.POST.get("key", "")
        form = UseForm(request.POST, prefix=key.replace(":", "-"))
        bound[key] = form
        if not form.is_valid():
            return None
        _name, data = template_by_key(key)
        campaign = campaign_from_template(
            actor=request.user, template=data, starts_at=form.cleaned_data["starts_at"], name=form.cleaned_data["name"]
        )
        messages.success(request, _("已按模板创建草稿活动，检查工具和页面后即可发布。"))
        return redirect(reverse("console:marketing_campaign", args=[campaign.pk]))
    _require(request, CHANGE)
    if op == "import":
        import_form = ImportForm(request.POST, request.FILES, prefix="import")
        bound["import"] = import_form
        if not import_form.is_valid():
            return None
        template = campaign_template_import(
            actor=request.user, raw=import_form.raw(), name=import_form.cleaned_data["name"]
        )
        messages.success(request, _("模板“%(name)s”已导入。") % {"name": template.name})
    elif op == "delete":
        campaign_template_delete(actor=request.user, template_id=int(request.POST.get("template_id") or 0))
        messages.success(request, _("模板已删除。"))
    return redirect(reverse("console:marketing_campaign_templates"))


def _error_lines(exc: ApplicationError) -> list[str]:
    errors = exc.details.get("errors") or {}
    return [f"{path}：{message}" if path else str(message) for path, message in errors.items()][:20]


@staff_member_required
def campaign_templates_view(request: HttpRequest) -> HttpResponse:
    """Built-in and saved templates: use one, download it, import one."""
    _require(request, VIEW)
    bound: dict[str, forms.Form] = {}
    error_lines: list[str] = []
    if request.method == "POST":
        try:
            response = _post(request, bound)
        except ApplicationError as exc:
            messages.error(request, str(exc.message))
            error_lines = _error_lines(exc)
            response = None
        if response is not None:
            return response
    builtin, saved = _cards()
    start = timezone.localtime(timezone.now()).replace(hour=0, minute=0, second=0, microsecond=0)
    start += timedelta(days=7)

    def use_form(card: TemplateCard) -> forms.Form:
        return bound.get(card.key) or UseForm(prefix=card.key.replace(":", "-"), initial={"starts_at": start})

    context = {
        **admin.site.each_context(request),
        "title": _("活动模板"),
        "builtin": [(card, use_form(card)) for card in builtin],
        "saved": [(card, use_form(card)) for card in saved],
        "import_form": bound.get("import") or ImportForm(prefix="import"),
        "error_lines": error_lines,
        "can_add": request.user.has_perm(ADD),
        "can_change": request.user.has_perm(CHANGE),
    }
    return render(request, "marketing/campaign_templates.html", context)


@staff_member_required
def campaign_template_export_view(request: HttpRequest, key: str) -> HttpResponse:
    """The template as a JSON file to keep or import into another shop."""
    _require(request, VIEW)
    try:
        _name, data = template_by_key(key)
    except ApplicationError as exc:
        raise Http404 from exc
    response = HttpResponse(template_export(data), content_type="application/json; charset=utf-8")
    filename = f"campaign-template-{key.replace(':', '-')}.json"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
