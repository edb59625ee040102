"""Small pieces the 拼团 and 砍价 console pages share: yuan fields, progress bars, refusals on forms."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _
from unfold.widgets import UnfoldAdminTextInputWidget

from mall.money import MoneyFormatError, format_yuan, parse_yuan
from marketing.errors import RulesInvalid

CONSOLE_CSS = "console/social.css"


def yuan_field(label: Any, *, required: bool = True, help_text: Any = "") -> forms.CharField:
    return forms.CharField(
        label=label,
        required=required,
        help_text=help_text,
        widget=UnfoldAdminTextInputWidget(attrs={"inputmode": "decimal"}),
    )


def money_or_none(raw: str | None) -> int | None:
    """ "29" / "29.90" → fen; "" → None; anything else → a form error in Chinese."""
    raw = (raw or "").strip()
    if not raw:
        return None
    try:
        return parse_yuan(raw)
    except MoneyFormatError as exc:
        raise forms.ValidationError(_("金额应写成元，最多两位小数，如 29.90。")) from exc


def yuan_initial(fen: int | None) -> str:
    return "" if fen is None else format_yuan(fen)


def add_rule_errors(form: forms.BaseForm, exc: RulesInvalid, aliases: dict[str, str] | None = None) -> None:
    """Each refusal of a service next to its field (or above the form)."""
    errors = exc.details.get("errors") or {exc.details.get("field", ""): str(exc.message)}
    for key, message in errors.items():
        name = (aliases or {}).get(key, key)
        form.add_error(name if name in form.fields else None, message)


def progress_bar(done: int, total: int, label: str, *, tone: str = "") -> SafeString:
    """A small bar for list pages ("2/3", "68%"); ``tone`` = "good" | "bad" | ""."""
    percent = 0 if total <= 0 else max(0, min(100, done * 100 // total))
    return format_html(
        '<span class="dy-progress{}" title="{}"><span class="dy-progress-bar" style="width: {}%"></span></span>'
        '<span class="dy-progress-label">{}</span>',
        f" dy-progress-{tone}" if tone else "",
        label,
        percent,
        label,
    )
