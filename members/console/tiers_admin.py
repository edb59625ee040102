"""Console pages for tiers that move and the points mall (F14–F16): each tier's thresholds and
perks, the points mall's items with stock, the expiry rule, and (read-only) the growth ledger
and the monthly evaluations. Money is typed and shown in yuan; every save goes through a
service that writes the audit row."""

from __future__ import annotations

from typing import Any

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from unfold.admin import ModelAdmin
from unfold.decorators import display
from unfold.widgets import UnfoldAdminTextInputWidget

from mall.console.display import yuan
from mall.console.service_admin import ServiceRefusalMixin, ServiceValidatedForm
from mall.money import MoneyFormatError, format_yuan, parse_yuan
from members.models import GrowthEntry, PointsExpiryRule, PointsMallItem, TierEvaluation, TierRule
from members.services.points_mall import points_expiry_rule_update, points_mall_item_save
from members.services.tiers import RULE_FIELDS, tier_label, tier_rule_update


def _yuan_field(label: Any, help_text: Any = "") -> forms.CharField:
    return forms.CharField(
        label=label, help_text=help_text, widget=UnfoldAdminTextInputWidget(attrs={"inputmode": "decimal"})
    )


def _fen(form: forms.BaseForm, name: str) -> int:
    try:
        fen = parse_yuan(form.cleaned_data.get(name) or "0")
    except MoneyFormatError as exc:
        raise forms.ValidationError(_("请输入金额（元），如 500 或 500.00。")) from exc
    if fen < 0:
        raise forms.ValidationError(_("金额不能为负。"))
    return fen


class TierRuleForm(ServiceValidatedForm):
    min_spend = _yuan_field(_("12 个月消费门槛（元）"), _("0 表示不按消费"))
    green_auto_approve_max = _yuan_field(
        _("售后自动同意上限（元）"), _("绿色通道内不超过此金额的售后申请自动同意；0 表示只优先处理")
    )

    class Meta:
        model = TierRule
        fields = RULE_FIELDS

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial["min_spend"] = format_yuan(self.instance.min_spend)
            self.initial["green_auto_approve_max"] = format_yuan(self.instance.green_auto_approve_max)

    def clean_min_spend(self) -> int:
        return _fen(self, "min_spend")

    def clean_green_auto_approve_max(self) -> int:
        return _fen(self, "green_auto_approve_max")


