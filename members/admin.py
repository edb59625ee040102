"""Console pages for shoppers: list with tier and points, addresses, the points ledger, and the
anti-abuse pages (block list of IPs and devices, guard settings).

The console never edits a shopper's WeChat identity (openid, session_key) or the ledger
directly: tier/blocking go through ``member_staff_update`` and a points adjustment through
``points_adjust`` (an ``adjust`` grant plus an audit row). Block entries and the guard
settings go through ``members.services.abuse`` (audited, effective at the next request).
"""

from __future__ import annotations

from functools import partial
from typing import Any, cast
from uuid import uuid4

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from unfold.admin import ModelAdmin, TabularInline
from unfold.decorators import action, display
from unfold.forms import BaseDialogForm

from mall.api.clients import client_ip
from mall.console.display import exceptional_column, mask_phone
from mall.console.exports import can_export, exceeds_inline, export_csv_response, job_started_response
from mall.console.service_admin import ServiceRefusalMixin, ServiceValidatedForm
from mall.errors import ApplicationError
from members.console import (  # noqa: F401 - importing registers their admin classes
    campaigns_admin,
    checkin_admin,
    member_import_admin,
    segments_admin,
    tiers_admin,
)
from members.console.tags_admin import MemberRfmFilter, MemberTagFilter, tag_members_add, tag_members_remove
from members.errors import BlockEntryExists, BlockValueInvalid, GuardSettingsInvalid
from members.message_kinds import MOMENT_LABELS, message_kind_label, message_kinds
from members.models import Address, BlockEntry, GuardSettings, Member, Message, PointsEntry, SubscribeTemplate
from members.selectors.exports import member_export_rows
from members.selectors.points import points_balance_subquery
from members.services.abuse import (
    GuardSettingsData,
    block_entry_create,
    block_entry_delete,
    block_entry_update,
    block_value_normalise,
    guard_settings_update,
    guard_settings_validate,
)
from members.services.member_export_job import member_export_job_create
from members.services.members import member_staff_update
from members.services.messages import subscribe_template_save
from members.services.points import points_adjust
from orders.services.privacy import phone_reveal_allowed

POINTS_ADJUST_LIMIT = 1_000_000


class AddressInline(TabularInline):
    """Shown for customer service; addresses are the shopper's to edit, not the console's."""

    model = Address
    fields = ("receiver", "phone_masked", "province", "city", "district", "detail", "default_flag")
    readonly_fields = fields
    phone_masked = display(description=_("手机号"))(lambda self, obj: mask_phone(obj.phone))
    default_flag = exceptional_column("is_default", _("默认"), variant="info", description=_("默认地址"))
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class PointsAdjustForm(BaseDialogForm):
    """The adjust dialog. ``ref`` is a nonce issued with the form, so a double submit adjusts once."""

    delta = forms.IntegerField(
        label=_("变动积分"),
        help_text=_("正数为增加，负数为扣减。"),
        min_value=-POINTS_ADJUST_LIMIT,
        max_value=POINTS_ADJUST_LIMIT,
    )
    note = forms.CharField(label=_("原因"), max_length=200)
    ref = forms.CharField(widget=forms.HiddenInput, max_length=40)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["ref"].initial = uuid4().hex

    def clean_delta(self) -> int:
        delta = int(self.cleaned_data["delta"])
        if delta == 0:
            raise forms.ValidationError(_("变动积分不能为 0。"))
        return delta


