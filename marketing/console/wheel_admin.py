"""Console pages for the lucky wheel (幸运大转盘, F21): versions with their prizes (saved through
the audited services; a published version is read only and is changed by copying it), the
chances and draw records, and a 大转盘数据 page with the game's figures."""

from __future__ import annotations

import json
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.views.decorators import staff_member_required
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from unfold.admin import ModelAdmin, TabularInline
from unfold.decorators import display

from mall.console.dashboard import chart_options
from mall.console.display import yuan
from mall.console.service_admin import ServiceRefusalMixin, ServiceValidatedForm
from mall.errors import ApplicationError
from marketing.console.social import money_or_none, yuan_field, yuan_initial
from marketing.models import CouponChannel, CouponTemplate, Wheel, WheelChance, WheelDraw, WheelPrize, WheelStatus
from marketing.selectors.wheel import wheel_figures, wheel_for_figures
from marketing.services.wheel import (
    wheel_end,
    wheel_new_version,
    wheel_prize_delete,
    wheel_prize_save,
    wheel_publish,
    wheel_save,
)

CHART_DAYS = 30
STATS_PERMISSION = "marketing.view_wheeldraw"
SETTINGS_FIELDS = ("name", "daily_draw_limit", "slice_days", "free_order_valid_days", "rules_text")


class WheelForm(ServiceValidatedForm):
    """Money in yuan (the model keeps fen)."""

    threshold_yuan = yuan_field(_("获得抽奖机会的订单金额（元）"), help_text=_("每笔实付满此金额的订单得 1 次抽奖机会"))
    free_order_cap_yuan = yuan_field(
        _("免单券最高面额（元）"), help_text=_("免单券面额 = 该机会对应订单的实付金额，最高此数")
    )

    class Meta:
        model = Wheel
        fields = SETTINGS_FIELDS

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.initial["threshold_yuan"] = yuan_initial(self.instance.order_threshold)
        self.initial["free_order_cap_yuan"] = yuan_initial(self.instance.free_order_cap)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        threshold = money_or_none(data.get("threshold_yuan"))
        cap = money_or_none(data.get("free_order_cap_yuan"))
        if threshold is not None:
            self.instance.order_threshold = threshold
        if cap is not None:
            self.instance.free_order_cap = cap
        return data


class PrizeForm(ServiceValidatedForm):
    class Meta:
        model = WheelPrize
        fields = ("position", "name", "kind", "coupon_template", "points", "weight", "stock", "is_fallback")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if "coupon_template" in self.fields:
            field = self.fields["coupon_template"]
            field.queryset = CouponTemplate.objects.filter(is_active=True, channel=CouponChannel.SYSTEM)  # type: ignore[attr-defined]
            field.help_text = _("只列出发放方式为「活动发放」的优惠券模板")


