"""Anti-abuse (F45): what the merchant blocks and how the guard challenges shoppers.

Blocked accounts are ``Member.is_blocked``; blocked IP addresses (one address or a CIDR
network) and device ids (the mini-program's ``X-Device-Id``) are :class:`BlockEntry` rows.
:class:`GuardSettings` (one row) says, per guarded action, when the slider captcha is asked
for, and where the risk signals fire. Services change both (audited) and bump the guard's
cache version, so the hot path reads them from memory, never from the database.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import User
from django.db import models
from django.db.models import Q
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from mall.models.fields import IdentifierField

# The actions scarce-spending services guard (``abuse_check(action=…)``), each one the slider
# can be solved for. An action without its own ``<action>_captcha`` field follows
# ``other_captcha``.
GUARDED_ACTIONS: dict[str, str | Promise] = {
    "purchase": _("抢购下单"),
    "claim": _("领券"),
    "reserve": _("预约"),
    "help": _("助力"),
    "order": _("普通下单"),
    "group": _("开团/参团"),
    "bargain": _("发起砍价"),
    "team": _("组队瓜分开团/参团"),
    "wheel": _("大转盘抽奖"),
    "live_lottery": _("直播评论抽奖"),
}


# The actions with a ``<action>_captcha`` field of their own on :class:`GuardSettings`.
ACTIONS_WITH_OWN_MODE = frozenset({"purchase", "claim", "reserve", "help", "order"})


class BlockKind(models.TextChoices):
    IP = "ip", _("IP 地址或网段")
    DEVICE = "device", _("设备")


class BlockEntry(models.Model):
    """One blocked IP address / network (stored as CIDR, e.g. ``10.0.0.0/24``, ``1.2.3.4/32``)
    or device id. A row with ``expires_at`` in the past no longer blocks."""

    kind = models.CharField(_("类型"), max_length=8, choices=BlockKind.choices)
    value = IdentifierField(_("IP/网段或设备号"), max_length=64)
    note = models.CharField(_("原因"), max_length=200, blank=True)
    expires_at = models.DateTimeField(_("到期时间"), null=True, blank=True, help_text=_("留空表示永久封禁"))
    created_by = models.ForeignKey(
        User, verbose_name=_("操作人"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("黑名单")
        verbose_name_plural = _("黑名单")
        ordering = ["-id"]
        constraints = [models.UniqueConstraint(fields=["kind", "value"], name="block_entry_unique_value")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.value}"


class CaptchaMode(models.TextChoices):
    OFF = "off", _("不需要验证")
    RISK = "risk", _("有风险时验证")
    ALWAYS = "always", _("每次都验证")


def _mode_field(label: Any, default: str = CaptchaMode.RISK) -> models.CharField:
    return models.CharField(label, max_length=8, choices=CaptchaMode.choices, default=default)


class GuardSettings(models.Model):
    """The shop's anti-abuse settings (one row; defaults when it was never saved).

    A risk signal fires when, within its window, one shopper repeats one action more than
    ``velocity_limit`` times, or one IP address / one device has been used by more than
    ``accounts_per_ip`` / ``accounts_per_device`` different shoppers.
    """

    purchase_captcha = _mode_field(_("抢购下单"))
    claim_captcha = _mode_field(_("领券"))
    reserve_captcha = _mode_field(_("预约"), CaptchaMode.OFF)
    help_captcha = _mode_field(_("助力"))
    # Ordinary orders (which may take stepped-price units and use coupons): block lists and
    # rate limits always apply, the slider only when the merchant asks for it.
    order_captcha = _mode_field(_("普通下单"), CaptchaMode.OFF)
    other_captcha = _mode_field(_("其他操作"))
    velocity_limit = models.PositiveIntegerField(
        _("同一会员同一操作次数上限"), default=10, help_text=_("窗口内超过此次数即视为风险")
    )
    velocity_window_seconds = models.PositiveIntegerField(_("操作次数统计窗口(秒)"), default=60)
    accounts_per_ip = models.PositiveIntegerField(
        _("同一 IP 会员数上限"), default=5, help_text=_("窗口内同一 IP 登录的不同会员超过此数即视为风险")
    )
    accounts_per_ip_window_seconds = models.PositiveIntegerField(_("IP 统计窗口(秒)"), default=3600)
    accounts_per_device = models.PositiveIntegerField(
        _("同一设备会员数上限"), default=2, help_text=_("窗口内同一设备使用的不同会员超过此数即视为风险")
    )
    accounts_per_device_window_seconds = models.PositiveIntegerField(_("设备统计窗口(秒)"), default=86400)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    updated_by = models.ForeignKey(
        User, verbose_name=_("修改人"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("防刷设置")
        verbose_name_plural = _("防刷设置")
        constraints = [
            models.CheckConstraint(
                condition=Q(velocity_limit__gte=1, accounts_per_ip__gte=1, accounts_per_device__gte=1),
                name="guard_settings_limits_min",
            ),
            models.CheckConstraint(
                condition=Q(
                    velocity_window_seconds__gte=1,
                    accounts_per_ip_window_seconds__gte=1,
                    accounts_per_device_window_seconds__gte=1,
                ),
                name="guard_settings_windows_min",
            ),
        ]

    def __str__(self) -> str:
        return str(_("防刷设置"))

    @classmethod
    def load(cls) -> GuardSettings:
        """The row, created on first use (the console and the service that changes it)."""
        obj, _created = cls.objects.get_or_create(pk=1)
        return obj

    @classmethod
    def current(cls) -> GuardSettings:
        """The row, or the defaults unsaved (read paths never insert)."""
        return cls.objects.filter(pk=1).first() or cls(pk=1)

    def captcha_mode(self, action: str) -> str:
        field = f"{action}_captcha" if action in ACTIONS_WITH_OWN_MODE else "other_captcha"
        return str(getattr(self, field))