@admin.register(Member)
class MemberAdmin(ModelAdmin):
    # Phones masked: the order page reveals a receiver's number (audited) to those who need it.
    list_display = ("id", "nickname", "phone_masked", "tier", "points_balance_display", "blocked_flag", "created_at")
    list_display_links = ("id", "nickname")
    list_filter = ("tier", "is_blocked", MemberTagFilter, MemberRfmFilter)
    search_fields = ("nickname", "phone")
    list_per_page = 50
    # session_key never appears; openid is shown read-only for support look-ups.
    fields = (
        "nickname",
        "avatar_url",
        "phone_masked",
        "birthday",
        "tier",
        "is_blocked",
        "points_balance_display",
        "invite_code",
        "inviter",
        "openid",
        "unionid",
        "is_dev",
        "created_at",
        "last_login_at",
    )
    readonly_fields = (
        "nickname",
        "avatar_url",
        "phone_masked",
        "birthday",
        "points_balance_display",
        "invite_code",
        "inviter",
        "openid",
        "unionid",
        "is_dev",
        "created_at",
        "last_login_at",
    )
    inlines = [AddressInline]
    actions = ("block_members", "unblock_members", "export_members_csv", tag_members_add, tag_members_remove)
    actions_detail = ["adjust_points"]

    blocked_flag = exceptional_column("is_blocked", _("已封禁"), description=_("封禁"))

    def has_export_members_permission(self, request: HttpRequest) -> bool:
        return can_export(request, "members")

    @action(description=_("导出所选会员（CSV）"), permissions=["export_members"])
    def export_members_csv(self, request: HttpRequest, queryset: QuerySet[Member]) -> HttpResponse:
        """Personal data: its own permission, recorded and audited with the row count; the phone
        in full only for roles that may see phone numbers."""
        if exceeds_inline(queryset):
            ids = list(queryset.order_by().values_list("pk", flat=True))
            job = member_export_job_create(actor=request.user, member_ids=ids, fmt="csv", ip_address=client_ip(request))
            return job_started_response(request, job)
        rows_of = partial(member_export_rows, reveal_phone=phone_reveal_allowed(actor=request.user))
        return export_csv_response(request, dataset="members", queryset=queryset, rows_of=rows_of)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Member]:
        return super().get_queryset(request).annotate(points_balance=points_balance_subquery())

    @display(description=_("手机号"))
    def phone_masked(self, obj: Member) -> str:
        return mask_phone(obj.phone)

    @display(description=_("积分"), ordering="points_balance")
    def points_balance_display(self, obj: Member) -> int:
        return int(getattr(obj, "points_balance", 0))

    def has_add_permission(self, request: HttpRequest) -> bool:
        # Shoppers only come from the mini-program's login.
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # Orders reference shoppers; blocking is the console's tool.
        return False

    def save_model(self, request: HttpRequest, obj: Member, form: forms.ModelForm, change: bool) -> None:
        member_staff_update(
            member_id=obj.pk,
            actor=request.user,
            tier=form.cleaned_data.get("tier"),
            is_blocked=form.cleaned_data.get("is_blocked"),
        )

    def _set_blocked(self, request: HttpRequest, queryset: QuerySet[Member], *, blocked: bool) -> int:
        for pk in queryset.values_list("pk", flat=True):
            member_staff_update(member_id=pk, actor=request.user, is_blocked=blocked)
        return queryset.count()

    @admin.action(description=_("封禁所选会员"), permissions=["change"])
    def block_members(self, request: HttpRequest, queryset: QuerySet[Member]) -> None:
        count = self._set_blocked(request, queryset, blocked=True)
        messages.success(request, _("已封禁 %(count)d 个会员，立即生效。") % {"count": count})

    @admin.action(description=_("解除封禁所选会员"), permissions=["change"])
    def unblock_members(self, request: HttpRequest, queryset: QuerySet[Member]) -> None:
        count = self._set_blocked(request, queryset, blocked=False)
        messages.success(request, _("已解除 %(count)d 个会员的封禁。") % {"count": count})

    def has_adjust_points_permission(self, request: HttpRequest, object_id: Any = None) -> bool:
        return request.user.has_perm("members.adjust_points")

    @action(
        description=_("调整积分"),
        # A method, not "members.adjust_points": unfold's system check would query the
        # permission table for dotted names, which breaks ``migrate`` on a fresh database.
        permissions=["adjust_points"],
        icon="stars",
        dialog={
            "title": _("调整积分"),
            "description": _("调整会写入积分流水和操作日志。"),
            "form_class": PointsAdjustForm,
            "form_submit_text": _("确认调整"),
        },
    )
    def adjust_points(self, request: HttpRequest, form: PointsAdjustForm, object_id: str) -> HttpResponse:
        try:
            entry = points_adjust(
                member_id=int(object_id),
                delta=form.cleaned_data["delta"],
                note=form.cleaned_data["note"],
                ref=form.cleaned_data["ref"],
                actor=request.user,  # type: ignore[arg-type]
            )
        except ApplicationError as exc:
            messages.error(request, str(exc.message))
        else:
            messages.success(request, _("积分已调整：%(delta)+d") % {"delta": entry.delta})
        change_url = reverse("admin:members_member_change", args=[object_id])
        return HttpResponse(headers={"HX-Redirect": change_url})


