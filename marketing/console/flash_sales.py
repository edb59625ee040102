"""The flash-sale console (F02, F12, F30): the slot calendar and one slot's (or release's) page.

* ``/console/marketing/flash/`` — days × daily slot times; each slot with its items' quota and
  live sold / locked / remaining as a bar, its state, and a link to its page; a form makes the
  week's draft slots from the daily plan.
* ``/console/marketing/flash/new/`` — a single slot or a limited release (``?kind=release``).
* ``/console/marketing/flash/<id>/`` — the slot's page: window and items while a draft
  (validated by the services, errors per field in Chinese), then publish; while running:
  pause / resume, extend, end now, add stock per item (reservers are told).

Every change goes through ``marketing.services.flash_sales`` with the signed-in staff member as
the audited actor; viewing needs ``view_flashslot``, editing drafts ``change_flashslot``,
publishing and running changes ``publish_flashslot`` (the operator role has all three).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
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
    UnfoldAdminSingleDateWidget,
    UnfoldAdminSplitDateTimeWidget,
    UnfoldAdminTextInputWidget,
    UnfoldBooleanSwitchWidget,
)

from analytics.console.suggestion_drafts import draft_saved
from analytics.models import Tool
from mall.console.pickers import SkuChoiceField, sku_choices_queryset
from mall.errors import ApplicationError
from mall.money import MoneyFormatError, format_yuan, parse_yuan
from marketing.console.audience_fields import AudienceForm
from marketing.errors import FlashInvalid
from marketing.models import FlashItem, FlashSettings, FlashSlot, FlashSlotKind, FlashSlotStatus
from marketing.selectors.flash_sales import (
    flash_calendar,
    flash_slot_get,
    item_state,
    sold_percent,
    state_label,
)
from marketing.services.flash_gate import gate_peek
from marketing.services.flash_sales import (
    FlashItemData,
    FlashSlotData,
    flash_item_add,
    flash_item_add_quota,
    flash_item_remove,
    flash_item_update,
    flash_slot_create,
    flash_slot_delete,
    flash_slot_extend,
    flash_slot_finish,
    flash_slot_pause,
    flash_slot_publish,
    flash_slot_resume,
    flash_slot_update,
    flash_slots_generate,
)
from members.services.audience import audience_set, audience_text

VIEW = "marketing.view_flashslot"
CHANGE = "marketing.change_flashslot"
ADD = "marketing.add_flashslot"
PUBLISH = "marketing.publish_flashslot"
CALENDAR_DAYS = 7


def _require(request: HttpRequest, perm: str) -> None:
    if not request.user.has_perm(perm):
        raise PermissionDenied


def _context(request: HttpRequest, title: Any, **extra: Any) -> dict[str, Any]:
    return {**admin.site.each_context(request), "title": title, **extra}


def _add_errors(form: forms.BaseForm, exc: FlashInvalid, aliases: dict[str, str] | None = None) -> None:
    errors = exc.details.get("errors") or {exc.details.get("field", ""): str(exc.message)}
    for key, message in errors.items():
        name = (aliases or {}).get(key, key)
        form.add_error(name if name in form.fields else None, message)


# --- forms ---------------------------------------------------------------------------------


class GenerateForm(forms.Form):
    first_day = forms.DateField(label=_("从哪天开始"), widget=UnfoldAdminSingleDateWidget)
    days = forms.IntegerField(
        label=_("天数"), min_value=1, max_value=31, initial=7, widget=UnfoldAdminIntegerFieldWidget
    )


class SlotForm(forms.Form):
    title = forms.CharField(
        label=_("标题"),
        max_length=60,
        required=False,
        help_text=_("留空显示开始时间，如 10:00 场"),
        widget=UnfoldAdminTextInputWidget,
    )
    starts_at = forms.SplitDateTimeField(label=_("开始时间"), widget=UnfoldAdminSplitDateTimeWidget)
    ends_at = forms.SplitDateTimeField(label=_("结束时间"), widget=UnfoldAdminSplitDateTimeWidget)

    def data_for(self, kind: str) -> FlashSlotData:
        data = self.cleaned_data
        return FlashSlotData(starts_at=data["starts_at"], ends_at=data["ends_at"], title=data["title"], kind=kind)


class ItemForm(forms.Form):
    sku = SkuChoiceField(label=_("SKU"), queryset=sku_choices_queryset(on_shelf_only=True), show_stock=True)
    flash_price = forms.CharField(
        label=_("秒杀价(元)"), widget=UnfoldAdminTextInputWidget(attrs={"inputmode": "decimal"})
    )
    quota = forms.IntegerField(
        label=_("秒杀库存"), min_value=1, help_text=_("发布时从商品库存中划出"), widget=UnfoldAdminIntegerFieldWidget
    )
    per_shopper_limit = forms.IntegerField(
        label=_("每人限购"), min_value=1, initial=1, widget=UnfoldAdminIntegerFieldWidget
    )
    per_order_limit = forms.IntegerField(
        label=_("每单限购"), min_value=1, initial=1, widget=UnfoldAdminIntegerFieldWidget
    )
    sort_order = forms.IntegerField(label=_("排序"), min_value=0, initial=0, widget=UnfoldAdminIntegerFieldWidget)
    free_shipping = forms.BooleanField(
        label=_("包邮"), required=False, help_text=_("勾选后以秒杀价购买时不收运费"), widget=UnfoldBooleanSwitchWidget
    )

    def clean_flash_price(self) -> int:
        try:
            return parse_yuan((self.cleaned_data.get("flash_price") or "").strip())
        except MoneyFormatError as exc:
            raise forms.ValidationError(_("金额应写成元，最多两位小数，如 9.90。")) from exc

    def item_data(self) -> FlashItemData:
        data = self.cleaned_data
        return FlashItemData(
            sku_id=data["sku"].pk,
            flash_price=data["flash_price"],
            quota=data["quota"],
            per_shopper_limit=data["per_shopper_limit"],
            per_order_limit=data["per_order_limit"],
            sort_order=data["sort_order"],
            free_shipping=bool(data.get("free_shipping")),
        )


class ExtendForm(forms.Form):
    ends_at = forms.SplitDateTimeField(label=_("新的结束时间"), widget=UnfoldAdminSplitDateTimeWidget)


class QuotaForm(forms.Form):
    units = forms.IntegerField(
        label=_("追加数量"), min_value=1, max_value=1_000_000, widget=UnfoldAdminIntegerFieldWidget
    )


# --- the calendar --------------------------------------------------------------------------


def _first_day(raw: str | None) -> date:
    today = timezone.localdate()
    if not raw:
        return today
    try:
        return date.fromisoformat(raw)
    except ValueError:
        return today


@staff_member_required
def flash_calendar_view(request: HttpRequest) -> HttpResponse:
    """Days × slot times with each slot's items, counts and state; POST makes draft slots."""
    _require(request, VIEW)
    first_day = _first_day(request.GET.get("start"))
    generate = GenerateForm(initial={"first_day": first_day, "days": CALENDAR_DAYS})
    if request.method == "POST":
        _require(request, ADD)
        generate = GenerateForm(request.POST)
        if generate.is_valid():
            try:
                created = flash_slots_generate(
                    actor=request.user, first_day=generate.cleaned_data["first_day"], days=generate.cleaned_data["days"]
                )
            except FlashInvalid as exc:
                _add_errors(generate, exc)
            else:
                messages.success(request, _("已生成 %(n)d 个草稿场次。") % {"n": len(created)})
                start = generate.cleaned_data["first_day"].isoformat()
                return redirect(f"{reverse('console:marketing_flash_calendar')}?start={start}")
    calendar = flash_calendar(first_day=first_day, days=CALENDAR_DAYS)
    plan = FlashSettings.load()
    return render(
        request,
        "marketing/flash_calendar.html",
        _context(
            request,
            _("秒杀日历"),
            calendar=calendar,
            generate=generate,
            plan=plan,
            previous=(first_day - timedelta(days=CALENDAR_DAYS)).isoformat(),
            following=(first_day + timedelta(days=CALENDAR_DAYS)).isoformat(),
            can_add=request.user.has_perm(ADD),
        ),
    )


