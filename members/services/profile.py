"""The shopper's own profile: nickname, avatar, phone, and a birthday that can be set once.

Binding a phone number is one moment, ``member_phone_bind`` (the WeChat phone button through
``member_phone_bind_wechat``, or the number typed into the profile): it sends ``member_phone_bound``
(members/signals.py) after commit, so other apps (e.g. matching imported customers) hook in there.
"""

from __future__ import annotations

import datetime as dt
import re
import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.core.validators import URLValidator
from django.db import transaction
from django.utils import timezone
from PIL import Image, UnidentifiedImageError

from mall.errors import NotFound
from members import wechat
from members.errors import (
    AvatarInvalid,
    AvatarUrlInvalid,
    BirthdayAlreadySet,
    BirthdayInvalid,
    NicknameInvalid,
    PhoneCodeInvalid,
    PhoneInvalid,
    PhoneWatermarkMismatch,
    WeChatCodeInvalid,
)
from members.models import Member
from members.signals import member_phone_bound

# Mainland mobile numbers: 11 digits starting 13–19.
MAINLAND_MOBILE_RE = re.compile(r"^1[3-9]\d{9}$")
NICKNAME_MAX = 64
AVATAR_URL_MAX = 500
EARLIEST_BIRTHDAY = dt.date(1900, 1, 1)
AVATAR_MAX_BYTES = 2 * 1024 * 1024
AVATAR_FORMATS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}
AVATAR_DIR = "avatars"
PHONE_SOURCES = ("wechat", "profile")

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
        new_phone = phone_normalize(phone) if phone.strip() else ""
        if new_phone and new_phone != locked.phone:
            _phone_bound_after_commit(locked.pk, new_phone, "profile")
        locked.phone = new_phone
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


# --- phone --------------------------------------------------------------------------------


def _phone_bound_after_commit(member_id: int, phone: str, source: str) -> None:
    transaction.on_commit(
        lambda: member_phone_bound.send(sender=Member, member_id=member_id, phone=phone, source=source)
    )


@transaction.atomic
def member_phone_bind(*, member: Member, phone: str, source: str) -> Member:
    """Binds a mainland mobile number to the member; the ``member_phone_bound`` moment when it changes.

    ``source`` says how the number was learnt ("wechat": verified by WeChat; "profile": typed in).
    Receivers of ``member_phone_bound`` run after commit, once per change of number.
    """
    if source not in PHONE_SOURCES:
        raise ValueError(f"unknown phone source {source!r}")
    normalized = phone_normalize(phone)
    locked = Member.objects.select_for_update().filter(pk=member.pk).first()
    if locked is None:
        raise NotFound()
    if locked.phone != normalized:
        locked.phone = normalized
        locked.save(update_fields=["phone"])
        _phone_bound_after_commit(locked.pk, normalized, source)
    return locked


def member_phone_bind_wechat(*, member: Member, code: str) -> Member:
    """The ``getPhoneNumber`` button's code → WeChat's verified number → bound to the member.

    The number must have been issued for this mini-program (watermark appid) and be a mainland
    mobile. WeChat is asked outside any transaction; only the binding itself locks the member.
    """
    try:
        phone = wechat.phone_number_from_code(code=code)
    except WeChatCodeInvalid as exc:
        raise PhoneCodeInvalid(details=exc.details) from exc
    if phone.appid != settings.WECHAT_APPID:
        raise PhoneWatermarkMismatch(details={"appid": phone.appid})
    if phone.country_code not in ("", "86"):
        raise PhoneInvalid(details={"country_code": phone.country_code})
    return member_phone_bind(member=member, phone=phone.pure_phone_number, source="wechat")


# --- avatar -------------------------------------------------------------------------------


def _stored_avatar_name(avatar_url: str) -> str | None:
    """The storage name of an avatar this service stored, or None for any other URL."""
    prefix = default_storage.url(f"{AVATAR_DIR}/")
    if avatar_url.startswith(prefix):
        return f"{AVATAR_DIR}/{avatar_url[len(prefix) :]}"
    return None


def member_avatar_upload(*, member: Member, upload: UploadedFile) -> Member:
    """Stores the avatar chosen with ``chooseAvatar`` (JPG, PNG or WEBP up to 2 MB, checked by its
    real format) and points the member at it; the previous stored avatar is deleted after commit."""
    if not upload.size or upload.size > AVATAR_MAX_BYTES:
        raise AvatarInvalid(details={"size": upload.size, "max_bytes": AVATAR_MAX_BYTES})
    try:
        with Image.open(upload) as image:
            image_format = image.format or ""
            image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise AvatarInvalid(details={"reason": "not_an_image"}) from exc
    if image_format not in AVATAR_FORMATS:
        raise AvatarInvalid(details={"format": image_format, "allowed": sorted(AVATAR_FORMATS)})
    upload.seek(0)
    name = default_storage.save(
        f"{AVATAR_DIR}/{member.pk}/{secrets.token_hex(12)}.{AVATAR_FORMATS[image_format]}", upload
    )
    try:
        with transaction.atomic():
            locked = Member.objects.select_for_update().filter(pk=member.pk).first()
            if locked is None:
                raise NotFound()
            previous = _stored_avatar_name(locked.avatar_url)
            locked.avatar_url = default_storage.url(name)
            locked.save(update_fields=["avatar_url"])
            if previous and previous != name:
                transaction.on_commit(lambda: default_storage.delete(previous))
    except BaseException:
        default_storage.delete(name)
        raise
    return locked
