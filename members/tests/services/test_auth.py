"""Sign-in services: first login creates the shopper, invites count once, tokens carry member_id."""

from __future__ import annotations

import threading

import pytest
import responses
import time_machine
from django.db import connection
from pytest_django.fixtures import Settings
from rest_framework_simplejwt.tokens import AccessToken, RefreshToken

from mall.errors import NotFound
from members.errors import MemberBlocked, TokenInvalid, WeChatCodeInvalid
from members.models import Member
from members.services import auth
from members.services.auth import member_login_dev, member_login_wechat, member_token_pair, member_token_refresh
from members.tests.factories import MemberFactory
from members.tests.fixtures import SHOPPER_CONTEXT
from members.tests.wechat_stubs import stub_code2session, stub_code2session_error

pytestmark = pytest.mark.django_db


def test_first_login_creates_the_member(wechat_api: responses.RequestsMock) -> None:
    stub_code2session(wechat_api, openid="oNew", session_key="key-1", unionid="uNew")

    result = member_login_wechat(context=SHOPPER_CONTEXT, code="c1")

    assert result.is_new is True
    member = Member.objects.get(openid="oNew")
    assert result.member.pk == member.pk
    assert member.session_key == "key-1"
    assert member.unionid == "uNew"
    assert member.last_login_at is not None
    assert AccessToken(result.tokens.access)["member_id"] == member.pk  # type: ignore[arg-type]
    assert RefreshToken(result.tokens.refresh)["member_id"] == member.pk  # type: ignore[arg-type]


def test_later_login_finds_the_member_and_refreshes_the_session_key(wechat_api: responses.RequestsMock) -> None:
    existing = MemberFactory.create(openid="oOld", session_key="stale", unionid=None)
    stub_code2session(wechat_api, openid="oOld", session_key="fresh", unionid="uLater")

    result = member_login_wechat(context=SHOPPER_CONTEXT, code="c2")

    existing.refresh_from_db()
    assert result.is_new is False
    assert result.member.pk == existing.pk
    assert existing.session_key == "fresh"
    assert existing.unionid == "uLater"
    assert Member.objects.count() == 1


def test_invite_code_at_first_login_sets_the_inviter(wechat_api: responses.RequestsMock) -> None:
    inviter = MemberFactory.create()
    stub_code2session(wechat_api, openid="oInvitee")

    result = member_login_wechat(context=SHOPPER_CONTEXT, code="c", invite_code=f" {inviter.invite_code.lower()} ")

    assert result.member.inviter_id == inviter.pk


def test_unknown_or_blocked_inviter_is_ignored_and_login_still_works(wechat_api: responses.RequestsMock) -> None:
    blocked = MemberFactory.create(is_blocked=True)
    stub_code2session(wechat_api, openid="oA")
    stub_code2session(wechat_api, openid="oB")

    first = member_login_wechat(context=SHOPPER_CONTEXT, code="c1", invite_code="NOSUCH00")
    second = member_login_wechat(context=SHOPPER_CONTEXT, code="c2", invite_code=blocked.invite_code)

    assert first.is_new and first.member.inviter_id is None
    assert second.is_new and second.member.inviter_id is None


def test_later_logins_ignore_invite_codes_including_the_members_own(wechat_api: responses.RequestsMock) -> None:
    member = MemberFactory.create(openid="oMe")
    someone = MemberFactory.create()
    stub_code2session(wechat_api, openid="oMe")

    member_login_wechat(context=SHOPPER_CONTEXT, code="c1", invite_code=someone.invite_code)
    member_login_wechat(context=SHOPPER_CONTEXT, code="c2", invite_code=member.invite_code)

    member.refresh_from_db()
    assert member.inviter_id is None


def test_blocked_member_cannot_log_in(wechat_api: responses.RequestsMock) -> None:
    MemberFactory.create(openid="oBlocked", is_blocked=True, session_key="old")
    stub_code2session(wechat_api, openid="oBlocked", session_key="new")

    with pytest.raises(MemberBlocked):
        member_login_wechat(context=SHOPPER_CONTEXT, code="c")

    assert Member.objects.get(openid="oBlocked").session_key == "old"


def test_invalid_code_creates_nobody(wechat_api: responses.RequestsMock) -> None:
    stub_code2session_error(wechat_api, errcode=40029, errmsg="invalid code")

    with pytest.raises(WeChatCodeInvalid):
        member_login_wechat(context=SHOPPER_CONTEXT, code="expired")

    assert Member.objects.count() == 0


