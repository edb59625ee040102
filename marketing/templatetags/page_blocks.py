"""Template filters of the page editor's preview (money shown as yuan, never fen)."""

from __future__ import annotations

from django import template
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from mall.console.display import yuan as yuan_text

register = template.Library()


@register.filter
def yuan(fen: int | None) -> str:
    """``9900`` → ``¥99.00``."""
    return yuan_text(fen)


@register.filter
def moment(value: str | None) -> str:
    """An ISO 8601 moment of the page JSON as the shop's clock shows it: ``06-18 20:00``."""
    parsed = parse_datetime(value or "")
    return f"{timezone.localtime(parsed):%m-%d %H:%M}" if parsed is not None else ""
