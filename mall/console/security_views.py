"""Console pages of sign-in security: the second-factor step, binding an authenticator,
one's own sessions and recovery codes, and the owner's list of login locks."""

from __future__ import annotations

from base64 import b32encode
from typing import Any

import django_otp
import qrcode
import qrcode.image.svg
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from mall.console.security import SESSION_ROW_KEY, TWO_FACTOR_STATE_KEY, safe_next
from mall.errors import ApplicationError
from mall.selectors.staff_security import staff_login_lock_list, staff_session_list
from mall.services.staff_security import (
    staff_has_2fa,
    staff_login_unlock,
    staff_otp_disable,
    staff_otp_enrol_confirm,
    staff_otp_enrol_start,
    staff_otp_recovery_codes_renew,
    staff_otp_verify,
    staff_requires_2fa,
    staff_session_end,
    staff_session_follow,
    staff_sessions_end_all,
)


def _staff_only(request: HttpRequest) -> None:
    if not request.user.is_authenticated or not request.user.is_staff:
        raise PermissionDenied


def _qr_svg(data: str) -> str:
    image = qrcode.make(data, image_factory=qrcode.image.svg.SvgPathImage, box_size=8, border=2)
    return image.to_string(encoding="unicode")


def otp_verify_view(request: HttpRequest) -> HttpResponse:
    """After the password: a 6-digit code from the authenticator, or a recovery code."""
    _staff_only(request)
    home = reverse("admin:index")
    if request.user.is_verified():  # type: ignore[union-attr]
        return redirect(safe_next(request, home))
    if not staff_has_2fa(request.user):
        return redirect(reverse("console:otp_setup"))
    error = ""
    if request.method == "POST":
        try:
            device = staff_otp_verify(user=request.user, token=request.POST.get("token", ""))  # type: ignore[arg-type]
        except ApplicationError as exc:
            error = str(exc.message)
        else:
            django_otp.login(request, device)
            return HttpResponseRedirect(safe_next(request, home))
    context = {
        "title": _("两步验证"),
        "site_title": admin.site.site_title,
        "error": error,
        "next": safe_next(request, home),
    }
    return TemplateResponse(request, "admin/console/otp_verify.html", context, status=400 if error else 200)


def otp_setup_view(request: HttpRequest) -> HttpResponse:
    """Binds an authenticator app: scan the QR code (or type the key), confirm with a first code,
    then the recovery codes are shown once."""
    _staff_only(request)
    user = request.user
    if staff_has_2fa(user) and not user.is_verified():  # type: ignore[union-attr]
        return redirect(f"{reverse('console:otp_verify')}?next={reverse('console:otp_setup')}")
    device = staff_otp_enrol_start(user=user)  # type: ignore[arg-type]
    error = ""
    if request.method == "POST":
        try:
            device, codes = staff_otp_enrol_confirm(user=user, token=request.POST.get("token", ""))  # type: ignore[arg-type]
        except ApplicationError as exc:
            error = str(exc.message)
        else:
            django_otp.login(request, device)
            # Sessions opened before the authenticator existed must sign in again with it.
            staff_sessions_end_all(user=user, keep_session_key=request.session.session_key or "")  # type: ignore[arg-type]
            return TemplateResponse(
                request,
                "admin/console/otp_codes.html",
                {
                    "title": _("恢复码"),
                    "site_title": admin.site.site_title,
                    "codes": codes,
                    "next": safe_next(request, reverse("admin:index")),
                },
            )
    context = {
        "title": _("绑定身份验证器"),
        "site_title": admin.site.site_title,
        "qr_svg": mark_safe(_qr_svg(device.config_url)),  # noqa: S308 - SVG drawn by qrcode from our own URL
        "secret": b32encode(device.bin_key).decode("ascii"),
        "required": staff_requires_2fa(user),
        "error": error,
        "next": safe_next(request, reverse("admin:index")),
    }
    return TemplateResponse(request, "admin/console/otp_setup.html", context, status=400 if error else 200)


def security_view(request: HttpRequest) -> HttpResponse:
    """账号安全: the second factor, recovery codes and the sessions signed in elsewhere."""
    _staff_only(request)
    user: Any = request.user
    codes: list[str] = []
    staff_session_follow(
        user=user, row_id=request.session.get(SESSION_ROW_KEY), session_key=request.session.session_key or ""
    )
    if request.method == "POST":
        action = request.POST.get("action", "")
        try:
            if action == "end_session":
                staff_session_end(
                    actor=user,
                    session_id=int(request.POST.get("session_id") or 0),
                    current_key=request.session.session_key or "",
                )
                messages.success(request, _("已结束该登录会话。"))
            elif action == "renew_codes":
                codes = staff_otp_recovery_codes_renew(user=user)
                messages.success(request, _("已生成新的恢复码，旧恢复码已失效。"))
            elif action == "disable_2fa":
                staff_otp_disable(actor=user, user_id=user.pk)
                request.session.pop(TWO_FACTOR_STATE_KEY, None)
                messages.success(request, _("已关闭两步验证。"))
        except (ApplicationError, ValueError) as exc:
            messages.error(request, str(getattr(exc, "message", _("输入有误。"))))
        if not codes:
            return HttpResponseRedirect(reverse("console:security"))
    context = {
        **admin.site.each_context(request),
        "title": _("账号安全"),
        "has_2fa": staff_has_2fa(user),
        "required": staff_requires_2fa(user),
        "codes": codes,
        "sessions": staff_session_list(user=user, current_key=request.session.session_key or ""),
    }
    return TemplateResponse(request, "admin/console/security.html", context)


def _can_unlock(request: HttpRequest) -> bool:
    return bool(request.user.is_superuser or request.user.has_perm("axes.delete_accessattempt"))


def login_locks_view(request: HttpRequest) -> HttpResponse:
    """登录锁定: usernames and IPs locked after failed logins; the owner may lift a lock."""
    if not _can_unlock(request):
        raise PermissionDenied
    context = {
        **admin.site.each_context(request),
        "title": _("登录锁定"),
        "locks": staff_login_lock_list(),
    }
    return TemplateResponse(request, "admin/console/login_locks.html", context)


@require_POST
def login_unlock_view(request: HttpRequest) -> HttpResponse:
    if not _can_unlock(request):
        raise PermissionDenied
    kind = request.POST.get("kind")
    value = request.POST.get("value", "").strip()
    try:
        staff_login_unlock(
            actor=request.user,
            username=value if kind == "username" else "",
            ip_address=value if kind == "ip" else "",
        )
    except ApplicationError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("已解锁 %(value)s。") % {"value": value})
    return HttpResponseRedirect(reverse("console:login_locks"))
