"""The 试算 (price check) page: pick SKUs and quantities, a tier, coupons and points, see the
engine's full breakdown. Staff only; it reads and writes nothing but the page."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.contrib.admin.views.decorators import staff_member_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from unfold.widgets import (
    UnfoldAdminCheckboxSelectMultipleWidget,
    UnfoldAdminIntegerFieldWidget,
    UnfoldAdminSelectWidget,
    UnfoldAdminSplitDateTimeWidget,
    UnfoldAdminTextInputWidget,
    UnfoldBooleanSwitchWidget,
)

from mall.console.pickers import SkuChoiceField
from mall.errors import ApplicationError
from mall.models import Sku
from marketing.models import CouponTemplate
from marketing.pricing.types import PointsRequest
from marketing.selectors.price_check import PriceCheck, price_check_quote
from members.models import Member

LINE_ROWS = 6
PERMISSION = "marketing.view_promotion"


class PriceCheckForm(forms.Form):
    tier = forms.ChoiceField(label=_("会员等级"), choices=Member.Tier.choices, widget=UnfoldAdminSelectWidget)
    is_new = forms.BooleanField(label=_("新用户"), required=False, widget=UnfoldBooleanSwitchWidget)
    points_balance = forms.IntegerField(
        label=_("积分余额"), min_value=0, max_value=100_000_000, initial=0, widget=UnfoldAdminIntegerFieldWidget
    )
    points = forms.CharField(
        label=_("使用积分"),
        initial="0",
        help_text=_("填数字，或 max 表示尽量多用"),
        widget=UnfoldAdminTextInputWidget,
    )
    templates = forms.ModelMultipleChoiceField(
        label=_("钱包里的优惠券"),
        queryset=CouponTemplate.objects.order_by("-pk"),
        required=False,
        widget=UnfoldAdminCheckboxSelectMultipleWidget,
    )
    auto_coupons = forms.BooleanField(
        label=_("由系统选择最省的用券组合"), required=False, initial=True, widget=UnfoldBooleanSwitchWidget
    )
    include_inactive = forms.BooleanField(label=_("包含未启用的活动"), required=False, widget=UnfoldBooleanSwitchWidget)
    at = forms.SplitDateTimeField(label=_("试算时间"), widget=UnfoldAdminSplitDateTimeWidget)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        skus = Sku.objects.filter(is_active=True).select_related("product").order_by("product_id", "pk")
        for i in range(LINE_ROWS):
            self.fields[f"sku_{i}"] = SkuChoiceField(
                label=_("商品 %(n)d") % {"n": i + 1}, queryset=skus, required=False
            )
            self.fields[f"qty_{i}"] = forms.IntegerField(
                label=_("数量"), min_value=1, max_value=999, required=False, widget=UnfoldAdminIntegerFieldWidget
            )

    def line_fields(self) -> list[tuple[forms.BoundField, forms.BoundField]]:
        return [(self[f"sku_{i}"], self[f"qty_{i}"]) for i in range(LINE_ROWS)]

    def clean_points(self) -> PointsRequest:
        raw = (self.cleaned_data.get("points") or "0").strip().lower()
        if raw == "max":
            return "max"
        if not raw.isdigit():
            raise forms.ValidationError(_("请填写积分数量，或 max。"))
        return int(raw)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        lines: dict[int, tuple[Sku, int]] = {}
        for i in range(LINE_ROWS):
            sku, qty = data.get(f"sku_{i}"), data.get(f"qty_{i}")
            if sku is None:
                continue
            qty = qty or 1
            if sku.pk in lines:
                qty += lines[sku.pk][1]
            lines[sku.pk] = (sku, qty)
        if not lines:
            raise forms.ValidationError(_("请至少选择一件商品。"))
        data["lines"] = list(lines.values())
        return data


def _context(request: HttpRequest, **extra: Any) -> dict[str, Any]:
    return {**admin.site.each_context(request), "title": _("价格试算"), **extra}


@staff_member_required
def price_check_view(request: HttpRequest) -> HttpResponse:
    """GET shows the form; POST prices the cart and shows the breakdown below it."""
    if not request.user.has_perm(PERMISSION):
        raise PermissionDenied
    result: PriceCheck | None = None
    error = ""
    if request.method == "POST":
        form = PriceCheckForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                result = price_check_quote(
                    lines=data["lines"],
                    tier=data["tier"],
                    is_new=bool(data.get("is_new")),
                    points_balance=data["points_balance"],
                    points=data["points"],
                    templates=list(data.get("templates") or []),
                    auto_coupons=bool(data.get("auto_coupons")),
                    at=data["at"],
                    include_inactive=bool(data.get("include_inactive")),
                )
            except ApplicationError as exc:
                error = str(exc.message)  # the message names what is wrong; codes are for the API
    else:
        form = PriceCheckForm(initial={"tier": Member.Tier.NORMAL, "at": timezone.localtime(), "auto_coupons": True})
    return render(
        request,
        "marketing/price_check.html",
        _context(request, form=form, result=result, breakdown=result.breakdown if result else None, error=error),
    )
