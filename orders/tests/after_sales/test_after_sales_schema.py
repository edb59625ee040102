"""The after-sales list is documented as the paginated envelope it answers with.

The mini-program's jest tests check every fake answer against the generated OpenAPI document, so
a list documented as a bare array would make the client's real shape ({count, next, previous,
results}) fail there — and mislead any other client reading the schema.
"""

from __future__ import annotations

from django.test import Client


def test_the_schema_documents_the_after_sales_list_as_paginated() -> None:
    schema = Client().get("/api/schema/?format=json").json()
    operation = schema["paths"]["/api/v1/after-sales"]["get"]
    body = operation["responses"]["200"]["content"]["application/json"]["schema"]
    envelope = schema["components"]["schemas"][body["$ref"].rsplit("/", 1)[-1]]
    assert set(envelope["properties"]) == {"count", "next", "previous", "results"}
    assert envelope["properties"]["results"]["items"] == {"$ref": "#/components/schemas/AfterSaleSummary"}
    assert {"page", "page_size", "status"} <= {p["name"] for p in operation["parameters"]}
