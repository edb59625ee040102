"""Topic pages (F25, 专题): a campaign page the merchant also lists in the mini-program.

A topic is a studio page (:class:`~marketing.models.pages.CampaignPage`, edited in the page
editor, published and scheduled like any page) with a :class:`TopicPage` row beside it: the
card it shows in the topic list (cover, subtitle), where it sits in the list (``sort_order``,
higher first) and when it is listed (``listed_from`` / ``listed_until``, optional). The window
only governs the list: a shared link keeps opening the page while it is published, so a card
shared yesterday does not lead to an error the day the topic leaves the list. Kept in its own
table so the page model stays the studio's alone.
"""

from __future__ import annotations

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _


class TopicPage(models.Model):
    page = models.OneToOneField(
        "marketing.CampaignPage", verbose_name=_("页面"), on_delete=models.CASCADE, related_name="topic"
    )
    cover = models.CharField(_("封面图地址"), max_length=500, blank=True)
    subtitle = models.CharField(_("副标题"), max_length=60, blank=True)
    sort_order = models.IntegerField(_("排序"), default=0, help_text=_("数字大的排在前面"))
    listed_from = models.DateTimeField(_("上架列表时间"), null=True, blank=True)
    listed_until = models.DateTimeField(_("下架列表时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("专题页")
        verbose_name_plural = _("专题页")
        ordering = ["-sort_order", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(listed_from__isnull=True)
                | Q(listed_until__isnull=True)
                | Q(listed_until__gt=F("listed_from")),
                name="topic_page_window_ordered",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.page_id}"
