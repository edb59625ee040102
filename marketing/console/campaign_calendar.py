"""活动日历 and the overlap detail (F28).

* ``/console/marketing/campaigns/calendar/`` — month or week grid of every campaign (bars
  coloured by state, tool icons, a line at now), filters by state, each bar opens its campaign.
* ``/console/marketing/campaigns/overlap/?c=1&c=2`` — two or more campaigns at once: the goods
  they share and a sample cart (built from the shared goods, editable) priced by the engine,
  showing in yuan which discounts stack, which are beaten and why, and the margin against cost.

Read-only pages; they need ``view_campaign``.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.contrib import admin
from django.contrib.admin.views.decorators import staff_member_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from unfold.widgets import UnfoldAdminIntegerFieldWidget

from mall.console.display import yuan
from mall.console.pickers import SkuChoiceField
from mall.models import Sku
from marketing.models import PHASE_LABELS
from marketing.selectors.campaign_calendar import PHASES, View, campaign_calendar
from marketing.selectors.campaign_stacking import StackingSample, stacking_sample

VIEW_PERMISSION = "marketing.view_campaign"
CART_ROWS = 4
MAX_COMPARED = 4
WEEKDAYS = (_("周一"), _("周二"), _("周三"), _("周四"), _("周五"), _("周六"), _("周日"))


def _require(request: HttpRequest) -> None:
    if not request.user.has_perm(VIEW_PERMISSION):
        raise PermissionDenied


def _anchor(raw: str | None) -> date:
    today = timezone.localdate()
    try:
        return date.fromisoformat(raw) if raw else today
    except ValueError:
        return today


@staff_member_required
def campaign_calendar_view(request: HttpRequest) -> HttpResponse:
    _require(request)
    view: View = "week" if request.GET.get("view") == "week" else "month"
    anchor = _anchor(request.GET.get("date"))
    phases = [p for p in request.GET.getlist("status") if p in PHASES]
    now = timezone.now()
    calendar = campaign_calendar(view=view, anchor=anchor, now=now, phases=phases)
    status_query = "".join(f"&status={p}" for p in phases)
    return render(
        request,
        "marketing/campaign_calendar.html",
        {
            **admin.site.each_context(request),
            "title": _("活动日历"),
            "calendar": calendar,
            "weekdays": WEEKDAYS,
            "phase_filters": [
                {
                    "key": key,
                    "label": PHASE_LABELS[key],
                    "count": calendar.by_phase[key],
                    "checked": key in phases,
                }
                for key in PHASES
            ],
            "status_query": status_query,
            "heading": (
                _("%(year)d 年 %(month)d 月") % {"year": anchor.year, "month": anchor.month}
                if view == "month"
                else _("%(first)s – %(last)s")
                % {"first": calendar.first_day.strftime("%m-%d"), "last": calendar.last_day.strftime("%m-%d")}
            ),
            "overlaps": [
                {
                    "first": pair.first,
                    "second": pair.second,
                    "window": f"{timezone.localtime(pair.starts_at):%m-%d %H:%M} – "
                    f"{timezone.localtime(pair.ends_at):%m-%d %H:%M}",
                }
                for pair in calendar.overlaps
            ],
        },
    )


class SampleCartForm(forms.Form):
    """The sample cart as the merchant edits it (GET, so the page can be shared as a link)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        skus = Sku.objects.filter(is_active=True).select_related("product").order_by("product_id", "pk")
        for i in range(CART_ROWS):
            self.fields[f"sku_{i}"] = SkuChoiceField(
                label=_("商品 %(n)d") % {"n": i + 1}, queryset=skus, required=False
            )
            self.fields[f"qty_{i}"] = forms.IntegerField(
                label=_("数量"), min_value=1, max_value=99, required=False, widget=UnfoldAdminIntegerFieldWidget
            )

    def rows(self) -> list[tuple[forms.BoundField, forms.BoundField]]:
        return [(self[f"sku_{i}"], self[f"qty_{i}"]) for i in range(CART_ROWS)]

    def cart(self) -> list[tuple[Sku, int]]:
        lines: dict[int, tuple[Sku, int]] = {}
        for i in range(CART_ROWS):
            sku, qty = self.cleaned_data.get(f"sku_{i}"), self.cleaned_data.get(f"qty_{i}") or 1
            if sku is not None:
                lines[sku.pk] = (sku, qty + (lines[sku.pk][1] if sku.pk in lines else 0))
        return list(lines.values())

    @classmethod
    def initial_for(cls, sample: StackingSample) -> dict[str, Any]:
        initial: dict[str, Any] = {}
        for i, (sku, qty) in enumerate(sample.cart[:CART_ROWS]):
            initial[f"sku_{i}"] = sku.pk
            initial[f"qty_{i}"] = qty
        return initial


def _ids(request: HttpRequest) -> list[int]:
    ids = []
    for raw in request.GET.getlist("c"):
        if raw.isdigit() and int(raw) not in ids:
            ids.append(int(raw))
    return ids[:MAX_COMPARED]


@staff_member_required
def campaign_overlap_view(request: HttpRequest) -> HttpResponse:
    _require(request)
    ids = _ids(request)
    if len(ids) < 2:
        raise Http404
    now = timezone.now()
    edited = any(key.startswith("sku_") and request.GET.get(key) for key in request.GET)
    form = SampleCartForm(request.GET) if edited else None
    cart = form.cart() if form is not None and form.is_valid() else None
    sample = stacking_sample(campaign_ids=ids, now=now, cart=cart or None)
    if len(sample.campaigns) < 2:
        raise Http404
    if form is None or not form.is_valid():
        form = form or SampleCartForm(initial=SampleCartForm.initial_for(sample))
    margin_text = "—" if sample.margin_percent is None else f"{sample.margin_percent}%"
    return render(
        request,
        "marketing/campaign_overlap.html",
        {
            **admin.site.each_context(request),
            "title": _("活动叠加"),
            "sample": sample,
            "form": form,
            "ids_query": "&".join(f"c={pk}" for pk in ids),
            "at": timezone.localtime(sample.at),
            "subtotal_text": yuan(sample.subtotal),
            "payable_text": yuan(sample.payable),
            "discount_text": yuan(sample.subtotal - sample.payable),
            "cost_text": "—" if sample.cost is None else yuan(sample.cost),
            "margin_text": margin_text,
            "lines": [
                {
                    "line": line,
                    "list_text": yuan(line.list_total),
                    "paid_text": yuan(line.paid),
                    "cost_text": "—" if line.cost is None else yuan(line.cost),
                }
                for line in sample.lines
            ],
            "outcomes": [
                {
                    "outcome": outcome,
                    "saved_text": yuan(outcome.saved),
                    "applied": [{"rule": rule, "amount_text": yuan(rule.amount)} for rule in outcome.applied],
                }
                for outcome in sample.outcomes
            ],
        },
    )