# --- one slot ------------------------------------------------------------------------------


@staff_member_required
def flash_slot_new_view(request: HttpRequest) -> HttpResponse:
    """A single slot, or a limited release with ``?kind=release``."""
    _require(request, ADD)
    kind = FlashSlotKind.RELEASE if request.GET.get("kind") == FlashSlotKind.RELEASE else FlashSlotKind.SLOT
    now = timezone.localtime().replace(second=0, microsecond=0)
    initial: dict[str, Any] = {"starts_at": now + timedelta(hours=1), "ends_at": now + timedelta(hours=3)}
    # A suggestion's draft link (F39) pre-fills the start hour (tomorrow) and the title.
    hour = request.GET.get("hour", "")
    if hour.isdigit() and int(hour) < 24:
        starts = (now + timedelta(days=1)).replace(hour=int(hour), minute=0)
        initial.update(starts_at=starts, ends_at=starts + timedelta(hours=2))
    if request.GET.get("title"):
        initial["title"] = request.GET["title"][:60]
    form = SlotForm(initial=initial)
    if request.method == "POST":
        form = SlotForm(request.POST)
        if form.is_valid():
            try:
                slot = flash_slot_create(actor=request.user, data=form.data_for(kind))
            except FlashInvalid as exc:
                _add_errors(form, exc)
            else:
                tool = Tool.RELEASE if kind == FlashSlotKind.RELEASE else Tool.FLASH
                draft_saved(request, tool=tool, object_id=slot.pk, name=slot.title or str(slot))
                messages.success(request, _("已创建，请添加商品后发布。"))
                return redirect(reverse("console:marketing_flash_slot", args=[slot.pk]))
    title = _("新建限量发售") if kind == FlashSlotKind.RELEASE else _("新建秒杀场次")
    return render(request, "marketing/flash_slot_new.html", _context(request, title, form=form, kind=kind))


