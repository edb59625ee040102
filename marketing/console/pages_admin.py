"""Console list of campaign pages (F26; imported by ``marketing.admin`` so it registers).

The list shows each page's state; adding and editing open the page editor
(``marketing.console.pages``), where every change goes through the services.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from unfold.admin import ModelAdmin
from unfold.decorators import display

from marketing.models import CampaignPage


@admin.register(CampaignPage)
class CampaignPageAdmin(ModelAdmin):
    list_display = ("title_link", "slug", "home", "state", "online_version", "schedule", "updated_at")
    search_fields = ("title", "slug")
    ordering = ("-id",)

    def get_queryset(self, request: HttpRequest) -> QuerySet[CampaignPage]:
        return super().get_queryset(request).select_related("published_version")

    @display(description=_("页面"))
    def title_link(self, obj: CampaignPage) -> str:
        return format_html('<a href="{}">{}</a>', reverse("console:marketing_page_editor", args=[obj.pk]), obj.title)

    @display(description=_("店铺首页"), boolean=True)
    def home(self, obj: CampaignPage) -> bool:
        return bool(obj.is_home)

    @display(description=_("状态"), label={"已发布": "success", "定时发布": "warning", "草稿": "info"})
    def state(self, obj: CampaignPage) -> str:
        return obj.get_status_display()

    @display(description=_("线上版本"))
    def online_version(self, obj: CampaignPage) -> str:
        return f"v{obj.published_version.number}" if obj.published_version else "—"

    @display(description=_("定时"))
    def schedule(self, obj: CampaignPage) -> str:
        parts = []
        if obj.publish_at:
            parts.append(_("%(t)s 发布") % {"t": f"{timezone.localtime(obj.publish_at):%m-%d %H:%M}"})
        if obj.unpublish_at:
            parts.append(_("%(t)s 下线") % {"t": f"{timezone.localtime(obj.unpublish_at):%m-%d %H:%M}"})
        return "；".join(str(p) for p in parts) or "—"

    def add_view(self, request: HttpRequest, form_url: str = "", extra_context: Any = None) -> HttpResponse:
        return redirect(reverse("console:marketing_page_new"))

    def change_view(
        self, request: HttpRequest, object_id: str, form_url: str = "", extra_context: Any = None
    ) -> HttpResponse:
        return redirect(reverse("console:marketing_page_editor", args=[int(object_id)]))

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # a page comes down by unpublishing; its versions are its history
