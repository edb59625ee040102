"""智能建议 (F39): one row per (kind, subject, day), written by the nightly generator.

The unique key makes the nightly job exactly-once: running it twice on one day writes nothing
new. ``evidence`` holds the figures behind the title (money in fen); ``action_url`` opens a
pre-filled draft in the console and never changes a live campaign. When the merchant saves
that draft, ``draft_tool`` / ``draft_object_id`` link the suggestion to what it created.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from mall.models.fields import IdentifierField


class SuggestionKind(models.TextChoices):
    TOOL = "tool", _("营销工具")
    BASKET = "basket", _("满减门槛")
    TIME = "time", _("活动时段")
    TRAFFIC = "traffic", _("引流品")
    SLOW = "slow", _("滞销清仓")


class SuggestionState(models.TextChoices):
    NEW = "new", _("待处理")
    ACCEPTED = "accepted", _("已采纳")
    DISMISSED = "dismissed", _("已忽略")


class Suggestion(models.Model):
    kind = models.CharField(_("类型"), max_length=10, choices=SuggestionKind.choices)
    subject = IdentifierField(_("对象"), max_length=64)
    day = models.DateField(_("日期"))
    title = models.CharField(_("建议"), max_length=200)
    evidence = models.JSONField(_("依据"), default=dict, blank=True)
    action_url = models.CharField(_("操作链接"), max_length=500, blank=True)
    state = models.CharField(
        _("状态"), max_length=10, choices=SuggestionState.choices, default=SuggestionState.NEW, db_index=True
    )
    created_at = models.DateTimeField(_("生成时间"), auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("处理人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("处理时间"), null=True, blank=True)
    # The tool object the accepted suggestion's draft became when the merchant saved it (a
    # "campaign" as attribution names it), so the console can show what it earned since.
    draft_tool = models.CharField(_("草稿工具"), max_length=16, blank=True)
    draft_object_id = models.PositiveBigIntegerField(_("草稿对象"), null=True, blank=True)
    draft_name = models.CharField(_("草稿名称"), max_length=120, blank=True)

    class Meta:
        verbose_name = _("智能建议")
        verbose_name_plural = _("智能建议")
        constraints = [models.UniqueConstraint(fields=["kind", "subject", "day"], name="suggestion_once")]
        ordering = ["-day", "kind", "subject"]

    def __str__(self) -> str:
        return self.title
