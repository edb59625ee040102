"""The "活动时间" and "状态" columns every campaign list shows (promotions, group buys, bargains)."""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from unfold.decorators import display

from marketing.selectors.campaigns import campaign_state_label, campaign_window_text


class CampaignColumnsMixin:
    """For admins of models with ``starts_at``, ``ends_at``, ``is_active`` (and maybe ``ended_at``)."""

    @display(description=_("活动时间"))
    def window(self, obj: Any) -> str:
        return campaign_window_text(obj.starts_at, obj.ends_at)

    @display(description=_("状态"))
    def state(self, obj: Any) -> str:
        return campaign_state_label(
            starts_at=obj.starts_at,
            ends_at=obj.ends_at,
            is_active=obj.is_active,
            ended_at=getattr(obj, "ended_at", None),
            now=timezone.now(),
        )
