"""Shopper fixtures for every app's tests, registered in the root conftest via ``pytest_plugins``.

``member_client`` is a DRF APIClient that sends the member's Bearer access token, the same
way the mini-program does. ``wechat_api`` replaces WeChat's HTTPS API (see ``wechat_stubs``)
with an access-token endpoint already answering.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import responses
from rest_framework.test import APIClient

from members.models import Member
from members.services.abuse import RequestContext
from members.services.auth import member_token_pair
from members.tests.factories import MemberFactory
from members.tests.wechat_stubs import stub_access_token


def client_for(member: Member) -> APIClient:
    """An API client signed in as ``member`` with a freshly issued access token."""
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {member_token_pair(member=member).access}")
    return client


@pytest.fixture
def member(db: Any) -> Member:
    return MemberFactory.create(nickname="小明")


@pytest.fixture
def other_member(db: Any) -> Member:
    return MemberFactory.create(nickname="小红")


@pytest.fixture
def member_client(member: Member) -> APIClient:
    return client_for(member)


@pytest.fixture
def other_member_client(other_member: Member) -> APIClient:
    return client_for(other_member)


@pytest.fixture
def wechat_api() -> Iterator[responses.RequestsMock]:
    """WeChat at the HTTP boundary: add the answers a test needs with ``members.tests.wechat_stubs``."""
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        stub_access_token(rsps)
        yield rsps


# The request context of a shopper's call made directly to a service in tests (no address, no
# device, no slider pass): the guard still checks the shopper and the action's rate.
SHOPPER_CONTEXT = RequestContext(ip="")


def guard_slider_off() -> None:
    """For race tests where one shopper fires many requests at once: the guard would (rightly)
    ask for the slider past its velocity limit; with it off, the scarce row's own rule is what
    the test measures. Block lists and rates still apply."""
    from members.models import GuardSettings
    from members.selectors.abuse import guard_config_bump

    modes = ("purchase", "claim", "reserve", "help", "order", "other")
    GuardSettings.objects.update_or_create(pk=1, defaults={f"{mode}_captcha": "off" for mode in modes})
    guard_config_bump()
