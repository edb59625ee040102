"""Staff sign-in sessions, so a staff member can see where they are signed in and end the others."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from mall.models.fields import IdentifierField


class StaffSession(models.Model):
    """One console sign-in: written at login, removed at logout or when ended from the console.

    Django's session table cannot be searched by user (the data is encoded), so this row links
    the session key to its user with the address and browser it was opened from.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("员工"), on_delete=models.CASCADE, related_name="staff_sessions"
    )
    session_key = IdentifierField(_("会话"), max_length=40, unique=True)
    ip_address = models.CharField(_("IP 地址"), max_length=45, blank=True)
    user_agent = models.CharField(_("浏览器"), max_length=255, blank=True)
    created_at = models.DateTimeField(_("登录时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("登录会话")
        verbose_name_plural = _("登录会话")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.user_id} {self.ip_address} {self.created_at:%Y-%m-%d %H:%M}"


class PersonalDataExport(models.Model):
    """One export of shoppers' personal data (phones, addresses): who, what, how many rows.

    Its permissions are the gate: exporting members or orders with addresses is not implied by
    being allowed to view them (a screen shows 50 rows; a file takes them all away).
    """

    DATASET_MEMBERS = "members"
    DATASET_ORDERS = "orders"

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("操作人"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    dataset = models.CharField(_("数据"), max_length=32)
    row_count = models.PositiveIntegerField(_("行数"))
    ip_address = models.CharField(_("IP 地址"), max_length=45, blank=True)
    created_at = models.DateTimeField(_("时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("个人信息导出记录")
        verbose_name_plural = _("个人信息导出记录")
        ordering = ["-id"]
        default_permissions = ("view",)
        permissions = [
            ("export_members", _("可以导出会员个人信息（手机号、生日）")),
            ("export_orders", _("可以导出订单及收货地址")),
        ]

    def __str__(self) -> str:
        return f"{self.dataset} × {self.row_count}"
