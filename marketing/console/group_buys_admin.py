"""The console's 拼团 pages: campaigns (created and edited through the services, one price field
per SKU of the product), their live outcome counts, the groups with their members, and the
merchant's manual actions (end a campaign; complete or fail an open group early, with refunds).

Registered from ``marketing/admin.py``. Nothing here decides a rule: the form turns yuan into
fen and the services validate, save and audit.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import Count, Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from unfold.admin import ModelAdmin, TabularInline
from unfold.decorators import display

from analytics.console.suggestion_drafts import SuggestionDraftAdminMixin
from analytics.models import Tool
from mall.console.service_admin import ServiceRefusalMixin, ServiceValidatedForm
from mall.errors import ApplicationError
from mall.models import Product, Sku
from mall.money import format_yuan
from marketing.console.audience_fields import AUDIENCE_FIELDS, audience_fields_add, audience_from
from marketing.console.campaign_admin import CampaignColumnsMixin
from marketing.console.social import CONSOLE_CSS, add_rule_errors, money_or_none, progress_bar, yuan_field, yuan_initial
from marketing.errors import RulesInvalid
from marketing.models import GroupBuyCampaign, GroupBuyGroup, GroupBuyMember, GroupMemberStatus, GroupStatus
from marketing.services.group_buys import (
    CLOSE_PERMISSION,
    GroupBuyCampaignData,
    GroupBuyItemData,
    group_buy_campaign_create,
    group_buy_campaign_end,
    group_buy_campaign_update,
    group_buy_campaign_validate,
    group_close,
)
from members.services.audience import audience_set

PRODUCT_CHOICES_SHOWN = 60
BASE_FIELDS = (
    "name",
    "group_size",
    "duration_minutes",
    "auto_complete",
    "starts_at",
    "ends_at",
    "max_qty_per_order",
    "per_member_limit",
    "join_new_only",
    "show_open_groups",
    "is_active",
    "free_shipping",
)


class GroupBuyCampaignForm(ServiceValidatedForm):
    """The campaign's rules plus, for each SKU of its product, a group price and a leader price."""

    product_id: int = 0

    class Meta:
        model = GroupBuyCampaign
        fields = BASE_FIELDS

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        audience_fields_add(self, self.instance.audience)
        items = {item.sku_id: item for item in self.instance.items.all()} if self.instance.pk else {}
        for sku in self.skus():
            specs = " ".join(str(v) for v in (sku.specs or {}).values()) or sku.code
            self.fields[f"price_{sku.pk}"] = yuan_field(
                _("%(specs)s 拼团价(元)") % {"specs": specs},
                required=False,
                help_text=_("售价 ¥%(price)s；留空表示该 SKU 不参加") % {"price": format_yuan(sku.price)},
            )
            self.fields[f"leader_{sku.pk}"] = yuan_field(
                _("%(specs)s 团长价(元)") % {"specs": specs}, required=False, help_text=_("可选，不高于拼团价")
            )
            item = items.get(sku.pk)
            if item is not None:
                self.initial[f"price_{sku.pk}"] = yuan_initial(item.price)
                self.initial[f"leader_{sku.pk}"] = yuan_initial(item.leader_price)

    def skus(self) -> list[Sku]:
        return list(Sku.objects.filter(product_id=self.product_id, is_active=True).order_by("pk"))

    def price_field_names(self) -> list[str]:
        return [name for name in self.fields if name.startswith(("price_", "leader_"))]

    def _items(self) -> tuple[GroupBuyItemData, ...]:
        items = []
        for sku in self.skus():
            try:
                price = money_or_none(self.cleaned_data.get(f"price_{sku.pk}"))
                leader = money_or_none(self.cleaned_data.get(f"leader_{sku.pk}"))
            except forms.ValidationError as exc:
                self.add_error(f"price_{sku.pk}", exc)
                continue
            if price is not None:
                items.append(GroupBuyItemData(sku_id=sku.pk, price=price, leader_price=leader))
            elif leader is not None:
                self.add_error(f"price_{sku.pk}", _("设置团长价前请先填写拼团价。"))
        return tuple(items)

    def campaign_data(self) -> GroupBuyCampaignData:
        data = self.cleaned_data
        return GroupBuyCampaignData(
            name=data.get("name") or "",
            product_id=self.product_id,
            items=self._items(),
            group_size=data.get("group_size") or 0,
            duration_minutes=data.get("duration_minutes") or 0,
            auto_complete=bool(data.get("auto_complete")),
            starts_at=data.get("starts_at"),  # type: ignore[arg-type]
            ends_at=data.get("ends_at"),  # type: ignore[arg-type]
            max_qty_per_order=data.get("max_qty_per_order") or 1,
            per_member_limit=data.get("per_member_limit"),
            join_new_only=bool(data.get("join_new_only")),
            show_open_groups=bool(data.get("show_open_groups")),
            is_active=bool(data.get("is_active")),
            free_shipping=bool(data.get("free_shipping")),
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.errors:
            return data
        campaign = self.campaign_data()
        if self.errors:
            return data
        try:
            group_buy_campaign_validate(data=campaign, campaign_id=self.instance.pk)
        except RulesInvalid as exc:
            first_price = next(iter(self.price_field_names()), "")
            add_rule_errors(self, exc, aliases={"items": first_price})
        return data


def group_buy_form_create(*, actor: Any, form: GroupBuyCampaignForm) -> GroupBuyCampaign:
    """Create the campaign a valid form describes (its audience too): the admin's add page and
    the page editor's inline 拼团 both come through here."""
    campaign = group_buy_campaign_create(actor=actor, data=form.campaign_data())
    audience = audience_from(form.cleaned_data)
    if audience:
        audience_set(actor=actor, target=campaign, audience=audience)
    return campaign


class GroupBuyMemberInline(TabularInline):
    """The group's seats as they are (read-only)."""

    model = GroupBuyMember
    fields = ("member", "is_leader", "status", "order", "joined_at", "paid_at", "refund")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


def _campaign_counts(queryset: QuerySet[GroupBuyCampaign]) -> QuerySet[GroupBuyCampaign]:
    """Live outcome counts per campaign in the list's one query."""
    paid = [GroupMemberStatus.PAID, GroupMemberStatus.REFUNDED]
    return queryset.annotate(
        n_open=Count("groups", filter=Q(groups__status=GroupStatus.OPEN), distinct=True),
        n_formed=Count("groups", filter=Q(groups__status=GroupStatus.COMPLETED), distinct=True),
        n_failed=Count("groups", filter=Q(groups__status=GroupStatus.FAILED), distinct=True),
        n_members=Count("groups__members", filter=Q(groups__members__status__in=paid), distinct=True),
        n_refunds=Count("groups__members", filter=Q(groups__members__status=GroupMemberStatus.REFUNDED), distinct=True),
    )


@admin.register(GroupBuyCampaign)
class GroupBuyCampaignAdmin(SuggestionDraftAdminMixin, CampaignColumnsMixin, ServiceRefusalMixin, ModelAdmin):
    draft_tool = Tool.GROUP_BUY
    form = GroupBuyCampaignForm
    list_display = (
        "name",
        "product",
        "group_size",
        "prices",
        "free_shipping",
        "window",
        "state",
        "open_groups",
        "formed_rate",
        "failed_groups",
        "members_paid",
        "refunds",
    )
    list_filter = ("is_active", "auto_complete", "join_new_only", "free_shipping")
    search_fields = ("name", "product__title")
    list_select_related = ("product",)
    actions = ("end_campaigns",)

    class Media:
        css = {"all": (CONSOLE_CSS,)}

    def get_queryset(self, request: HttpRequest) -> QuerySet[GroupBuyCampaign]:
        return _campaign_counts(super().get_queryset(request)).prefetch_related("items")

    def _product_id(self, request: HttpRequest, obj: GroupBuyCampaign | None) -> int:
        if obj is not None and obj.pk:
            return obj.product_id
        raw = request.GET.get("product", "")
        return int(raw) if raw.isdigit() and Product.objects.filter(pk=int(raw)).exists() else 0

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any) -> Any:
        kwargs["fields"] = None
        base = super().get_form(request, obj, change=change, **kwargs)
        return type("GroupBuyCampaignProductForm", (base,), {"product_id": self._product_id(request, obj)})

    def get_fieldsets(self, request: HttpRequest, obj: Any = None) -> Any:
        product_id = self._product_id(request, obj)
        product = Product.objects.filter(pk=product_id).first()
        prices = [
            name
            for sku in Sku.objects.filter(product_id=product_id, is_active=True).order_by("pk")
            for name in (f"price_{sku.pk}", f"leader_{sku.pk}")
        ]
        return [
            (product.title if product else None, {"fields": ["name", "group_size", "duration_minutes", "is_active"]}),
            (
                _("拼团价"),
                {
                    "fields": prices,
                    "description": _("团长价用于“开团立减”：开团的人付团长价，参团的好友付拼团价。"),
                },
            ),
            (_("活动时间"), {"fields": ["starts_at", "ends_at"]}),
            (_("可参与人群"), {"fields": list(AUDIENCE_FIELDS)}),
            (
                _("规则"),
                {
                    "fields": [
                        "auto_complete",
                        "max_qty_per_order",
                        "per_member_limit",
                        "join_new_only",
                        "show_open_groups",
                        "free_shipping",
                    ]
                },
            ),
        ]

    def add_view(self, request: HttpRequest, form_url: str = "", extra_context: Any = None) -> HttpResponse:
        if not self._product_id(request, None):
            query = (request.GET.get("q") or "").strip()
            products = Product.objects.filter(is_on_shelf=True).order_by("-pk")
            if query:
                products = products.filter(title__icontains=query)
            choices = [(p.pk, p.title, f"?product={p.pk}") for p in products[:PRODUCT_CHOICES_SHOWN]]
            context = {
                **self.admin_site.each_context(request),
                "title": _("新建拼团活动：选择商品"),
                "choices": choices,
                "query": query,
                "empty": _("没有找到上架中的商品。"),
            }
            return render(request, "marketing/social_product_choice.html", context)
        return super().add_view(request, form_url, extra_context)

    def save_model(self, request: HttpRequest, obj: GroupBuyCampaign, form: Any, change: bool) -> None:
        if not change:
            obj.pk = group_buy_form_create(actor=request.user, form=form).pk
            return
        group_buy_campaign_update(actor=request.user, campaign_id=obj.pk, data=form.campaign_data())
        audience = audience_from(form.cleaned_data)
        if audience != (obj.audience or {}):
            audience_set(actor=request.user, target=GroupBuyCampaign.objects.get(pk=obj.pk), audience=audience)

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        """The service already saved the prices."""

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # orders and groups point at it; end it instead

    @display(description=_("拼团价"))
    def prices(self, obj: GroupBuyCampaign) -> str:
        prices = sorted(item.price for item in obj.items.all())
        if not prices:
            return "-"
        low, high = format_yuan(prices[0]), format_yuan(prices[-1])
        return f"¥{low}" if low == high else f"¥{low}–{high}"

    @display(description=_("拼团中"), ordering="n_open")
    def open_groups(self, obj: Any) -> int:
        return int(obj.n_open)

    @display(description=_("成团率"), ordering="n_formed")
    def formed_rate(self, obj: Any) -> Any:
        decided = obj.n_formed + obj.n_failed
        label = f"{obj.n_formed}/{decided}" if decided else "0"
        return progress_bar(obj.n_formed, decided, label, tone="good")

    @display(description=_("未成团"), ordering="n_failed")
    def failed_groups(self, obj: Any) -> int:
        return int(obj.n_failed)

    @display(description=_("已付款人数"), ordering="n_members")
    def members_paid(self, obj: Any) -> int:
        return int(obj.n_members)

    @display(description=_("自动退款"), ordering="n_refunds")
    def refunds(self, obj: Any) -> int:
        return int(obj.n_refunds)

    @admin.action(description=_("提前结束所选活动（不再开新团）"))
    def end_campaigns(self, request: HttpRequest, queryset: QuerySet[GroupBuyCampaign]) -> None:
        for pk in queryset.values_list("pk", flat=True):
            group_buy_campaign_end(actor=request.user, campaign_id=pk)
        messages.success(request, _("已结束；已开的团仍可在时限内成团，也可在“拼团记录”中提前处理。"))


