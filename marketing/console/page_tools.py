"""拼团 and 砍价 created inline from the page editor's group-buy and bargain blocks.

``/console/marketing/pages/<id>/tools/<kind>/``: GET describes the tool's OWN console form (the
one its admin add page uses) as JSON fields for the editor to draw (the 拼团 form needs
``?product=<id>``: one price per SKU of that product); POST validates with that same form (so
the service's rules run exactly as on the tool's page, no second copy) and creates the tool
through the same service call, answering ``{"id", "title", "url"}`` or ``{"errors"}``. The new
tool is appended to the block's ``campaign_ids`` by the editor.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django import forms
from django.contrib.admin.views.decorators import staff_member_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Model
from django.http import Http404, HttpRequest, JsonResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from mall.errors import ApplicationError
from mall.models import Product
from marketing.console.audience_fields import AUDIENCE_FIELDS
from marketing.console.bargains_admin import BargainCampaignForm
from marketing.console.group_buys_admin import GroupBuyCampaignForm, group_buy_form_create
from marketing.selectors.pages import page_get
from marketing.services.bargains import bargain_campaign_create


def _create_bargain(*, actor: Any, form: Any) -> Model:
    return bargain_campaign_create(actor=actor, data=form.campaign_data())


@dataclass(frozen=True)
class InlineTool:
    form: type[forms.ModelForm]
    permission: str
    create: Any  # (actor, form) -> the new tool
    change_url: str
    needs_product: bool = False


TOOLS: dict[str, InlineTool] = {
    "group_buy": InlineTool(
        GroupBuyCampaignForm,
        "marketing.add_groupbuycampaign",
        group_buy_form_create,
        "admin:marketing_groupbuycampaign_change",
        needs_product=True,
    ),
    "bargain": InlineTool(
        BargainCampaignForm, "marketing.add_bargaincampaign", _create_bargain, "admin:marketing_bargaincampaign_change"
    ),
}


def _tool(request: HttpRequest, kind: str) -> InlineTool:
    tool = TOOLS.get(kind)
    if tool is None:
        raise Http404
    if not request.user.has_perm(tool.permission):
        raise PermissionDenied
    return tool


def _form(tool: InlineTool, product_id: int, data: Any = None) -> forms.ModelForm:
    form_class = type(tool.form.__name__, (tool.form,), {"product_id": product_id}) if tool.needs_product else tool.form
    return form_class(data=data)


def _product_id(raw: str | None) -> int:
    raw = (raw or "").strip()
    return int(raw) if raw.isdigit() and Product.objects.filter(pk=int(raw)).exists() else 0


def _kind(field: forms.Field) -> str:
    if isinstance(field, forms.BooleanField):
        return "bool"
    if isinstance(field, forms.DateTimeField | forms.SplitDateTimeField):
        return "datetime"
    if isinstance(field, forms.ChoiceField | forms.ModelChoiceField):
        return "choice"
    if isinstance(field, forms.IntegerField):
        return "int"
    return "text"


def _initial(value: Any) -> Any:
    if isinstance(value, datetime):
        return timezone.localtime(value).strftime("%Y-%m-%dT%H:%M")
    if value is None or isinstance(value, bool | int | str):
        return value
    return str(value)


def form_fields(form: forms.BaseForm) -> list[dict[str, Any]]:
    """The form's fields as the editor draws them (the audience stays on the tool's own page)."""
    fields = []
    for name, field in form.fields.items():
        if name in AUDIENCE_FIELDS:
            continue
        kind = _kind(field)
        described: dict[str, Any] = {
            "name": name,
            "label": str(field.label or name),
            "kind": kind,
            "required": field.required,
            "help": str(field.help_text or ""),
            "initial": _initial(form.get_initial_for_field(field, name)),
        }
        if kind == "choice":
            described["choices"] = [[str(value), str(label)] for value, label in field.choices]  # type: ignore[attr-defined]
        fields.append(described)
    return fields


def _answer_errors(form: forms.BaseForm) -> JsonResponse:
    labels = {name: str(field.label or name) for name, field in form.fields.items()}
    errors = {
        name: [f"{labels[name]}：{message}" if name in labels else str(message) for message in messages]
        for name, messages in form.errors.items()
    }
    return JsonResponse({"errors": errors}, status=400)


@staff_member_required
def page_tool_view(request: HttpRequest, page_id: int, kind: str) -> JsonResponse:
    """GET: the tool form's fields; POST: create the tool with that form, or say what to fix."""
    tool = _tool(request, kind)
    page_get(page_id=page_id)
    product_id = _product_id(request.GET.get("product") or request.POST.get("product"))
    if tool.needs_product and not product_id:
        message = _("请填写正确的商品编号。")
        return JsonResponse({"errors": {"product": [message]}}, status=400)
    if request.method != "POST":
        return JsonResponse({"fields": form_fields(_form(tool, product_id))})
    form = _form(tool, product_id, data=request.POST)
    if not form.is_valid():
        return _answer_errors(form)
    try:
        with transaction.atomic():
            created = tool.create(actor=request.user, form=form)
    except ApplicationError as exc:  # e.g. a rule that changed between the check and the save
        return JsonResponse({"errors": {"": [str(exc.message)]}}, status=400)
    return JsonResponse(
        {"id": created.pk, "title": str(created), "url": reverse(tool.change_url, args=[created.pk])}, status=201
    )