def _item_rows(slot: FlashSlot, now: datetime) -> list[dict[str, Any]]:
    items = list(slot.items.all())
    gates = gate_peek([i.pk for i in items]) if slot.status != FlashSlotStatus.ENDED else {}
    rows = []
    for item in items:
        state = item_state(
            status=slot.status,
            starts_at=slot.starts_at,
            ends_at=slot.ends_at,
            available=item.available,
            closed=item.closed,
            now=now,
        )
        rows.append(
            {
                "item": item,
                "state": state,
                "state_label": state_label(state, slot.kind),
                "flash_price": format_yuan(item.flash_price),
                "price": format_yuan(item.sku.price),
                "remaining": max(item.available, 0),
                "percent": sold_percent(quota=item.quota, locked=item.locked, sold=item.sold),
                "bar": _bar(item),
                "gate_remaining": gates.get(item.pk),
                "edit_form": ItemForm(
                    prefix=f"item{item.pk}",
                    initial={
                        "sku": item.sku,
                        "flash_price": format_yuan(item.flash_price),
                        "quota": item.quota,
                        "per_shopper_limit": item.per_shopper_limit,
                        "per_order_limit": item.per_order_limit,
                        "sort_order": item.sort_order,
                        "free_shipping": item.free_shipping,
                    },
                ),
                "quota_form": QuotaForm(prefix=f"quota{item.pk}"),
            }
        )
    return rows


def _bar(item: FlashItem) -> dict[str, float]:
    """Widths (%) of sold / locked / remaining in the item's bar."""
    total = max(item.quota, 1)
    return {
        "sold": round(item.sold * 100 / total, 1),
        "locked": round(item.locked * 100 / total, 1),
        "remaining": round(max(item.available, 0) * 100 / total, 1),
    }


