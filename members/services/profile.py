"""The shopper's own profile: nickname, avatar, phone, and a birthday that can be set once."""

from __future__ import annotations

import datetime as dt
import re

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.utils import timezone

from mall.errors import NotFound
from members.errors import AvatarUrlInvalid, BirthdayAlreadySet, BirthdayInvalid, NicknameInvalid, PhoneInvalid
from members.models import Member

# Mainland mobile numbers: 11 digits starting 13–19.
MAINLAND_MOBILE_RE = re.compile(r"^1[3-9]\d{9}$")
NICKNAME_MAX = 64
AVATAR_URL_MAX = 500
EARLIEST_BIRTHDAY = dt.date(1900, 1, 1)

_avatar_url_validator = URLValidator(schemes=["https", "http"])


def phone_normalize(phone: str) -> str:
    """Strips spaces/dashes and a +86 prefix, then requires a mainland mobile number."""
    digits = re.sub(r"[\s-]", "", phone)
    if digits.startswith("+86"):
        digits = digits[3:]
    if not MAINLAND_MOBILE_RE.match(digits):
        raise PhoneInvalid()
    return digits


def _clean_nickname(nickname: str) -> str:
    nickname = nickname.strip()
    if not nickname or len(nickname) > NICKNAME_MAX:
        raise NicknameInvalid()
    return nickname


def _clean_avatar_url(avatar_url: str) -> str:
    avatar_url = avatar_url.strip()
    if not avatar_url:
        return ""
    if len(avatar_url) > AVATAR_URL_MAX:
        raise AvatarUrlInvalid()
    try:
        _avatar_url_validator(avatar_url)
    except ValidationError as exc:
        raise AvatarUrlInvalid() from exc
    return avatar_url


def _clean_birthday(birthday: dt.date) -> dt.date:
    if not (EARLIEST_BIRTHDAY <= birthday <= timezone.localdate()):
        raise BirthdayInvalid()
    return birthday


@transaction.atomic
def member_update_profile(
    *,
    member: Member,
    nickname: str | None = None,
    avatar_url: str | None = None,
    phone: str | None = None,
    birthday: dt.date | None = None,
) -> Member:
    """Updates the given fields (None = unchanged). An empty phone or avatar clears it.

    The member row is locked so two requests cannot both "set the birthday for the first time".
    """
    locked = Member.objects.select_for_update().filter(pk=member.pk).first()
    if locked is None:
        raise NotFound()
    changed: list[str] = []
    if nickname is not None:
        locked.nickname = _clean_nickname(nickname)
        changed.append("nickname")
    if avatar_url is not None:
        locked.avatar_url = _clean_avatar_url(avatar_url)
        changed.append("avatar_url")
    if phone is not None:
        locked.phone = phone_normalize(phone) if phone.strip() else ""
        changed.append("phone")
    if birthday is not None:
        birthday = _clean_birthday(birthday)
        if locked.birthday is not None and locked.birthday != birthday:
            raise BirthdayAlreadySet()
        if locked.birthday is None:
            locked.birthday = birthday
            changed.append("birthday")
    if changed:
        locked.save(update_fields=changed)
    return locked