class TierRuleAdmin(ServiceRefusalMixin, ModelAdmin):
    """Thresholds (rolling 12 months: spend or completed orders) and perks per tier; saved through the service."""

    form = TierRuleForm
    list_display = (
        "tier_display",
        "min_spend_display",
        "min_orders",
        "free_shipping_per_month",
        "priority_display",
        "green_display",
        "exclusive_service",
        "points_price",
        "updated_at",
    )
    fieldsets = (
        (_("升级门槛（近 12 个月，满足其一即可）"), {"fields": ("min_spend", "min_orders")}),
        (
            _("等级权益"),
            {
                "fields": (
                    "free_shipping_per_month",
                    ("priority_shipping", "ship_within_hours"),
                    ("after_sales_green", "green_auto_approve_max"),
                    "exclusive_service",
                    "points_price",
                ),
                "description": _(
                    "会员折扣在“会员折扣”页设置。降级只在每月评估时进行：先给一个保级月，仍未达标才降一级。"
                ),
            },
        ),
    )

    @display(description=_("会员等级"), ordering="id")
    def tier_display(self, obj: TierRule) -> str:
        return tier_label(obj.tier)

    @display(description=_("消费门槛"), ordering="min_spend")
    def min_spend_display(self, obj: TierRule) -> str:
        return yuan(obj.min_spend) if obj.min_spend else "—"

    @display(description=_("优先发货"))
    def priority_display(self, obj: TierRule) -> str:
        return str(_("%(h)s 小时内") % {"h": obj.ship_within_hours}) if obj.priority_shipping else "—"

    @display(description=_("售后绿色通道"))
    def green_display(self, obj: TierRule) -> str:
        if not obj.after_sales_green:
            return "—"
        if not obj.green_auto_approve_max:
            return str(_("优先处理"))
        return str(_("%(yuan)s 内自动同意") % {"yuan": yuan(obj.green_auto_approve_max)})

    def get_queryset(self, request: HttpRequest) -> Any:
        from members.services.tiers import tier_rules

        tier_rules()  # the four rows exist from the first visit
        return super().get_queryset(request)

    def save_model(self, request: HttpRequest, obj: TierRule, form: Any, change: bool) -> None:
        values = {field: form.cleaned_data[field] for field in RULE_FIELDS}
        tier_rule_update(tier=obj.tier, actor=request.user, **values)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class PointsMallItemForm(ServiceValidatedForm):
    class Meta:
        model = PointsMallItem
        fields = (
            "name",
            "kind",
            "coupon_template",
            "sku",
            "points",
            "cash",
            "stock",
            "per_member_limit",
            "is_active",
            "sort",
        )

    cash = forms.CharField(
        label=_("另需现金（元）"),
        required=False,
        help_text=_("积分 + 现金兑换商品时的现金部分；0 表示纯积分"),
        widget=UnfoldAdminTextInputWidget(attrs={"inputmode": "decimal"}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.initial["cash"] = format_yuan(self.instance.cash or 0)

    def clean_cash(self) -> int:
        return _fen(self, "cash")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        kind = data.get("kind")
        if kind == PointsMallItem.Kind.COUPON and not data.get("coupon_template"):
            self.add_error("coupon_template", _("优惠券类需选择兑换的优惠券。"))
        if kind == PointsMallItem.Kind.GOODS and not data.get("sku"):
            self.add_error("sku", _("商品类需选择兑换的商品 SKU。"))
        return data


class PointsMallItemAdmin(ServiceRefusalMixin, ModelAdmin):
    form = PointsMallItemForm
    list_display = (
        "name",
        "kind",
        "points",
        "cash_display",
        "stock",
        "redeemed_count",
        "stock_left_display",
        "is_active",
    )
    list_filter = ("is_active", "kind")
    search_fields = ("name",)
    raw_id_fields = ("sku",)

    @display(description=_("另需现金"), ordering="cash")
    def cash_display(self, obj: PointsMallItem) -> str:
        return yuan(obj.cash) if obj.cash else "—"

    @display(description=_("剩余库存"))
    def stock_left_display(self, obj: PointsMallItem) -> int:
        return obj.stock_left

    def save_model(self, request: HttpRequest, obj: PointsMallItem, form: Any, change: bool) -> None:
        points_mall_item_save(item=obj, actor=request.user)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # take an item off the shelf instead: its redemptions keep their history


class PointsExpiryRuleForm(ServiceValidatedForm):
    class Meta:
        model = PointsExpiryRule
        fields = ("enabled", "keep_years", "remind_days")


class PointsExpiryRuleAdmin(ServiceRefusalMixin, ModelAdmin):
    form = PointsExpiryRuleForm
    fields = ("enabled", "keep_years", "remind_days", "updated_at")
    readonly_fields = ("updated_at",)

    def changelist_view(self, request: HttpRequest, extra_context: Any = None) -> HttpResponse:
        """One row: the list goes straight to it."""
        row = PointsExpiryRule.load()
        return redirect(reverse("admin:members_pointsexpiryrule_change", args=[row.pk]))

    def save_model(self, request: HttpRequest, obj: PointsExpiryRule, form: Any, change: bool) -> None:
        data = form.cleaned_data
        points_expiry_rule_update(
            actor=request.user, enabled=data["enabled"], keep_years=data["keep_years"], remind_days=data["remind_days"]
        )

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ReadOnlyAdmin(ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class GrowthEntryAdmin(ReadOnlyAdmin):
    list_display = ("member", "source", "source_id", "amount_display", "orders", "occurred_at", "created_at")
    fields = list_display  # the detail page shows yuan too, never the stored fen
    readonly_fields = list_display
    list_filter = ("source",)
    search_fields = ("=source_id", "member__nickname", "member__phone")
    list_select_related = ("member",)

    @display(description=_("消费变动"), ordering="amount")
    def amount_display(self, obj: GrowthEntry) -> str:
        return yuan(obj.amount)


class TierEvaluationAdmin(ReadOnlyAdmin):
    list_display = ("member", "month", "before_display", "after_display", "outcome", "spend_display", "orders")
    fields = list_display
    readonly_fields = list_display
    list_filter = ("month", "outcome")
    search_fields = ("member__nickname", "member__phone")
    list_select_related = ("member",)

    @display(description=_("评估前等级"))
    def before_display(self, obj: TierEvaluation) -> str:
        return tier_label(obj.tier_before)

    @display(description=_("评估后等级"))
    def after_display(self, obj: TierEvaluation) -> str:
        return tier_label(obj.tier_after)

    @display(description=_("12 个月消费"), ordering="spend")
    def spend_display(self, obj: TierEvaluation) -> str:
        return yuan(obj.spend)


def register(site: Any) -> None:
    site.register(TierRule, TierRuleAdmin)
    site.register(PointsMallItem, PointsMallItemAdmin)
    site.register(PointsExpiryRule, PointsExpiryRuleAdmin)
    site.register(GrowthEntry, GrowthEntryAdmin)
    site.register(TierEvaluation, TierEvaluationAdmin)
