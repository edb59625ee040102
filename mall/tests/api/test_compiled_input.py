"""Compiled input serializers give ``validated_data`` exactly, or leave the body to DRF."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rest_framework import serializers

from mall.api.input import compiled_input
from orders.api.checkout import CheckoutPreviewApi
from orders.api.orders import OrderPlaceApi


class _Item(serializers.Serializer):
    n = serializers.IntegerField(min_value=1, max_value=9)
    tag = serializers.CharField(max_length=4, required=False)


class _Body(serializers.Serializer):
    items = serializers.ListField(child=_Item(), min_length=1, max_length=3)
    ids = serializers.ListField(child=serializers.IntegerField(min_value=1), required=False, default=list)
    note = serializers.CharField(max_length=5, required=False, allow_blank=True, default="")
    raw = serializers.CharField(trim_whitespace=False, required=False, allow_null=True)
    nested = _Item(required=False, allow_null=True, default=None)
    extra = serializers.DictField(required=False)
    flag = serializers.BooleanField(required=False)


_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-3, max_value=12),
    st.sampled_from([0, 1, 50, 51, 999, 1000, 2**53, 2**63, 100_000_000, 100_000_001]),
    st.floats(allow_nan=False, allow_infinity=False).map(lambda f: round(f, 1)),
    st.sampled_from(["", " ", "3", " 3 ", "3.0", "max", "ab", "abcdef", " ab ", "a\x00", "\ud800", "红包", "flash"]),
    st.text(max_size=6),
)
_values = st.recursive(
    _scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(st.sampled_from(["n", "tag", "sku_id", "qty", "x"]), inner)
    ),
    max_leaves=12,
)


def _mostly(good: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """Usually a value the field takes (exactly, or as DRF coerces it), sometimes anything."""
    return st.one_of(good, good, good, _values)


_ints = st.one_of(
    st.integers(min_value=1, max_value=9),
    st.integers(min_value=1, max_value=9),
    st.integers(min_value=-1, max_value=12),
    st.sampled_from(["3", " 4 ", 2.0, "5.0", True]),
)
_texts = st.sampled_from(["", " ", "ab", " ab ", "abcdef", "msg:12", "放门口", "a\x00", 7])
_item = st.fixed_dictionaries({"sku_id": _mostly(_ints), "qty": _mostly(_ints)}, optional={"x": _values})
_items = _mostly(st.lists(_item, min_size=1, max_size=4))
_own_item = st.fixed_dictionaries({"n": _mostly(_ints)}, optional={"tag": _mostly(_texts), "x": _values})
_deal = st.fixed_dictionaries(
    {"kind": _mostly(st.sampled_from(["flash", " group ", "", "x" * 17, 3])), "ref": _mostly(_ints)},
    optional={"params": _mostly(st.dictionaries(st.sampled_from(["group_id", "a"]), _ints, max_size=2))},
)
_checkout = {
    "items": _items,
    "coupon_ids": _mostly(st.lists(_ints, max_size=11)),
    "points": _mostly(st.one_of(_ints, st.sampled_from(["max", 100_000_000, 100_000_001, -1]))),
    "deal": st.one_of(st.none(), _deal, _deal, _values),
}
BODIES: dict[type[serializers.Serializer], st.SearchStrategy[Any]] = {
    _Body: st.fixed_dictionaries(
        {"items": _mostly(st.lists(_own_item, min_size=1, max_size=3))},
        optional={
            "ids": _mostly(st.lists(_ints, max_size=3)),
            "note": _mostly(_texts),
            "raw": st.one_of(st.none(), _texts, _values),
            "nested": st.one_of(st.none(), _own_item, _values),
            "extra": _mostly(st.dictionaries(st.text(max_size=2), _values, max_size=2)),
            "flag": _mostly(st.sampled_from([True, False, "true", 0])),
        },
    ),
    CheckoutPreviewApi.InputSerializer: st.fixed_dictionaries(
        {}, optional={**_checkout, "address_id": _mostly(_ints), "x": _values}
    ),
    OrderPlaceApi.InputSerializer: st.fixed_dictionaries(
        {"address_id": _mostly(_ints)},
        optional={**_checkout, "remark": _mostly(_texts), "src": _mostly(_texts)},
    ),
}
SERIALIZERS = list(BODIES)


@pytest.mark.parametrize("serializer_class", SERIALIZERS)
@settings(max_examples=400, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
@given(data=st.data())
def test_the_fast_path_answers_as_drf_or_not_at_all(
    serializer_class: type[serializers.Serializer], data: st.DataObject
) -> None:
    body = data.draw(BODIES[serializer_class] if data.draw(st.integers(0, 4)) else _values)
    fast = compiled_input(serializer_class)(body)
    drf = serializer_class(data=body)
    if fast is not None:
        assert drf.is_valid(), drf.errors
        assert fast == drf.validated_data
        assert list(fast) == list(drf.validated_data)


@pytest.mark.parametrize(
    ("serializer_class", "body"),
    [
        (CheckoutPreviewApi.InputSerializer, {"items": [{"sku_id": 1, "qty": 2}], "coupon_ids": [3, 4]}),
        (CheckoutPreviewApi.InputSerializer, {"points": "max", "address_id": 7, "deal": None}),
        (
            CheckoutPreviewApi.InputSerializer,
            {"items": [{"sku_id": 1, "qty": 1}], "deal": {"kind": "flash", "ref": 3, "params": {"a": 1}}},
        ),
        (OrderPlaceApi.InputSerializer, {"address_id": 2, "remark": " 放门口 ", "src": "msg:12", "points": 100}),
        (_Body, {"items": [{"n": 2, "tag": "ab"}], "raw": " x ", "nested": {"n": 9}, "extra": {"k": [1]}}),
    ],
)
def test_well_formed_bodies_take_the_fast_path(serializer_class: type[serializers.Serializer], body: Any) -> None:
    drf = serializer_class(data=body)
    assert drf.is_valid(), drf.errors
    fast = compiled_input(serializer_class)(body)
    assert fast is not None and fast == drf.validated_data


def test_defaults_are_fresh_per_body() -> None:
    parse = compiled_input(CheckoutPreviewApi.InputSerializer)
    first, second = parse({}), parse({})
    assert first == {"coupon_ids": [], "points": 0, "deal": None}
    assert first is not None and second is not None and first["coupon_ids"] is not second["coupon_ids"]


def test_a_serializer_with_checks_of_its_own_is_not_compiled() -> None:
    class Checked(serializers.Serializer):
        n = serializers.IntegerField()

        def validate_n(self, value: int) -> int:
            return value

    class Guarded(serializers.Serializer):
        n = serializers.IntegerField(validators=[lambda value: None])

    for serializer_class in (Checked, Guarded):
        with pytest.raises(TypeError):
            compiled_input(serializer_class)


_DROP = object()
_CANDIDATES: list[Any] = [
    *[None, True, False, 0, 1, 2, 9, 10, -1, 50, 51, 999, 1000, 2**53, 100_000_000, 100_000_001, 2.0, 2.5],
    *["", " ", "2", " 2 ", "2.0", "max", "ab", " ab ", "abcdef", "a\x00", "\ud800", "msg:12", "flash", "x" * 65],
    *[[], [1], [1, 2], ["1"], [None], list(range(1, 12)), [{"sku_id": 1, "qty": 1}], [{"sku_id": "1", "qty": 1}]],
    *[[{"sku_id": 1}], [{"sku_id": 1, "qty": 1000}], [{"n": 2}], [{"n": 2, "tag": "abcde"}], [{"n": "2"}]],
    *[
        {},
        {"n": 1},
        {"kind": "flash", "ref": 1},
        {"kind": " flash ", "ref": "1"},
        {"kind": "flash", "ref": 1, "params": []},
    ],
    *[{"kind": "flash", "ref": 1, "params": {"group_id": 3}}, {"kind": "", "ref": 1}, {"kind": "flash", "ref": 0}],
]
_BASES: dict[type[serializers.Serializer], dict[str, Any]] = {
    _Body: {"items": [{"n": 1}], "ids": [1], "note": "a", "raw": "b", "nested": {"n": 2}, "extra": {}, "flag": True},
    CheckoutPreviewApi.InputSerializer: {
        "items": [{"sku_id": 1, "qty": 1}],
        "coupon_ids": [2],
        "points": 10,
        "address_id": 3,
        "deal": None,
    },
    OrderPlaceApi.InputSerializer: {"items": [{"sku_id": 1, "qty": 1}], "address_id": 3, "remark": "r", "src": "s"},
}


@pytest.mark.parametrize("serializer_class", SERIALIZERS)
def test_every_field_with_every_kind_of_value(serializer_class: type[serializers.Serializer]) -> None:
    """One field changed (or dropped) at a time from a valid body: the fast path takes the clean
    values and agrees with DRF on them, and leaves every other one to DRF."""
    parse = compiled_input(serializer_class)
    base = _BASES[serializer_class]
    taken = left = 0
    names: list[str] = list(serializer_class().fields)
    for name in names:
        for value in [*_CANDIDATES, _DROP]:
            body = {k: v for k, v in base.items() if k != name}
            if value is not _DROP:
                body[name] = value
            drf = serializer_class(data=body)
            valid = drf.is_valid()
            fast = parse(body)
            if fast is None:
                left += 1
                continue
            taken += 1
            assert valid, (name, value, drf.errors)
            assert fast == drf.validated_data and list(fast) == list(drf.validated_data), (name, value)
    assert taken and left
