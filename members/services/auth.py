"""Shopper sign-in: WeChat code → member (created at first login) → JWT pair.

The WeChat call happens before any transaction, so no database lock waits on the network.
First logins race (a double tap sends two codes for one openid): the unique openid decides,
and the loser of the insert re-reads the winner's row.

A first login is a sign-up, and sign-ups are where invite rewards and new-user packs are
farmed: the shop's guard (F45, ``members.services.abuse.signup_check``) refuses blocked
addresses and devices, and an address or device past the merchant's accounts-per-IP /
per-device limits gets its account without the inviter binding and the new-user pack.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from functools import partial

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from rest_framework_simplejwt.exceptions import TokenError
from rest_framework_simplejwt.settings import api_settings as jwt_settings
from rest_framework_simplejwt.tokens import RefreshToken

from mall.errors import NotFound
from marketing.services.coupons import new_user_pack_issue
from marketing.services.invites import invite_bind
from members import wechat
from members.errors import MemberBlocked, TokenInvalid
from members.models import Member
from members.services.abuse import RequestContext, signup_check

DEV_OPENID_PREFIX = "dev_"


@dataclass(frozen=True)
class TokenPair:
    access: str
    refresh: str


@dataclass(frozen=True)
class LoginResult:
    member: Member
    is_new: bool
    tokens: TokenPair


def member_token_pair(*, member: Member) -> TokenPair:
    """A fresh refresh token carrying ``member_id`` and the access token derived from it."""
    refresh = RefreshToken()
    refresh[jwt_settings.USER_ID_CLAIM] = member.pk
    return TokenPair(access=str(refresh.access_token), refresh=str(refresh))


def _inviter_for_code(invite_code: str | None) -> Member | None:
    """The inviter, locked: inserting the invitee takes a shared lock on this row (foreign-key
    check) and the invite reward (F04) then wants it exclusively, so two sign-ups under one
    inviter would deadlock upgrading their shared locks; taking the exclusive lock first makes
    them queue instead, and the reward is decided by one of them at a time."""
    code = (invite_code or "").strip().upper()
    if not code:
        return None
    return Member.objects.select_for_update().filter(invite_code=code, is_blocked=False).first()


def _member_sign_in(
    *,
    openid: str,
    session_key: str,
    unionid: str | None = None,
    invite_code: str | None = None,
    nickname: str = "",
    is_dev: bool = False,
    context: RequestContext,
) -> tuple[Member, bool]:
    """Finds or creates the member for ``openid``; returns (member, created)."""
    sign_in = partial(
        _member_sign_in_once,
        context=context,
        openid=openid,
        session_key=session_key,
        unionid=unionid,
        invite_code=invite_code,
        nickname=nickname,
        is_dev=is_dev,
    )
    try:
        with transaction.atomic():
            return sign_in()
    except IntegrityError:
        # Another request created this openid between our read and our insert: read it now.
        with transaction.atomic():
            return sign_in()


def _member_find(openid: str) -> Member | None:
    return Member.objects.select_for_update().filter(openid=openid).first()


def _member_sign_in_once(
    *,
    openid: str,
    session_key: str,
    unionid: str | None,
    invite_code: str | None,
    nickname: str,
    is_dev: bool,
    context: RequestContext,
) -> tuple[Member, bool]:
    now = timezone.now()
    member = _member_find(openid)
    if member is None:
        rewarded = signup_check(context=context)
        # Only a first login may name an inviter: a new member cannot hold that code itself.
        inviter = _inviter_for_code(invite_code) if rewarded else None
        member = Member.objects.create(
            openid=openid,
            unionid=unionid,
            session_key=session_key,
            nickname=nickname[:64],
            inviter=inviter,
            is_dev=is_dev,
            last_login_at=now,
        )
        if rewarded:
            # F04: the binding, and the reward when this invitee completes the inviter's block.
            invite_bind(invitee=member, now=now)
            # F01: the new-user coupon pack, in this transaction so the first response has it.
            new_user_pack_issue(member=member, now=now)
        return member, True
    if member.is_blocked:
        raise MemberBlocked()
    member.session_key = session_key
    member.last_login_at = now
    update_fields = ["session_key", "last_login_at"]
    if unionid and not member.unionid:
        member.unionid = unionid
        update_fields.append("unionid")
    member.save(update_fields=update_fields)
    return member, False


def member_login_wechat(*, code: str, context: RequestContext, invite_code: str | None = None) -> LoginResult:
    """Mini-program login: exchanges the ``wx.login`` code, signs the shopper in (or up)."""
    session = wechat.code_to_session(code=code)
    member, created = _member_sign_in(
        context=context,
        openid=session.openid,
        session_key=session.session_key,
        unionid=session.unionid,
        invite_code=invite_code,
    )
    return LoginResult(member=member, is_new=created, tokens=member_token_pair(member=member))


def member_login_dev(
    *,
    context: RequestContext,
    openid: str | None = None,
    nickname: str | None = None,
    invite_code: str | None = None,
) -> LoginResult:
    """Development sign-in without WeChat; does not exist (404) unless ``DEV_LOGIN_ENABLED``.

    Without an openid a new test shopper is made each time; with one, the same shopper returns.
    """
    if not settings.DEV_LOGIN_ENABLED:
        raise NotFound()
    openid = (openid or "").strip()[:64] or f"{DEV_OPENID_PREFIX}{secrets.token_hex(8)}"
    member, created = _member_sign_in(
        context=context,
        openid=openid,
        session_key="",
        invite_code=invite_code,
        nickname=(nickname or "").strip(),
        is_dev=True,
    )
    return LoginResult(member=member, is_new=created, tokens=member_token_pair(member=member))


def member_token_refresh(*, refresh: str) -> TokenPair:
    """Validates a refresh token and issues a new pair (the refresh rotates, extending the session)."""
    try:
        token = RefreshToken(refresh)  # type: ignore[arg-type]
        member_id = token[jwt_settings.USER_ID_CLAIM]
    except (TokenError, KeyError) as exc:
        raise TokenInvalid() from exc
    member = Member.objects.filter(pk=member_id).first()
    if member is None:
        raise TokenInvalid()
    if member.is_blocked:
        raise MemberBlocked()
    return member_token_pair(member=member)
