"""The campaign studio's console pages (issue 17 §1, §5, §7).

* ``/console/marketing/campaigns/new/`` — name, window, budget (yuan and/or uses), target
  segment and holdout.
* ``/console/marketing/campaigns/<id>/`` — the campaign: its tools with their live state and
  stock, the budget bar, publish / pause / resume / extend / end for all tools at once, a
  live-adjust form per tool (pause, resume, extend, add stock), linking tools, editing, and the
  audit trail.

Every change goes through ``marketing.services.campaigns`` with the signed-in staff member as
the audited actor; viewing needs ``view_campaign``, editing ``change_campaign``, running
changes ``publish_campaign`` (the operator role has all three).
"""

from __future__ import annotations

from datetime import datetime
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
from unfold.widgets import (
    UnfoldAdminIntegerFieldWidget,
    UnfoldAdminSelectWidget,
    UnfoldAdminSplitDateTimeWidget,
    UnfoldAdminTextInputWidget,
)

from mall.console.display import yuan
from mall.errors import ApplicationError
from mall.money import MoneyFormatError, format_yuan, parse_yuan
from marketing.console.campaign_anomaly import anomaly_context, anomaly_settings_post
from marketing.errors import CampaignInvalid, CampaignStackingWarning
from marketing.models import (
    BargainCampaign,
    Campaign,
    CampaignPage,
    CampaignStatus,
    CampaignTool,
    CampaignToolKind,
    CouponTemplate,
    FlashItem,
    FlashSlot,
    FlashSlotStatus,
    GroupBuyCampaign,
    Promotion,
)
from marketing.selectors.campaign_stacking import campaign_stacking_warnings
from marketing.selectors.campaign_studio import audit_label, campaign_page
from marketing.services.campaign_templates import campaign_template_save
from marketing.services.campaigns import (
    CampaignData,
    ToolAdjustment,
    campaign_create,
    campaign_end,
    campaign_extend,
    campaign_page_create,
    campaign_page_link,
    campaign_pause,
    campaign_publish,
    campaign_resume,
    campaign_tool_add,
    campaign_tool_adjust,
    campaign_tool_remove,
    campaign_update,
)
from members.models import Segment

VIEW = "marketing.view_campaign"
CHANGE = "marketing.change_campaign"
ADD = "marketing.add_campaign"
PUBLISH = "marketing.publish_campaign"
TOOL_CHOICES_PER_KIND = 100
PAGE_OPS = ("create_page", "link_page", "unlink_page", "save_template")
CHANGE_OPS = ("update", "add_tool", "remove_tool", *PAGE_OPS)


def _require(request: HttpRequest, perm: str) -> None:
    if not request.user.has_perm(perm):
        raise PermissionDenied


def _context(request: HttpRequest, title: Any, **extra: Any) -> dict[str, Any]:
    return {**admin.site.each_context(request), "title": title, **extra}


def _add_errors(form: forms.BaseForm, exc: ApplicationError) -> None:
    errors = exc.details.get("errors") or {exc.details.get("field", ""): str(exc.message)}
    for key, message in errors.items():
        form.add_error(key if key in form.fields else None, message)


# --- forms ---------------------------------------------------------------------------------


