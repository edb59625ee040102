"""Console pages for invite rewards (F04) and distribution (F06), Chinese first.

Programme settings are one row each (the list goes straight to the form); rates are typed as
percentages ("8" = 8%) and money in yuan, and every save goes through a service with the staff
user as the audited actor. Invites, rewards and commission rows are read-only: they only come
from sign-ups and orders. Promoter reviews (operator) and withdrawal payouts (finance, the
``marketing.pay_withdrawal`` permission) are dialog actions calling services. Each list shows
its outcome counts above the table.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from unfold.admin import ModelAdmin
from unfold.decorators import action, display
from unfold.forms import BaseDialogForm
from unfold.widgets import UnfoldAdminTextInputWidget

from mall.console.display import yuan
from mall.console.service_admin import ServiceRefusalMixin, ServiceValidatedForm
from mall.errors import ApplicationError
from mall.money import MoneyFormatError, format_yuan, parse_yuan
from marketing.errors import RulesInvalid
from marketing.models import (
    Commission,
    CouponChannel,
    CouponTemplate,
    DistributionProgram,
    Invite,
    InviteProgram,
    InviteReward,
    ProductCommission,
    Promoter,
    PromoterStatus,
    Withdrawal,
)
from marketing.selectors.distribution import distribution_totals, promoter_list_with_earnings
from marketing.selectors.invites import invite_stats
from marketing.services.distribution import (
    PAY_PERMISSION,
    DistributionProgramData,
    distribution_program_update,
    distribution_program_validate,
    product_commission_set,
    product_commission_validate,
    promoter_approve,
    promoter_disable,
    promoter_enable,
    promoter_reject,
    withdrawal_pay,
    withdrawal_reject,
)
from marketing.services.invites import InviteProgramData, invite_program_update, invite_program_validate

TOTALS_TEMPLATE = "marketing/growth_totals.html"
GROWTH_STATS_URL = "console:marketing_growth_stats"


def _percent_field(label: Any, help_text: Any = "") -> forms.CharField:
    return forms.CharField(
        label=label, help_text=help_text, widget=UnfoldAdminTextInputWidget(attrs={"inputmode": "decimal"})
    )


def _percent(value: str) -> Decimal:
    """ "8" or "8.5%" → Decimal("0.08") / Decimal("0.085")."""
    try:
        number = Decimal((value or "").strip().rstrip("%").strip())
    except InvalidOperation as exc:
        raise forms.ValidationError(_("请填写百分比数字，如 10 表示 10%。")) from exc
    if not number.is_finite() or number < 0 or number > 100:
        raise forms.ValidationError(_("百分比须在 0 到 100 之间。"))
    quantized = (number / 100).quantize(Decimal("0.001"))
    if quantized * 100 != number:
        raise forms.ValidationError(_("百分比最多保留一位小数。"))
    return quantized


def _percent_text(rate: Decimal | None) -> str:
    return "" if rate is None else f"{(rate * 100).normalize():f}"


def _add_rule_errors(form: forms.BaseForm, exc: RulesInvalid) -> None:
    errors = exc.details.get("errors") or {exc.details.get("field", ""): str(exc.message)}
    for key, message in errors.items():
        form.add_error(key if key in form.fields else None, message)


def _card(key: str, title: Any, value: str, hint: Any = "") -> dict[str, Any]:
    return {"key": key, "title": title, "value": value, "hint": hint}


class SingleRowMixin:
    """A settings row: the list opens the row, nothing is added or deleted."""

    model: Any

    def changelist_view(self, request: HttpRequest, extra_context: Any = None) -> HttpResponse:
        row = self.model.load()
        opts = self.model._meta
        return redirect(reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[row.pk]))

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ReadOnlyMixin:
    """Rows written only by sign-ups and orders."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


# --- invite rewards (F04) ---------------------------------------------------------------------------


