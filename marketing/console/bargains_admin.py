"""The console's 砍价 pages: campaigns (created and edited through the services, which refuse a
configuration whose floor cannot be reached and say what to change), live counts (bargains
started, cut to the floor, bought, helps), each bargain with its helps, and ending a campaign.

Registered from ``marketing/admin.py``; money is typed in yuan and kept in fen.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import Count, Q, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from unfold.admin import ModelAdmin, TabularInline
from unfold.decorators import display

from analytics.console.suggestion_drafts import SuggestionDraftAdminMixin
from analytics.models import Tool
from mall.console.display import yuan
from mall.console.pickers import SkuChoiceField, sku_choices_queryset
from mall.console.service_admin import ServiceRefusalMixin, ServiceValidatedForm
from mall.money import format_yuan
from marketing.console.campaign_admin import CampaignColumnsMixin
from marketing.console.social import CONSOLE_CSS, add_rule_errors, money_or_none, progress_bar, yuan_field, yuan_initial
from marketing.errors import RulesInvalid
from marketing.models import Bargain, BargainCampaign, BargainHelp, BargainStatus
from marketing.services.bargains import (
    BargainCampaignData,
    bargain_campaign_create,
    bargain_campaign_end,
    bargain_campaign_update,
    bargain_campaign_validate,
)

MONEY_FIELDS = ("start_price", "floor_price", "cut_min", "cut_max")


class BargainCampaignForm(ServiceValidatedForm):
    sku = SkuChoiceField(label=_("砍价商品"), queryset=sku_choices_queryset(on_shelf_only=True))
    start_price = yuan_field(_("起砍价(元)"), help_text=_("不高于售价，通常等于售价"))
    floor_price = yuan_field(_("底价(元)"), help_text=_("0 表示砍到免费拿"))
    cut_min = yuan_field(_("每刀最少(元)"))
    cut_max = yuan_field(_("每刀最多(元)"))

    class Meta:
        model = BargainCampaign
        fields = (
            "name",
            "sku",
            "start_price",
            "floor_price",
            "helpers_min",
            "helpers_max",
            "cut_min",
            "cut_max",
            "duration_minutes",
            "starts_at",
            "ends_at",
            "total_quantity",
            "per_member_limit",
            "helper_new_only",
            "helps_per_helper_per_day",
            "helps_per_ip",
            "is_active",
            "free_shipping",
        )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            for name in MONEY_FIELDS:
                self.initial[name] = yuan_initial(getattr(self.instance, name))
        else:
            self.initial.setdefault("floor_price", "0")
            self.initial.setdefault("cut_min", "1")
            self.initial.setdefault("cut_max", "10")

    def _money(self, name: str) -> int:
        value = money_or_none(self.cleaned_data.get(name))
        return 0 if value is None else value

    def clean_start_price(self) -> int:
        return self._money("start_price")

    def clean_floor_price(self) -> int:
        return self._money("floor_price")

    def clean_cut_min(self) -> int:
        return self._money("cut_min")

    def clean_cut_max(self) -> int:
        return self._money("cut_max")

    def campaign_data(self) -> BargainCampaignData:
        data = self.cleaned_data
        sku = data.get("sku")
        return BargainCampaignData(
            name=data.get("name") or "",
            sku_id=sku.pk if sku is not None else 0,
            start_price=data.get("start_price") or 0,
            floor_price=data.get("floor_price") or 0,
            helpers_min=data.get("helpers_min") or 0,
            helpers_max=data.get("helpers_max") or 0,
            cut_min=data.get("cut_min") or 0,
            cut_max=data.get("cut_max") or 0,
            duration_minutes=data.get("duration_minutes") or 0,
            starts_at=data.get("starts_at"),  # type: ignore[arg-type]
            ends_at=data.get("ends_at"),  # type: ignore[arg-type]
            total_quantity=data.get("total_quantity"),
            per_member_limit=data.get("per_member_limit") or 1,
            helper_new_only=bool(data.get("helper_new_only")),
            helps_per_helper_per_day=data.get("helps_per_helper_per_day") or 1,
            helps_per_ip=data.get("helps_per_ip") or 1,
            is_active=bool(data.get("is_active")),
            free_shipping=bool(data.get("free_shipping")),
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.errors:
            return data
        try:
            campaign = self.instance if self.instance.pk else None
            bargain_campaign_validate(data=self.campaign_data(), campaign=campaign)
        except RulesInvalid as exc:
            add_rule_errors(self, exc)
        return data


class BargainHelpInline(TabularInline):
    model = BargainHelp
    fields = ("seq", "helper", "cut_yuan", "price_after_yuan", "ip", "device_id", "created_at")
    readonly_fields = fields

    @display(description=_("砍掉"))
    def cut_yuan(self, obj: BargainHelp) -> str:
        return yuan(obj.cut)

    @display(description=_("砍后价"))
    def price_after_yuan(self, obj: BargainHelp) -> str:
        return yuan(obj.price_after)

    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(BargainCampaign)
class BargainCampaignAdmin(SuggestionDraftAdminMixin, CampaignColumnsMixin, ServiceRefusalMixin, ModelAdmin):
    draft_tool = Tool.BARGAIN
    form = BargainCampaignForm
    list_display = (
        "name",
        "sku",
        "prices",
        "rules",
        "free_shipping",
        "window",
        "state",
        "started",
        "reached_rate",
        "bought_rate",
        "helps",
        "quantity",
    )
    list_filter = ("is_active", "helper_new_only", "free_shipping")
    search_fields = ("name", "sku__code", "sku__product__title")
    list_select_related = ("sku",)
    actions = ("end_campaigns",)
    readonly_fields = ("sold_count",)
    fieldsets = (
        (None, {"fields": ("name", "sku", "is_active", "free_shipping")}),
        (
            _("砍价规则"),
            {
                "fields": (
                    "start_price",
                    "floor_price",
                    "helpers_min",
                    "helpers_max",
                    "cut_min",
                    "cut_max",
                    "duration_minutes",
                ),
                "description": _(
                    "系统在顾客发起时生成随机砍价计划：帮砍人数在范围内、每刀在范围内、正好砍到底价；"
                    "无法做到的设置会在保存时提示如何修改。"
                ),
            },
        ),
        (_("活动时间与库存"), {"fields": ("starts_at", "ends_at", "total_quantity", "sold_count", "per_member_limit")}),
        (_("防刷"), {"fields": ("helper_new_only", "helps_per_helper_per_day", "helps_per_ip")}),
    )

    class Media:
        css = {"all": (CONSOLE_CSS,)}

    def get_queryset(self, request: HttpRequest) -> QuerySet[BargainCampaign]:
        return (
            super()
            .get_queryset(request)
            .annotate(
                n_started=Count("bargains", distinct=True),
                n_reached=Count("bargains", filter=Q(bargains__reached_at__isnull=False), distinct=True),
                n_bought=Count("bargains", filter=Q(bargains__status=BargainStatus.BOUGHT), distinct=True),
                n_helps=Count("bargains__helps", distinct=True),
            )
        )

    def save_model(self, request: HttpRequest, obj: BargainCampaign, form: Any, change: bool) -> None:
        data = form.campaign_data()
        if change:
            bargain_campaign_update(actor=request.user, campaign_id=obj.pk, data=data)
        else:
            obj.pk = bargain_campaign_create(actor=request.user, data=data).pk

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @display(description=_("价格"))
    def prices(self, obj: BargainCampaign) -> str:
        return f"{yuan(obj.start_price)} → {yuan(obj.floor_price)}"

    @display(description=_("规则"))
    def rules(self, obj: BargainCampaign) -> str:
        return str(
            _("%(lo)d–%(hi)d 人，每刀 ¥%(cmin)s–%(cmax)s")
            % {
                "lo": obj.helpers_min,
                "hi": obj.helpers_max,
                "cmin": format_yuan(obj.cut_min),
                "cmax": format_yuan(obj.cut_max),
            }
        )

    @display(description=_("发起"), ordering="n_started")
    def started(self, obj: Any) -> int:
        return int(obj.n_started)

    @display(description=_("砍到底价"), ordering="n_reached")
    def reached_rate(self, obj: Any) -> Any:
        return progress_bar(obj.n_reached, obj.n_started, f"{obj.n_reached}/{obj.n_started}")

    @display(description=_("已购买"), ordering="n_bought")
    def bought_rate(self, obj: Any) -> Any:
        return progress_bar(obj.n_bought, obj.n_started, f"{obj.n_bought}/{obj.n_started}", tone="good")

    @display(description=_("帮砍次数"), ordering="n_helps")
    def helps(self, obj: Any) -> int:
        return int(obj.n_helps)

    @display(description=_("已下单/库存"))
    def quantity(self, obj: BargainCampaign) -> str:
        total = "∞" if obj.total_quantity is None else str(obj.total_quantity)
        return f"{obj.sold_count}/{total}"

    @admin.action(description=_("提前结束所选活动（进行中的砍价一并结束）"))
    def end_campaigns(self, request: HttpRequest, queryset: QuerySet[BargainCampaign]) -> None:
        closed = sum(
            bargain_campaign_end(actor=request.user, campaign_id=pk) for pk in queryset.values_list("pk", flat=True)
        )
        messages.success(request, _("已结束，关闭了 %(n)d 个进行中的砍价。") % {"n": closed})


@admin.register(Bargain)
class BargainAdmin(ModelAdmin):
    list_display = ("pk", "campaign", "member", "status", "progress", "current", "helps_count", "expires_at")
    list_filter = ("status", "campaign")
    search_fields = ("member__nickname", "share_token", "campaign__name")
    list_select_related = ("campaign", "member")
    fields = (
        "campaign",
        "member",
        "status",
        "start_price_yuan",
        "floor_price_yuan",
        "current",
        "helps_count",
        "order",
        "expires_at",
        "reached_at",
        "bought_at",
        "closed_at",
        "created_at",
    )
    readonly_fields = fields
    inlines = [BargainHelpInline]

    class Media:
        css = {"all": (CONSOLE_CSS,)}

    @display(description=_("进度"))
    def progress(self, obj: Bargain) -> Any:
        total = obj.start_price - obj.floor_price
        cut = obj.start_price - obj.current_price
        tone = "good" if obj.status == BargainStatus.BOUGHT else "bad" if obj.status == BargainStatus.EXPIRED else ""
        return progress_bar(cut, total, f"{(cut * 100 // total) if total else 100}%", tone=tone)

    @display(description=_("当前价"), ordering="current_price")
    def current(self, obj: Bargain) -> str:
        return yuan(obj.current_price)

    @display(description=_("起砍价"))
    def start_price_yuan(self, obj: Bargain) -> str:
        return yuan(obj.start_price)

    @display(description=_("底价"))
    def floor_price_yuan(self, obj: Bargain) -> str:
        return yuan(obj.floor_price)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
