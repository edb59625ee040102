"""How the console shows stored values: money in yuan, specs and addresses as text, phones masked.

The one place console pages turn raw fields (integer fen, JSON snapshots) into what staff read,
so no page shows ``39900`` or ``{"\\u5bb9\\u91cf": ...}``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from django.template.loader import render_to_string
from django.utils.safestring import SafeString
from unfold.decorators import display

from mall.money import yuan_text


def yuan(fen: int | None) -> str:
    """``39900`` → ``¥399.00``, ``12345600`` → ``¥123,456.00``, ``-420`` → ``-¥4.20``; ``None`` → ``-``.

    The console's name for ``mall.money.yuan_text``, the project's one money display helper."""
    return yuan_text(fen)


def specs_text(specs: Mapping[str, Any] | None) -> str:
    """``{"容量": "250ml", "颜色": "红"}`` → ``容量：250ml，颜色：红``."""
    if not specs:
        return "-"
    return "，".join(f"{name}：{value}" for name, value in specs.items())


def mask_phone(phone: str | None) -> str:
    """``13800000443`` → ``138****0443``: enough to recognise, not to call."""
    phone = (phone or "").strip()
    if not phone:
        return "-"
    if len(phone) < 7:
        return "*" * len(phone)
    return f"{phone[:3]}{'*' * (len(phone) - 7)}{phone[-4:]}"


def address_text(address: Mapping[str, Any] | None) -> str:
    """The place part of an order's address snapshot, as one line (receiver and phone apart)."""
    if not address:
        return "-"
    parts = [str(address.get(key) or "") for key in ("province", "city", "district", "detail")]
    # Municipalities repeat themselves (上海市 上海市): say it once.
    if parts[0] and parts[0] == parts[1]:
        parts.pop(1)
    return " ".join(part for part in parts if part) or "-"


def flag(text: Any, variant: str = "danger") -> SafeString:
    """A small coloured label in unfold's own style (its CSS already holds these classes)."""
    return render_to_string("unfold/helpers/label.html", {"text": text, "type": variant})


def flag_if(condition: bool, text: Any, variant: str = "danger") -> SafeString | str:
    """The label only in the exceptional state: an ordinary row shows nothing, not a red ✗."""
    return flag(text, variant) if condition else ""


def exceptional_column(
    field: str, text: Any, *, when: bool = True, variant: str = "danger", description: Any = None
) -> Callable[[Any, Any], SafeString | str]:
    """A list column for a boolean that shows ``text`` only when ``field == when``.

    ``is_blocked = exceptional_column("is_blocked", _("已封禁"))`` on a ModelAdmin: blocked
    shoppers say so, the others show an empty cell instead of a red ✗.
    """

    @display(description=description or text, ordering=field)
    def column(admin: Any, obj: Any) -> SafeString | str:
        return flag_if(bool(getattr(obj, field)) == when, text, variant)

    return column