class CampaignForm(forms.Form):
    name = forms.CharField(label=_("活动名称"), max_length=60, widget=UnfoldAdminTextInputWidget)
    starts_at = forms.SplitDateTimeField(label=_("开始时间"), widget=UnfoldAdminSplitDateTimeWidget)
    ends_at = forms.SplitDateTimeField(label=_("结束时间"), widget=UnfoldAdminSplitDateTimeWidget)
    budget_amount = forms.CharField(
        label=_("优惠预算(元)"),
        required=False,
        help_text=_("活动各工具让利的上限，下单时占用，取消和退款时退回；用完自动暂停。留空表示不限"),
        widget=UnfoldAdminTextInputWidget(attrs={"inputmode": "decimal"}),
    )
    budget_uses = forms.IntegerField(
        label=_("优惠次数预算"),
        required=False,
        min_value=1,
        help_text=_("享受活动优惠的订单数上限，留空表示不限"),
        widget=UnfoldAdminIntegerFieldWidget,
    )
    segment = forms.ModelChoiceField(
        label=_("目标人群"),
        queryset=Segment.objects.order_by("name"),
        required=False,
        empty_label=_("全部顾客"),
        widget=UnfoldAdminSelectWidget,
    )
    holdout_percent = forms.IntegerField(
        label=_("对照组比例(%)"),
        min_value=0,
        max_value=50,
        initial=0,
        help_text=_("目标人群中留作对照、不参与活动的比例，用于衡量活动带来的增量"),
        widget=UnfoldAdminIntegerFieldWidget,
    )

    def clean_budget_amount(self) -> int | None:
        raw = (self.cleaned_data.get("budget_amount") or "").strip()
        if not raw:
            return None
        try:
            return parse_yuan(raw)
        except MoneyFormatError as exc:
            raise forms.ValidationError(_("金额应写成元，最多两位小数，如 5000.00。")) from exc

    def campaign_data(self) -> CampaignData:
        data = self.cleaned_data
        return CampaignData(
            name=data["name"],
            starts_at=data["starts_at"],
            ends_at=data["ends_at"],
            budget_amount=data["budget_amount"],
            budget_uses=data["budget_uses"],
            segment_id=data["segment"].pk if data["segment"] else None,
            holdout_percent=data["holdout_percent"] or 0,
        )

    @classmethod
    def initial_for(cls, campaign: Campaign) -> dict[str, Any]:
        return {
            "name": campaign.name,
            "starts_at": timezone.localtime(campaign.starts_at),
            "ends_at": timezone.localtime(campaign.ends_at),
            "budget_amount": format_yuan(campaign.budget_amount) if campaign.budget_amount is not None else "",
            "budget_uses": campaign.budget_uses,
            "segment": campaign.segment_id,
            "holdout_percent": campaign.holdout_percent,
        }


def _tool_choices() -> list[tuple[str, list[tuple[str, str]]]]:
    """Tools not in any campaign yet, newest first, grouped by kind (value ``kind:id``)."""
    taken: dict[str, set[int]] = {}
    for kind, pk in CampaignTool.objects.values_list("kind", "object_id"):
        taken.setdefault(kind, set()).add(pk)
    sources: list[tuple[str, Any, Any]] = [
        (CampaignToolKind.PROMOTION, Promotion.objects.order_by("-pk"), lambda o: o.name),
        (CampaignToolKind.COUPON, CouponTemplate.objects.order_by("-pk"), lambda o: o.name),
        (CampaignToolKind.FLASH, FlashSlot.objects.exclude(status=FlashSlotStatus.ENDED).order_by("-starts_at"), str),
        (CampaignToolKind.GROUP_BUY, GroupBuyCampaign.objects.filter(ended_at__isnull=True).order_by("-pk"), str),
        (CampaignToolKind.BARGAIN, BargainCampaign.objects.filter(ended_at__isnull=True).order_by("-pk"), str),
    ]
    groups = []
    for kind, queryset, label in sources:
        options = [
            (f"{kind}:{obj.pk}", str(label(obj)))
            for obj in queryset.exclude(pk__in=taken.get(kind, set()))[:TOOL_CHOICES_PER_KIND]
        ]
        if options:
            groups.append((str(CampaignToolKind(kind).label), options))
    return groups


class ToolAddForm(forms.Form):
    tool = forms.ChoiceField(label=_("营销工具"), choices=(), widget=UnfoldAdminSelectWidget)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["tool"]
        assert isinstance(field, forms.ChoiceField)  # noqa: S101 - narrows the type for mypy
        field.choices = _tool_choices()

    def kind_and_id(self) -> tuple[str, int]:
        kind, _sep, pk = self.cleaned_data["tool"].partition(":")
        return kind, int(pk)


