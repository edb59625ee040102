"""What every time-boxed campaign shares: its state at a moment and its window as the console shows it."""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone
from django.utils.translation import gettext as _


def campaign_state_label(
    *, starts_at: datetime, ends_at: datetime, is_active: bool, ended_at: datetime | None = None, now: datetime
) -> str:
    """已提前结束 (ended by the merchant) / 已暂停 / 即将开始 / 进行中 / 已结束, in that order of precedence."""
    if ended_at is not None:
        return _("已提前结束")
    if not is_active:
        return _("已暂停")
    if now < starts_at:
        return _("即将开始")
    return _("进行中") if now < ends_at else _("已结束")


def campaign_window_text(starts_at: datetime, ends_at: datetime) -> str:
    start, end = timezone.localtime(starts_at), timezone.localtime(ends_at)
    return f"{start:%m-%d %H:%M} – {end:%m-%d %H:%M}"
