"""Settings fields of page blocks: one declaration gives validation, the console form and docs.

A block's settings are a flat JSON object. Each :class:`Field` names a key, its kind and its
limits; :func:`settings_clean` turns what the editor sent into the stored settings, or returns
a Chinese message per field. No Django models here: references to the shop's rows (product
ids, a flash slot …) are checked by the block's own ``check`` in ``blocks``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

FieldKind = Literal["text", "textarea", "int", "ids", "choice", "datetime", "media", "bool", "lines"]

MEDIA_PATTERN = re.compile(r"^(https://|/)[^\s\"'<>]{1,500}$")
MAX_IDS = 20
MAX_LINES = 10


@dataclass(frozen=True)
class Field:
    """One setting. ``choices`` are (value, label) pairs; ``lines`` is one item per line,
    its columns separated by ``|`` (``columns`` names them)."""

    name: str
    label: Any
    kind: FieldKind = "text"
    required: bool = False
    default: Any = None
    choices: tuple[tuple[str, Any], ...] = ()
    min_value: int | None = None
    max_value: int | None = None
    max_length: int = 60
    columns: tuple[str, ...] = ()
    help: Any = ""
    # shown only when another field has one of these values: ("source", ("category",))
    when: tuple[str, tuple[str, ...]] | None = None

    def describe(self) -> dict[str, Any]:
        """JSON the console editor builds its form from."""
        return {
            "name": self.name,
            "label": str(self.label),
            "kind": self.kind,
            "required": self.required,
            "default": self.default,
            "choices": [[value, str(label)] for value, label in self.choices],
            "min": self.min_value,
            "max": self.max_value,
            "max_length": self.max_length,
            "help": str(self.help),
            "when": list(self.when) if self.when else None,
        }


@dataclass
class Cleaned:
    settings: dict[str, Any] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip()) or value == []


def _int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and re.fullmatch(r"\s*-?\d{1,12}\s*", value):
        return int(value)
    return None


def _ids(value: Any) -> list[int] | None:
    items: Sequence[Any]
    if isinstance(value, str):
        items = [part for part in re.split(r"[\s,，]+", value) if part]
    elif isinstance(value, list):
        items = value
    else:
        return None
    ids = [_int(item) for item in items]
    if any(i is None or i < 1 for i in ids):
        return None
    return list(dict.fromkeys(i for i in ids if i is not None))


def _clean_one(spec: Field, value: Any) -> tuple[Any, str]:
    """(clean value, error message or '')."""
    kind = spec.kind
    if kind in ("text", "textarea", "media"):
        if not isinstance(value, str):
            return None, _("须为文字。")
        text = value.strip()
        limit = spec.max_length
        if len(text) > limit:
            return None, _("最多 %(n)d 个字。") % {"n": limit}
        if kind == "media" and not MEDIA_PATTERN.match(text):
            return None, _("须为 https:// 开头或本站 / 开头的地址。")
        return text, ""
    if kind == "int":
        number = _int(value)
        if number is None:
            return None, _("须为整数。")
        if spec.min_value is not None and number < spec.min_value:
            return None, _("不能小于 %(n)d。") % {"n": spec.min_value}
        if spec.max_value is not None and number > spec.max_value:
            return None, _("不能大于 %(n)d。") % {"n": spec.max_value}
        return number, ""
    if kind == "ids":
        ids = _ids(value)
        if ids is None:
            return None, _("须为以逗号分隔的编号。")
        if len(ids) > (spec.max_value or MAX_IDS):
            return None, _("最多 %(n)d 个。") % {"n": spec.max_value or MAX_IDS}
        return ids, ""
    if kind == "choice":
        allowed = [choice for choice, _label in spec.choices]
        if value not in allowed:
            return None, _("请从选项中选择。")
        return value, ""
    if kind == "bool":
        if isinstance(value, bool):
            return value, ""
        if value in ("on", "true", "1", 1):
            return True, ""
        if value in ("", "false", "0", 0, "off"):
            return False, ""
        return None, _("须为是或否。")
    if kind == "datetime":
        moment = value if isinstance(value, datetime) else parse_datetime(str(value).strip().replace(" ", "T"))
        if moment is None or moment.tzinfo is None:
            return None, _("须为带时区的时间，如 2026-06-18T20:00:00+08:00。")
        return moment.isoformat(), ""
    if kind == "lines":
        return _clean_lines(spec, value)
    raise ValueError(f"unknown field kind {kind}")  # a declaration bug, never input


def _clean_lines(spec: Field, value: Any) -> tuple[Any, str]:
    if isinstance(value, str):
        rows = [line for line in value.splitlines() if line.strip()]
        parsed = [[cell.strip() for cell in row.split("|")] for row in rows]
    elif isinstance(value, list):
        parsed = [[str(row.get(col, "")).strip() for col in spec.columns] for row in value if isinstance(row, dict)]
    else:
        return None, _("须为每行一项的文字。")
    if len(parsed) > MAX_LINES:
        return None, _("最多 %(n)d 行。") % {"n": MAX_LINES}
    items = []
    for number, cells in enumerate(parsed, start=1):
        cells = (cells + [""] * len(spec.columns))[: len(spec.columns)]
        if not cells[0] or len(cells[0]) > spec.max_length:
            return None, _("第 %(n)d 行的名称须为 1–%(m)d 个字。") % {"n": number, "m": spec.max_length}
        items.append(dict(zip(spec.columns, cells, strict=True)))
    return items, ""


def settings_clean(fields: Sequence[Field], raw: Mapping[str, Any]) -> Cleaned:
    """The stored settings of a block (unknown keys dropped, defaults filled) and the errors."""
    out = Cleaned()
    for spec in fields:
        if spec.when is not None:
            other, values = spec.when
            if raw.get(other, _default_of(fields, other)) not in values:
                continue
        value = raw.get(spec.name)
        if _blank(value):
            if spec.required:
                out.errors[spec.name] = str(gettext_lazy("必填。"))
            elif spec.default is not None:
                out.settings[spec.name] = spec.default
            continue
        clean, error = _clean_one(spec, value)
        if error:
            out.errors[spec.name] = str(error)
        else:
            out.settings[spec.name] = clean
    return out


def _default_of(fields: Sequence[Field], name: str) -> Any:
    return next((f.default for f in fields if f.name == name), None)