@admin.register(GroupBuyGroup)
class GroupBuyGroupAdmin(ModelAdmin):
    list_display = ("pk", "campaign", "leader", "status", "progress", "expires_at", "outcome", "created_at")
    list_filter = ("status", "outcome", "campaign")
    search_fields = ("leader__nickname", "share_token", "campaign__name")
    list_select_related = ("campaign", "leader")
    fields = (
        "campaign",
        "leader",
        "status",
        "outcome",
        "size",
        "seats_taken",
        "paid_count",
        "share_token",
        "opened_at",
        "expires_at",
        "completed_at",
        "failed_at",
        "created_at",
    )
    readonly_fields = fields
    inlines = [GroupBuyMemberInline]
    actions = ("complete_early", "fail_early")

    class Media:
        css = {"all": (CONSOLE_CSS,)}

    @display(description=_("进度"), ordering="paid_count")
    def progress(self, obj: GroupBuyGroup) -> Any:
        tone = "good" if obj.status == GroupStatus.COMPLETED else "bad" if obj.status == GroupStatus.FAILED else ""
        return progress_bar(obj.paid_count, obj.size, f"{obj.paid_count}/{obj.size}", tone=tone)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # read-only: groups change through orders, payments and the actions below

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_close_permission(self, request: HttpRequest) -> bool:
        # A method, not a dotted permission: unfold checks those against the database at check time.
        return request.user.has_perm(CLOSE_PERMISSION)

    def _close(self, request: HttpRequest, queryset: QuerySet[GroupBuyGroup], *, complete: bool) -> None:
        done, refused = 0, []
        for pk in queryset.order_by("pk").values_list("pk", flat=True):
            try:
                group_close(actor=request.user, group_id=pk, complete=complete)
            except ApplicationError as exc:
                refused.append(f"#{pk}: {exc.message}")
            else:
                done += 1
        if done:
            text = (
                _("已提前成团 %(n)d 个团，订单可以发货。")
                if complete
                else _("已结束 %(n)d 个团，已付款的顾客自动退款。")
            )
            messages.success(request, text % {"n": done})
        for line in refused:
            messages.error(request, line)

    @admin.action(description=_("提前成团（已付款的订单可发货）"), permissions=["close"])
    def complete_early(self, request: HttpRequest, queryset: QuerySet[GroupBuyGroup]) -> None:
        self._close(request, queryset, complete=True)

    @admin.action(description=_("提前结束并自动退款"), permissions=["close"])
    def fail_early(self, request: HttpRequest, queryset: QuerySet[GroupBuyGroup]) -> None:
        self._close(request, queryset, complete=False)
