"""Staff sign-in security (P05, OWASP ASVS level 2): lockouts, second factor, sessions, login audit.

django-axes counts failed logins per username and per client IP in the database and refuses a
locked one before any password is checked; :func:`staff_login_gate` makes the check, the
password test and the recorded failure one step per username and per IP, so guesses sent in
parallel cannot all pass the check before the first failure is written. django-otp holds the
TOTP authenticator and the recovery codes. Every sign-in, sign-out, lockout, unlock and change
of second factor writes an audit row.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from importlib import import_module
from typing import Any

from axes.helpers import get_cool_off
from axes.models import AccessAttempt
from axes.utils import reset as axes_reset
from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser, User
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from mall.console.passwords import DEMO_STAFF_LOGINS
from mall.console.roles import ROLE_OWNER
from mall.errors import ApplicationError, NotFound, PermissionDenied, ValidationFailed
from mall.models import StaffSession
from mall.services.audit import audit_record

RECOVERY_CODE_COUNT = 10
LOGIN_GATE_SECONDS = 15


class LoginBusy(ApplicationError):
    code = "staff_login_busy"
    status = 429
    default_message = _("登录请求过于频繁，请稍后再试。")


class OtpInvalid(ValidationFailed):
    code = "staff_otp_invalid"
    default_message = _("验证码不正确或已使用，请重新输入。")


class OtpNotStarted(ValidationFailed):
    code = "staff_otp_not_started"
    default_message = _("请先打开绑定页面获取二维码。")


class OtpRequiredForRole(PermissionDenied):
    code = "staff_otp_required"
    default_message = _("你的角色必须开启两步验证，不能关闭。")


class StaffSessionNotFound(NotFound):
    code = "staff_session_not_found"
    default_message = _("找不到该登录会话，可能已经结束。")


class WeakPassword(ValidationFailed):
    code = "staff_password_weak"
    default_message = _("密码不符合要求。")


# --- passwords ------------------------------------------------------------------------


def staff_password_check(*, password: str, user: User | None) -> None:
    """Runs Django's password validators (length, common, numeric, similarity, demo defaults)."""
    try:
        validate_password(password, user=user)
    except ValidationError as exc:
        raise WeakPassword(details={"password": list(exc.messages)}) from exc


def staff_default_passwords_in_use() -> list[str]:
    """Usernames of active demo accounts that still have the demo's published password."""
    users = {user.username: user for user in User.objects.filter(username__in=[u for u, _p in DEMO_STAFF_LOGINS])}
    return [
        username
        for username, password in DEMO_STAFF_LOGINS
        if username in users and users[username].is_active and users[username].check_password(password)
    ]


def staff_refuse_default_passwords() -> None:
    """Start-up guard of production (``STAFF_REFUSE_DEFAULT_PASSWORDS``): a database seeded with
    the demo and then served for real would otherwise open the console to the README's logins."""
    if not getattr(settings, "STAFF_REFUSE_DEFAULT_PASSWORDS", False):
        return
    in_use = staff_default_passwords_in_use()
    if in_use:
        raise ImproperlyConfigured(
            f"Staff accounts {', '.join(in_use)} still have the demo's published password; "
            "change it (manage.py changepassword) before starting in production."
        )


# --- lockouts (django-axes) -----------------------------------------------------------

_local_locks: dict[str, threading.Lock] = {}
_local_locks_guard = threading.Lock()


@contextmanager
def _named_lock(name: str) -> Iterator[None]:
    """A lock shared by every worker through Redis; a process lock in the embedded set-up."""
    from mall.redis import get_redis

    client = get_redis()
    if client is not None:
        lock = client.lock(
            f"duoying:login-gate:{name}", timeout=LOGIN_GATE_SECONDS, blocking_timeout=LOGIN_GATE_SECONDS
        )
        if not lock.acquire():
            raise LoginBusy
        try:
            yield
        finally:
            lock.release()
        return
    with _local_locks_guard:
        local = _local_locks.setdefault(name, threading.Lock())
    if not local.acquire(timeout=LOGIN_GATE_SECONDS):
        raise LoginBusy
    try:
        yield
    finally:
        local.release()


@contextmanager
def staff_login_gate(*, username: str, ip_address: str) -> Iterator[None]:
    """One login attempt at a time per username and per IP (username first, a fixed order)."""
    with _named_lock(f"user:{username.strip().lower()}"), _named_lock(f"ip:{ip_address}"):
        yield


