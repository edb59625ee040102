"""Shipping addresses; at most one default per shopper (kept by the address services)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Address(models.Model):
    member = models.ForeignKey(
        "members.Member", verbose_name=_("会员"), on_delete=models.CASCADE, related_name="addresses"
    )
    receiver = models.CharField(_("收货人"), max_length=30)
    phone = models.CharField(_("电话"), max_length=20)
    province = models.CharField(_("省"), max_length=30)
    city = models.CharField(_("市"), max_length=30)
    district = models.CharField(_("区"), max_length=30, blank=True)
    detail = models.CharField(_("详细地址"), max_length=200)
    is_default = models.BooleanField(_("默认"), default=False)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("收货地址")
        verbose_name_plural = _("收货地址")
        ordering = ["-is_default", "-id"]

    def __str__(self) -> str:
        return f"{self.receiver} {self.city}{self.detail}"

    def snapshot(self) -> dict[str, str]:
        """What an order keeps, so later edits of the address do not change old orders."""
        return {
            "receiver": self.receiver,
            "phone": self.phone,
            "province": self.province,
            "city": self.city,
            "district": self.district,
            "detail": self.detail,
        }
