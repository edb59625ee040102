"""Behaviour events from the mini-program (F37), stored raw for a retention window.

The table is partitioned by ``day`` on MariaDB/MySQL (one RANGE partition per day, added ahead
and dropped past ``ANALYTICS_RETENTION_DAYS`` by :mod:`analytics.services.partitions`); a
partitioned InnoDB table can hold no foreign keys, hence the plain ``member_id``. The primary key
is widened to ``(id, day)`` there (the partitioning column must be in every unique key);
``id`` stays unique by AUTO_INCREMENT and is what Django uses.

Rows arrive through :mod:`analytics.services.ingest`; (``batch_key``, ``seq``, ``day``) is unique so
a queue entry inserted twice (a drain killed after its insert, before its acknowledgement) lands once.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from mall.models.fields import IdentifierField


class BehaviourEvent(models.Model):
    day = models.DateField(_("日期"))
    occurred_at = models.DateTimeField(_("发生时间"))
    name = models.CharField(_("事件"), max_length=24)
    anon_id = IdentifierField(_("设备"), max_length=64)
    member_id = models.PositiveBigIntegerField(_("会员"), null=True, blank=True)
    session = IdentifierField(_("会话"), max_length=64)
    page = models.CharField(_("页面"), max_length=128, blank=True, default="")
    product_id = models.PositiveBigIntegerField(_("商品"), null=True, blank=True)
    tool = models.CharField(_("营销工具"), max_length=16, blank=True, default="")
    campaign_id = models.PositiveBigIntegerField(_("活动"), null=True, blank=True)
    dwell_ms = models.PositiveIntegerField(_("停留毫秒"), null=True, blank=True)
    reason = models.CharField(_("离开原因"), max_length=16, blank=True, default="")
    hour = models.PositiveSmallIntegerField(_("小时"))  # of occurred_at, Asia/Shanghai
    props = models.JSONField(_("属性"), default=dict, blank=True)
    batch_key = IdentifierField(_("批次"), max_length=40)
    seq = models.PositiveSmallIntegerField(_("批内序号"))

    class Meta:
        verbose_name = _("行为明细")
        verbose_name_plural = _("行为明细")
        constraints = [
            models.UniqueConstraint(fields=["batch_key", "seq", "day"], name="analytics_behaviour_once"),
        ]
        indexes = [
            models.Index(fields=["day", "name"], name="analytics_behaviour_day_name"),
            models.Index(fields=["anon_id"], name="analytics_behaviour_anon"),
        ]

    def __str__(self) -> str:
        return self.name


class DeviceLink(models.Model):
    """A mini-program install's anonymous id and the shopper who signed in on it (first sign-in wins)."""

    anon_id = IdentifierField(_("设备"), max_length=64, unique=True)
    member = models.ForeignKey("members.Member", on_delete=models.CASCADE, related_name="+")
    linked_at = models.DateTimeField(_("关联时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("设备关联")
        verbose_name_plural = _("设备关联")

    def __str__(self) -> str:
        return self.anon_id