class WheelPrizeInline(TabularInline):
    model = WheelPrize
    form = PrizeForm
    fk_name = "wheel"
    extra = 0
    fields = (
        "position",
        "name",
        "kind",
        "coupon_template",
        "points",
        "weight",
        "odds_display",
        "stock",
        "issued",
        "is_fallback",
    )
    readonly_fields = ("odds_display", "issued")
    ordering = ("position", "id")

    @display(description=_("中奖概率"))
    def odds_display(self, obj: WheelPrize) -> str:
        if obj.pk is None:
            return "-"
        total = sum(obj.wheel.prizes.values_list("weight", flat=True)) or 1
        return f"{obj.weight * 100 / total:.2f}%"

    def _editable(self, obj: Wheel | None) -> bool:
        return obj is None or obj.status == WheelStatus.DRAFT

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._editable(obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._editable(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._editable(obj) and super().has_delete_permission(request, obj)


def _run(request: HttpRequest, queryset: QuerySet[Wheel], service: Any, done: Any) -> None:
    count = 0
    for pk in queryset.order_by("pk").values_list("pk", flat=True):
        try:
            service(actor=request.user, wheel_id=pk)
        except ApplicationError as exc:
            messages.error(request, f"#{pk}: {exc.message}")
        else:
            count += 1
    if count:
        messages.success(request, done % {"n": count})


class WheelAdmin(ServiceRefusalMixin, ModelAdmin):
    """Versions of the wheel. A draft is edited here; publishing freezes its prizes and weights."""

    form = WheelForm
    inlines = (WheelPrizeInline,)
    list_display = (
        "name",
        "version",
        "status_display",
        "threshold_display",
        "daily_draw_limit",
        "prizes_display",
        "published_at",
        "stats_link",
    )
    list_filter = ("status",)
    search_fields = ("name",)
    actions = ("publish_selected", "new_version_selected", "end_selected")

    def get_queryset(self, request: HttpRequest) -> QuerySet[Wheel]:
        return super().get_queryset(request).prefetch_related("prizes")

    @display(description=_("状态"), label={"草稿": "info", "进行中": "success", "已结束": "danger"})
    def status_display(self, obj: Wheel) -> str:
        return str(obj.get_status_display())

    @display(description=_("订单门槛"))
    def threshold_display(self, obj: Wheel) -> str:
        return yuan(obj.order_threshold)

    @display(description=_("奖品（已发/库存）"))
    def prizes_display(self, obj: Wheel) -> str:
        parts = []
        for prize in obj.prizes.all():
            stock = gettext("不限") if prize.stock is None else str(prize.stock)
            parts.append(f"{prize.name} {prize.issued}/{stock}")
        return "；".join(parts) or "—"

    @display(description=_("数据"))
    def stats_link(self, obj: Wheel) -> str:
        return format_html('<a class="text-primary-600" href="{}?wheel={}">{}</a>', _stats_url(), obj.pk, _("查看"))

    def get_fieldsets(self, request: HttpRequest, obj: Any = None) -> Any:
        if obj is not None and obj.is_frozen:
            return (
                (
                    None,
                    {
                        "fields": ("name", "version", "status", "published_at", "ended_at", "frozen_note"),
                    },
                ),
                (_("规则"), {"fields": (("threshold_display", "daily_draw_limit"), "slice_days", "rules_text")}),
                (_("免单券"), {"fields": (("free_order_cap_display", "free_order_valid_days"),)}),
            )
        return (
            (None, {"fields": ("name", ("threshold_yuan", "daily_draw_limit"), "slice_days", "rules_text")}),
            (_("免单券"), {"fields": (("free_order_cap_yuan", "free_order_valid_days"),)}),
        )

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        if obj is not None and obj.is_frozen:
            return (
                "name",
                "version",
                "status",
                "published_at",
                "ended_at",
                "frozen_note",
                "threshold_display",
                "daily_draw_limit",
                "slice_days",
                "rules_text",
                "free_order_cap_display",
                "free_order_valid_days",
            )
        return ()

    @display(description=_("说明"))
    def frozen_note(self, obj: Wheel) -> str:
        return gettext("已发布的版本不能修改奖品和概率。请在列表中勾选它，选择「复制为新版本」，修改后再发布。")

    @display(description=_("免单券最高面额"))
    def free_order_cap_display(self, obj: Wheel) -> str:
        return yuan(obj.free_order_cap)

    def save_model(self, request: HttpRequest, obj: Wheel, form: Any, change: bool) -> None:
        wheel_save(actor=request.user, wheel=obj)

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        """Each prize through the audited service (which refuses a frozen version)."""
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        for prize_form in formset.forms:
            prize = prize_form.instance
            if formset.can_delete and formset._should_delete_form(prize_form):
                if prize.pk is not None:
                    wheel_prize_delete(actor=request.user, prize_id=prize.pk)
                    formset.deleted_objects.append(prize)
                continue
            if not prize_form.has_changed():
                continue
            is_new = prize.pk is None
            prize.wheel = form.instance
            wheel_prize_save(actor=request.user, prize=prize)
            if is_new:
                formset.new_objects.append(prize)
            else:
                formset.changed_objects.append((prize, prize_form.changed_data))

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if obj is not None and obj.is_frozen:
            return False  # a published or ended version is shown, never saved: copy it instead
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # draws point at versions; end a wheel instead

    @admin.action(description=_("发布所选草稿（替换进行中的版本）"), permissions=["change"])
    def publish_selected(self, request: HttpRequest, queryset: QuerySet[Wheel]) -> None:
        _run(request, queryset, wheel_publish, gettext("已发布 %(n)d 个版本。"))

    @admin.action(description=_("复制为新版本（可修改奖品和概率）"), permissions=["change"])
    def new_version_selected(self, request: HttpRequest, queryset: QuerySet[Wheel]) -> None:
        _run(request, queryset, wheel_new_version, gettext("已复制出 %(n)d 个新版本草稿。"))

    @admin.action(description=_("结束所选大转盘"), permissions=["change"])
    def end_selected(self, request: HttpRequest, queryset: QuerySet[Wheel]) -> None:
        _run(request, queryset, wheel_end, gettext("已结束 %(n)d 个大转盘。"))


class _ReadOnlyAdmin(ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class WheelDrawAdmin(_ReadOnlyAdmin):
    """Every draw: who, which prize (and what the odds picked when it fell back), what it was worth."""

    list_display = ("member", "prize", "kind", "value_display", "coupon_status", "fell_back", "day", "created_at")
    list_filter = ("kind", "fell_back", "wheel")
    search_fields = ("member__nickname", "member__phone")
    list_select_related = ("member", "prize", "coupon")
    date_hierarchy = "day"

    @display(description=_("面值"))
    def value_display(self, obj: WheelDraw) -> str:
        return yuan(obj.value) if obj.value else "-"

    @display(description=_("券状态"))
    def coupon_status(self, obj: WheelDraw) -> str:
        return str(obj.coupon.get_status_display()) if obj.coupon is not None else "-"


class WheelChanceAdmin(_ReadOnlyAdmin):
    """Chances earned by paid orders; withdrawn when the order was fully refunded before use."""

    list_display = ("member", "order", "amount_display", "status", "granted_at", "used_at", "withdrawn_at")
    list_filter = ("status",)
    search_fields = ("member__nickname", "member__phone", "order__no")
    list_select_related = ("member", "order")

    @display(description=_("订单实付"))
    def amount_display(self, obj: WheelChance) -> str:
        return yuan(obj.order_amount)


def _stats_url() -> str:
    return reverse("console:marketing_wheel_stats")


class VersionPicker(forms.Form):
    wheel = forms.ModelChoiceField(queryset=Wheel.objects.order_by("-id"), required=False, label=_("版本"))


@staff_member_required
def wheel_stats_view(request: HttpRequest) -> HttpResponse:
    if not request.user.has_perm(STATS_PERMISSION):
        raise PermissionDenied
    picked = request.GET.get("wheel", "")
    wheel = wheel_for_figures(int(picked) if picked.isdigit() else None)
    figures = wheel_figures(wheel=None, days=CHART_DAYS)
    version = wheel_figures(wheel=wheel, days=CHART_DAYS) if wheel is not None else None
    chart = {
        "labels": [date_format(day, "m-d") for day, _members, _draws in figures.daily],
        "datasets": [
            {
                "label": gettext("抽奖人数"),
                "data": [members for _day, members, _draws in figures.daily],
                "backgroundColor": "var(--color-primary-600)",
                "displayYAxis": True,
                "maxTicksXLimit": 10,
            },
            {
                "label": gettext("抽奖次数"),
                "data": [draws for _day, _members, draws in figures.daily],
                "backgroundColor": "var(--color-primary-300)",
            },
        ],
    }
    cards = [
        ("participants", gettext("参与人数"), figures.participants, gettext("抽过奖的会员（全部版本）")),
        ("today", gettext("今日参与"), figures.participants_today, gettext("今天抽奖的会员数")),
        ("draws", gettext("抽奖次数"), figures.draws_total, gettext("已用掉的抽奖机会")),
        (
            "chances",
            gettext("发放机会"),
            figures.chances_granted,
            gettext("其中 %(n)d 次因全额退款收回") % {"n": figures.chances_withdrawn},
        ),
        ("issued", gettext("中奖次数"), figures.prizes_issued, gettext("不含谢谢参与")),
        (
            "used",
            gettext("券已使用"),
            f"{figures.coupons_used} / {figures.coupons_issued}",
            gettext("已用券 / 发出券"),
        ),
        ("cost", gettext("奖品成本"), yuan(figures.cost_issued), gettext("券面额与积分折算之和")),
        ("cost_used", gettext("已兑现成本"), yuan(figures.cost_used), gettext("已使用的券与已发积分")),
        ("orders", gettext("参与者订单"), figures.orders, gettext("参与者首次抽奖后的支付订单")),
        ("gmv", gettext("参与者成交额"), yuan(figures.gmv), gettext("上述订单实付，扣除退款")),
        ("coupon_orders", gettext("用奖品券的订单"), figures.coupon_orders, gettext("用大转盘发的券支付的订单")),
        ("coupon_gmv", gettext("用奖品券成交额"), yuan(figures.coupon_gmv), gettext("按营销归因统计，扣除退款")),
    ]
    prizes = []
    if version is not None:
        total = sum(row.prize.weight for row in version.prizes) or 1
        for row in version.prizes:
            prize = row.prize
            prizes.append(
                {
                    "name": prize.name,
                    "kind": prize.get_kind_display(),
                    "odds": f"{prize.weight * 100 / total:.2f}%",
                    "stock": gettext("不限") if prize.stock is None else prize.stock,
                    "issued": prize.issued,
                    "draws": row.draws,
                    "fallbacks": row.fallbacks_to,
                    "fallback": prize.is_fallback,
                }
            )
    context = {
        **admin.site.each_context(request),
        "title": gettext("大转盘数据"),
        "cards": [{"key": k, "title": t, "value": v, "hint": h} for k, t, v, h in cards],
        "chart": json.dumps(chart, ensure_ascii=False),
        "options": chart_options("bar"),
        "days": CHART_DAYS,
        "wheel": wheel,
        "version": version,
        "prizes": prizes,
        "picker": VersionPicker(initial={"wheel": wheel.pk if wheel else None}),
        "wheels_url": reverse("admin:marketing_wheel_changelist"),
    }
    return render(request, "marketing/wheel_stats.html", context)


def register(site: Any) -> None:
    site.register(Wheel, WheelAdmin)
    site.register(WheelDraw, WheelDrawAdmin)
    site.register(WheelChance, WheelChanceAdmin)
