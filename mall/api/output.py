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
    """The projector as the plain code one would write for this serializer, made once: a
    ``get`` per field and its conversion inline (issue 12: walking a list of steps per field,
    with a call per conversion, was most of rendering the preview's answer)."""
    namespace: dict[str, Any] = {"_MISSING": _MISSING, "Mapping": Mapping}
    body: list[str] = []
    for i, (name, field) in enumerate(serializer._declared_fields.items()):  # type: ignore[attr-defined]
        if field.write_only:
            continue
        source = field.source or name
        if isinstance(field, _REFUSED) or "." in source or source == "*":
            raise TypeError(f"{type(serializer).__name__}.{name}: {type(field).__name__} is not compiled")
        convert = _conversion(field, f"c{i}", namespace)
        missing = _when_missing(field)
        body.append(f"    v = get({source!r}, _MISSING)")
        if missing is _MISSING:  # optional and absent: left out, as DRF's SkipField does
            body.append("    if v is not _MISSING:")
            body.append(f"        out[{name!r}] = None if v is None else {convert}")
            continue
        if missing is KeyError:
            body.append(f"    if v is _MISSING: raise KeyError({source!r})")
        else:
            namespace[f"m{i}"] = missing
            body.append(f"    if v is _MISSING: v = m{i}() if callable(m{i}) else m{i}")
        body.append(f"    out[{name!r}] = None if v is None else {convert}")
    source_code = "\n".join(
        [
            "def project(data):",
            # DRF's get_attribute: a key of a mapping, else an attribute (the engine's dataclasses)
            # a plain dict without the Mapping ABC's Python-level check (issue 12: 31 per preview)
            "    if data.__class__ is dict or isinstance(data, Mapping): get = data.get",
            "    else: get = lambda key, absent: getattr(data, key, absent)",
            "    out = {}",
            *body,
            "    return out",
        ]
    )
    exec(compile(source_code, f"<compiled_output {type(serializer).__name__}>", "exec"), namespace)  # noqa: S102 - code made here from field names (repr'd)
    return namespace["project"]  # type: ignore[no-any-return]


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


def _conversion(field: serializers.Field, name: str, namespace: dict[str, Any]) -> str:
    """The expression giving ``field``'s representation of a non-None ``v`` (helpers it needs
    are put in ``namespace`` under names starting with ``name``)."""
    if isinstance(field, serializers.ListSerializer):
        namespace[name] = _compile(field.child)  # type: ignore[arg-type]
        return f"[{name}(x) for x in v]"
    if isinstance(field, serializers.Serializer):
        namespace[name] = _compile(field)
        return f"{name}(v)"
    kind = type(field)
    # an int or a str is its own representation: the call is made only for anything else
    # (a bool, a Decimal, a lazy translation), as the field would (issue 12: about 170 per preview)
    if kind is serializers.IntegerField:
        return "v if v.__class__ is int else int(v)"
    if kind is serializers.CharField:
        return "v if v.__class__ is str else str(v)"
    if kind is serializers.BooleanField:
        # a bool is its own representation (DRF's lower-cases and looks it up in two sets:
        # issue 12, eight per preview); anything else still goes through the field
        namespace[name] = field.to_representation
        return f"v if v.__class__ is bool else {name}(v)"
    child = getattr(field, "child", None)
    if kind is serializers.DictField and type(child) is serializers.CharField:
        return "{str(k): None if x is None else x if x.__class__ is str else str(x) for k, x in v.items()}"
    if kind is serializers.ListField and type(child) is serializers.IntegerField:
        return "[None if x is None else x if x.__class__ is int else int(x) for x in v]"
    namespace[name] = field.to_representation
    return f"{name}(v)"  # choices, other lists and dicts, dates: the field's own