class InviteProgramForm(ServiceValidatedForm):
    points_percent = _percent_field(
        _("好友订单返积分比例(%)"), _("10 表示好友每单实付的 10% 按积分价值返给邀请人；0 表示不返")
    )

    class Meta:
        model = InviteProgram
        fields = ("is_active", "starts_at", "ends_at", "threshold", "reward_template", "reward_limit")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["reward_template"]
        assert isinstance(field, forms.ModelChoiceField)  # noqa: S101 - a ForeignKey's form field
        field.queryset = CouponTemplate.objects.filter(channel=CouponChannel.SYSTEM).order_by("-pk")
        self.initial["points_percent"] = _percent_text(self.instance.points_rate)

    def clean_points_percent(self) -> Decimal:
        return _percent(self.cleaned_data.get("points_percent") or "")

    def program_data(self) -> InviteProgramData:
        data = self.cleaned_data
        template = data.get("reward_template")
        return InviteProgramData(
            is_active=bool(data.get("is_active")),
            starts_at=data.get("starts_at"),
            ends_at=data.get("ends_at"),
            threshold=data.get("threshold") or 0,
            reward_template_id=template.pk if template is not None else None,
            reward_limit=data.get("reward_limit") or 0,
            points_rate=data.get("points_percent") or Decimal(0),
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not self.errors:
            try:
                invite_program_validate(data=self.program_data())
            except RulesInvalid as exc:
                _add_rule_errors(self, exc)
        return data


@admin.register(InviteProgram)
class InviteProgramAdmin(SingleRowMixin, ServiceRefusalMixin, ModelAdmin):
    form = InviteProgramForm
    actions_detail = ["stats"]
    fieldsets = (
        (
            None,
            {
                "fields": ("is_active", "starts_at", "ends_at"),
                "description": _(
                    "好友通过邀请码首次登录即与邀请人绑定（老用户、自己不能被绑定）。"
                    "活动期间每满 N 位新用户，邀请人和这 N 位好友各得一张奖励券；"
                    "好友的每笔订单完成后，邀请人获得实付一定比例的积分，退款时按件扣回。"
                ),
            },
        ),
        (_("奖励"), {"fields": ("threshold", "reward_template", "reward_limit")}),
        (_("好友下单返积分"), {"fields": ("points_percent",)}),
    )

    @action(description=_("邀请数据"), icon="monitoring", url_path="stats")
    def stats(self, request: HttpRequest, object_id: str) -> HttpResponse:
        return redirect(reverse(GROWTH_STATS_URL))

    def save_model(self, request: HttpRequest, obj: InviteProgram, form: Any, change: bool) -> None:
        invite_program_update(actor=request.user, data=form.program_data())


def _invite_cards() -> list[dict[str, Any]]:
    stats = invite_stats(days=1)
    return [
        _card("bound", _("绑定好友"), str(stats.bound), _("计入奖励 %(n)d 位") % {"n": stats.counted}),
        _card("inviters", _("邀请人"), str(stats.inviters)),
        _card("rewards", _("已奖励"), str(stats.rewards), _("好友获券 %(n)d 位") % {"n": stats.invitees_rewarded}),
        _card("points", _("返积分"), str(stats.points_granted), _("邀请人从好友订单获得的积分")),
        _card("missing", _("未发出的券"), str(stats.coupons_missing), _("券已发完或超出限领")),
    ]


class TotalsMixin:
    """Outcome counts above the list (``list_before_template``)."""

    list_before_template = TOTALS_TEMPLATE

    def totals_cards(self) -> list[dict[str, Any]]:
        return []

    def changelist_view(self, request: HttpRequest, extra_context: Any = None) -> HttpResponse:
        extra = {**(extra_context or {}), "growth_totals": self.totals_cards()}
        return super().changelist_view(request, extra)  # type: ignore[misc]


@admin.register(Invite)
class InviteAdmin(TotalsMixin, ReadOnlyMixin, ModelAdmin):
    list_display = ("id", "inviter", "invitee", "counts", "reward_seq", "coupon", "created_at")
    list_filter = ("counts", ("reward", admin.EmptyFieldListFilter), "created_at")
    search_fields = ("inviter__nickname", "invitee__nickname", "inviter__invite_code")
    list_select_related = ("inviter", "invitee", "reward", "coupon__template")
    list_per_page = 50

    def totals_cards(self) -> list[dict[str, Any]]:
        return _invite_cards()

    @display(description=_("所属奖励"))
    def reward_seq(self, obj: Invite) -> str:
        return "" if obj.reward is None else str(_("第 %(n)d 次") % {"n": obj.reward.seq})


@admin.register(InviteReward)
class InviteRewardAdmin(TotalsMixin, ReadOnlyMixin, ModelAdmin):
    list_display = (
        "id",
        "inviter",
        "seq",
        "threshold",
        "template",
        "coupon",
        "coupons_missing",
        "created_at",
        "issued_at",
    )
    list_filter = ("created_at",)
    search_fields = ("inviter__nickname", "inviter__invite_code")
    list_select_related = ("inviter", "template", "coupon__template")
    list_per_page = 50

    def totals_cards(self) -> list[dict[str, Any]]:
        return _invite_cards()


# --- distribution (F06): settings and product rates ------------------------------------------------------


class DistributionProgramForm(ServiceValidatedForm):
    default_percent = _percent_field(_("默认佣金比例(%)"), _("没有单独设置的商品按此比例，如 10"))
    min_percent = _percent_field(_("最低佣金比例(%)"))
    max_percent = _percent_field(_("最高佣金比例(%)"), _("商品佣金比例须在此范围内，如 5 到 15"))
    min_withdrawal_yuan = forms.CharField(
        label=_("最低提现金额(元)"), widget=UnfoldAdminTextInputWidget(attrs={"inputmode": "decimal"})
    )

    class Meta:
        model = DistributionProgram
        fields = ("is_active", "attribution_days", "settle_days")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        instance = self.instance
        self.initial["default_percent"] = _percent_text(instance.default_rate)
        self.initial["min_percent"] = _percent_text(instance.min_rate)
        self.initial["max_percent"] = _percent_text(instance.max_rate)
        self.initial["min_withdrawal_yuan"] = format_yuan(instance.min_withdrawal)

    def clean_default_percent(self) -> Decimal:
        return _percent(self.cleaned_data.get("default_percent") or "")

    def clean_min_percent(self) -> Decimal:
        return _percent(self.cleaned_data.get("min_percent") or "")

    def clean_max_percent(self) -> Decimal:
        return _percent(self.cleaned_data.get("max_percent") or "")

    def clean_min_withdrawal_yuan(self) -> int:
        try:
            return parse_yuan((self.cleaned_data.get("min_withdrawal_yuan") or "").strip())
        except MoneyFormatError as exc:
            raise forms.ValidationError(_("金额应写成元，最多两位小数，如 10.00。")) from exc

    def program_data(self) -> DistributionProgramData:
        data = self.cleaned_data
        return DistributionProgramData(
            is_active=bool(data.get("is_active")),
            default_rate=data.get("default_percent") or Decimal(0),
            min_rate=data.get("min_percent") or Decimal(0),
            max_rate=data.get("max_percent") or Decimal(0),
            attribution_days=data.get("attribution_days") or 0,
            settle_days=data.get("settle_days") or 0,
            min_withdrawal=data.get("min_withdrawal_yuan") or 0,
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not self.errors:
            try:
                distribution_program_validate(data=self.program_data())
            except RulesInvalid as exc:
                aliases = {
                    "default_rate": "default_percent",
                    "max_rate": "max_percent",
                    "min_withdrawal": "min_withdrawal_yuan",
                }
                errors = exc.details.get("errors", {})
                for key, message in errors.items():
                    name = aliases.get(key, key)
                    self.add_error(name if name in self.fields else None, message)
        return data


@admin.register(DistributionProgram)
class DistributionProgramAdmin(SingleRowMixin, ServiceRefusalMixin, ModelAdmin):
    form = DistributionProgramForm
    fieldsets = (
        (
            None,
            {
                "fields": ("is_active",),
                "description": _(
                    "顾客申请成为推广员，审核通过后分享带推广码的链接；好友点击后在归属有效期内下单（以最后一次点击为准），"
                    "按商品实付（扣除所有优惠，不含运费）和商品佣金比例计算佣金，四舍五入到分。佣金在订单完成后冻结至售后期结束，"
                    "退款按件扣回，然后可提现；提现由财务审核打款。"
                ),
            },
        ),
        (_("佣金比例"), {"fields": ("default_percent", "min_percent", "max_percent")}),
        (_("归属与结算"), {"fields": ("attribution_days", "settle_days", "min_withdrawal_yuan")}),
    )

    def save_model(self, request: HttpRequest, obj: DistributionProgram, form: Any, change: bool) -> None:
        distribution_program_update(actor=request.user, data=form.program_data())


class ProductCommissionForm(ServiceValidatedForm):
    percent = _percent_field(_("佣金比例(%)"), _("如 8 表示 8%，须在分销设置的范围内"))

    class Meta:
        model = ProductCommission
        fields = ("product",)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["product"].disabled = True
            self.initial["percent"] = _percent_text(self.instance.rate)

    def clean_percent(self) -> Decimal:
        rate = _percent(self.cleaned_data.get("percent") or "")
        try:
            product_commission_validate(rate=rate)
        except RulesInvalid as exc:
            raise forms.ValidationError(str(exc.message)) from exc
        return rate


@admin.register(ProductCommission)
class ProductCommissionAdmin(ServiceRefusalMixin, ModelAdmin):
    form = ProductCommissionForm
    list_display = ("product", "rate_display", "updated_at")
    search_fields = ("product__title",)
    list_select_related = ("product",)

    @display(description=_("佣金比例"), ordering="rate")
    def rate_display(self, obj: ProductCommission) -> str:
        return f"{_percent_text(obj.rate)}%"

    def save_model(self, request: HttpRequest, obj: ProductCommission, form: Any, change: bool) -> None:
        product_id = obj.product_id if change else form.cleaned_data["product"].pk
        row = product_commission_set(actor=request.user, product_id=product_id, rate=form.cleaned_data["percent"])
        if row is not None:
            obj.pk = row.pk

    def delete_model(self, request: HttpRequest, obj: ProductCommission) -> None:
        product_commission_set(actor=request.user, product_id=obj.product_id, rate=None)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[ProductCommission]) -> None:
        for product_id in queryset.values_list("product_id", flat=True):
            product_commission_set(actor=request.user, product_id=product_id, rate=None)


# --- promoters --------------------------------------------------------------------------------------------


class PromoterReviewForm(BaseDialogForm):
    note = forms.CharField(label=_("说明"), max_length=200, required=False, help_text=_("拒绝或停用时必填，顾客会看到"))


def _distribution_cards() -> list[dict[str, Any]]:
    totals = distribution_totals()
    return [
        _card("applied", _("待审核申请"), str(totals["applied"]), _("推广员 %(n)d 位") % {"n": totals["approved"]}),
        _card("pending", _("待付款佣金"), yuan(totals["pending"])),
        _card("frozen", _("冻结中佣金"), yuan(totals["frozen"]), _("售后期结束后解冻")),
        _card("available", _("已解冻佣金"), yuan(totals["available"]), _("含已申请和已打款的提现")),
        _card(
            "paid",
            _("已打款"),
            yuan(totals["paid"]),
            _("待审核提现 %(n)d 笔，%(amount)s")
            % {"n": totals["requested_count"], "amount": yuan(totals["requested"])},
        ),
        _card("reversed", _("已退回佣金"), yuan(totals["reversed"]), _("退款与取消")),
    ]


@admin.register(Promoter)
class PromoterAdmin(TotalsMixin, ModelAdmin):
    list_display = (
        "id",
        "member",
        "real_name",
        "phone",
        "code",
        "status",
        "frozen_display",
        "available_display",
        "withdrawn_display",
        "applied_at",
    )
    list_display_links = ("id", "member")
    list_filter = ("status", "applied_at")
    search_fields = ("real_name", "phone", "code", "member__nickname")
    list_per_page = 50
    fields = (
        "member",
        "status",
        "code",
        "real_name",
        "phone",
        "reason",
        "applied_at",
        "reviewed_at",
        "reviewed_by",
        "review_note",
        "approved_at",
    )
    readonly_fields = fields
    actions = ("approve_selected",)
    actions_detail = ["approve", "reject", "disable", "enable"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Promoter]:
        return promoter_list_with_earnings()

    def totals_cards(self) -> list[dict[str, Any]]:
        return _distribution_cards()

    @display(description=_("冻结中"), ordering="frozen_amount")
    def frozen_display(self, obj: Promoter) -> str:
        return format_yuan(int(getattr(obj, "frozen_amount", 0)))

    @display(description=_("可提现"))
    def available_display(self, obj: Promoter) -> str:
        return format_yuan(int(getattr(obj, "available_amount", 0)) - int(getattr(obj, "reserved_amount", 0)))

    @display(description=_("已打款"), ordering="withdrawn_amount")
    def withdrawn_display(self, obj: Promoter) -> str:
        return format_yuan(int(getattr(obj, "withdrawn_amount", 0)))

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # shoppers apply in the mini-program

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # reviews are actions

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # commission points at promoters; disable instead

    def has_review_permission(self, request: HttpRequest, object_id: Any = None) -> bool:
        # A method, not a dotted permission: unfold checks those against the database at
        # system-check time, which fails before the first migrate.
        return request.user.has_perm("marketing.change_promoter")

    def _review(self, request: HttpRequest, object_id: str, service: Any, done: Any, note: str) -> HttpResponse:
        try:
            promoter = service(actor=request.user, promoter_id=int(object_id), note=note)
        except ApplicationError as exc:
            messages.error(request, str(exc.message))
        else:
            messages.success(request, done % {"name": promoter.real_name})
        return HttpResponse(headers={"HX-Redirect": reverse("admin:marketing_promoter_change", args=[object_id])})

    @action(
        description=_("通过"),
        permissions=["review"],
        icon="check_circle",
        dialog={
            "title": _("通过推广员申请"),
            "description": _("操作会写入操作日志，并通过站内消息告诉顾客。"),
            "form_class": PromoterReviewForm,
            "form_submit_text": _("确认通过"),
        },
    )
    def approve(self, request: HttpRequest, form: PromoterReviewForm, object_id: str) -> HttpResponse:
        return self._review(request, object_id, promoter_approve, _("%(name)s 已成为推广员"), form.cleaned_data["note"])

    @action(
        description=_("拒绝"),
        permissions=["review"],
        icon="cancel",
        dialog={
            "title": _("拒绝推广员申请"),
            "description": _("请填写原因，顾客会在消息中看到，并可修改资料后重新申请。"),
            "form_class": PromoterReviewForm,
            "form_submit_text": _("确认拒绝"),
        },
    )
    def reject(self, request: HttpRequest, form: PromoterReviewForm, object_id: str) -> HttpResponse:
        return self._review(request, object_id, promoter_reject, _("已拒绝 %(name)s 的申请"), form.cleaned_data["note"])

    @action(
        description=_("停用"),
        permissions=["review"],
        icon="block",
        dialog={
            "title": _("停用推广员"),
            "description": _("停用后其链接不再计佣，已产生的佣金照常结算。请填写原因。"),
            "form_class": PromoterReviewForm,
            "form_submit_text": _("确认停用"),
        },
    )
    def disable(self, request: HttpRequest, form: PromoterReviewForm, object_id: str) -> HttpResponse:
        return self._review(request, object_id, promoter_disable, _("已停用 %(name)s"), form.cleaned_data["note"])

    @action(
        description=_("恢复"),
        permissions=["review"],
        icon="restart_alt",
        dialog={
            "title": _("恢复推广员"),
            "description": _("恢复后其链接重新计佣。"),
            "form_class": PromoterReviewForm,
            "form_submit_text": _("确认恢复"),
        },
    )
    def enable(self, request: HttpRequest, form: PromoterReviewForm, object_id: str) -> HttpResponse:
        return self._review(request, object_id, promoter_enable, _("已恢复 %(name)s"), form.cleaned_data["note"])

    @admin.action(description=_("通过所选申请"), permissions=["review"])
    def approve_selected(self, request: HttpRequest, queryset: QuerySet[Promoter]) -> None:
        done = 0
        for pk in queryset.filter(status=PromoterStatus.APPLIED).values_list("pk", flat=True):
            try:
                promoter_approve(actor=request.user, promoter_id=pk)
            except ApplicationError as exc:
                messages.error(request, str(exc.message))
            else:
                done += 1
        messages.success(request, _("已通过 %(n)d 个申请。") % {"n": done})


# --- commission rows and withdrawals -----------------------------------------------------------------


@admin.register(Commission)
class CommissionAdmin(TotalsMixin, ReadOnlyMixin, ModelAdmin):
    """Every fen traceable: the order, the line, what it paid, the rate, what is held now."""

    list_display = (
        "id",
        "promoter",
        "order",
        "title",
        "qty",
        "base_display",
        "rate_display",
        "amount_display",
        "held_display",
        "status",
        "available_at",
        "created_at",
    )
    list_filter = ("status", "created_at")
    search_fields = ("order__no", "promoter__real_name", "promoter__code", "title")
    list_select_related = ("promoter", "order")
    list_per_page = 50
    # The detail page shows money in yuan through the same columns, never the fen fields.
    fields = (
        "promoter",
        "order",
        "title",
        "qty",
        "base_display",
        "rate_display",
        "amount_display",
        "held_display",
        "status",
        "available_at",
        "created_at",
    )
    readonly_fields = fields

    def totals_cards(self) -> list[dict[str, Any]]:
        return _distribution_cards()

    @display(description=_("计佣金额"), ordering="base_amount")
    def base_display(self, obj: Commission) -> str:
        return yuan(obj.base_amount)

    @display(description=_("比例"))
    def rate_display(self, obj: Commission) -> str:
        return f"{_percent_text(obj.rate)}%"

    @display(description=_("佣金"), ordering="amount")
    def amount_display(self, obj: Commission) -> str:
        return yuan(obj.amount)

    @display(description=_("当前佣金"), ordering="held_amount")
    def held_display(self, obj: Commission) -> str:
        return yuan(obj.held_amount)


class WithdrawalPayForm(BaseDialogForm):
    payout_reference = forms.CharField(
        label=_("打款凭证号"), max_length=64, help_text=_("银行或微信转账的流水号，记录后不可修改")
    )
    note = forms.CharField(label=_("备注"), max_length=200, required=False)


class WithdrawalRejectForm(BaseDialogForm):
    note = forms.CharField(label=_("拒绝原因"), max_length=200, help_text=_("推广员会在消息中看到"))


@admin.register(Withdrawal)
class WithdrawalAdmin(TotalsMixin, ReadOnlyMixin, ModelAdmin):
    list_display = (
        "id",
        "promoter",
        "amount_display",
        "status",
        "requested_at",
        "reviewed_at",
        "reviewed_by",
        "payout_reference",
    )
    list_filter = ("status", "requested_at")
    search_fields = ("promoter__real_name", "promoter__code", "payout_reference")
    list_select_related = ("promoter", "reviewed_by")
    list_per_page = 50
    fields = (
        "promoter",
        "amount_display",
        "status",
        "requested_at",
        "reviewed_at",
        "reviewed_by",
        "payout_reference",
        "note",
    )
    readonly_fields = fields
    actions_detail = ["pay", "reject"]

    def totals_cards(self) -> list[dict[str, Any]]:
        return _distribution_cards()

    @display(description=_("金额"), ordering="amount")
    def amount_display(self, obj: Withdrawal) -> str:
        return yuan(obj.amount)

    def has_pay_permission(self, request: HttpRequest, object_id: Any = None) -> bool:
        return request.user.has_perm(PAY_PERMISSION)

    def _after(self, object_id: str) -> HttpResponse:
        return HttpResponse(headers={"HX-Redirect": reverse("admin:marketing_withdrawal_change", args=[object_id])})

    @action(
        description=_("确认打款"),
        permissions=["pay"],
        icon="payments",
        dialog={
            "title": _("确认打款"),
            "description": _("请先通过银行或微信完成转账，再填写凭证号；记录会写入操作日志并通知推广员。"),
            "form_class": WithdrawalPayForm,
            "form_submit_text": _("已打款"),
        },
    )
    def pay(self, request: HttpRequest, form: WithdrawalPayForm, object_id: str) -> HttpResponse:
        try:
            withdrawal = withdrawal_pay(
                actor=request.user,
                withdrawal_id=int(object_id),
                payout_reference=form.cleaned_data["payout_reference"],
                note=form.cleaned_data["note"],
            )
        except ApplicationError as exc:
            messages.error(request, str(exc.message))
        else:
            messages.success(request, _("已记录打款 %(amount)s 元") % {"amount": format_yuan(withdrawal.amount)})
        return self._after(object_id)

    @action(
        description=_("拒绝"),
        permissions=["pay"],
        icon="cancel",
        dialog={
            "title": _("拒绝提现"),
            "description": _("金额会退回推广员的可提现佣金。"),
            "form_class": WithdrawalRejectForm,
            "form_submit_text": _("确认拒绝"),
        },
    )
    def reject(self, request: HttpRequest, form: WithdrawalRejectForm, object_id: str) -> HttpResponse:
        try:
            withdrawal_reject(actor=request.user, withdrawal_id=int(object_id), note=form.cleaned_data["note"])
        except ApplicationError as exc:
            messages.error(request, str(exc.message))
        else:
            messages.success(request, _("已拒绝该提现"))
        return self._after(object_id)
