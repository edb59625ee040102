"""Compiled output serializers answer exactly what ``Serializer(data).data`` answers."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
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
