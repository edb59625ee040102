"""The merchant console's marketing pages (django-unfold): promotions, coupons, tier rates, the
stacking policy, and a link to the 试算 page.

Admin classes hold no business rules: forms translate what the merchant types (yuan, "8折"
rates, one tier per line) into service inputs, the services validate by building the engine's
rule and refuse impossible ones with a Chinese message per field, and every save goes
through a service with the signed-in staff user as the audited actor.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from unfold.admin import ModelAdmin
from unfold.decorators import action, display
from unfold.widgets import UnfoldAdminTextareaWidget, UnfoldAdminTextInputWidget, UnfoldBooleanSwitchWidget

from analytics.console.suggestion_drafts import SuggestionDraftAdminMixin
from analytics.models import Tool
from mall.console.display import exceptional_column
from mall.console.pickers import SkuChoiceField, SkuMultipleChoiceField
from mall.console.service_admin import ServiceRefusalMixin, ServiceValidatedForm
from mall.money import MoneyFormatError, format_yuan, parse_yuan
from marketing.console import (  # noqa: F401 - registers 拼团, 砍价, 秒杀, 组队瓜分, invite, distribution, journey and page lists
    bargains_admin,
    campaigns_admin,
    flash_admin,
    group_buys_admin,
    growth_admin,
    journeys_admin,
    live,
    pages_admin,
    teams_admin,
    wheel_admin,
)
from marketing.console.campaign_admin import CampaignColumnsMixin
from marketing.console.coupon_sheets import CouponSheetsMixin, CouponTemplateSheetsMixin
from marketing.errors import RulesInvalid
from marketing.models import (
    DEFAULT_TIER_RATES,
    SCOPED_TYPES,
    Coupon,
    CouponTemplate,
    PricingPolicy,
    Promotion,
    PromotionType,
    TierRate,
)
from marketing.models.promotions import promotion_type_label
from marketing.selectors.coupons import template_summary
from marketing.selectors.promotion_text import promotion_rules_text, rule_sku_codes, sku_labels
from marketing.services.coupons import (
    CouponTemplateData,
    coupon_template_create,
    coupon_template_update,
    coupon_template_validate,
)
from marketing.services.policy import (
    PolicyData,
    pricing_policy_update,
    pricing_policy_validate,
    tier_rate_set,
    tier_rate_validate,
)
from marketing.services.promotions import (
    PromotionData,
    promotion_create,
    promotion_set_active,
    promotion_update,
    promotion_validate,
)
from members.models import Member, Segment, Tag
from members.services.audience import audience_set

PRICE_CHECK_URL = "console:marketing_price_check"
WHATIF_URL = "console:marketing_whatif"


def _add_rule_errors(form: forms.BaseForm, exc: RulesInvalid, aliases: dict[str, str] | None = None) -> None:
    """Each refusal next to its field (Chinese messages from the services)."""
    errors = exc.details.get("errors") or {exc.details.get("field", ""): str(exc.message)}
    for key, message in errors.items():
        name = (aliases or {}).get(key, key)
        form.add_error(name if name in form.fields else None, message)


class PriceCheckLinkMixin:
    """A "价格试算" button on the list page (unfold ``actions_list``)."""

    @action(description=_("价格试算"), icon="calculate", url_path="price-check")
    def price_check(self, request: HttpRequest) -> HttpResponse:
        return redirect(reverse(PRICE_CHECK_URL))


# --- promotions: one form per type ------------------------------------------------------

_PAIR = re.compile(r"^\s*满?\s*([0-9.]+)\s*[:：,，减\s]\s*([0-9.]+)\s*$")


def _yuan_field(label: Any, required: bool = True, help_text: Any = "") -> forms.CharField:
    return forms.CharField(
        label=label,
        required=required,
        help_text=help_text,
        widget=UnfoldAdminTextInputWidget(attrs={"inputmode": "decimal"}),
    )


def _sku_field(label: Any) -> forms.ModelChoiceField:
    # By name, spec and price with type-to-search (mall.console.pickers); the rules keep the code.
    return SkuChoiceField(label=label, to_field_name="code")


class SkuPickerMixin:
    """The SKU scope fields (适用 / 排除 SKU) as searchable selects labelled by name and price,
    instead of a two-box list of 158 bare codes."""

    sku_scope_fields = ("skus", "exclude_skus")

    def formfield_for_manytomany(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name in self.sku_scope_fields:
            return SkuMultipleChoiceField(
                label=db_field.verbose_name,
                required=not db_field.blank,
                help_text=_("输入商品名称或编码搜索"),
            )
        return super().formfield_for_manytomany(db_field, request, **kwargs)  # type: ignore[misc]


def _int_field(label: Any, minimum: int, initial: int | None = None) -> forms.IntegerField:
    return forms.IntegerField(label=label, min_value=minimum, initial=initial)


RATE_LABEL = _("折扣率")


def _rate_field(label: Any = RATE_LABEL) -> forms.CharField:
    return forms.CharField(
        label=label, help_text=_("0.8 表示 8 折"), widget=UnfoldAdminTextInputWidget(attrs={"inputmode": "decimal"})
    )


# Form fields of each type (names equal the keys of Promotion.rules).
TYPE_FIELDS: dict[str, dict[str, Any]] = {
    PromotionType.LIMITED_DISCOUNT: {"rate": _rate_field},
    PromotionType.STEPPED_PRICE: {
        "sku": lambda: _sku_field(_("SKU")),
        "steps": lambda: forms.CharField(
            label=_("阶梯"),
            help_text=_("每行一档：件数上限:折扣率，如 100:0.5 表示活动中售出的第 1–100 件 5 折；取消的订单不退回阶梯"),
            widget=UnfoldAdminTextareaWidget(attrs={"rows": 4}),
        ),
    },
    PromotionType.FULL_REDUCTION: {
        "tiers": lambda: forms.CharField(
            label=_("满减档位"),
            help_text=_("每行一档：门槛:减额（元），如 99:10，档位须逐档递增"),
            widget=UnfoldAdminTextareaWidget(attrs={"rows": 4}),
        ),
        "repeat": lambda: forms.BooleanField(
            label=_("每满（可累计）"), required=False, widget=UnfoldBooleanSwitchWidget
        ),
        "max_off": lambda: _yuan_field(_("最多减(元)"), required=False, help_text=_("仅“每满”时有用，留空不封顶")),
    },
    PromotionType.FULL_GIFT: {
        "threshold": lambda: _yuan_field(_("门槛(元)")),
        "gift_sku": lambda: _sku_field(_("赠品 SKU")),
        "gift_qty": lambda: _int_field(_("赠送数量"), 1, 1),
    },
    PromotionType.NTH_ITEM: {
        "n": lambda: _int_field(_("第 N 件"), 2, 2),
        "rate": lambda: _rate_field(_("第 N 件的折扣率")),
    },
    PromotionType.BUY_X_GET_Y: {
        "buy_sku": lambda: _sku_field(_("购买 SKU")),
        "buy_qty": lambda: _int_field(_("每买件数"), 1, 1),
        "gift_sku": lambda: _sku_field(_("赠品 SKU")),
        "gift_qty": lambda: _int_field(_("赠送数量"), 1, 1),
    },
}
MONEY_KEYS = {"price", "threshold", "max_off"}
SKU_KEYS = {"sku", "gift_sku", "buy_sku"}


def _pairs_from_text(text: str, first: str, second: str, field: str) -> list[dict[str, Any]]:
    rows = []
    for line in (text or "").splitlines():
        if not line.strip():
            continue
        match = _PAIR.match(line)
        if match is None:
            raise forms.ValidationError(_("第“%(line)s”行格式不对，应写成 99:10。") % {"line": line.strip()})
        a, b = match.groups()
        rows.append({first: int(a) if field == "steps" and a.isdigit() else a, second: b})
    return rows


def _pairs_to_text(rows: Any, first: str, second: str) -> str:
    return "\n".join(f"{row.get(first)}:{row.get(second)}" for row in rows or [] if isinstance(row, dict))


class PromotionAdminForm(ServiceValidatedForm):
    """The common fields; ``PromotionAdmin.get_form`` adds the fields of one type."""

    promotion_type: str = ""

    class Meta:
        model = Promotion
        fields = ("name", "starts_at", "ends_at", "per_user_limit", "is_active", "categories", "skus", "exclude_skus")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        kind = self.promotion_type
        for name, make in TYPE_FIELDS.get(kind, {}).items():
            self.fields[name] = make()
        if kind not in SCOPED_TYPES:
            for name in ("categories", "skus", "exclude_skus"):
                self.fields.pop(name, None)
        rules = self.instance.rules if self.instance.pk else {}
        for key, value in (rules or {}).items():
            if key == "tiers":
                self.initial[key] = _pairs_to_text(value, "threshold", "off")
            elif key == "steps":
                self.initial[key] = _pairs_to_text(value, "upto", "rate")
            elif key in self.fields:
                self.initial[key] = value

    def clean_tiers(self) -> list[dict[str, Any]]:
        return _pairs_from_text(self.cleaned_data.get("tiers") or "", "threshold", "off", "tiers")

    def clean_steps(self) -> list[dict[str, Any]]:
        return _pairs_from_text(self.cleaned_data.get("steps") or "", "upto", "rate", "steps")

    def rules(self) -> dict[str, Any]:
        data = self.cleaned_data
        rules: dict[str, Any] = {}
        for key in TYPE_FIELDS.get(self.promotion_type, {}):
            value = data.get(key)
            if key in SKU_KEYS:
                value = value.code if value is not None else None
            elif key in MONEY_KEYS:
                value = (value or "").strip()
                if not value:
                    continue
            elif key == "repeat":
                value = bool(value)
            elif key == "rate":
                value = (value or "").strip()
            rules[key] = value
        return rules

    def promotion_data(self) -> PromotionData:
        data = self.cleaned_data
        return PromotionData(
            type=self.promotion_type,
            name=data.get("name") or "",
            starts_at=data.get("starts_at"),  # type: ignore[arg-type]
            ends_at=data.get("ends_at"),  # type: ignore[arg-type]
            rules=self.rules(),
            category_ids=tuple(c.pk for c in data.get("categories") or []),
            sku_ids=tuple(s.pk for s in data.get("skus") or []),
            exclude_sku_ids=tuple(s.pk for s in data.get("exclude_skus") or []),
            per_user_limit=data.get("per_user_limit"),
            is_active=bool(data.get("is_active")),
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.errors:
            return data
        try:
            promotion_validate(data=self.promotion_data())
        except RulesInvalid as exc:
            _add_rule_errors(self, exc)
        return data


@admin.register(Promotion)
class PromotionAdmin(
    SuggestionDraftAdminMixin,
    SkuPickerMixin,
    CampaignColumnsMixin,
    ServiceRefusalMixin,
    PriceCheckLinkMixin,
    ModelAdmin,
):
    form = PromotionAdminForm
    list_display = ("name", "type_label", "window", "state", "rules_text", "inactive_flag")
    list_filter = ("type", "is_active")
    inactive_flag = exceptional_column("is_active", _("已停用"), when=False, variant="warning", description=_("启用"))
    search_fields = ("name",)
    filter_horizontal = ("categories",)
    actions = ("activate", "deactivate")
    actions_list = ["price_check", "whatif"]
    actions_row = ["whatif_row"]
    actions_detail = ["whatif_detail"]

    def suggestion_tool(self, obj: Promotion) -> str:
        return Tool.STEPPED if obj.type == PromotionType.STEPPED_PRICE else Tool.PROMOTION

    @action(description=_("效果模拟"), icon="science", url_path="whatif")
    def whatif(self, request: HttpRequest) -> HttpResponse:
        return redirect(reverse(WHATIF_URL))

    @action(description=_("模拟一下"), icon="science", url_path="whatif-row")
    def whatif_row(self, request: HttpRequest, object_id: str) -> HttpResponse:
        return redirect(f"{reverse(WHATIF_URL)}?promotion={int(object_id)}")

    @action(description=_("模拟一下"), icon="science", url_path="whatif-detail")
    def whatif_detail(self, request: HttpRequest, object_id: str) -> HttpResponse:
        return redirect(f"{reverse(WHATIF_URL)}?promotion={int(object_id)}")

    def _type(self, request: HttpRequest, obj: Promotion | None) -> str:
        if obj is not None and obj.pk:
            return obj.type
        wanted = request.GET.get("type", "")
        return wanted if wanted in PromotionType.values else ""

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any) -> Any:
        kind = self._type(request, obj)
        kwargs["fields"] = None
        base = super().get_form(request, obj, change=change, **kwargs)
        return type("PromotionTypeForm", (base,), {"promotion_type": kind})

    def get_fieldsets(self, request: HttpRequest, obj: Any = None) -> Any:
        kind = self._type(request, obj)
        fieldsets: list[tuple[Any, dict[str, Any]]] = [
            (
                promotion_type_label(kind) if kind else None,
                {"fields": ["name", "starts_at", "ends_at", "per_user_limit", "is_active"]},
            ),
            (_("规则"), {"fields": list(TYPE_FIELDS.get(kind, {}))}),
        ]
        if kind in SCOPED_TYPES:
            fieldsets.append(
                (
                    _("适用范围"),
                    {
                        "fields": ["categories", "skus", "exclude_skus"],
                        "description": _("不选分类和 SKU 表示全场；选了分类时包括其下级分类。"),
                    },
                )
            )
        return fieldsets

    def add_view(self, request: HttpRequest, form_url: str = "", extra_context: Any = None) -> HttpResponse:
        if not self._type(request, None):
            choices = [(value, label, f"?type={value}") for value, label in PromotionType.choices]
            context = {**self.admin_site.each_context(request), "title": _("选择促销类型"), "choices": choices}
            return render(request, "marketing/promotion_type_choice.html", context)
        return super().add_view(request, form_url, extra_context)

    def save_model(self, request: HttpRequest, obj: Promotion, form: Any, change: bool) -> None:
        data = form.promotion_data()
        if change:
            promotion_update(actor=request.user, promotion_id=obj.pk, data=data)
        else:
            obj.pk = promotion_create(actor=request.user, data=data).pk

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        """The service already set the scope."""

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # orders point at what they used; pause a promotion instead

    def get_queryset(self, request: HttpRequest) -> QuerySet[Promotion]:
        return super().get_queryset(request).select_related("step_counter")

    @display(description=_("类型"), ordering="type")
    def type_label(self, obj: Promotion) -> str:
        return promotion_type_label(obj.type)

    def get_changelist(self, request: HttpRequest, **kwargs: Any) -> Any:
        """The list's ChangeList names every SKU its rules mention with one query per page."""
        base = super().get_changelist(request, **kwargs)

        class PromotionChangeList(base):  # type: ignore[misc, valid-type]
            def get_results(self, request: HttpRequest) -> None:
                super().get_results(request)
                labels = sku_labels(code for p in self.result_list for code in rule_sku_codes(p.rules or {}))
                for promotion in self.result_list:
                    promotion.sku_labels = labels

        return PromotionChangeList

    @display(description=_("规则"))
    def rules_text(self, obj: Promotion) -> str:
        rules = obj.rules or {}
        labels = getattr(obj, "sku_labels", None)
        if labels is None:  # outside the list (a detail page): look the few SKUs up
            labels = sku_labels(rule_sku_codes(rules))
        counter = getattr(obj, "step_counter", None) if obj.type == PromotionType.STEPPED_PRICE else None
        sold = counter.sold if counter is not None else (0 if obj.type == PromotionType.STEPPED_PRICE else None)
        return promotion_rules_text(type=obj.type, rules=rules, skus=labels, sold=sold)

    @admin.action(description=_("启用所选活动"))
    def activate(self, request: HttpRequest, queryset: QuerySet[Promotion]) -> None:
        for pk in queryset.values_list("pk", flat=True):
            promotion_set_active(actor=request.user, promotion_id=pk, is_active=True)
        messages.success(request, _("已启用。"))

    @admin.action(description=_("暂停所选活动"))
    def deactivate(self, request: HttpRequest, queryset: QuerySet[Promotion]) -> None:
        for pk in queryset.values_list("pk", flat=True):
            promotion_set_active(actor=request.user, promotion_id=pk, is_active=False)
        messages.success(request, _("已暂停。"))