def test_insert_race_loser_reads_the_winners_row(
    wechat_api: responses.RequestsMock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Simulates the other request committing between our read and our insert: IntegrityError → re-read."""
    winner = MemberFactory.create(openid="oRace")
    stub_code2session(wechat_api, openid="oRace")
    real_find = auth._member_find
    lookups: list[str] = []

    def find_misses_once(openid: str) -> Member | None:
        lookups.append(openid)
        return None if len(lookups) == 1 else real_find(openid)

    monkeypatch.setattr(auth, "_member_find", find_misses_once)

    result = member_login_wechat(context=SHOPPER_CONTEXT, code="c")

    assert result.member.pk == winner.pk
    assert result.is_new is False
    assert len(lookups) == 2
    assert Member.objects.filter(openid="oRace").count() == 1


@pytest.mark.race
@pytest.mark.django_db(transaction=True)
def test_concurrent_first_logins_create_one_member(wechat_api: responses.RequestsMock) -> None:
    stub_code2session(wechat_api, openid="oDoubleTap", session_key="k")
    threads_count = 8
    barrier = threading.Barrier(threads_count)
    outcomes: list[tuple[int, bool]] = []
    errors: list[BaseException] = []

    def login() -> None:
        try:
            barrier.wait()
            result = member_login_wechat(context=SHOPPER_CONTEXT, code="same-code")
            outcomes.append((result.member.pk, result.is_new))
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=login) for _ in range(threads_count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert Member.objects.filter(openid="oDoubleTap").count() == 1
    assert len({member_id for member_id, _ in outcomes}) == 1
    assert [is_new for _, is_new in outcomes].count(True) == 1


def test_dev_login_is_not_found_when_disabled(settings: Settings) -> None:
    settings.DEV_LOGIN_ENABLED = False

    with pytest.raises(NotFound):
        member_login_dev(context=SHOPPER_CONTEXT, openid="dev_x")

    assert Member.objects.count() == 0


def test_dev_login_with_openid_returns_the_same_member() -> None:
    first = member_login_dev(context=SHOPPER_CONTEXT, openid="dev_alice", nickname="Alice")
    second = member_login_dev(context=SHOPPER_CONTEXT, openid="dev_alice", nickname="ignored later")

    assert first.is_new and not second.is_new
    assert first.member.pk == second.member.pk
    assert second.member.nickname == "Alice"
    assert second.member.is_dev is True


def test_dev_login_without_openid_makes_a_new_test_shopper_each_time() -> None:
    first = member_login_dev(context=SHOPPER_CONTEXT)
    second = member_login_dev(context=SHOPPER_CONTEXT)

    assert first.member.pk != second.member.pk
    assert first.member.openid.startswith("dev_")
    assert first.member.session_key == ""


def test_refresh_issues_a_new_pair_for_the_same_member() -> None:
    member = MemberFactory.create()
    pair = member_token_pair(member=member)

    new_pair = member_token_refresh(refresh=pair.refresh)

    assert AccessToken(new_pair.access)["member_id"] == member.pk  # type: ignore[arg-type]
    assert RefreshToken(new_pair.refresh)["jti"] != RefreshToken(pair.refresh)["jti"]  # type: ignore[arg-type]


@pytest.mark.parametrize("kind", ["garbage", "access_token_instead", "expired"])
def test_refresh_refuses_invalid_tokens(kind: str) -> None:
    member = MemberFactory.create()
    if kind == "garbage":
        token = "not.a.jwt"
    elif kind == "access_token_instead":
        token = member_token_pair(member=member).access
    else:
        with time_machine.travel("2026-01-01 10:00 +0800", tick=False):
            token = member_token_pair(member=member).refresh

    with time_machine.travel("2026-03-01 10:00 +0800", tick=False), pytest.raises(TokenInvalid):
        member_token_refresh(refresh=token)


def test_refresh_for_a_deleted_or_blocked_member_is_refused() -> None:
    gone = MemberFactory.create()
    gone_refresh = member_token_pair(member=gone).refresh
    gone.delete()
    blocked = MemberFactory.create(is_blocked=True)

    with pytest.raises(TokenInvalid):
        member_token_refresh(refresh=gone_refresh)
    with pytest.raises(MemberBlocked):
        member_token_refresh(refresh=member_token_pair(member=blocked).refresh)