def staff_login_locked_until(*, username: str, ip_address: str) -> datetime | None:
    """When a lock on this username or IP ends (the last failure plus the cool-off), if locked."""
    cool_off = get_cool_off()
    if cool_off is None:
        return None
    limit = int(settings.AXES_FAILURE_LIMIT)
    now = timezone.now()
    ends: list[datetime] = []
    for condition in (Q(username=username), Q(ip_address=ip_address)):
        rows = AccessAttempt.objects.filter(condition, attempt_time__gt=now - cool_off)
        totals = rows.aggregate(last=Max("attempt_time"))
        failures = sum(rows.values_list("failures_since_start", flat=True))
        if failures >= limit and totals["last"] is not None:
            ends.append(totals["last"] + cool_off)
    return max(ends) if ends else None


@transaction.atomic
def staff_lockout_record(*, username: str, ip_address: str, user_agent: str) -> None:
    """Audits a lockout (django-axes' ``user_locked_out``): who was guessed, from where."""
    user = User.objects.filter(username=username).first() if username else None
    audit_record(
        actor=None,
        action="staff.login_locked",
        target_type="auth.user",
        target_id=user.pk if user else "",
        data={"username": username or "", "ip": ip_address, "user_agent": user_agent[:255]},
    )


@transaction.atomic
def staff_login_unlock(
    *, actor: AbstractBaseUser | AnonymousUser | None, username: str = "", ip_address: str = ""
) -> int:
    """Lifts a lock on a username or an IP before its cool-off ends (the owner's console page)."""
    if not username and not ip_address:
        raise ValidationFailed(_("请指定要解锁的用户名或 IP。"))
    removed = axes_reset(username=username or None, ip=ip_address or None)
    audit_record(
        actor=actor,
        action="staff.login_unlock",
        target_type="auth.user",
        target_id=username or ip_address,
        data={"username": username, "ip": ip_address, "attempts_removed": removed},
    )
    return removed


# --- second factor (django-otp) --------------------------------------------------------


def staff_role_names(user: Any) -> set[str]:
    names = set(user.groups.values_list("name", flat=True))
    if user.is_superuser:
        names.add(ROLE_OWNER)
    return names


def staff_requires_2fa(user: Any) -> bool:
    """Owner and finance (by default) move money: their second factor is not optional."""
    required = set(getattr(settings, "STAFF_2FA_REQUIRED_ROLES", ()))
    return bool(required & staff_role_names(user))


def staff_has_2fa(user: Any) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def staff_2fa_state(user: Any) -> tuple[bool, bool]:
    """``(has an authenticator, role requires one)`` in one query (the console's gate holds the
    answer in the session for a minute, see ``StaffTwoFactorMiddleware``)."""
    from django.contrib.auth.models import Group
    from django.db.models import Exists, OuterRef

    required = list(getattr(settings, "STAFF_2FA_REQUIRED_ROLES", ()))
    row = (
        User.objects.filter(pk=user.pk)
        .annotate(
            has_device=Exists(TOTPDevice.objects.filter(user=OuterRef("pk"), confirmed=True)),
            in_required_role=Exists(Group.objects.filter(user=OuterRef("pk"), name__in=required)),
        )
        .values_list("has_device", "in_required_role")
        .first()
    )
    if row is None:
        return False, False
    has_device, in_required_role = row
    return bool(has_device), bool(in_required_role) or (user.is_superuser and ROLE_OWNER in required)


