"""Staff sign-in sessions, so a staff member can see where they are signed in and end the others."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class StaffSession(models.Model):
    """One console sign-in: written at login, removed at logout or when ended from the console.

    Django's session table cannot be searched by user (the data is encoded), so this row links
    the session key to its user with the address and browser it was opened from.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("员工"), on_delete=models.CASCADE, related_name="staff_sessions"
    )
    session_key = models.CharField(_("会话"), max_length=40, unique=True)
    ip_address = models.CharField(_("IP 地址"), max_length=45, blank=True)
    user_agent = models.CharField(_("浏览器"), max_length=255, blank=True)
    created_at = models.DateTimeField(_("登录时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("登录会话")
        verbose_name_plural = _("登录会话")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.user_id} {self.ip_address} {self.created_at:%Y-%m-%d %H:%M}"
