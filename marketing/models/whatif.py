"""What-if runs (B01): one replay of past baskets that a merchant asked for in the console.

The console creates a row and a Celery task replays it in the background, writing its
progress (``done`` of ``total`` orders) as it goes and the figures at the end (money in fen).
``draft`` is the tried promotion as the promotion form gave it (type, name, rules in the
scenario vocabulary, scope ids), so a run can be repeated and says exactly what it tried.
Nothing here changes the shop.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class WhatIfStatus(models.TextChoices):
    QUEUED = "queued", _("排队中")
    RUNNING = "running", _("计算中")
    DONE = "done", _("已完成")
    FAILED = "failed", _("失败")


class WhatIfRun(models.Model):
    name = models.CharField(_("模拟活动"), max_length=60)
    promotion = models.ForeignKey(
        "marketing.Promotion",
        verbose_name=_("修改的活动"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="whatif_runs",
        help_text=_("留空表示新活动"),
    )
    draft = models.JSONField(_("模拟规则"), default=dict)
    days = models.PositiveSmallIntegerField(_("回放天数"), default=30)
    status = models.CharField(
        _("状态"), max_length=10, choices=WhatIfStatus.choices, default=WhatIfStatus.QUEUED, db_index=True
    )
    done = models.PositiveIntegerField(_("已回放订单"), default=0)
    total = models.PositiveIntegerField(_("订单总数"), default=0)
    result = models.JSONField(_("结果"), default=dict, blank=True)
    error = models.CharField(_("失败原因"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("发起人"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("发起时间"), auto_now_add=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    # Written when the run is claimed and with every chunk of progress: a run whose heartbeat
    # stopped (its worker was killed) is marked failed by the sweep, never left "计算中".
    heartbeat_at = models.DateTimeField(_("最近进度"), null=True, blank=True)

    class Meta:
        verbose_name = _("效果模拟")
        verbose_name_plural = _("效果模拟")
        ordering = ["-id"]
        constraints = [
            models.CheckConstraint(condition=Q(days__gte=1, days__lte=366), name="whatif_run_days_range"),
        ]

    def __str__(self) -> str:
        return self.name
