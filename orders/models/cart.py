"""The shopper's cart: one row per SKU."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class CartItem(models.Model):
    member = models.ForeignKey("members.Member", on_delete=models.CASCADE, related_name="cart_items")
    sku = models.ForeignKey("mall.Sku", on_delete=models.CASCADE, related_name="+")
    qty = models.PositiveIntegerField(_("数量"))
    selected = models.BooleanField(_("选中"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("购物车")
        verbose_name_plural = _("购物车")
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(fields=["member", "sku"], name="cart_one_row_per_sku"),
            models.CheckConstraint(condition=Q(qty__gte=1), name="cart_qty_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.sku_id} × {self.qty}"
