"""JWT authentication for shoppers: tokens carry ``member_id`` and resolve to a Member, not a User.

:class:`MemberJWTAuthentication` (every API view) checks the token and the guard's held list
of blocked shoppers and yields a :class:`LazyMember`: the Member row is read on the first
use of anything but its id, so endpoints that never look at the shopper (ping, the home
screen, a product page) answer without a query, and the others read it once, refusing then
if it is gone or blocked (issue 12).

:class:`ShopperTokenAuthentication` is for the few endpoints that answer most requests without
the shopper's row (the flash sale's purchase, whose sold-out replies come from Redis): it
checks the token and the guard's held list of blocked shoppers and yields a
:class:`TokenShopper`; the view loads the Member only when it goes on to the database.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from django.utils.functional import SimpleLazyObject, empty
from django.utils.translation import gettext as _
from rest_framework_simplejwt.authentication import JWTAuthentication
from rest_framework_simplejwt.exceptions import AuthenticationFailed, InvalidToken
from rest_framework_simplejwt.settings import api_settings

from mall.rows import row_by_pk
from members.models import Member


def _member_row(member_id: int) -> Member | None:
    return row_by_pk(Member, member_id)


MemberRead = Callable[[int], "Member | None"]


def member_load(member_id: int, read: MemberRead = _member_row) -> Member:
    """The token's shopper, refused when gone (401 ``member_not_found``) or blocked (401 ``member_blocked``).

    Read with a written-out SELECT (``row_by_pk``): this row is behind every signed-in request.
    ``read``: a view's own read of the row (one that reads more with it, see :func:`member_read_by`)."""
    member = read(member_id)
    if member is None:
        raise AuthenticationFailed(_("会员不存在。"), code="member_not_found")
    if member.is_blocked:
        raise AuthenticationFailed(_("账号已被封禁。"), code="member_blocked")
    return member


class LazyMember(SimpleLazyObject):
    """The token's Member, read from the database on first use (``Member`` for every purpose:
    ORM filters, ``isinstance``, attributes). ``pk`` / ``id`` and the authentication flags
    come from the token, so throttles and permission checks do not read the row."""

    is_authenticated = True
    is_anonymous = False
    # Counted in the same per-shopper throttle bucket as a loaded Member.
    throttle_kind = "Member"

    def __init__(self, member_id: int, read: MemberRead = _member_row) -> None:
        super().__init__(lambda: member_load(member_id, read))
        self.__dict__["_member_id"] = member_id

    @property
    def pk(self) -> int:
        return int(self.__dict__["_member_id"])

    @property
    def id(self) -> int:
        return int(self.__dict__["_member_id"])


def unwrapped_member(user: Any) -> Any:
    """The Member a :class:`LazyMember` stands for (read now if it was not: refusals as
    :func:`member_load`), or ``user`` itself."""
    if type(user) is LazyMember:
        if user._wrapped is empty:
            user._setup()
        return user._wrapped
    return user


def member_read_by(user: Any, read: MemberRead) -> Any:
    """``user`` with its row to be read by ``read`` when it is a :class:`LazyMember` not read yet
    (a view's ``perform_authentication``: the row with what the view needs next, in one
    statement); anything else as it is. Refusals stay those of :func:`member_load`."""
    if type(user) is LazyMember and user._wrapped is empty:
        return LazyMember(user.pk, read)
    return user


# Tokens this process has verified (raw token -> (expiry, validated token)): a shopper's app sends
# the same access token for two hours, and decoding and verifying it is a good part of a cheap
# request (issue 12). A hit is only taken before the token's own expiry; the signature of a
# token never changes, so what was verified once stays verified. Measured (issue 12, bench-flash's
# 2,000 shoppers): a first verification costs ~41 µs of CPU (PyJWT's decode); once a worker holds
# the tokens, a ping with 2,000 rotating tokens costs what it does with one (0.260 vs 0.259 ms).
VERIFIED_TOKENS_MAX = 20_000
_verified: dict[bytes, tuple[float, Any]] = {}


class MemberJWTAuthentication(JWTAuthentication):
    def get_validated_token(self, raw_token: bytes) -> Any:
        held = _verified.get(raw_token)
        if held is not None and time.time() < held[0]:
            return held[1]
        validated = super().get_validated_token(raw_token)
        expires = validated.get("exp")
        if isinstance(expires, int | float):
            if len(_verified) >= VERIFIED_TOKENS_MAX:
                _verified.clear()
            _verified[raw_token] = (float(expires), validated)
        return validated

    def get_user(self, validated_token: Any) -> Member:  # type: ignore[override]
        from members.selectors.abuse import guard_config  # the guard's selectors read members' models

        try:
            member_id = int(validated_token[api_settings.USER_ID_CLAIM])
        except (KeyError, TypeError, ValueError) as exc:
            raise InvalidToken(_("令牌中没有会员信息。")) from exc
        if guard_config().member_blocked(member_id):
            raise AuthenticationFailed(_("账号已被封禁。"), code="member_blocked")
        return LazyMember(member_id)  # type: ignore[return-value]


class TokenShopper:
    """The shopper a valid token names, before the database is asked.

    Carries what throttles and the guard need (``pk``, ``is_blocked``); :meth:`member` loads
    the row, refusing like :class:`MemberJWTAuthentication` when it is gone or blocked.
    """

    is_authenticated = True
    is_anonymous = False
    # Counted in the same per-shopper throttle bucket as a loaded Member.
    throttle_kind = "Member"

    def __init__(self, member_id: int, *, is_blocked: bool = False) -> None:
        self.pk = self.id = member_id
        self.is_blocked = is_blocked
        self._member: Member | None = None

    def member(self) -> Member:
        if self._member is None:
            self._member = member_load(self.pk)
        return self._member


class ShopperTokenAuthentication(MemberJWTAuthentication):
    """The token's shopper without a query; blocked ones are refused from the guard's held list."""

    def get_user(self, validated_token: Any) -> TokenShopper:  # type: ignore[override]
        from members.selectors.abuse import guard_config  # the guard's selectors read members' models

        try:
            member_id = int(validated_token[api_settings.USER_ID_CLAIM])
        except (KeyError, TypeError, ValueError) as exc:
            raise InvalidToken(_("令牌中没有会员信息。")) from exc
        if guard_config().member_blocked(member_id):
            raise AuthenticationFailed(_("账号已被封禁。"), code="member_blocked")
        return TokenShopper(member_id)
