"""Console pages for shoppers: list with tier and points, addresses, the points ledger.

The console never edits a shopper's WeChat identity (openid, session_key) or the ledger
directly: tier/blocking go through ``member_staff_update`` and a points adjustment through
``points_adjust`` (an ``adjust`` grant plus an audit row).
"""

from __future__ import annotations

from typing import Any
from uuid import uuid4

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from unfold.admin import ModelAdmin, TabularInline
from unfold.decorators import action, display
from unfold.forms import BaseDialogForm

from mall.console.service_admin import ServiceRefusalMixin
from mall.errors import ApplicationError
from members.models import Address, Member, Message, PointsEntry, SubscribeTemplate
from members.selectors.points import points_balance_subquery
from members.services.members import member_staff_update
from members.services.messages import subscribe_template_save
from members.services.points import points_adjust

POINTS_ADJUST_LIMIT = 1_000_000


class AddressInline(TabularInline):
    """Shown for customer service; addresses are the shopper's to edit, not the console's."""

    model = Address
    fields = ("receiver", "phone", "province", "city", "district", "detail", "is_default")
    readonly_fields = fields
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
    list_display = ("id", "nickname", "phone", "tier", "points_balance_display", "is_blocked", "created_at")
    list_display_links = ("id", "nickname")
    list_filter = ("tier", "is_blocked")
    search_fields = ("nickname", "phone")
    list_per_page = 50
    # session_key never appears; openid is shown read-only for support look-ups.
    fields = (
        "nickname",
        "avatar_url",
        "phone",
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
        "phone",
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
    actions_detail = ["adjust_points"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Member]:
        return super().get_queryset(request).annotate(points_balance=points_balance_subquery())

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

    list_display = ("id", "member", "receiver", "phone", "province", "city", "district", "detail", "is_default")
    search_fields = ("receiver", "phone", "member__nickname", "member__phone")
    list_select_related = ("member",)
    list_per_page = 50

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class SubscribeTemplateForm(forms.ModelForm):
    class Meta:
        model = SubscribeTemplate
        fields = ("kind", "template_id", "fields", "page", "is_active")
        help_texts = {
            "kind": _("工具发送的消息类型，如 flash_restock（补货提醒）、group_failed（拼团失败）。"),
            "fields": _(
                '模板字段 → 内容：title（标题）、body（内容）、time（时间）或 "text:固定文字"，如 {"thing1": "title"}。'
            ),
        }


@admin.register(SubscribeTemplate)
class SubscribeTemplateAdmin(ServiceRefusalMixin, ModelAdmin):
    """Which WeChat subscribe template carries which kind of message (F48); saved through a service."""

    form = SubscribeTemplateForm
    list_display = ("kind", "template_id", "fields", "page", "is_active", "updated_at")
    list_filter = ("is_active",)
    search_fields = ("kind", "template_id")

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

    list_display = ("id", "member", "kind", "title", "push_status", "push_error", "read_at", "created_at")
    list_filter = ("kind", "push_status")
    search_fields = ("member__nickname", "title")
    list_select_related = ("member",)
    list_per_page = 50

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