class PageLinkForm(forms.Form):
    page = forms.ModelChoiceField(
        label=_("活动页面"),
        queryset=CampaignPage.objects.filter(campaign__isnull=True, is_home__isnull=True).order_by("-pk"),
        widget=UnfoldAdminSelectWidget,
    )


class TemplateNameForm(forms.Form):
    name = forms.CharField(label=_("模板名称"), max_length=60, widget=UnfoldAdminTextInputWidget)


class ExtendForm(forms.Form):
    ends_at = forms.SplitDateTimeField(label=_("新的结束时间"), widget=UnfoldAdminSplitDateTimeWidget)


class AdjustForm(forms.Form):
    """One tool's live adjustment; which fields count depends on ``action``."""

    action = forms.ChoiceField(
        label=_("调整"),
        choices=[("pause", _("暂停")), ("resume", _("恢复")), ("extend", _("延长")), ("add_stock", _("追加库存"))],
        widget=UnfoldAdminSelectWidget,
    )
    ends_at = forms.SplitDateTimeField(label=_("新的结束时间"), required=False, widget=UnfoldAdminSplitDateTimeWidget)
    units = forms.IntegerField(
        label=_("追加数量"), required=False, min_value=1, max_value=1_000_000, widget=UnfoldAdminIntegerFieldWidget
    )
    item_id = forms.TypedChoiceField(label=_("秒杀商品"), required=False, coerce=int, empty_value=None, choices=())

    def __init__(self, *args: Any, item_choices: list[tuple[int, str]] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices: list[tuple[str, Any]] = [("", _("唯一的商品"))]
        choices += [(str(pk), label) for pk, label in item_choices or []]
        field = self.fields["item_id"]
        assert isinstance(field, forms.TypedChoiceField)  # noqa: S101 - narrows the type for mypy
        field.choices = choices
        field.widget = UnfoldAdminSelectWidget(choices=choices)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("action") == "extend" and not data.get("ends_at"):
            self.add_error("ends_at", _("请填写新的结束时间。"))
        if data.get("action") == "add_stock" and not data.get("units"):
            self.add_error("units", _("追加数量须为正整数。"))
        return data

    def adjustment(self) -> ToolAdjustment:
        data = self.cleaned_data
        return ToolAdjustment(
            action=data["action"], ends_at=data.get("ends_at"), units=data.get("units"), item_id=data.get("item_id")
        )


# --- pages ---------------------------------------------------------------------------------


@staff_member_required
def campaign_new_view(request: HttpRequest) -> HttpResponse:
    _require(request, ADD)
    form = CampaignForm()
    if request.method == "POST":
        form = CampaignForm(request.POST)
        if form.is_valid():
            try:
                campaign = campaign_create(actor=request.user, data=form.campaign_data())
            except CampaignInvalid as exc:
                _add_errors(form, exc)
            else:
                messages.success(request, _("活动已创建，请加入营销工具后发布。"))
                return redirect(reverse("console:marketing_campaign", args=[campaign.pk]))
    return render(request, "marketing/campaign_new.html", _context(request, _("新建营销活动"), form=form))


def _flash_items(page_tools: list[Any]) -> dict[int, list[tuple[int, str]]]:
    slot_ids = [row.view.object_id for row in page_tools if row.view.kind == CampaignToolKind.FLASH]
    items: dict[int, list[tuple[int, str]]] = {}
    for item in FlashItem.objects.filter(slot_id__in=slot_ids).select_related("sku__product").order_by("sort_order"):
        items.setdefault(item.slot_id, []).append((item.pk, f"{item.sku.product.title} · {item.sku.code}"))
    return items


def _run(request: HttpRequest, campaign: Campaign, op: str, bound: dict[str, forms.Form]) -> bool:
    """Do what the POST asks; True when the page should redirect."""
    user = request.user
    tool_id = int(request.POST.get("tool_id") or 0)
    _require(request, CHANGE if op in (*CHANGE_OPS, "anomaly_settings") else PUBLISH)
    if op == "anomaly_settings":
        return anomaly_settings_post(request, campaign, bound)
    if op in PAGE_OPS:
        return _run_page(request, campaign, op, bound)
    if op == "update":
        form = CampaignForm(request.POST, prefix="edit")
        bound["edit"] = form
        if not form.is_valid():
            return False
        try:
            campaign_update(
                actor=user, campaign_id=campaign.pk, data=form.campaign_data(), confirm_stacking=_confirmed(request)
            )
        except CampaignInvalid as exc:
            _add_errors(form, exc)
            return False
        messages.success(request, _("活动已保存。"))
        return True
    if op == "add_tool":
        add_form = ToolAddForm(request.POST, prefix="tool")
        bound["tool"] = add_form
        if not add_form.is_valid():
            return False
        kind, object_id = add_form.kind_and_id()
        campaign_tool_add(
            actor=user, campaign_id=campaign.pk, kind=kind, object_id=object_id, confirm_stacking=_confirmed(request)
        )
        messages.success(request, _("已加入营销工具。"))
        return True
    if op == "extend":
        extend_form = ExtendForm(request.POST, prefix="extend")
        bound["extend"] = extend_form
        if not extend_form.is_valid():
            return False
        try:
            told = campaign_extend(actor=user, campaign_id=campaign.pk, ends_at=extend_form.cleaned_data["ends_at"])
        except CampaignInvalid as exc:
            _add_errors(extend_form, exc)
            return False
        messages.success(request, _("活动已延长，已通知 %(count)d 位参与的顾客。") % {"count": told})
        return True
    if op == "adjust":
        adjust_form = AdjustForm(request.POST, prefix=f"adjust{tool_id}")
        if not adjust_form.is_valid():
            bound["adjust"] = adjust_form
            return False
        done = campaign_tool_adjust(
            actor=user, campaign_id=campaign.pk, tool_id=tool_id, adjustment=adjust_form.adjustment()
        )
        messages.success(request, done)
        return True
    simple = {
        "remove_tool": (
            lambda: campaign_tool_remove(actor=user, campaign_id=campaign.pk, tool_id=tool_id),
            _("已移出营销工具（工具本身保持不变）。"),
        ),
        "publish": (
            lambda: campaign_publish(actor=user, campaign_id=campaign.pk, confirm_stacking=_confirmed(request)),
            _("活动已发布，所有工具同时上线。"),
        ),
        "pause": (lambda: campaign_pause(actor=user, campaign_id=campaign.pk), _("活动已暂停，所有工具同时暂停。")),
        "resume": (lambda: campaign_resume(actor=user, campaign_id=campaign.pk), _("活动已恢复。")),
        "end": (lambda: campaign_end(actor=user, campaign_id=campaign.pk), _("活动已结束。")),
    }
    if op not in simple:
        raise Http404
    run, message = simple[op]
    run()
    messages.success(request, str(message))
    return True


def _confirmed(request: HttpRequest) -> bool:
    """F28: the merchant read the stacking warnings and pressed 仍然发布 / 仍然加入 / 仍然保存."""
    return request.POST.get("confirm_stacking") == "1"


def _edit_fields(request: HttpRequest) -> list[tuple[str, str]]:
    """The edit form as posted, so 仍然保存 saves exactly what the merchant typed."""
    return [(name, value) for name in request.POST if name.startswith("edit-") for value in request.POST.getlist(name)]


def _run_page(request: HttpRequest, campaign: Campaign, op: str, bound: dict[str, forms.Form]) -> bool:
    """The campaign's page (create, link, unlink) and saving the campaign as a template."""
    user = request.user
    if op == "create_page":
        page = campaign_page_create(actor=user, campaign_id=campaign.pk)
        messages.success(request, _("活动页面“%(title)s”已创建，请在页面编辑器里添加内容。") % {"title": page.title})
        return True
    if op == "unlink_page":
        campaign_page_link(actor=user, campaign_id=campaign.pk, page_id=None)
        messages.success(request, _("已取消关联，页面本身保留。"))
        return True
    if op == "link_page":
        link_form = PageLinkForm(request.POST, prefix="page")
        bound["page"] = link_form
        if not link_form.is_valid():
            return False
        campaign_page_link(actor=user, campaign_id=campaign.pk, page_id=link_form.cleaned_data["page"].pk)
        messages.success(request, _("已关联活动页面。"))
        return True
    name_form = TemplateNameForm(request.POST, prefix="template")
    bound["template"] = name_form
    if not name_form.is_valid():
        return False
    template, left_out = campaign_template_save(
        actor=user, campaign_id=campaign.pk, name=name_form.cleaned_data["name"]
    )
    messages.success(request, _("已保存为模板“%(name)s”。") % {"name": template.name})
    if left_out:
        messages.warning(request, _("以下工具未保存进模板：%(tools)s") % {"tools": "、".join(left_out)})
    return True


@staff_member_required
def campaign_view(request: HttpRequest, campaign_id: int) -> HttpResponse:
    """One campaign: tools with live state, budget, actions, live adjustment and audit trail."""
    _require(request, VIEW)
    now = timezone.now()
    try:
        page = campaign_page(campaign_id=campaign_id, now=now)
    except ApplicationError as exc:
        raise Http404 from exc
    bound: dict[str, forms.Form] = {}
    stacking: dict[str, Any] | None = None
    if request.method == "POST":
        op = request.POST.get("op", "")
        try:
            changed = _run(request, page.campaign, op, bound)
        except CampaignStackingWarning as exc:
            # Nothing changed (the service rolled back); show the evidence and ask again.
            stacking = {
                "op": op,
                "tool": request.POST.get("tool-tool", ""),
                "warnings": exc.details["warnings"],
                "fields": _edit_fields(request) if op == "update" else [],
            }
            changed = False
        except ApplicationError as exc:
            messages.error(request, str(exc.message))
            changed = True
        if changed:
            return redirect(reverse("console:marketing_campaign", args=[campaign_id]))
        page = campaign_page(campaign_id=campaign_id, now=now)
    campaign = page.campaign
    flash_items = _flash_items(page.tools)
    failed_adjust = bound.get("adjust")
    tool_rows = [
        {
            "row": row,
            "form": failed_adjust
            if failed_adjust is not None and failed_adjust.prefix == f"adjust{row.tool_id}"
            else AdjustForm(
                prefix=f"adjust{row.tool_id}",
                item_choices=flash_items.get(row.view.object_id) if row.view.kind == CampaignToolKind.FLASH else None,
                initial={"ends_at": timezone.localtime(row.view.ends_at)} if row.view.ends_at else None,
            ),
            "is_flash": row.view.kind == CampaignToolKind.FLASH,
        }
        for row in page.tools
    ]
    local_start, local_end = timezone.localtime(campaign.starts_at), timezone.localtime(campaign.ends_at)
    audit_rows = [
        {
            "at": timezone.localtime(entry.created_at),
            "who": entry.actor.get_username() if entry.actor else _("系统"),
            "what": audit_label(entry.action),
            "note": _audit_note(entry.data),
        }
        for entry in page.audit
    ]
    budget = page.budget
    return render(
        request,
        "marketing/campaign_detail.html",
        _context(
            request,
            campaign.name,
            campaign=campaign,
            phase=page.phase,
            phase_label=page.phase_label,
            window=f"{local_start:%Y-%m-%d %H:%M} – {local_end:%Y-%m-%d %H:%M}",
            tool_rows=tool_rows,
            budget=budget,
            budget_amount_text=yuan(budget.amount) if budget.amount is not None else _("不限"),
            budget_spent_text=yuan(budget.spent_amount),
            budget_left_text=yuan(budget.amount - budget.spent_amount) if budget.amount is not None else _("不限"),
            audit_rows=audit_rows,
            overlaps=[
                {
                    "campaign": overlap.campaign,
                    "window": f"{timezone.localtime(overlap.starts_at):%m-%d %H:%M} – "
                    f"{timezone.localtime(overlap.ends_at):%m-%d %H:%M}",
                    "whole_shop": overlap.whole_shop,
                    "shared": overlap.shared_sku_count,
                }
                for overlap in page.overlaps
            ],
            edit_form=bound.get("edit") or CampaignForm(prefix="edit", initial=CampaignForm.initial_for(campaign)),
            tool_form=bound.get("tool") or ToolAddForm(prefix="tool"),
            page_form=bound.get("page") or PageLinkForm(prefix="page"),
            template_form=bound.get("template") or TemplateNameForm(prefix="template", initial={"name": campaign.name}),
            extend_form=bound.get("extend") or ExtendForm(prefix="extend", initial={"ends_at": local_end}),
            stacking=stacking,
            # A draft shows what publishing will ask the merchant to confirm (so a campaign made
            # from a template is warned about as soon as it exists).
            stacking_preview=[w.as_data() for w in campaign_stacking_warnings(campaign=campaign, now=now)]
            if stacking is None and campaign.status == CampaignStatus.DRAFT
            else [],
            is_open=campaign.status != CampaignStatus.ENDED,
            can_change=request.user.has_perm(CHANGE),
            can_publish=request.user.has_perm(PUBLISH),
            **anomaly_context(campaign=campaign, form=bound.get("anomaly")),
        ),
    )


def _audit_note(data: dict[str, Any]) -> str:
    """A short, readable line of what the audit row holds (never raw JSON)."""
    parts = []
    if data.get("reason") == "budget":
        parts.append(str(_("预算用完自动暂停")))
    if data.get("reason") == "anomaly":
        parts.append(str(_("参与异常自动暂停")))
    if data.get("resolution"):
        parts.append(str(_("已恢复活动")) if data["resolution"] == "resumed" else str(_("已结束活动")))
    if "tools" in data and isinstance(data["tools"], list):
        parts.append(str(_("涉及 %(n)d 个工具")) % {"n": len(data["tools"])})
    if data.get("kind"):
        parts.append(str(CampaignToolKind(data["kind"]).label) if data["kind"] in CampaignToolKind.values else "")
    if isinstance(data.get("ends_at"), list) and len(data["ends_at"]) == 2:
        end = timezone.localtime(datetime.fromisoformat(data["ends_at"][1]))
        parts.append(str(_("结束时间改为 %(end)s")) % {"end": f"{end:%m-%d %H:%M}"})
    if isinstance(data.get("page_id"), list) and len(data["page_id"]) == 2:
        parts.append(
            str(_("取消关联页面"))
            if data["page_id"][1] is None
            else str(_("页面 #%(id)d")) % {"id": data["page_id"][1]}
        )
    if data.get("stacking_confirmed"):
        parts.append(str(_("已确认 %(n)d 条叠加提醒")) % {"n": len(data["stacking_confirmed"])})
    if data.get("template"):
        parts.append(str(_("模板“%(name)s”")) % {"name": data["template"]})
    if data.get("page_unpublished"):
        parts.append(str(_("页面已下线")))
    if data.get("told"):
        parts.append(str(_("通知 %(n)d 位顾客")) % {"n": data["told"]})
    if data.get("units"):
        parts.append(str(_("追加 %(n)d")) % {"n": data["units"]})
    if data.get("budget_amount") is not None and "name" in data:
        parts.append(str(_("优惠预算 %(amount)s")) % {"amount": yuan(data["budget_amount"])})
    return "，".join(part for part in parts if part)
