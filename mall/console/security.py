"""Console sign-in security wiring: the login form, the second-factor gate, lockout page, audit hooks.

The rules live in ``mall.services.staff_security``; this module only connects them to Django's
login, django-axes and django-otp.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.contrib.auth.signals import user_logged_in, user_logged_out
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import Resolver404, resolve, reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from unfold.forms import AuthenticationForm

from mall.api.clients import client_ip
from mall.services.staff_security import (
    LoginBusy,
    staff_2fa_state,
    staff_lockout_record,
    staff_login_gate,
    staff_login_locked_until,
    staff_login_record,
    staff_logout_record,
)

IDLE_TOUCH_KEY = "_staff_idle_touch"
SESSION_ROW_KEY = "_staff_session_row"
TWO_FACTOR_STATE_KEY = "_staff_2fa_state"
TWO_FACTOR_STATE_SECONDS = 60
IDLE_TOUCH_EVERY = 300

SHANGHAI = "Asia/Shanghai"
# Console pages a signed-in but not yet second-factor-verified staff member may still open.
OPEN_BEFORE_2FA = ("console:otp_verify", "console:otp_setup", "admin:logout", "admin:login", "admin:jsi18n")


def login_client_ip(request: HttpRequest) -> str:
    """django-axes' view of the client address: the same one throttles and block lists use."""
    return client_ip(request) or "0.0.0.0"  # noqa: S104 - a key for counting, not a bind address


def _user_agent(request: HttpRequest | None) -> str:
    return str(request.META.get("HTTP_USER_AGENT", "") if request is not None else "")[:255]


def locked_message(*, username: str, ip_address: str) -> str:
    until = staff_login_locked_until(username=username, ip_address=ip_address)
    if until is None:
        return _("登录失败次数过多，已暂时锁定，请稍后再试。")
    local = timezone.localtime(until, timezone=timezone.get_default_timezone())
    return _("登录失败次数过多，该账号或 IP 已被锁定，将于 %(time)s 解锁；如需提前解锁请联系店主。") % {
        "time": local.strftime("%Y-%m-%d %H:%M")
    }


class StaffLoginForm(AuthenticationForm):
    """The console login: one guess at a time per username and IP, and a Chinese lockout message."""

    def clean(self) -> dict[str, Any]:
        username = self.cleaned_data.get("username")
        password = self.cleaned_data.get("password")
        if not username or not password or self.request is None:
            return super().clean()
        ip_address = login_client_ip(self.request)
        try:
            with staff_login_gate(username=username, ip_address=ip_address):
                return super().clean()
        except LoginBusy as exc:
            raise forms.ValidationError(str(exc.message), code=exc.code) from exc
        except forms.ValidationError:
            if getattr(self.request, "axes_locked_out", False):
                raise forms.ValidationError(
                    locked_message(username=username, ip_address=ip_address), code="staff_login_locked"
                ) from None
            raise


def lockout_response(
    request: HttpRequest, original_response: HttpResponse | None = None, credentials: Any = None
) -> HttpResponse:
    """django-axes' lockout hook: the login page already shows the lock message; answer 429."""
    if original_response is None:
        username = str((credentials or {}).get("username") or "")
        message = locked_message(username=username, ip_address=login_client_ip(request))
        return HttpResponse(message, status=429, content_type="text/plain; charset=utf-8")
    original_response.status_code = 429
    return original_response


class StaffTwoFactorMiddleware:
    """Staff with an authenticator must enter a code after the password; owner and finance
    (``STAFF_2FA_REQUIRED_ROLES``) who have none are sent to bind one before any console page."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        redirect = self._redirect_for(request)
        return redirect if redirect is not None else self.get_response(request)

    @staticmethod
    def _state(request: HttpRequest, user: Any) -> tuple[bool, bool]:
        """Held in the session for a minute: the gate runs on every console request of staff
        without a verified second factor, most of whom have none and need none."""
        held = request.session.get(TWO_FACTOR_STATE_KEY)
        now = int(time.time())
        if isinstance(held, list) and len(held) == 3 and now - int(held[2]) < TWO_FACTOR_STATE_SECONDS:
            return bool(held[0]), bool(held[1])
        has_device, required = staff_2fa_state(user)
        request.session[TWO_FACTOR_STATE_KEY] = [has_device, required, now]
        return has_device, required

    def _redirect_for(self, request: HttpRequest) -> HttpResponse | None:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or not getattr(user, "is_staff", False):
            return None
        if not request.path.startswith(("/admin/", "/console/")):
            return None
        if user.is_verified():
            return None
        try:
            match = resolve(request.path_info)
        except Resolver404:
            return None
        if match.view_name in OPEN_BEFORE_2FA:
            return None
        has_device, required = self._state(request, user)
        if has_device:
            target = "console:otp_verify"
        elif required:
            target = "console:otp_setup"
        else:
            return None
        next_url = request.get_full_path()
        return HttpResponseRedirect(f"{reverse(target)}?{urlencode({'next': next_url})}")


def safe_next(request: HttpRequest, default: str) -> str:
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return default


class StaffSessionIdleMiddleware:
    """Sessions end after ``SESSION_COOKIE_AGE`` of inactivity: a signed-in request pushes the
    expiry forward, but at most once every five minutes, so browsing does not write the session
    row on every click (``SESSION_SAVE_EVERY_REQUEST`` would)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        session = getattr(request, "session", None)
        user = getattr(request, "user", None)
        # Staff only: DRF puts the shopper of a JWT request on the request too (no session there).
        if session is not None and getattr(user, "is_staff", False) and session.session_key:
            now = int(time.time())
            if now - int(session.get(IDLE_TOUCH_KEY) or 0) >= IDLE_TOUCH_EVERY:
                session[IDLE_TOUCH_KEY] = now
        return response


# --- audit hooks ---------------------------------------------------------------------------


def _on_logged_in(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    if request is None or not getattr(user, "is_staff", False):
        return
    session = getattr(request, "session", None)
    row = staff_login_record(
        user=user,
        session_key=(session.session_key or "") if session is not None else "",
        ip_address=client_ip(request),
        user_agent=_user_agent(request),
    )
    if session is not None:
        session[IDLE_TOUCH_KEY] = int(time.time())
        has_device, required = staff_2fa_state(user)
        session[TWO_FACTOR_STATE_KEY] = [has_device, required, int(time.time())]
        if row is not None:
            session[SESSION_ROW_KEY] = row.pk


def _on_logged_out(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    if request is None:
        return
    session = getattr(request, "session", None)
    staff_logout_record(
        user=user if getattr(user, "is_staff", False) else None,
        session_key=(session.session_key or "") if session is not None else "",
        ip_address=client_ip(request),
        user_agent=_user_agent(request),
    )


def _on_locked_out(sender: Any, request: HttpRequest | None, username: str | None, ip_address: str, **kw: Any) -> None:
    staff_lockout_record(username=username or "", ip_address=ip_address or "", user_agent=_user_agent(request))


def connect_signals() -> None:
    from axes.signals import user_locked_out

    user_logged_in.connect(_on_logged_in, dispatch_uid="mall.staff_login_audit")
    user_logged_out.connect(_on_logged_out, dispatch_uid="mall.staff_logout_audit")
    user_locked_out.connect(_on_locked_out, dispatch_uid="mall.staff_lockout_audit")
