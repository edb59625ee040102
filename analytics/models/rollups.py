"""Daily rollups of the behaviour events: what every dashboard reads (never the raw table).

Each is rebuilt for a whole day at once (:func:`analytics.services.rollups.rollup_day`): the
day's rows are replaced in one transaction, so rolling a day up twice gives the same figures.
Visitors are distinct devices (anonymous ids) within the day.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class PageDay(models.Model):
    day = models.DateField(_("日期"))
    page = models.CharField(_("页面"), max_length=128)
    views = models.PositiveIntegerField(_("浏览量"), default=0)
    visitors = models.PositiveIntegerField(_("访客数"), default=0)
    dwell_ms = models.PositiveBigIntegerField(_("停留总毫秒"), default=0)
    dwell_views = models.PositiveIntegerField(_("计停留的浏览"), default=0)

    class Meta:
        verbose_name = _("页面日统计")
        verbose_name_plural = _("页面日统计")
        constraints = [models.UniqueConstraint(fields=["day", "page"], name="analytics_pageday_once")]

    def __str__(self) -> str:
        return f"{self.day} {self.page}"


class EventDay(models.Model):
    day = models.DateField(_("日期"))
    name = models.CharField(_("事件"), max_length=24)
    events = models.PositiveIntegerField(_("次数"), default=0)
    visitors = models.PositiveIntegerField(_("访客数"), default=0)

    class Meta:
        verbose_name = _("事件日统计")
        verbose_name_plural = _("事件日统计")
        constraints = [models.UniqueConstraint(fields=["day", "name"], name="analytics_eventday_once")]

    def __str__(self) -> str:
        return f"{self.day} {self.name}"


class ProductDay(models.Model):
    day = models.DateField(_("日期"))
    product_id = models.PositiveBigIntegerField(_("商品"))
    views = models.PositiveIntegerField(_("浏览量"), default=0)
    visitors = models.PositiveIntegerField(_("访客数"), default=0)
    carts = models.PositiveIntegerField(_("加购次数"), default=0)

    class Meta:
        verbose_name = _("商品日统计")
        verbose_name_plural = _("商品日统计")
        constraints = [models.UniqueConstraint(fields=["day", "product_id"], name="analytics_productday_once")]

    def __str__(self) -> str:
        return f"{self.day} {self.product_id}"


class FunnelDay(models.Model):
    """Visitors at each step, per tool and campaign: ("", 0) is all traffic, (tool, 0) the whole tool."""

    day = models.DateField(_("日期"))
    tool = models.CharField(_("营销工具"), max_length=16, blank=True, default="")
    campaign_id = models.PositiveBigIntegerField(_("活动"), default=0)
    views = models.PositiveIntegerField(_("浏览次数"), default=0)  # page views (F25 topic reports)
    viewers = models.PositiveIntegerField(_("浏览人数"), default=0)
    carters = models.PositiveIntegerField(_("加购人数"), default=0)
    checkouts = models.PositiveIntegerField(_("结算人数"), default=0)
    payers = models.PositiveIntegerField(_("支付人数"), default=0)

    class Meta:
        verbose_name = _("漏斗日统计")
        verbose_name_plural = _("漏斗日统计")
        constraints = [
            models.UniqueConstraint(fields=["day", "tool", "campaign_id"], name="analytics_funnelday_once"),
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.tool} {self.campaign_id}"


class HourDay(models.Model):
    day = models.DateField(_("日期"))
    hour = models.PositiveSmallIntegerField(_("小时"))
    events = models.PositiveIntegerField(_("次数"), default=0)
    visitors = models.PositiveIntegerField(_("访客数"), default=0)

    class Meta:
        verbose_name = _("时段日统计")
        verbose_name_plural = _("时段日统计")
        constraints = [models.UniqueConstraint(fields=["day", "hour"], name="analytics_hourday_once")]

    def __str__(self) -> str:
        return f"{self.day} {self.hour}"


class LeaveDay(models.Model):
    day = models.DateField(_("日期"))
    reason = models.CharField(_("原因"), max_length=16)
    leaves = models.PositiveIntegerField(_("次数"), default=0)

    class Meta:
        verbose_name = _("放弃原因日统计")
        verbose_name_plural = _("放弃原因日统计")
        constraints = [models.UniqueConstraint(fields=["day", "reason"], name="analytics_leaveday_once")]

    def __str__(self) -> str:
        return f"{self.day} {self.reason}"


class PathDay(models.Model):
    """Sessions that went from the home page to a payment, by the pages they passed (" > " joined)."""

    day = models.DateField(_("日期"))
    path = models.CharField(_("路径"), max_length=255)
    sessions = models.PositiveIntegerField(_("会话数"), default=0)

    class Meta:
        verbose_name = _("路径日统计")
        verbose_name_plural = _("路径日统计")
        constraints = [models.UniqueConstraint(fields=["day", "path"], name="analytics_pathday_once")]

    def __str__(self) -> str:
        return f"{self.day} {self.path}"
