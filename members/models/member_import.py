"""Customers brought over from the old shop (P06), waiting for their WeChat account.

A row holds what the old shop knew (phone, name, birthday, tier, points balance, tags, total
spend). It is matched to a shopper by the exact phone number the shopper binds
(``member_phone_bound``) — or at import time when one shopper already has that number — and then
applied once by ``members.services.member_import.member_import_apply``.

``pending_phone`` is the phone while the row waits and NULL once matched: its unique index makes
a phone wait at most once (MariaDB has no partial unique indexes; NULLs never collide).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class MemberImport(models.Model):
    class State(models.TextChoices):
        PENDING = "pending", _("待匹配")
        MATCHED = "matched", _("已匹配")

    phone = models.CharField(_("手机号"), max_length=20, db_index=True)
    pending_phone = models.CharField(_("待匹配手机号"), max_length=20, null=True, blank=True, unique=True)
    name = models.CharField(_("姓名"), max_length=64, blank=True)
    birthday = models.DateField(_("生日"), null=True, blank=True)
    tier = models.CharField(_("会员等级"), max_length=16, blank=True)
    points = models.PositiveIntegerField(_("积分余额"), default=0)
    tags = models.JSONField(_("标签"), default=list, blank=True)
    total_spend = models.PositiveBigIntegerField(_("累计消费(分)"), default=0)
    state = models.CharField(_("状态"), max_length=8, choices=State.choices, default=State.PENDING, db_index=True)
    member = models.ForeignKey(
        "members.Member",
        verbose_name=_("匹配会员"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="imports",
    )
    matched_at = models.DateTimeField(_("匹配时间"), null=True, blank=True)
    applied = models.JSONField(_("已应用"), default=dict, blank=True)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("导入人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("导入时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("迁移会员")
        verbose_name_plural = _("迁移会员")
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"{self.name or '-'} {self.phone[:3]}****{self.phone[-4:]}"
