"""效果模拟 (B01): try a promotion, new or an edit of a live one, on the last N days of orders.

The form is the promotion form of the chosen type (same fields, same validation) plus the
number of days; the replay runs in a Celery task and the run page polls its progress, then
shows orders, affected orders, GMV, discount, margin, average basket and the savings chart,
money in yuan, with the assumption stated. Staff who may view promotions may run it; nothing
in the shop changes.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from unfold.widgets import UnfoldAdminIntegerFieldWidget, UnfoldAdminSelectMultipleWidget, UnfoldAdminTextInputWidget

from mall.console.display import yuan
from mall.console.pickers import SkuMultipleChoiceField
from mall.errors import ApplicationError
from marketing.admin import TYPE_FIELDS, PromotionAdminForm
from marketing.models import SCOPED_TYPES, Promotion, PromotionType, WhatIfRun, WhatIfStatus
from marketing.models.promotions import promotion_type_label
from marketing.selectors.whatif import saving_band_labels
from marketing.services.whatif import whatif_run_start

PERMISSION = "marketing.view_promotion"
ASSUMPTION = gettext_lazy(
    "假设：同样的订单、同样的购物车，顾客行为不因活动改变。按今天的售价和会员等级重新计算，"
    "不含优惠券、积分、秒杀/拼团/砍价价；活动时间和每人限购不限制回放。"
)


class WhatIfForm(PromotionAdminForm):
    """The promotion form of one type, plus how many days of orders to replay."""

    days = forms.IntegerField(
        label=gettext_lazy("回放最近天数"),
        min_value=1,
        max_value=366,
        initial=30,
        widget=UnfoldAdminIntegerFieldWidget,
    )

    class Meta(PromotionAdminForm.Meta):
        fields = ("name", "starts_at", "ends_at", "categories", "skus", "exclude_skus")  # type: ignore[assignment]
        widgets = {"name": UnfoldAdminTextInputWidget, "categories": UnfoldAdminSelectMultipleWidget}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("skus", "exclude_skus"):  # searchable, labelled by name and price (as in the admin)
            if name in self.fields:
                old = self.fields[name]
                self.fields[name] = SkuMultipleChoiceField(label=old.label, required=False, help_text=old.help_text)
        for name in ("starts_at", "ends_at"):
            self.fields[name].widget = forms.HiddenInput()  # the window is not replayed
        self.order_fields(["name", "days", *TYPE_FIELDS.get(self.promotion_type, {})])

    def cleaned_days(self) -> int:
        return int(self.cleaned_data["days"])


def _form_class(kind: str) -> type[WhatIfForm]:
    return type("WhatIfTypeForm", (WhatIfForm,), {"promotion_type": kind})


def _context(request: HttpRequest, **extra: Any) -> dict[str, Any]:
    return {**admin.site.each_context(request), "title": _("效果模拟"), "assumption": ASSUMPTION, **extra}


def _check(request: HttpRequest) -> None:
    if not request.user.has_perm(PERMISSION):
        raise PermissionDenied


def whatif_view(request: HttpRequest) -> HttpResponse:
    """No choice yet: live promotions to edit, types to start from and the recent runs.
    ``?promotion=ID`` edits a live one, ``?type=…`` defines a new one; POST starts the run."""
    _check(request)
    promotion = None
    if request.GET.get("promotion", "").isdigit():
        promotion = Promotion.objects.filter(pk=int(request.GET["promotion"])).first()
    kind = promotion.type if promotion is not None else request.GET.get("type", "")
    if kind not in PromotionType.values:
        return _chooser(request)
    form_class = _form_class(kind)
    now = timezone.now()
    initial = {"days": 30, "starts_at": now, "ends_at": now + timedelta(days=7)}
    if promotion is None:
        initial["name"] = _("新%(type)s") % {"type": promotion_type_label(kind)}
    if request.method == "POST":
        form = form_class(request.POST, instance=promotion or Promotion(type=kind), initial=initial)
        if form.is_valid():
            try:
                run = whatif_run_start(
                    actor=request.user,
                    data=form.promotion_data(),
                    replaces=promotion.pk if promotion is not None else None,
                    days=form.cleaned_days(),
                )
            except ApplicationError as exc:
                messages.error(request, str(exc.message))
            else:
                return redirect(reverse("console:marketing_whatif_run", args=[run.pk]))
    else:
        form = form_class(instance=promotion or Promotion(type=kind), initial=initial)
    return render(
        request,
        "marketing/whatif_form.html",
        _context(
            request,
            form=form,
            promotion=promotion,
            type_label=promotion_type_label(kind),
            scoped=kind in SCOPED_TYPES,
        ),
    )


def _chooser(request: HttpRequest) -> HttpResponse:
    now = timezone.now()
    live = Promotion.objects.filter(is_active=True, ends_at__gt=now).exclude(type="flash_sale").order_by("-pk")[:30]
    runs = WhatIfRun.objects.select_related("promotion", "created_by").order_by("-pk")[:20]
    return render(
        request,
        "marketing/whatif_choose.html",
        _context(
            request,
            live=[(p, promotion_type_label(p.type)) for p in live],
            types=PromotionType.choices,
            runs=[(run, _run_headline(run)) for run in runs],
        ),
    )


def _run_headline(run: WhatIfRun) -> str:
    figures = run.result or {}
    if run.status != WhatIfStatus.DONE or not figures:
        return str(run.get_status_display())
    extra = figures["discount_after"] - figures["discount_before"]
    return _("影响 %(affected)s / %(orders)s 单，优惠成本变化 %(extra)s") % {
        "affected": figures["affected"],
        "orders": figures["orders"],
        "extra": _signed(extra),
    }


def _percent(done: int, total: int) -> int:
    return 100 if total <= 0 else min(100, done * 100 // total)


def _signed(fen: int) -> str:
    """A change in yuan with its sign: +¥20.00, -¥4.20, ¥0.00."""
    return f"+{yuan(fen)}" if fen > 0 else yuan(fen)


def _rows(figures: dict[str, Any]) -> list[dict[str, str]]:
    """Before / after / difference for each money figure, in yuan."""
    rows = []
    for key, label in (
        ("gmv", _("成交额 (GMV)")),
        ("discount", _("优惠成本")),
        ("gifts", _("赠品（按售价）")),
        ("margin", _("毛利")),
        ("average", _("客单价")),
    ):
        before, after = figures[f"{key}_before"], figures[f"{key}_after"]
        rows.append({"label": label, "before": yuan(before), "after": yuan(after), "change": _signed(after - before)})
    return rows


def _bars(figures: dict[str, Any]) -> list[dict[str, Any]]:
    counts = list(figures.get("savings") or [])
    top = max(counts, default=0) or 1
    labels = saving_band_labels()
    return [
        {"label": label, "count": count, "width": max(1, count * 100 // top) if count else 0}
        for label, count in zip(labels, counts, strict=False)
    ]


def whatif_run_view(request: HttpRequest, run_id: int) -> HttpResponse:
    _check(request)
    run = WhatIfRun.objects.select_related("promotion", "created_by").filter(pk=run_id).first()
    if run is None:
        messages.error(request, _("模拟记录不存在。"))
        return redirect(reverse("console:marketing_whatif"))
    figures = run.result if run.status == WhatIfStatus.DONE else {}
    context = _context(
        request,
        run=run,
        type_label=promotion_type_label(run.draft.get("type", "")),
        percent=_percent(run.done, run.total),
        figures=figures,
        rows=_rows(figures) if figures else [],
        bars=_bars(figures) if figures else [],
        affected_share=(figures["affected"] * 100 // figures["orders"]) if figures and figures["orders"] else 0,
        status_url=reverse("console:marketing_whatif_status", args=[run.pk]),
        again_url=(
            f"{reverse('console:marketing_whatif')}?promotion={run.promotion_id}"
            if run.promotion_id
            else f"{reverse('console:marketing_whatif')}?type={run.draft.get('type', '')}"
        ),
    )
    return render(request, "marketing/whatif_run.html", context)


def whatif_run_status(request: HttpRequest, run_id: int) -> JsonResponse:
    """The run page polls this while the task works: status and progress only."""
    _check(request)
    row = WhatIfRun.objects.filter(pk=run_id).values("status", "done", "total").first()
    if row is None:
        return JsonResponse({"code": "whatif_run_not_found", "message": _("模拟记录不存在。")}, status=404)
    return JsonResponse(
        {
            "status": row["status"],
            "status_label": str(WhatIfStatus(row["status"]).label),
            "done": row["done"],
            "total": row["total"],
            "percent": _percent(row["done"], row["total"]),
        }
    )