@admin.register(PointsEntry)
class PointsEntryAdmin(ModelAdmin):
    """The ledger is append-only: entries are read here and written only by the points services."""

    list_display = ("id", "member", "delta", "reason", "ref", "note", "created_at")
    list_filter = ("reason",)
    search_fields = ("member__nickname", "member__phone", "ref")
    list_select_related = ("member",)
    list_per_page = 50

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Address)
class AddressAdmin(ModelAdmin):
    """Read-only look-up for customer service (find a shopper by the receiver's phone)."""

    list_display = (
        "id",
        "member",
        "receiver",
        "phone_masked",
        "province",
        "city",
        "district",
        "detail",
        "default_flag",
    )
    search_fields = ("receiver", "phone", "member__nickname", "member__phone")
    list_select_related = ("member",)
    list_per_page = 50
    default_flag = exceptional_column("is_default", _("默认"), variant="info", description=_("默认地址"))

    @display(description=_("手机号"))
    def phone_masked(self, obj: Address) -> str:
        return mask_phone(obj.phone)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


def _kind_choices(current: str = "") -> list[tuple[str, str]]:
    choices = [(entry.kind, f"{entry.label}（{entry.kind}）") for entry in message_kinds()]
    if current and current not in {kind for kind, _label in choices}:
        choices.append((current, current))
    return choices


class SubscribeTemplateForm(forms.ModelForm):
    kind = forms.ChoiceField(label=_("消息类型"), choices=())

    class Meta:
        model = SubscribeTemplate
        fields = ("kind", "template_id", "fields", "page", "is_active")
        help_texts = {
            "fields": _(
                '模板字段 → 内容：title（标题）、body（内容）、time（时间）或 "text:固定文字"，如 {"thing1": "title"}。'
            ),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        kind_field = cast(forms.ChoiceField, self.fields["kind"])
        kind_field.choices = _kind_choices(self.instance.kind if self.instance.pk else "")
        kind_field.help_text = _(
            "小程序会在这类消息的相关时机（如预约补货、领券、支付后）请顾客授权；未授权的顾客只收到站内消息。"
        )


@admin.register(SubscribeTemplate)
class SubscribeTemplateAdmin(ServiceRefusalMixin, ModelAdmin):
    """Which WeChat subscribe template carries which kind of message (F48); saved through a service."""

    form = SubscribeTemplateForm
    list_display = ("kind_label", "asked_at", "template_id", "fields", "page", "inactive_flag", "updated_at")
    list_filter = ("is_active",)
    search_fields = ("kind", "template_id")
    inactive_flag = exceptional_column("is_active", _("已停用"), when=False, variant="warning", description=_("状态"))

    @display(description=_("消息类型"), ordering="kind")
    def kind_label(self, obj: SubscribeTemplate) -> str:
        return message_kind_label(obj.kind)

    @display(description=_("询问授权的时机"))
    def asked_at(self, obj: SubscribeTemplate) -> str:
        moments = next((entry.moments for entry in message_kinds() if entry.kind == obj.kind), ())
        return "、".join(str(MOMENT_LABELS.get(moment, moment)) for moment in moments) or "—"

    def save_model(self, request: HttpRequest, obj: SubscribeTemplate, form: Any, change: bool) -> None:
        data = form.cleaned_data
        saved = subscribe_template_save(
            actor=request.user,
            template_id=obj.pk if change else None,
            kind=data["kind"],
            wechat_template_id=data["template_id"],
            fields=data["fields"],
            page=data.get("page") or "",
            is_active=data["is_active"],
        )
        obj.pk = saved.pk

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # switch a template off instead: the audit trail keeps its history


@admin.register(Message)
class MessageAdmin(ModelAdmin):
    """What the shop told each shopper, and whether the push reached them (read-only)."""

    list_display = (
        "id",
        "member",
        "kind",
        "title",
        "push_status",
        "skip_reason",
        "push_after",
        "push_error",
        "read_at",
        "created_at",
    )
    list_filter = ("kind", "push_status", "skip_reason")
    search_fields = ("member__nickname", "title")
    list_select_related = ("member",)
    list_per_page = 50

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


# --- anti-abuse (F45) ---------------------------------------------------------------------


class BlockEntryAdminForm(forms.ModelForm):
    """Normalises the value (an address becomes a /32 network) and refuses duplicates on the
    form; the service checks the same again when saving."""

    class Meta:
        model = BlockEntry
        fields = ("kind", "value", "note", "expires_at")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        kind = self.instance.kind if self.instance.pk else data.get("kind")
        if self.errors or not kind:
            return data
        try:
            data["value"] = block_value_normalise(kind=kind, value=data.get("value") or "")
        except BlockValueInvalid as exc:
            self.add_error("value", str(exc.message))
            return data
        duplicate = BlockEntry.objects.filter(kind=kind, value=data["value"]).exclude(pk=self.instance.pk or 0)
        if duplicate.exists():
            self.add_error("value", str(BlockEntryExists.default_message))
        return data

    def validate_unique(self) -> None:
        """Checked in ``clean`` on the normalised value, with the service's message."""


@admin.register(BlockEntry)
class BlockEntryAdmin(ServiceRefusalMixin, ModelAdmin):
    form = BlockEntryAdminForm
    list_display = ("value", "kind", "note", "state", "expires_at", "created_by", "created_at")
    list_filter = ("kind",)
    search_fields = ("value", "note")
    list_select_related = ("created_by",)
    list_per_page = 50

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        return ("kind",) if obj is not None and obj.pk else ()

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any) -> Any:
        form = super().get_form(request, obj, change=change, **kwargs)
        if "value" in form.base_fields:
            form.base_fields["value"].help_text = _(
                "IP 地址（如 1.2.3.4）、网段（如 10.0.0.0/24），或小程序上报的设备号；保存后立即生效。"
            )
        return form

    @display(description=_("状态"))
    def state(self, obj: BlockEntry) -> str:
        if obj.expires_at is not None and obj.expires_at <= timezone.now():
            return str(_("已过期"))
        return str(_("生效中"))

    def save_model(self, request: HttpRequest, obj: BlockEntry, form: forms.ModelForm, change: bool) -> None:
        data = form.cleaned_data
        if change:
            block_entry_update(
                actor=request.user,
                entry_id=obj.pk,
                value=data["value"],
                note=data.get("note") or "",
                expires_at=data.get("expires_at"),
            )
        else:
            obj.pk = block_entry_create(
                actor=request.user,
                kind=data["kind"],
                value=data["value"],
                note=data.get("note") or "",
                expires_at=data.get("expires_at"),
            ).pk

    def delete_model(self, request: HttpRequest, obj: BlockEntry) -> None:
        block_entry_delete(actor=request.user, entry_id=obj.pk)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[BlockEntry]) -> None:
        for pk in queryset.values_list("pk", flat=True):
            block_entry_delete(actor=request.user, entry_id=pk)


