"""Campaign pages (F26): a page is JSON of blocks, every save a numbered version.

A :class:`CampaignPage` holds no blocks of its own: each save of the editor writes a new
:class:`CampaignPageVersion` (the newest is the draft), and publishing points
``published_version`` at one of them, so a rollback is publishing (a copy of) an older one. A
block stores ids of the shop's things (products, flash slots, coupon templates …), never copies;
their live data is resolved when the page is served (``marketing.selectors.pages``).

``publish_at`` / ``unpublish_at`` are the merchant's schedule, carried out exactly once by the
beat job (``marketing.services.pages.pages_schedule_run``), which clears each field as it acts.
At most one page is the shop's home page (``is_home``), shown by the mini-program's home tab.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class CampaignPageStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    SCHEDULED = "scheduled", _("定时发布")
    PUBLISHED = "published", _("已发布")


class CampaignPage(models.Model):
    title = models.CharField(_("页面标题"), max_length=60)
    slug = models.SlugField(_("页面地址"), max_length=40, unique=True, help_text=_("字母、数字和连字符，如 618"))
    # True on the shop's home page, NULL on every other: a plain unique column then allows one
    # home page on every database (MariaDB has no partial unique index).
    is_home = models.BooleanField(
        _("店铺首页"), null=True, blank=True, default=None, unique=True, help_text=_("发布后小程序首页显示这个页面")
    )
    share_title = models.CharField(_("分享标题"), max_length=60, blank=True)
    published_version = models.ForeignKey(
        "CampaignPageVersion",
        verbose_name=_("线上版本"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True)
    publish_at = models.DateTimeField(_("定时发布"), null=True, blank=True)
    scheduled_version = models.ForeignKey(
        "CampaignPageVersion",
        verbose_name=_("定时发布的版本"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    unpublish_at = models.DateTimeField(_("定时下线"), null=True, blank=True)
    latest_number = models.PositiveIntegerField(_("最新版本号"), default=0)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("活动页面")
        verbose_name_plural = _("活动页面")
        ordering = ["-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(is_home__isnull=True) | Q(is_home=True), name="campaign_page_home_true_or_null"
            ),
            models.CheckConstraint(
                condition=Q(publish_at__isnull=True) | Q(scheduled_version__isnull=False),
                name="campaign_page_schedule_has_version",
            ),
        ]
        indexes = [models.Index(fields=["publish_at"]), models.Index(fields=["unpublish_at"])]
        permissions = [("publish_campaignpage", _("可以发布、定时发布、下线和回滚活动页面"))]

    def __str__(self) -> str:
        return self.title

    @property
    def status(self) -> str:
        if self.published_version_id is not None:
            return CampaignPageStatus.PUBLISHED
        if self.publish_at is not None:
            return CampaignPageStatus.SCHEDULED
        return CampaignPageStatus.DRAFT

    def get_status_display(self) -> str:
        return str(CampaignPageStatus(self.status).label)


class CampaignPageVersion(models.Model):
    page = models.ForeignKey(CampaignPage, verbose_name=_("页面"), on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("版本号"))
    blocks = models.JSONField(_("区块"), default=list)
    note = models.CharField(_("说明"), max_length=120, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("保存人"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("保存时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("页面版本")
        verbose_name_plural = _("页面版本")
        ordering = ["-number"]
        constraints = [models.UniqueConstraint(fields=["page", "number"], name="campaign_page_version_number_once")]

    def __str__(self) -> str:
        return f"{self.page_id} v{self.number}"