@transaction.atomic
def staff_otp_enrol_start(*, user: User) -> TOTPDevice:
    """The authenticator being bound: reused across page reloads until it is confirmed."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("id").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=str(_("控制台身份验证器")), confirmed=False)
    return device


def _recovery_codes_reset(user: User) -> list[str]:
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name=str(_("恢复码")), confirmed=True)
    codes = [StaticToken.random_token() for _i in range(RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create([StaticToken(device=device, token=code) for code in codes])
    return codes


def staff_otp_enrol_confirm(*, user: User, token: str) -> tuple[TOTPDevice, list[str]]:
    """Confirms the new authenticator with a first code; returns it with fresh recovery codes.

    The code is checked outside the write transaction so that django-otp's throttle (a failed
    code slows the next one) is kept even though the confirmation is refused.
    """
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("id").first()
    if device is None:
        raise OtpNotStarted
    if not device.verify_token(token.strip()):
        raise OtpInvalid
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user, confirmed=True).delete()
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        codes = _recovery_codes_reset(user)
        audit_record(actor=user, action="staff.2fa_enabled", target=user, data={"device": device.pk})
    return device, codes


@transaction.atomic
def staff_otp_recovery_codes_renew(*, user: User) -> list[str]:
    """New recovery codes; the old ones stop working."""
    if not staff_has_2fa(user):
        raise OtpNotStarted
    codes = _recovery_codes_reset(user)
    audit_record(actor=user, action="staff.2fa_recovery_renewed", target=user)
    return codes


def staff_otp_verify(*, user: User, token: str) -> Device:
    """The device that accepts ``token``: a 6-digit authenticator code, or a one-time recovery code."""
    token = token.strip().replace(" ", "").lower()
    devices: list[Device] = (
        list(TOTPDevice.objects.filter(user=user, confirmed=True))
        if token.isdigit()
        else list(StaticDevice.objects.filter(user=user, confirmed=True))
    )
    for candidate in devices:
        with transaction.atomic():
            device = type(candidate).objects.select_for_update().get(pk=candidate.pk)
            if device.verify_token(token):
                if isinstance(device, StaticDevice):
                    left = device.token_set.count()
                    audit_record(actor=user, action="staff.2fa_recovery_used", target=user, data={"left": left})
                return device
    raise OtpInvalid


@transaction.atomic
def staff_otp_disable(*, actor: User, user_id: int) -> None:
    """Removes a staff member's second factor: their own (roles where it is optional), or by the
    owner for someone who lost their phone (they bind a new one at their next sign-in)."""
    user = User.objects.filter(pk=user_id, is_staff=True).first()
    if user is None:
        raise NotFound(details={"user_id": user_id})
    if actor.pk == user.pk and staff_requires_2fa(user):
        raise OtpRequiredForRole
    if actor.pk != user.pk and not actor.is_superuser:
        raise PermissionDenied
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()
    audit_record(actor=actor, action="staff.2fa_disabled", target=user, data={"by_owner": actor.pk != user.pk})
    if actor.pk != user.pk:  # a lost phone: whoever holds it is signed out too
        staff_sessions_end_all(user=user, keep_session_key="")


# --- sessions and the sign-in audit ----------------------------------------------------


def _session_store() -> Any:
    return import_module(settings.SESSION_ENGINE).SessionStore


@transaction.atomic
def staff_login_record(*, user: User, session_key: str, ip_address: str, user_agent: str) -> StaffSession | None:
    """A console sign-in: remembered as a session of this user, audited with IP and browser."""
    row = None
    if session_key:
        row, _created = StaffSession.objects.update_or_create(
            session_key=session_key,
            defaults={"user": user, "ip_address": ip_address, "user_agent": user_agent[:255]},
        )
    audit_record(actor=user, action="staff.login", target=user, data={"ip": ip_address, "user_agent": user_agent[:255]})
    return row


@transaction.atomic
def staff_session_follow(*, user: User, row_id: int | None, session_key: str) -> None:
    """Keeps the current session's row on its key: Django gives a session a new key when its
    user changes their password (``update_session_auth_hash``)."""
    if row_id and session_key:
        StaffSession.objects.filter(pk=row_id, user=user).exclude(session_key=session_key).update(
            session_key=session_key
        )


@transaction.atomic
def staff_logout_record(*, user: User | None, session_key: str, ip_address: str, user_agent: str) -> None:
    StaffSession.objects.filter(session_key=session_key).delete()
    if user is not None:
        audit_record(
            actor=user, action="staff.logout", target=user, data={"ip": ip_address, "user_agent": user_agent[:255]}
        )


@transaction.atomic
def staff_session_end(*, actor: User, session_id: int, current_key: str) -> None:
    """Ends one of the actor's own sessions elsewhere (the session row is deleted: signed out)."""
    row = StaffSession.objects.select_for_update().filter(pk=session_id, user=actor).first()
    if row is None or row.session_key == current_key:
        raise StaffSessionNotFound(details={"session_id": session_id})
    _session_store()(session_key=row.session_key).delete()
    row.delete()
    audit_record(
        actor=actor, action="staff.session_end", target=actor, data={"ip": row.ip_address, "user_agent": row.user_agent}
    )


@transaction.atomic
def staff_sessions_end_all(*, user: User, keep_session_key: str) -> int:
    """Signs the user out everywhere but ``keep_session_key`` (binding an authenticator, or the
    owner resetting a lost phone's): sessions opened before must sign in again."""
    rows = list(StaffSession.objects.select_for_update().filter(user=user).exclude(session_key=keep_session_key))
    store = _session_store()
    for row in rows:
        store(session_key=row.session_key).delete()
    StaffSession.objects.filter(pk__in=[row.pk for row in rows]).delete()
    return len(rows)


def staff_session_is_live(*, user: User, session_key: str) -> bool:
    """Whether a session still signs this user in: not expired, not ended, same password."""
    from django.contrib.auth import HASH_SESSION_KEY, SESSION_KEY

    store = _session_store()
    if not store().exists(session_key):
        return False
    data = store(session_key=session_key).load()
    return str(data.get(SESSION_KEY)) == str(user.pk) and data.get(HASH_SESSION_KEY) == user.get_session_auth_hash()
