"""Compiled output serializers answer exactly what ``Serializer(data).data`` answers."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from enum import IntEnum
from types import MappingProxyType
from typing import Any

import pytest
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy
from rest_framework import serializers

from mall.api.output import compiled_output


class RuleSerializer(serializers.Serializer):
    rule_id = serializers.CharField()
    amount = serializers.IntegerField()
    units = serializers.ListField(child=serializers.IntegerField(), required=False)
    rate = serializers.CharField(allow_null=True, required=False)


class LineSerializer(serializers.Serializer):
    sku_id = serializers.IntegerField()
    specs = serializers.DictField(child=serializers.CharField())
    is_gift = serializers.BooleanField()
    kind = serializers.ChoiceField(choices=["a", "b"])
    note = serializers.CharField(default="无")
    allocations = RuleSerializer(many=True)
    item_rule = RuleSerializer(allow_null=True)
    secret = serializers.CharField(write_only=True, required=False)


@dataclass(frozen=True)
class Allocation:
    rule_id: str
    amount: int
    extra: str = "not documented"


CASES: list[dict[str, Any]] = [
    {
        "sku_id": 7,
        "specs": {"规格": "50ml", 3: 4},
        "is_gift": 0,
        "kind": "a",
        "allocations": [Allocation("coupon:1", 120), {"rule_id": "points", "amount": "30", "units": [1, 2]}],
        "item_rule": {"rule_id": "flash:2", "amount": 100, "rate": None, "hidden": 1},
        "secret": "x",
        "extra": "left inside",
    },
    {
        "sku_id": "8",
        "specs": {},
        "is_gift": True,
        "kind": "b",
        "note": "送",
        "allocations": [],
        "item_rule": None,
    },
    {
        "sku_id": True,
        "specs": {"规格": None, "色": 5},
        "is_gift": "yes",
        "kind": "c",
        "note": None,
        "allocations": [{"rule_id": 3, "amount": 1.0, "units": [None, "2"]}],
        "item_rule": {"rule_id": "x", "amount": 0, "units": []},
    },
]


@pytest.mark.parametrize("data", CASES)
def test_the_projector_answers_like_the_serializer(data: dict[str, Any]) -> None:
    assert compiled_output(LineSerializer)(data) == LineSerializer(data).data


class Size(IntEnum):
    LARGE = 3


def test_values_not_plain_int_or_str_still_go_through_the_fields_conversion() -> None:
    """Plain ints and strs are passed through as they are; an int or str subclass, a lazy
    translation or a Decimal goes through ``int()`` / ``str()`` as in DRF, to the same value of
    the same type; a mapping that is not a dict is read by key."""
    data = MappingProxyType(
        {
            "sku_id": Size.LARGE,
            "specs": {"色": gettext_lazy("红"), "码": mark_safe("<b>")},
            "is_gift": False,
            "kind": "a",
            "note": mark_safe("备注"),
            "allocations": [{"rule_id": gettext_lazy("积分"), "amount": Decimal("12.7"), "units": [True, Size.LARGE]}],
            "item_rule": {"rule_id": "flash:2", "amount": 5},
        }
    )
    projected = compiled_output(LineSerializer)(data)
    expected = LineSerializer(data).data
    assert projected == expected

    def types(value: Any) -> Any:
        if isinstance(value, dict):
            return {k: types(v) for k, v in value.items()}
        if isinstance(value, list):
            return [types(v) for v in value]
        return type(value)

    assert types(projected) == types(expected)
    assert type(projected["sku_id"]) is int
    assert projected["allocations"][0]["units"] == [1, 3]


def test_a_missing_required_key_is_an_error_as_in_drf() -> None:
    data = {k: v for k, v in CASES[1].items() if k != "sku_id"}
    with pytest.raises(KeyError):
        LineSerializer(data).data
    with pytest.raises(KeyError):
        compiled_output(LineSerializer)(data)


def test_a_field_it_cannot_compile_is_refused() -> None:
    class Dotted(serializers.Serializer):
        name = serializers.CharField(source="product.title")

    with pytest.raises(TypeError, match="not compiled"):
        compiled_output(Dotted)
