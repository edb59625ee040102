"""Shoppers (P02). A shopper is not a Django user: staff use the console, shoppers the mini-program."""

from __future__ import annotations

import secrets

from django.db import models
from django.utils.translation import gettext_lazy as _

from mall.models.fields import IdentifierField


def new_invite_code() -> str:
    return secrets.token_hex(4).upper()


class Member(models.Model):
    class Tier(models.TextChoices):
        NORMAL = "normal", _("普通会员")
        SILVER = "silver", _("白银会员")
        GOLD = "gold", _("黄金会员")
        DIAMOND = "diamond", _("钻石会员")

    openid = IdentifierField(_("openid"), max_length=64, unique=True)
    unionid = IdentifierField(_("unionid"), max_length=64, null=True, blank=True, unique=True)
    # Kept server-side only: never serialised to the client.
    session_key = models.CharField(max_length=128, blank=True)
    nickname = models.CharField(_("昵称"), max_length=64, blank=True)
    avatar_url = models.URLField(_("头像"), max_length=500, blank=True)
    phone = models.CharField(_("手机号"), max_length=20, blank=True)
    birthday = models.DateField(_("生日"), null=True, blank=True)
    tier = models.CharField(_("会员等级"), max_length=16, choices=Tier.choices, default=Tier.NORMAL)
    invite_code = IdentifierField(_("邀请码"), max_length=16, unique=True, default=new_invite_code)
    inviter = models.ForeignKey(
        "self", verbose_name=_("邀请人"), null=True, blank=True, on_delete=models.SET_NULL, related_name="invitees"
    )
    is_blocked = models.BooleanField(_("已封禁"), default=False)
    is_dev = models.BooleanField(_("开发登录"), default=False)
    created_at = models.DateTimeField(_("注册时间"), auto_now_add=True, db_index=True)
    last_login_at = models.DateTimeField(_("最近登录"), null=True, blank=True)

    class Meta:
        verbose_name = _("会员")
        verbose_name_plural = _("会员")
        ordering = ["-id"]
        # Adjusting points is money-like: its own permission, not implied by "change member".
        permissions = [("adjust_points", _("可以调整会员积分"))]

    def __str__(self) -> str:
        return self.nickname or f"会员{self.pk}"

    # DRF treats request.user as authenticated through these two attributes.
    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_anonymous(self) -> bool:
        return False
