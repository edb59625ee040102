"""Shop-wide rules the merchant sets in the console (one row)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class ShopSettings(models.Model):
    name = models.CharField(_("店铺名称"), max_length=60, default="多营商城")
    shipping_flat_fee = models.PositiveIntegerField(_("运费(分)"), default=800)
    free_shipping_threshold = models.PositiveIntegerField(_("包邮门槛(分)"), default=9900)
    auto_complete_days = models.PositiveIntegerField(_("自动确认收货(天)"), default=7)

    class Meta:
        verbose_name = _("店铺设置")
        verbose_name_plural = _("店铺设置")

    def __str__(self) -> str:
        return self.name

    @classmethod
    def load(cls) -> ShopSettings:
        obj, _created = cls.objects.get_or_create(pk=1)
        return obj
