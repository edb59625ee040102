"""Schemathesis over the whole OpenAPI schema: no generated request gets a 5xx, and every answer
is one the schema documents (status code, content type, body).

The schema is loaded at module level (schemathesis' fixture loader breaks on pytest 9.2).
Requests run in-process through the WSGI app as a signed-in shopper, against the test database.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi import checks as openapi_checks

from mall.wsgi import application

# Examples per operation: enough to reach the error paths, bounded so CI stays within minutes.
FUZZ_EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "40"))

schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", application)
# Every answer is one the schema documents: its status code, its content type and its body.
CONFORMANCE = [
    openapi_checks.status_code_conformance,
    openapi_checks.content_type_conformance,
    openapi_checks.response_schema_conformance,
]


@pytest.fixture(autouse=True)
def _keep_the_test_connection() -> Iterator[None]:
    """Calling the WSGI app directly fires request_started/finished, whose close_old_connections
    would close the test's connection mid-transaction (MariaDB, file SQLite). Django's test
    client disconnects it the same way."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture(autouse=True)
def _wechat_answers(wechat_api: Any) -> None:
    """WeChat replaced at the HTTP boundary, so auth/wechat-login is fuzzed past code2Session and
    me/phone/wechat past getuserphonenumber."""
    from members.tests.wechat_stubs import stub_code2session, stub_phone_number

    stub_code2session(wechat_api)
    stub_phone_number(wechat_api)


@pytest.fixture(autouse=True)
def _keep_test_connection_open():
    """Django's test client unhooks close_old_connections; raw WSGI calls must do the same,
    or the first request closes the connection that holds the test transaction."""
    from django.core import signals
    from django.db import close_old_connections

    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def shopper_token(db) -> str:
    from rest_framework_simplejwt.tokens import RefreshToken

    from members.models import Member

    member = Member.objects.create(openid="fuzz-shopper", nickname="fuzz")
    token = RefreshToken()
    token["member_id"] = member.id
    return str(token.access_token)


@schema.parametrize()
@settings(max_examples=FUZZ_EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
@pytest.mark.django_db
def test_api_answers_as_documented_and_never_5xx(case, shopper_token):
    case.headers = {**(case.headers or {}), "Authorization": f"Bearer {shopper_token}"}
    response = case.call()
    where = f"{case.method} {case.formatted_path}"
    assert response.status_code < 500, f"{where} -> {response.status_code}: {response.text[:300]}"
    case.validate_response(response, checks=CONFORMANCE)
