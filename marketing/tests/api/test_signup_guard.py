"""Sign-up is guarded too (F45): invite rewards and new-user packs are farmed at first login.

A blocked address or device cannot make an account; an address or device that already made
the merchant's ``accounts_per_ip`` / ``accounts_per_device`` new accounts in the window still
gets one, but it is bound to no inviter and gets no new-user pack. Logins of existing
shoppers are not sign-ups and count for nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
import responses
import time_machine
from django.contrib.auth.models import User
from django.utils import timezone
from rest_framework.test import APIClient

from marketing.models import Coupon, CouponChannel
from members.models import BlockKind, Member
from members.services.abuse import GuardSettingsData, block_entry_create, guard_settings_update
from members.tests.factories import MemberFactory
from members.tests.wechat_stubs import stub_code2session

pytestmark = pytest.mark.django_db


@pytest.fixture
def inviter(db: Any) -> Member:
    return MemberFactory.create(nickname="邀请人")


@pytest.fixture
def new_user_pack(make_template: Callable[..., Any]) -> Any:
    return make_template(name="新人券", channel=CouponChannel.NEW_USER_PACK)


def _sign_up(openid: str, invite_code: str, **headers: Any) -> Member:
    response = APIClient().post(
        "/api/v1/auth/dev-login", {"openid": openid, "invite_code": invite_code}, format="json", **headers
    )
    assert response.status_code == 200, response.json()
    assert response.json()["is_new"] is True
    return Member.objects.get(openid=openid)


def _rewarded(member: Member) -> tuple[bool, bool]:
    """(bound to the inviter, holds the new-user pack)."""
    return member.inviter_id is not None, Coupon.objects.filter(member=member).exists()


def _limits(staff: User, **fields: Any) -> None:
    guard_settings_update(actor=staff, data=GuardSettingsData(**fields))


def test_past_the_accounts_per_device_limit_new_accounts_get_no_rewards(
    staff: User, inviter: Member, new_user_pack: Any
) -> None:
    _limits(staff, accounts_per_device=2, accounts_per_ip=100)
    code = inviter.invite_code
    farm = {"HTTP_X_DEVICE_ID": "farm-phone"}
    first, second = _sign_up("dev_a", code, **farm), _sign_up("dev_b", code, **farm)
    third = _sign_up("dev_c", code, **farm)
    elsewhere = _sign_up("dev_d", code, HTTP_X_DEVICE_ID="own-phone")
    assert [_rewarded(m) for m in (first, second, third, elsewhere)] == [
        (True, True),
        (True, True),
        (False, False),
        (True, True),
    ]
    assert Member.objects.filter(inviter=inviter).count() == 3


def test_past_the_accounts_per_ip_limit_until_the_window_ends(staff: User, inviter: Member, new_user_pack: Any) -> None:
    _limits(staff, accounts_per_ip=1, accounts_per_ip_window_seconds=3600, accounts_per_device=100)
    code, farm = inviter.invite_code, {"REMOTE_ADDR": "198.51.100.20"}
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        first = _sign_up("dev_ip1", code, **farm)
        second = _sign_up("dev_ip2", code, **farm)
    with time_machine.travel(start + timedelta(hours=1, minutes=1), tick=False):
        later = _sign_up("dev_ip3", code, **farm)
    assert [_rewarded(m) for m in (first, second, later)] == [(True, True), (False, False), (True, True)]


def test_logins_of_existing_shoppers_are_not_sign_ups(staff: User, inviter: Member, new_user_pack: Any) -> None:
    _limits(staff, accounts_per_device=1, accounts_per_ip=100)
    farm: dict[str, Any] = {"HTTP_X_DEVICE_ID": "family-tablet"}
    first = _sign_up("dev_e", inviter.invite_code, **farm)
    for _ in range(3):
        again = APIClient().post("/api/v1/auth/dev-login", {"openid": "dev_e"}, format="json", **farm)
        assert (again.status_code, again.json()["is_new"]) == (200, False)
    assert _rewarded(first) == (True, True)
    second = _sign_up("dev_f", inviter.invite_code, **farm)
    assert _rewarded(second) == (False, False)


def test_a_blocked_address_or_device_cannot_sign_up(
    staff: User, wechat_api: responses.RequestsMock, inviter: Member
) -> None:
    block_entry_create(actor=staff, kind=BlockKind.IP, value="10.90.0.0/16")
    block_entry_create(actor=staff, kind=BlockKind.DEVICE, value="farm-77")
    stub_code2session(wechat_api, openid="oFarm", session_key="k==")
    blocked: list[dict[str, Any]] = [{"REMOTE_ADDR": "10.90.3.4"}, {"HTTP_X_DEVICE_ID": "farm-77"}]
    for headers in blocked:
        refused = APIClient().post("/api/v1/auth/wechat-login", {"code": "c"}, format="json", **headers)
        assert (refused.status_code, refused.json()["code"]) == (403, "access_blocked")
        dev = APIClient().post("/api/v1/auth/dev-login", {"openid": "dev_farm"}, format="json", **headers)
        assert (dev.status_code, dev.json()["code"]) == (403, "access_blocked")
    assert not Member.objects.filter(openid__in=["oFarm", "dev_farm"]).exists()
    allowed = APIClient().post("/api/v1/auth/wechat-login", {"code": "c"}, format="json", REMOTE_ADDR="10.91.0.1")
    assert (allowed.status_code, allowed.json()["is_new"]) == (200, True)
