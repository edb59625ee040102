"""Saved segments (F34) and the four strategy layers (F35).

A segment is a rule tree (``{"op": "all"|"any"|"none", "conditions": [...]}``) compiled by
``members.selectors.segments`` into one set-based query over shoppers. A layer is a segment
with a ``layer`` key and a playbook; each month the layers are frozen into
:class:`LayerSnapshot` so the console can say how many shoppers moved between them.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Layer(models.TextChoices):
    HIGH_VALUE = "high_value", _("高价值")
    POTENTIAL = "potential", _("潜力")
    LOW_FREQUENCY = "low_frequency", _("低频")
    CHURN_RISK = "churn_risk", _("流失风险")


class Segment(models.Model):
    name = models.CharField(_("名称"), max_length=40, unique=True)
    description = models.CharField(_("说明"), max_length=200, blank=True)
    rules = models.JSONField(_("规则"), default=dict)
    layer = models.CharField(_("分层"), max_length=16, choices=Layer.choices, blank=True, default="")
    # The layer's playbook (coupons, early access, follow-up), edited in the console.
    playbook = models.JSONField(_("策略"), default=dict, blank=True)
    member_count = models.PositiveIntegerField(_("人数"), default=0)
    counted_at = models.DateTimeField(_("计数时间"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("创建人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("人群")
        verbose_name_plural = _("人群")
        ordering = ["-id"]

    def __str__(self) -> str:
        return self.name


class LayerSnapshot(models.Model):
    """Which layer each shopper was in during a month (first matching layer in priority order)."""

    month = models.CharField(_("月份"), max_length=7)
    member = models.ForeignKey("members.Member", verbose_name=_("会员"), on_delete=models.CASCADE, related_name="+")
    layer = models.CharField(_("分层"), max_length=16, choices=Layer.choices)
    created_at = models.DateTimeField(_("快照时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("分层快照")
        verbose_name_plural = _("分层快照")
        constraints = [models.UniqueConstraint(fields=["month", "member"], name="layer_snapshot_once_a_month")]
        indexes = [models.Index(fields=["month", "layer"])]

    def __str__(self) -> str:
        return f"{self.month} {self.member_id} {self.layer}"


class EarlyAccess(models.Model):
    """新品优先购: a product shown only to a segment from ``starts_at`` until its public ``launch_at``."""

    product = models.ForeignKey("mall.Product", verbose_name=_("商品"), on_delete=models.CASCADE, related_name="+")
    segment = models.ForeignKey(Segment, verbose_name=_("人群"), on_delete=models.CASCADE, related_name="early_access")
    starts_at = models.DateTimeField(_("优先购开始"))
    launch_at = models.DateTimeField(_("公开上架"))
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("新品优先购")
        verbose_name_plural = _("新品优先购")
        ordering = ["-starts_at"]

    def __str__(self) -> str:
        return f"{self.product_id} → {self.segment_id}"
