"""The checkout preview is documented field by field: every object of its answer in the OpenAPI
schema has named properties (no free-form dicts a client developer has to guess at)."""

from __future__ import annotations

from typing import Any

import pytest
from drf_spectacular.generators import SchemaGenerator
from rest_framework.test import APIClient

from mall.models import ShopSettings
from members.models import Member, PointsEntry
from members.services.points import points_grant
from orders.tests.factories import SkuFactory

FREE_FORM_ALLOWED = {"specs"}  # spec name → value, e.g. {"颜色": "白"}: its keys are the merchant's


def _resolve(schema: dict[str, Any], components: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = components[schema["$ref"].rsplit("/", 1)[-1]]
    if "allOf" in schema and len(schema["allOf"]) == 1:
        return _resolve(schema["allOf"][0], components)
    return schema


def _free_form_objects(schema: dict[str, Any], components: dict[str, Any], path: str, seen: set[str]) -> list[str]:
    schema = _resolve(schema, components)
    found: list[str] = []
    if schema.get("type") == "array":
        return _free_form_objects(schema.get("items", {}), components, f"{path}[]", seen)
    for variant in schema.get("oneOf", []) + schema.get("anyOf", []):
        found += _free_form_objects(variant, components, path, seen)
    if schema.get("type") == "object" or "properties" in schema:
        properties = schema.get("properties")
        if not properties and path.rsplit(".", 1)[-1] not in FREE_FORM_ALLOWED:
            found.append(path)
        for name, sub in (properties or {}).items():
            found += _free_form_objects(sub, components, f"{path}.{name}", seen)
    return found


@pytest.fixture(scope="module")
def openapi() -> dict[str, Any]:
    return SchemaGenerator().get_schema(request=None, public=True)


def test_every_object_of_the_preview_answer_has_named_fields(openapi: dict[str, Any]) -> None:
    operation = openapi["paths"]["/api/v1/checkout/preview"]["post"]
    answer = operation["responses"]["200"]["content"]["application/json"]["schema"]
    components = openapi["components"]["schemas"]

    assert _free_form_objects(answer, components, "quote", set()) == []
    quote = _resolve(answer, components)
    assert {"lines", "applied", "rejected", "hints", "coupons", "shipping", "points_max"} <= set(quote["properties"])
    line = _resolve(quote["properties"]["lines"]["items"], components)
    assert {"rule_id", "rule_type", "name", "amount"} <= set(
        _resolve(line["properties"]["allocations"]["items"], components)["properties"]
    )


@pytest.mark.django_db
def test_the_preview_sends_exactly_the_documented_fields(
    openapi: dict[str, Any], member: Member, member_client: APIClient, shop: ShopSettings
) -> None:
    components = openapi["components"]["schemas"]
    answer = openapi["paths"]["/api/v1/checkout/preview"]["post"]["responses"]["200"]["content"]["application/json"]
    documented = set(_resolve(answer["schema"], components)["properties"])
    points_grant(member_id=member.pk, delta=500, reason=PointsEntry.Reason.GRANT, ref="schema")
    sku = SkuFactory.create(price=5900)

    response = member_client.post(
        "/api/v1/checkout/preview", {"items": [{"sku_id": sku.pk, "qty": 1}], "points": "max"}, format="json"
    )

    assert response.status_code == 200, response.content
    body = response.json()
    assert set(body) == documented
    assert not {"promotion_usage", "stepped_taken", "coupon_ids"} & set(body)  # placement-only, kept inside
    assert set(body["shipping"]) == {
        "fee",
        "flat_fee",
        "free",
        "reason",
        "reason_label",
        "rules",
        "not_enough",
        "short_by",
    }
    (points,) = body["applied"]
    assert set(points) == {"rule_id", "rule_type", "name", "level", "amount"}
    (allocation,) = body["lines"][0]["allocations"]
    assert set(allocation) == {"rule_id", "rule_type", "name", "amount"} and allocation["amount"] == points["amount"]