# --- coupon templates -------------------------------------------------------------------


class CouponTemplateAdminForm(ServiceValidatedForm):
    threshold = _yuan_field(_("使用门槛(元)"), required=False, help_text=_("0 或留空表示无门槛"))
    off = _yuan_field(_("减免金额(元)"), required=False)
    max_off = _yuan_field(_("最多减(元)"), required=False, help_text=_("折扣券可设，留空不封顶"))
    rate = forms.CharField(
        label=_("折扣率"),
        required=False,
        help_text=_("折扣券填写，0.9 表示 9 折"),
        widget=UnfoldAdminTextInputWidget(attrs={"inputmode": "decimal"}),
    )

    class Meta:
        model = CouponTemplate
        fields = (
            "name",
            "kind",
            "group",
            "channel",
            "threshold",
            "off",
            "rate",
            "max_off",
            "categories",
            "skus",
            "exclude_skus",
            "valid_from",
            "valid_until",
            "valid_days",
            "total_quantity",
            "per_user_limit",
            "new_user_only",
            "is_active",
        )

    # Who may claim or be given it (members.services.audience); all empty = every shopper.
    audience_segment = forms.ModelChoiceField(label=_("限人群"), queryset=Segment.objects.all(), required=False)
    audience_tag = forms.ModelChoiceField(label=_("限标签"), queryset=Tag.objects.all(), required=False)
    audience_tiers = forms.MultipleChoiceField(
        label=_("限会员等级"), choices=Member.Tier.choices, required=False, widget=forms.CheckboxSelectMultiple
    )

    def audience(self) -> dict[str, Any]:
        data = self.cleaned_data
        audience: dict[str, Any] = {}
        if data.get("audience_segment"):
            audience["segment"] = data["audience_segment"].pk
        if data.get("audience_tag"):
            audience["tag"] = data["audience_tag"].pk
        if data.get("audience_tiers"):
            audience["tiers"] = list(data["audience_tiers"])
        return audience

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        instance = self.instance
        audience = instance.audience or {}
        self.initial.setdefault("audience_segment", audience.get("segment"))
        self.initial.setdefault("audience_tag", audience.get("tag"))
        self.initial.setdefault("audience_tiers", audience.get("tiers") or [])
        if instance.pk:
            self.initial["threshold"] = format_yuan(instance.threshold)
            self.initial["off"] = format_yuan(instance.off)
            self.initial["max_off"] = "" if instance.max_off is None else format_yuan(instance.max_off)
            self.initial["rate"] = "" if instance.rate is None else str(instance.rate.normalize())

    def _money(self, name: str, *, optional: bool) -> int | None:
        raw = (self.cleaned_data.get(name) or "").strip()
        if not raw:
            return None if optional else 0
        try:
            return parse_yuan(raw)
        except MoneyFormatError as exc:
            raise forms.ValidationError(_("金额应写成元，最多两位小数，如 20.00。")) from exc

    def clean_threshold(self) -> int:
        return self._money("threshold", optional=False) or 0

    def clean_off(self) -> int:
        return self._money("off", optional=False) or 0

    def clean_max_off(self) -> int | None:
        return self._money("max_off", optional=True)

    def clean_rate(self) -> Decimal | None:
        raw = (self.cleaned_data.get("rate") or "").strip()
        if not raw:
            return None
        try:
            return Decimal(raw)
        except InvalidOperation as exc:
            raise forms.ValidationError(_("折扣率应写成小数，如 0.9。")) from exc

    def template_data(self) -> CouponTemplateData:
        data = self.cleaned_data
        return CouponTemplateData(
            name=data.get("name") or "",
            kind=data.get("kind") or "",
            group=data.get("group") or "shop",
            channel=data.get("channel") or "claim",
            threshold=data.get("threshold") or 0,
            off=data.get("off") or 0,
            rate=data.get("rate"),
            max_off=data.get("max_off"),
            category_ids=tuple(c.pk for c in data.get("categories") or []),
            sku_ids=tuple(s.pk for s in data.get("skus") or []),
            exclude_sku_ids=tuple(s.pk for s in data.get("exclude_skus") or []),
            valid_from=data.get("valid_from"),
            valid_until=data.get("valid_until"),
            valid_days=data.get("valid_days"),
            total_quantity=data.get("total_quantity"),
            per_user_limit=data.get("per_user_limit") or 1,
            new_user_only=bool(data.get("new_user_only")),
            is_active=bool(data.get("is_active")),
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.errors:
            return data
        try:
            coupon_template_validate(data=self.template_data(), issued_count=self.instance.issued_count or 0)
        except RulesInvalid as exc:
            _add_rule_errors(self, exc)
        return data


@admin.register(CouponTemplate)
class CouponTemplateAdmin(
    SuggestionDraftAdminMixin,
    CouponTemplateSheetsMixin,
    SkuPickerMixin,
    ServiceRefusalMixin,
    PriceCheckLinkMixin,
    ModelAdmin,
):
    form = CouponTemplateAdminForm
    draft_tool = Tool.COUPON
    list_display = ("name", "kind", "summary", "group", "channel", "issued", "per_user_limit", "inactive_flag")
    list_filter = ("kind", "group", "channel", "is_active")
    inactive_flag = exceptional_column("is_active", _("已停用"), when=False, variant="warning", description=_("启用"))
    search_fields = ("name",)
    filter_horizontal = ("categories",)
    readonly_fields = ("issued_count",)
    actions_list = ["price_check"]
    actions = ("export_templates_xlsx", "export_templates_csv")
    actions_detail = ["grant_sheet"]

    def get_urls(self) -> list[Any]:
        return self.grant_urls() + super().get_urls()

    fieldsets = (
        (None, {"fields": ("name", "kind", "group", "channel", "is_active")}),
        (_("优惠"), {"fields": ("threshold", "off", "rate", "max_off")}),
        (
            _("适用范围"),
            {
                "fields": ("categories", "skus", "exclude_skus"),
                "description": _("不选分类和 SKU 表示全场通用；选了分类时包括其下级分类。"),
            },
        ),
        (
            _("有效期"),
            {
                "fields": ("valid_from", "valid_until", "valid_days"),
                "description": _("二选一：固定时间段，或领取后 N 天内有效。"),
            },
        ),
        (_("发放"), {"fields": ("total_quantity", "issued_count", "per_user_limit", "new_user_only")}),
        (
            _("适用人群"),
            {
                "fields": ("audience_segment", "audience_tag", "audience_tiers"),
                "description": _("都不选表示所有会员；选了多项时须同时满足。"),
            },
        ),
    )

    @display(description=_("优惠"))
    def summary(self, obj: CouponTemplate) -> str:
        return template_summary(obj)

    @display(description=_("已发放/总量"))
    def issued(self, obj: CouponTemplate) -> str:
        total = "∞" if obj.total_quantity is None else str(obj.total_quantity)
        return f"{obj.issued_count}/{total}"

    def save_model(self, request: HttpRequest, obj: CouponTemplate, form: Any, change: bool) -> None:
        data = form.template_data()
        if change:
            coupon_template_update(actor=request.user, template_id=obj.pk, data=data)
        else:
            obj.pk = coupon_template_create(actor=request.user, data=data).pk
        if form.audience() != (obj.audience if change else {}):
            audience_set(actor=request.user, target=CouponTemplate.objects.get(pk=obj.pk), audience=form.audience())

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        """The service already set the scope."""

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # issued coupons point at it; switch it off instead


# --- issued coupons (read-only) ---------------------------------------------------------


@admin.register(Coupon)
class CouponAdmin(CouponSheetsMixin, ModelAdmin):
    list_display = ("pk", "template", "member", "status", "valid_from", "valid_until", "order", "used_at")
    actions = ("export_coupons_xlsx", "export_coupons_csv")
    list_filter = ("status", "template__kind", "template")
    search_fields = ("member__nickname", "member__openid", "order__no")
    list_select_related = ("template", "member", "order")
    readonly_fields = ("template", "member", "seq", "status", "valid_from", "valid_until", "order", "used_at")
    fields = readonly_fields

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


# --- tier rates and the stacking policy -------------------------------------------------


class TierRateAdminForm(ServiceValidatedForm):
    tier = forms.ChoiceField(label=_("会员等级"), choices=[(t, t) for t in DEFAULT_TIER_RATES])

    class Meta:
        model = TierRate
        fields = ("tier", "rate")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        tier_field = self.fields["tier"]
        assert isinstance(tier_field, forms.ChoiceField)  # noqa: S101 - declared above
        tier_field.choices = Member.Tier.choices
        if self.instance.pk:
            self.fields["tier"].disabled = True

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not self.errors:
            try:
                tier_rate_validate(tier=data.get("tier") or self.instance.tier, rate=data.get("rate") or Decimal(0))
            except RulesInvalid as exc:
                _add_rule_errors(self, exc)
        return data


@admin.register(TierRate)
class TierRateAdmin(ServiceRefusalMixin, ModelAdmin):
    form = TierRateAdminForm
    list_display = ("tier_label", "rate", "discount_text", "updated_at")

    @display(description=_("会员等级"))
    def tier_label(self, obj: TierRate) -> str:
        return str(dict(Member.Tier.choices).get(obj.tier, obj.tier))

    @display(description=_("折扣"))
    def discount_text(self, obj: TierRate) -> str:
        return str(_("不打折")) if obj.rate >= 1 else f"{(obj.rate * 10).normalize():f}折"

    def save_model(self, request: HttpRequest, obj: TierRate, form: Any, change: bool) -> None:
        tier = obj.tier if change else form.cleaned_data["tier"]
        obj.pk = tier_rate_set(actor=request.user, tier=tier, rate=form.cleaned_data["rate"]).pk

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


POLICY_DESCRIPTION = _(
    "默认规则：① 每件商品取秒杀价、限时折扣、阶梯价、会员折扣、拼团/砍价价中最低的一个，单品优惠不相乘；"
    "② 满减、第 N 件优惠、买赠、满赠按单品优惠后的金额计算，不同类型可叠加，同类型取最优；"
    "秒杀、拼团、砍价商品默认不参与；"
    "③ 优惠券每个分组（店铺券、品类券、平台券）最多一张，门槛按前两步之后的金额计算，系统默认选最省的组合；"
    "④ 积分 100 积分抵 1 元，在用券之后抵扣，默认最多抵扣剩余金额的 50%；"
    "⑤ 每项优惠按金额比例分摊到商品上，任何金额不会低于 0。修改后立即对所有报价生效，并记入操作日志。"
)


class PricingPolicyAdminForm(ServiceValidatedForm):
    class Meta:
        model = PricingPolicy
        fields = (
            "shop_coupons_stack",
            "category_coupons_stack",
            "platform_coupons_stack",
            "coupons_per_group",
            "special_price_lines_join_order_promotions",
            "special_price_lines_take_coupons",
            "same_type",
            "points_cap_rate",
            "points_per_yuan",
            "points_earned_per_yuan",
        )

    def policy_data(self) -> PolicyData:
        return PolicyData(**{name: self.cleaned_data[name] for name in self.Meta.fields})

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.errors:
            return data
        try:
            pricing_policy_validate(data=self.policy_data())
        except RulesInvalid as exc:
            _add_rule_errors(self, exc)
        return data


@admin.register(PricingPolicy)
class PricingPolicyAdmin(ServiceRefusalMixin, ModelAdmin):
    form = PricingPolicyAdminForm
    actions_detail = ["price_check_detail"]
    fieldsets = (
        (
            _("优惠券叠加"),
            {
                "fields": (
                    "shop_coupons_stack",
                    "category_coupons_stack",
                    "platform_coupons_stack",
                    "coupons_per_group",
                ),
                "description": POLICY_DESCRIPTION,
            },
        ),
        (
            _("促销叠加"),
            {"fields": ("special_price_lines_join_order_promotions", "special_price_lines_take_coupons", "same_type")},
        ),
        (_("积分"), {"fields": ("points_cap_rate", "points_per_yuan", "points_earned_per_yuan")}),
    )

    def changelist_view(self, request: HttpRequest, extra_context: Any = None) -> HttpResponse:
        """One row: the list goes straight to it."""
        policy = PricingPolicy.load()
        return redirect(reverse("admin:marketing_pricingpolicy_change", args=[policy.pk]))

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @action(description=_("价格试算"), icon="calculate", url_path="price-check")
    def price_check_detail(self, request: HttpRequest, object_id: str) -> HttpResponse:
        return redirect(reverse(PRICE_CHECK_URL))

    def save_model(self, request: HttpRequest, obj: PricingPolicy, form: Any, change: bool) -> None:
        pricing_policy_update(actor=request.user, data=form.policy_data())


wheel_admin.register(admin.site)
live.register(admin.site)  # F24: 内容 › 直播
