"""Schemathesis over the whole OpenAPI schema: no generated request gets a 5xx.

The schema is loaded at module level (schemathesis' fixture loader breaks on pytest 9.2).
Requests run in-process through the WSGI app as a signed-in shopper, against the test database.
"""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, settings

from mall.wsgi import application

schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", application)


@pytest.fixture
def shopper_token(db) -> str:
    from rest_framework_simplejwt.tokens import RefreshToken

    from members.models import Member

    member = Member.objects.create(openid="fuzz-shopper", nickname="fuzz")
    token = RefreshToken()
    token["member_id"] = member.id
    return str(token.access_token)


@schema.parametrize()
@settings(max_examples=12, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
@pytest.mark.django_db
def test_api_never_answers_5xx(case, shopper_token):
    case.headers = {**(case.headers or {}), "Authorization": f"Bearer {shopper_token}"}
    response = case.call()
    assert response.status_code < 500, f"{case.method} {case.formatted_path} -> {response.status_code}: {response.text[:300]}"
