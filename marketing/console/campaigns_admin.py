"""The campaign list in the console (imported by ``marketing.admin`` so it registers at autodiscovery).

Campaigns are listed here and created and run on their own console pages
(``marketing.console.campaigns``), where every change goes through a service.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import Count, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from unfold.admin import ModelAdmin
from unfold.decorators import display

from mall.console.display import yuan
from marketing.models import PHASE_LABELS, Campaign
from marketing.selectors.campaigns import campaign_window_text


@admin.register(Campaign)
class CampaignAdmin(ModelAdmin):
    list_display = ("name_link", "window", "phase", "tool_count", "budget_text")
    list_filter = ("status",)
    search_fields = ("name",)
    ordering = ("-starts_at",)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Campaign]:
        return super().get_queryset(request).annotate(tool_total=Count("tools"))

    @display(description=_("活动名称"), ordering="name")
    def name_link(self, obj: Campaign) -> str:
        return format_html('<a href="{}">{}</a>', reverse("console:marketing_campaign", args=[obj.pk]), obj.name)

    @display(description=_("活动时间"), ordering="starts_at")
    def window(self, obj: Campaign) -> str:
        return campaign_window_text(obj.starts_at, obj.ends_at)

    @display(description=_("状态"))
    def phase(self, obj: Campaign) -> str:
        return str(PHASE_LABELS[obj.phase(timezone.now())])

    @display(description=_("营销工具"))
    def tool_count(self, obj: Campaign) -> int:
        return int(getattr(obj, "tool_total", 0))

    @display(description=_("预算（已占用 / 总额）"))
    def budget_text(self, obj: Campaign) -> str:
        parts = []
        if obj.budget_amount is not None:
            parts.append(f"{yuan(obj.spent_amount)} / {yuan(obj.budget_amount)}")
        if obj.budget_uses is not None:
            parts.append(str(_("%(spent)d / %(total)d 单")) % {"spent": obj.spent_uses, "total": obj.budget_uses})
        return "；".join(parts) or str(_("不限"))

    def add_view(self, request: HttpRequest, form_url: str = "", extra_context: Any = None) -> HttpResponse:
        return redirect(reverse("console:marketing_campaign_new"))

    def change_view(
        self, request: HttpRequest, object_id: str, form_url: str = "", extra_context: Any = None
    ) -> HttpResponse:
        return redirect(reverse("console:marketing_campaign", args=[int(object_id)]))

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # a campaign is ended, never deleted (its audit trail and budget holds stay)