def _run(request: HttpRequest, slot: FlashSlot, op: str, bound: dict[str, forms.Form]) -> bool:
    """Do what the POST asks; True when it changed something (then the page redirects)."""
    user = request.user
    item_id = int(request.POST.get("item_id") or 0)
    if op in ("update_slot", "update_audience", "add_item", "update_item", "remove_item", "delete"):
        _require(request, CHANGE)
    else:
        _require(request, PUBLISH)
    if op == "update_slot":
        slot_form = SlotForm(request.POST, prefix="slot")
        bound["slot"] = slot_form
        if not slot_form.is_valid():
            return False
        try:
            flash_slot_update(actor=user, slot_id=slot.pk, data=slot_form.data_for(slot.kind))
        except FlashInvalid as exc:
            _add_errors(slot_form, exc)
            return False
        messages.success(request, _("场次已保存。"))
        return True
    if op == "update_audience":
        audience_form = AudienceForm(request.POST, prefix="audience", audience=slot.audience)
        bound["audience"] = audience_form
        if not audience_form.is_valid():
            return False
        audience_set(actor=user, target=slot, audience=audience_form.audience())
        messages.success(request, _("可参与人群已保存。"))
        return True
    if op in ("add_item", "update_item"):
        item_form = ItemForm(request.POST, prefix=f"item{item_id}" if item_id else "new")
        bound["item"] = item_form
        if not item_form.is_valid():
            return False
        try:
            if op == "add_item":
                flash_item_add(actor=user, slot_id=slot.pk, data=item_form.item_data())
            else:
                flash_item_update(actor=user, item_id=item_id, data=item_form.item_data())
        except FlashInvalid as exc:
            _add_errors(item_form, exc, aliases={"slot": "sku"})
            return False
        messages.success(request, _("商品已保存。"))
        return True
    if op == "add_quota":
        quota_form = QuotaForm(request.POST, prefix=f"quota{item_id}")
        bound["quota"] = quota_form
        if not quota_form.is_valid():
            return False
        flash_item_add_quota(actor=user, item_id=item_id, units=quota_form.cleaned_data["units"])
        messages.success(request, _("已追加库存，预约的顾客将按预约先后收到通知。"))
        return True
    if op == "extend":
        extend_form = ExtendForm(request.POST, prefix="extend")
        bound["extend"] = extend_form
        if not extend_form.is_valid():
            return False
        try:
            flash_slot_extend(actor=user, slot_id=slot.pk, ends_at=extend_form.cleaned_data["ends_at"])
        except FlashInvalid as exc:
            _add_errors(extend_form, exc)
            return False
        messages.success(request, _("已延长。"))
        return True
    simple = {
        "remove_item": lambda: flash_item_remove(actor=user, item_id=item_id),
        "publish": lambda: flash_slot_publish(actor=user, slot_id=slot.pk),
        "pause": lambda: flash_slot_pause(actor=user, slot_id=slot.pk),
        "resume": lambda: flash_slot_resume(actor=user, slot_id=slot.pk),
        "finish": lambda: flash_slot_finish(actor=user, slot_id=slot.pk),
        "delete": lambda: flash_slot_delete(actor=user, slot_id=slot.pk),
    }
    if op not in simple:
        raise Http404
    simple[op]()
    done = {
        "remove_item": _("商品已移除。"),
        "publish": _("已发布：秒杀库存已从商品库存划出。"),
        "pause": _("已暂停。"),
        "resume": _("已恢复。"),
        "finish": _("已结束，剩余库存已退回商品库存。"),
        "delete": _("草稿已删除。"),
    }
    messages.success(request, done[op])
    return True


@staff_member_required
def flash_slot_view(request: HttpRequest, slot_id: int) -> HttpResponse:
    """One slot or release: its items and every action its state allows."""
    _require(request, VIEW)
    slot = flash_slot_get(slot_id=slot_id)
    bound: dict[str, forms.Form] = {}
    if request.method == "POST":
        op = request.POST.get("op", "")
        try:
            changed = _run(request, slot, op, bound)
        except ApplicationError as exc:
            messages.error(request, str(exc.message))
            changed = True
        if changed:
            if op == "delete" and not FlashSlot.objects.filter(pk=slot_id).exists():
                return redirect(reverse("console:marketing_flash_calendar"))
            return redirect(reverse("console:marketing_flash_slot", args=[slot_id]))
        slot = flash_slot_get(slot_id=slot_id)
    now = timezone.now()
    local_start, local_end = timezone.localtime(slot.starts_at), timezone.localtime(slot.ends_at)
    rows = _item_rows(slot, now)
    slot_state = item_state(
        status=slot.status, starts_at=slot.starts_at, ends_at=slot.ends_at, available=1, closed=False, now=now
    )
    return render(
        request,
        "marketing/flash_slot.html",
        _context(
            request,
            str(slot),
            slot=slot,
            rows=rows,
            is_draft=slot.status == FlashSlotStatus.DRAFT,
            is_running=slot.status in (FlashSlotStatus.PUBLISHED, FlashSlotStatus.PAUSED),
            slot_state_label=state_label(slot_state, slot.kind),
            window=f"{local_start:%Y-%m-%d %H:%M} – {local_end:%m-%d %H:%M}",
            slot_form=bound.get("slot")
            or SlotForm(prefix="slot", initial={"title": slot.title, "starts_at": local_start, "ends_at": local_end}),
            new_item_form=bound.get("item")
            if "item" in bound and not request.POST.get("item_id")
            else ItemForm(prefix="new"),
            item_error_form=bound.get("item") if request.POST.get("item_id") else None,
            extend_form=bound.get("extend")
            or ExtendForm(prefix="extend", initial={"ends_at": local_end + timedelta(minutes=30)}),
            quota_error=bound.get("quota"),
            audience_form=bound.get("audience") or AudienceForm(prefix="audience", audience=slot.audience),
            audience_label=audience_text(slot.audience),
            can_change=request.user.has_perm(CHANGE),
            can_publish=request.user.has_perm(PUBLISH),
            can_add_items=slot.status == FlashSlotStatus.DRAFT
            and len(rows) < (3 if slot.kind == FlashSlotKind.SLOT else 1),
        ),
    )
