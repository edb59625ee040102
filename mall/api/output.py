"""Output serializers compiled into plain functions, for answers built from dicts on hot paths.

A DRF serializer deep-copies its declared fields for every instance and walks them through
``get_attribute`` / ``to_representation``: for the checkout preview (a dozen nested
serializers, lists of lines, rules and coupons) that was about a quarter of the request's CPU
(issue 12, profiled in process). :func:`compiled_output` reads a serializer class's declared
fields once and returns a function giving what ``Serializer(data).data`` gives for dict input:
the documented fields only (read as keys of a mapping, else as attributes), a missing
optional key left out (``required=False``) or
``None`` (``allow_null``) or its default, ``None`` kept as ``None``, every other value through
the field's own ``to_representation``. The serializer stays the documentation (drf-spectacular
reads it) and the tests compare both ways on real answers. A field kind it does not know
(a method field, a dotted or ``*`` source) is refused when compiling, never guessed.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import cache
from typing import Any

from rest_framework import serializers
from rest_framework.fields import empty

Projector = Callable[[Any], dict[str, Any]]
_MISSING = object()
_REFUSED = (serializers.SerializerMethodField, serializers.HiddenField, serializers.RelatedField)


@cache
def compiled_output(serializer_class: type[serializers.Serializer]) -> Projector:
    """The projector of ``serializer_class`` (built once per class)."""
    return _compile(serializer_class())


def _compile(serializer: serializers.Serializer) -> Projector:
    steps: list[tuple[str, str, Callable[[Any], Any], Any]] = []
    for name, field in serializer._declared_fields.items():  # type: ignore[attr-defined]
        if field.write_only:
            continue
        source = field.source or name
        if isinstance(field, _REFUSED) or "." in source or source == "*":
            raise TypeError(f"{type(serializer).__name__}.{name}: {type(field).__name__} is not compiled")
        steps.append((name, source, _converter(field), _when_missing(field)))

    def project(data: Any) -> dict[str, Any]:
        # DRF's get_attribute: a key of a mapping, else an attribute (the engine's dataclasses)
        read = data.get if isinstance(data, Mapping) else lambda key, absent: getattr(data, key, absent)
        out: dict[str, Any] = {}
        for name, source, convert, missing in steps:
            value = read(source, _MISSING)
            if value is _MISSING:
                if missing is _MISSING:
                    continue  # optional and absent: left out, as DRF's SkipField does
                if missing is KeyError:
                    raise KeyError(source)
                value = missing() if callable(missing) else missing
            out[name] = None if value is None else convert(value)
        return out

    return project


def _when_missing(field: serializers.Field) -> Any:
    """What an absent key gives: DRF's order — the default, else None when nullable, else
    nothing when optional, else an error."""
    if field.default is not empty:
        return field.default
    if field.allow_null:
        return None
    if not field.required:
        return _MISSING
    return KeyError


def _converter(field: serializers.Field) -> Callable[[Any], Any]:
    if isinstance(field, serializers.ListSerializer):
        child = _compile(field.child)  # type: ignore[arg-type]
        return lambda items: [child(item) for item in items]
    if isinstance(field, serializers.Serializer):
        return _compile(field)
    if type(field) is serializers.IntegerField:
        return int
    if type(field) is serializers.CharField:
        return str
    if type(field) is serializers.BooleanField:
        # a bool is its own representation (DRF's lower-cases and looks it up in two sets:
        # issue 12, eight per preview); anything else still goes through the field
        represent = field.to_representation
        return lambda value: value if value.__class__ is bool else represent(value)
    return field.to_representation  # booleans, choices, lists, dicts, dates: the field's own
