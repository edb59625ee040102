"""Input serializers compiled into plain functions: a fast path for well-formed bodies on hot paths.

Validating the checkout body with its DRF serializer deep-copies a dozen declared fields per
request (the nested item serializer included) before checking a few integers: ~0.3 ms of the
checkout preview's CPU (issue 12, profiled in process). :func:`compiled_input` reads a
serializer class's declared fields once and returns a function that, for a body made of
exactly the types JSON gives (``dict``, ``list``, ``int``, ``str``) and valid for every field,
returns what ``validated_data`` would be; for anything else (a wrong type, a value out of
range, a string "3" that DRF would coerce, a form body) it returns ``None`` and the caller runs
the serializer itself, so every refusal and every coercion is DRF's own, word for word. The
serializer stays the documentation (drf-spectacular reads it). Fields it knows: integers,
strings, lists, nested serializers; any other field runs its own ``run_validation``. A
serializer with ``validate*`` methods or validators of its own is refused when compiling,
never guessed.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import cache
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import (
    MaxLengthValidator,
    MaxValueValidator,
    MinLengthValidator,
    MinValueValidator,
    ProhibitNullCharactersValidator,
)
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.fields import SkipField
from rest_framework.validators import ProhibitSurrogateCharactersValidator

Parser = Callable[[Any], Any]
# What a step returns when DRF must decide (the value is refused or would be coerced).
UNDECIDED: Any = object()
_ABSENT = object()
_FORBIDDEN_CHARS = re.compile("[\x00\ud800-\udfff]")


@cache
def compiled_input(serializer_class: type[serializers.Serializer]) -> Callable[[Any], dict[str, Any] | None]:
    """The fast parser of ``serializer_class`` (built once per class): ``validated_data`` or ``None``."""
    parse = _serializer(serializer_class())

    def parse_body(data: Any) -> dict[str, Any] | None:
        result = parse(data)
        return None if result is UNDECIDED else result

    return parse_body


def validated_input(serializer_class: type[serializers.Serializer], data: Any) -> dict[str, Any]:
    """``validated_data`` of ``data``: a well-formed body through the compiled parser, anything
    else through the serializer itself (its refusals and coercions, word for word)."""
    parsed = compiled_input(serializer_class)(data)
    if parsed is None:
        serializer = serializer_class(data=data)
        serializer.is_valid(raise_exception=True)
        parsed = serializer.validated_data
    return parsed


def _refuse(field: serializers.Field, why: str) -> TypeError:
    return TypeError(f"{type(field).__name__} {field.field_name or ''}: {why}, not compiled")


def _serializer(serializer: serializers.Serializer) -> Parser:
    cls = type(serializer)
    own_checks = [name for name in serializer.fields if hasattr(cls, f"validate_{name}")]
    if cls.validate is not serializers.Serializer.validate or own_checks or serializer.validators:
        raise _refuse(serializer, "validate methods or validators")
    steps: list[tuple[str, Parser, Any]] = []
    for name, field in serializer.fields.items():
        if field.read_only:
            continue
        if field.source != name:
            raise _refuse(field, "a source of its own")
        steps.append((name, _field(field), _when_missing(field)))

    def parse(data: Any) -> Any:
        if type(data) is not dict:
            return UNDECIDED
        out: dict[str, Any] = {}
        for name, step, missing in steps:
            value = data.get(name, _ABSENT)
            if value is _ABSENT:
                if missing is UNDECIDED:  # required: DRF says so
                    return UNDECIDED
                if missing is not _ABSENT:
                    out[name] = missing() if callable(missing) else missing
                continue  # optional without a default: left out, as DRF's SkipField does
            value = step(value)
            if value is UNDECIDED:
                return UNDECIDED
            out[name] = value
        return out

    return _nullable(serializer, parse)


def _when_missing(field: serializers.Field) -> Any:
    """An absent key: UNDECIDED when required, else the default (a callable is called each
    time), else ``_ABSENT`` (left out)."""
    if field.required:
        return UNDECIDED
    try:
        field.get_default()
    except SkipField:
        return _ABSENT
    if getattr(field.default, "requires_context", False):
        raise _refuse(field, "a default that needs its context")
    return field.default


def _nullable(field: serializers.Field, parse: Parser) -> Parser:
    if not field.allow_null:
        return parse
    return lambda value: None if value is None else parse(value)


def _limits(field: serializers.Field, allowed: dict[type, Any]) -> None:
    """The field's validators must be exactly the ones its own arguments made."""
    for validator in field.validators:
        kind = type(validator)
        if kind not in allowed or getattr(validator, "limit_value", None) != allowed[kind]:
            raise _refuse(field, f"validator {kind.__name__}")


def _field(field: serializers.Field) -> Parser:
    if isinstance(field, serializers.Serializer):
        return _serializer(field)
    kind = type(field)  # exactly these classes: a subclass may parse its own way
    if kind is serializers.IntegerField:
        return _nullable(field, _integer(field))  # type: ignore[arg-type]
    if kind is serializers.CharField:
        return _nullable(field, _text(field))  # type: ignore[arg-type]
    if kind is serializers.ListField:
        return _nullable(field, _list(field))  # type: ignore[arg-type]
    return _own(field)


def _integer(field: serializers.IntegerField) -> Parser:
    low, high = field.min_value, field.max_value
    _limits(field, {MinValueValidator: low, MaxValueValidator: high})

    def parse(value: Any) -> Any:
        if type(value) is not int or (low is not None and value < low) or (high is not None and value > high):
            return UNDECIDED
        return value

    return parse


def _text(field: serializers.CharField) -> Parser:
    shortest, longest = field.min_length, field.max_length
    _limits(
        field,
        {
            MinLengthValidator: shortest,
            MaxLengthValidator: longest,
            ProhibitNullCharactersValidator: None,
            ProhibitSurrogateCharactersValidator: None,
        },
    )
    trim, blank_ok = field.trim_whitespace, field.allow_blank

    def parse(value: Any) -> Any:
        if type(value) is not str:
            return UNDECIDED
        text = value.strip() if trim else value
        if not text:  # DRF answers a blank value before its validators: "" when allowed
            return "" if blank_ok else UNDECIDED
        if (
            (shortest is not None and len(text) < shortest)
            or (longest is not None and len(text) > longest)
            or _FORBIDDEN_CHARS.search(text)
        ):
            return UNDECIDED
        return text

    return parse


def _list(field: serializers.ListField) -> Parser:
    shortest, longest = field.min_length, field.max_length
    _limits(field, {MinLengthValidator: shortest, MaxLengthValidator: longest})
    child = _field(field.child)
    allow_empty = field.allow_empty

    def parse(value: Any) -> Any:
        if type(value) is not list:
            return UNDECIDED
        count = len(value)
        if (
            (not allow_empty and not count)
            or (shortest is not None and count < shortest)
            or (longest is not None and count > longest)
        ):
            return UNDECIDED
        out = [child(item) for item in value]
        return UNDECIDED if any(item is UNDECIDED for item in out) else out

    return parse


def _own(field: serializers.Field) -> Parser:
    """Any other field: its own validation (on the compiled, bound instance), DRF deciding refusals."""

    def parse(value: Any) -> Any:
        try:
            return field.run_validation(value)
        except (ValidationError, DjangoValidationError, SkipField):
            return UNDECIDED

    return parse