GUARD_DESCRIPTION = _(
    "抢购、领券等稀缺操作先经过防刷检查：被封禁的会员、IP（含网段）和设备直接拒绝；"
    "“有风险时验证”表示同一会员短时间内操作过多、同一 IP 或同一设备登录的会员过多时，"
    "要求先完成滑块验证；“每次都验证”表示每次操作都要验证。修改后立即生效，并记入操作日志。"
)


class GuardSettingsAdminForm(ServiceValidatedForm):
    class Meta:
        model = GuardSettings
        fields = tuple(GuardSettingsData.__dataclass_fields__)

    def settings_data(self) -> GuardSettingsData:
        return GuardSettingsData(**{name: self.cleaned_data[name] for name in GuardSettingsData.__dataclass_fields__})

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.errors:
            return data
        try:
            guard_settings_validate(data=self.settings_data())
        except GuardSettingsInvalid as exc:
            for name, message in exc.details.get("errors", {}).items():
                self.add_error(name if name in self.fields else None, message)
        return data


@admin.register(GuardSettings)
class GuardSettingsAdmin(ServiceRefusalMixin, ModelAdmin):
    form = GuardSettingsAdminForm
    readonly_fields = ("updated_by", "updated_at")
    fieldsets = (
        (
            _("滑块验证"),
            {
                "fields": (
                    "purchase_captcha",
                    "claim_captcha",
                    "reserve_captcha",
                    "help_captcha",
                    "order_captcha",
                    "other_captcha",
                ),
                "description": GUARD_DESCRIPTION,
            },
        ),
        (
            _("风险信号"),
            {
                "fields": (
                    ("velocity_limit", "velocity_window_seconds"),
                    ("accounts_per_ip", "accounts_per_ip_window_seconds"),
                    ("accounts_per_device", "accounts_per_device_window_seconds"),
                )
            },
        ),
        (None, {"fields": ("updated_by", "updated_at")}),
    )

    def changelist_view(self, request: HttpRequest, extra_context: Any = None) -> HttpResponse:
        """One row: the list goes straight to it."""
        row = GuardSettings.load()
        return redirect(reverse("admin:members_guardsettings_change", args=[row.pk]))

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: GuardSettings, form: Any, change: bool) -> None:
        guard_settings_update(actor=request.user, data=form.settings_data())


# F14–F16: tiers that move and the points mall (their pages live in members/console/tiers_admin.py).
tiers_admin.register(admin.site)
checkin_admin.register(admin.site)
