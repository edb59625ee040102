"""Template filters of the page editor's preview (money shown as yuan, never fen)."""

from __future__ import annotations

from django import template

from mall.console.display import yuan as yuan_text

register = template.Library()


@register.filter
def yuan(fen: int | None) -> str:
    """``9900`` → ``¥99.00``."""
    return yuan_text(fen)
