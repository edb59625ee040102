"""The API's JSON renderer (issue 12): orjson writes DRF's ``JSONRenderer`` bytes."""

from __future__ import annotations

import datetime
import json
import uuid
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.db import models
from django.utils.translation import gettext_lazy, override
from rest_framework import serializers
from rest_framework.renderers import JSONRenderer
from rest_framework.utils.serializer_helpers import ReturnDict, ReturnList

from mall.api.renderers import FastJSONRenderer

SHANGHAI = ZoneInfo("Asia/Shanghai")


_SERIALIZER: serializers.Serializer[Any] = serializers.Serializer()  # what DRF's serializer data keeps a reference to


class Colour(models.TextChoices):
    RED = "red", "红"


class Size(models.IntegerChoices):
    BIG = 2, "大"


def _payload() -> dict[str, Any]:
    """What API answers hold: nested dicts and lists of fen, Chinese text, flags, None, the
    shapes DRF's encoder turns into JSON (datetimes, Decimal, lazy text, UUID, tuples, sets)."""
    return {
        "lines": [
            {
                "sku_id": 1,
                "title": "玻尿酸补水保湿精华液",
                "specs": {"容量": "30ml"},
                "paid_amount": 8541,
                "is_gift": False,
            },
            {"sku_id": 2, "title": 'quote " and \\ back', "specs": {}, "paid_amount": 0, "is_gift": True},
        ],
        "rate": None,
        "negative": -12740,
        "big": 2**63 - 1,
        "utc": datetime.datetime(2026, 6, 18, 2, 0, 5, 123456, tzinfo=datetime.UTC),
        "shanghai": datetime.datetime(2026, 6, 18, 10, 0, 5, tzinfo=SHANGHAI),
        "naive": datetime.datetime(2026, 6, 18, 10, 0, 5),
        "day": datetime.date(2026, 6, 18),
        "clock": datetime.time(10, 0, 5),
        "duration": datetime.timedelta(minutes=15),
        "decimal": Decimal("0.85"),
        "lazy": gettext_lazy("Not found."),
        "uuid": uuid.UUID("12345678-1234-5678-1234-567812345678"),
        "tuple": (1, 2, (3, "四")),
        "set": {7},
        "choices": [Colour.RED, Size.BIG],
        "int_keys": {1: "一", 2: "二"},
        "floats": [0.1, 1.5, 1e16, 123456789.123],
        "returned": ReturnDict({"a": ReturnList([1, 2], serializer=_SERIALIZER)}, serializer=_SERIALIZER),
        "control": "tab\there\nnewline \x01 \u2028 \u2029 end",
        "emoji": "🎁",
    }


def test_it_writes_the_bytes_drfs_renderer_writes() -> None:
    with override("zh-hans"):
        ours = FastJSONRenderer().render(_payload(), "application/json", {})
        theirs = JSONRenderer().render(_payload(), "application/json", {})
    assert ours == theirs
    assert "\u2028".encode() not in ours and b"\\u2028" in ours  # a strict JavaScript subset
    assert json.loads(ours)["utc"] == "2026-06-18T02:00:05.123456Z"


def test_indented_answers_and_what_orjson_refuses_are_drfs_renderers() -> None:
    data = {"a": [1, {"b": 2}], "huge": 2**70}
    ours = FastJSONRenderer().render(data, "application/json", {})
    assert ours == JSONRenderer().render(data, "application/json", {})  # beyond 64 bits: DRF's
    small = {"a": [1, {"b": 2}]}
    for media_type, context in (("application/json; indent=4", {}), ("application/json", {"indent": 2})):
        ours = FastJSONRenderer().render(small, media_type, context)
        assert ours == JSONRenderer().render(small, media_type, context)
        assert b"\n" in ours


def test_the_two_spellings_it_does_not_share_are_the_same_json_values() -> None:
    tiny = {"f": 1e-07}
    assert json.loads(FastJSONRenderer().render(tiny)) == json.loads(JSONRenderer().render(tiny))
    assert json.loads(FastJSONRenderer().render({"x": float("nan")})) == {"x": None}  # valid JSON


def test_nothing_renders_as_nothing_and_the_unknown_is_refused_as_by_drf() -> None:
    assert FastJSONRenderer().render(None) == b""

    class Opaque:
        pass

    with pytest.raises(TypeError):
        FastJSONRenderer().render({"x": Opaque()})


@pytest.mark.django_db
def test_the_api_answers_with_it(client: Any) -> None:
    response = client.get("/api/v1/ping")
    assert response.status_code == 200
    assert type(response.accepted_renderer) is FastJSONRenderer
    assert response.content == JSONRenderer().render(response.data)
