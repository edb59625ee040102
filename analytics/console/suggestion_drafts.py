"""Linking a saved draft back to the suggestion that opened it (F39 "what accepted suggestions earned").

Accepting a suggestion opens its draft form with ``?suggestion=<id>``; the form posts to the
same address, so when the merchant saves, the console that created the tool object calls
:func:`draft_saved` and the suggestion learns which (tool, object) it became. Admins get it
through :class:`SuggestionDraftAdminMixin`; the flash-slot form calls it directly.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse
from django.urls import NoReverseMatch, reverse

from analytics.models import Tool
from analytics.services.suggestions import suggestion_draft_link

PARAM = "suggestion"

# Where the console shows each tool's object (an admin change page or a console page).
OBJECT_URLS = {
    Tool.PROMOTION: "admin:marketing_promotion_change",
    Tool.STEPPED: "admin:marketing_promotion_change",
    Tool.COUPON: "admin:marketing_coupontemplate_change",
    Tool.FLASH: "console:marketing_flash_slot",
    Tool.RELEASE: "console:marketing_flash_slot",
    Tool.GROUP_BUY: "admin:marketing_groupbuycampaign_change",
    Tool.BARGAIN: "admin:marketing_bargaincampaign_change",
}


def draft_url(action_url: str, suggestion_id: int) -> str:
    """The suggestion's draft address carrying its id, so saving the draft can link it."""
    glue = "&" if "?" in action_url else "?"
    return f"{action_url}{glue}{urlencode({PARAM: suggestion_id})}"


def object_url(tool: str, object_id: int | None) -> str | None:
    name = OBJECT_URLS.get(Tool(tool)) if tool in Tool.values else None
    if name is None or object_id is None:
        return None
    try:
        return reverse(name, args=[object_id])
    except NoReverseMatch:
        return None


def draft_saved(request: HttpRequest, *, tool: str, object_id: int, name: str) -> bool:
    """Called by a console form after it created a tool object; links it when the form was
    opened from an accepted suggestion (anything else is ignored)."""
    raw = request.GET.get(PARAM, "")
    if not raw.isdigit():
        return False
    return suggestion_draft_link(actor=request.user, suggestion_id=int(raw), tool=tool, object_id=object_id, name=name)


class SuggestionDraftAdminMixin:
    """For a ModelAdmin whose add form is a suggestion's draft: link what was saved.
    ``draft_tool`` names the attribution tool; an admin whose tool depends on the object
    (a stepped promotion) overrides :meth:`suggestion_tool`."""

    draft_tool: str = ""

    def suggestion_tool(self, obj: Any) -> str:
        return self.draft_tool

    def response_add(self, request: HttpRequest, obj: Any, post_url_continue: str | None = None) -> HttpResponse:
        draft_saved(request, tool=self.suggestion_tool(obj), object_id=obj.pk, name=str(obj))
        return super().response_add(request, obj, post_url_continue)  # type: ignore[misc]
