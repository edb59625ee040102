"""The project answers its basic URLs on a fresh database."""

import pytest


@pytest.mark.django_db
def test_healthz_reports_database_and_cache(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "cache": "ok"}


@pytest.mark.django_db
def test_openapi_schema_is_served(client):
    response = client.get("/api/schema/?format=json")
    assert response.status_code == 200
    assert response.json()["info"]["title"] == "Duoying Mall mini-program API"


@pytest.mark.django_db
def test_swagger_docs_page_is_served(client):
    response = client.get("/api/docs/")
    assert response.status_code == 200
    assert b"swagger" in response.content.lower()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/api/v1/no-such-thing"),
        ("post", "/api/v1/flash/items/abc/purchase"),
        ("delete", "/api/v1/cart/items/x"),
    ],
)
def test_an_api_path_that_names_nothing_answers_the_json_error(client, method, path):
    # POST/DELETE too: a wrong path is a 404, not Django's CSRF page
    response = getattr(client, method)(path, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")
    assert response.json() == {"code": "not_found", "message": "找不到该接口或对象。", "details": {"path": path}}


@pytest.mark.django_db
def test_the_schema_documents_404_where_an_id_or_a_page_can_name_nothing(client):
    paths = client.get("/api/schema/?format=json").json()["paths"]
    assert "404" in paths["/api/v1/orders/{no}/cancel"]["post"]["responses"]
    assert "404" in paths["/api/v1/me/coupons"]["get"]["responses"]
    assert "404" not in paths["/api/v1/ping"]["get"]["responses"]


@pytest.mark.django_db
def test_every_operation_is_described_for_client_developers(client):
    paths = client.get("/api/schema/?format=json").json()["paths"]
    for path, operations in paths.items():
        for method, operation in operations.items():
            description = operation.get("description", "")
            assert description, f"{method.upper()} {path} has no description"
            # a path routed by one class per verb takes each verb's own description, not our routing notes
            assert "glue" not in description.lower() and "one path" not in description, f"{method.upper()} {path}"
    assert paths["/api/v1/cart/items/{item_id}"]["delete"]["description"] == "Remove a row from the cart."
