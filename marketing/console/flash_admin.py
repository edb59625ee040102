"""Console lists for flash sales (imported by ``marketing.admin`` so they register at autodiscovery).

Slots and releases are listed here and edited on their own console page
(``marketing.console.flash_sales``), where every action goes through a service; the daily slot
plan is one settings row; purchases and reservations are read-only records.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from unfold.admin import ModelAdmin
from unfold.decorators import action, display
from unfold.widgets import UnfoldAdminIntegerFieldWidget, UnfoldAdminTextInputWidget

from mall.console.service_admin import ServiceRefusalMixin
from marketing.errors import FlashInvalid
from marketing.models import FlashPurchase, FlashReservation, FlashSettings, FlashSlot, FlashSlotKind, LimitedRelease
from marketing.services.flash_sales import FlashSettingsData, flash_settings_update, flash_settings_validate


class _SlotListAdmin(ModelAdmin):
    kind: str = FlashSlotKind.SLOT
    list_display = ("title_link", "window", "status", "items_summary")
    list_filter = ("status",)
    ordering = ("-starts_at",)
    actions_list = ["open_calendar"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[FlashSlot]:
        return super().get_queryset(request).filter(kind=self.kind).prefetch_related("items__sku__product")

    @display(description=_("场次"))
    def title_link(self, obj: FlashSlot) -> str:
        return format_html('<a href="{}">{}</a>', reverse("console:marketing_flash_slot", args=[obj.pk]), str(obj))

    @display(description=_("时间"), ordering="starts_at")
    def window(self, obj: FlashSlot) -> str:
        start, end = timezone.localtime(obj.starts_at), timezone.localtime(obj.ends_at)
        return f"{start:%Y-%m-%d %H:%M} – {end:%m-%d %H:%M}"

    @display(description=_("商品（已售/库存）"))
    def items_summary(self, obj: FlashSlot) -> str:
        return "；".join(f"{i.sku.product.title[:12]} {i.sold}/{i.quota}" for i in obj.items.all()) or "—"

    def add_view(self, request: HttpRequest, form_url: str = "", extra_context: Any = None) -> HttpResponse:
        url = reverse("console:marketing_flash_new")
        return redirect(f"{url}?kind=release" if self.kind == FlashSlotKind.RELEASE else url)

    def change_view(
        self, request: HttpRequest, object_id: str, form_url: str = "", extra_context: Any = None
    ) -> HttpResponse:
        return redirect(reverse("console:marketing_flash_slot", args=[int(object_id)]))

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # drafts are deleted on their page, through the service

    @action(description=_("秒杀日历"), icon="calendar_month", url_path="calendar")
    def open_calendar(self, request: HttpRequest) -> HttpResponse:
        return redirect(reverse("console:marketing_flash_calendar"))


@admin.register(FlashSlot)
class FlashSlotAdmin(_SlotListAdmin):
    kind = FlashSlotKind.SLOT


@admin.register(LimitedRelease)
class LimitedReleaseAdmin(_SlotListAdmin):
    kind = FlashSlotKind.RELEASE


class FlashSettingsForm(forms.ModelForm):
    slot_times_text = forms.CharField(
        label=_("每日场次"),
        help_text=_("用逗号或空格分隔，如 10:00, 15:00, 20:00（北京时间）"),
        widget=UnfoldAdminTextInputWidget,
    )

    class Meta:
        model = FlashSettings
        fields = ("slot_minutes", "per_shopper_limit")
        widgets = {
            "slot_minutes": UnfoldAdminIntegerFieldWidget,
            "per_shopper_limit": UnfoldAdminIntegerFieldWidget,
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.initial["slot_times_text"] = ", ".join(self.instance.slot_times or [])

    def settings_data(self) -> FlashSettingsData:
        raw = (self.cleaned_data.get("slot_times_text") or "").replace("，", ",").replace(",", " ")
        return FlashSettingsData(
            slot_times=tuple(raw.split()),
            slot_minutes=self.cleaned_data.get("slot_minutes") or 0,
            per_shopper_limit=self.cleaned_data.get("per_shopper_limit") or 0,
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not self.errors:
            try:
                flash_settings_validate(data=self.settings_data())
            except FlashInvalid as exc:
                for key, message in (exc.details.get("errors") or {}).items():
                    name = "slot_times_text" if key == "slot_times" else key
                    self.add_error(name if name in self.fields else None, message)
        return data

    def _post_clean(self) -> None:
        """The service validated; it also saves the row."""


@admin.register(FlashSettings)
class FlashSettingsAdmin(ServiceRefusalMixin, ModelAdmin):
    form = FlashSettingsForm
    fields = ("slot_times_text", "slot_minutes", "per_shopper_limit")

    def changelist_view(self, request: HttpRequest, extra_context: Any = None) -> HttpResponse:
        """One row: the list goes straight to it."""
        return redirect(reverse("admin:marketing_flashsettings_change", args=[FlashSettings.load().pk]))

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        flash_settings_update(actor=request.user, data=form.settings_data())

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        """Nothing related: the service saved the row."""


class _ReadOnlyAdmin(ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(FlashPurchase)
class FlashPurchaseAdmin(_ReadOnlyAdmin):
    list_display = ("order", "item", "member", "qty", "status", "created_at")
    list_filter = ("status",)
    search_fields = ("order__no",)
    list_select_related = ("order", "item", "member")


@admin.register(FlashReservation)
class FlashReservationAdmin(_ReadOnlyAdmin):
    list_display = ("item", "member", "created_at", "notified_at")
    list_filter = (("notified_at", admin.EmptyFieldListFilter),)
    list_select_related = ("item", "member")
