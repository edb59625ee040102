"""Anomaly watch (F31): per-campaign thresholds and the alerts that paused a campaign.

An alert row is also the merchant's notification: every console page shows a banner while
one is unresolved, and it carries its evidence (the minute's figures, the top devices and IP
addresses). It is resolved when the merchant resumes or ends the campaign.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from marketing.models.campaigns import Campaign

# The console banner's cached list of open alerts; dropped whenever one opens or closes.
OPEN_ALERTS_KEY = "campaigns:anomaly-open"


class CampaignAnomalySettings(models.Model):
    """A campaign's thresholds; a campaign without a row uses the defaults below."""

    campaign = models.OneToOneField(
        Campaign, verbose_name=_("营销活动"), on_delete=models.CASCADE, related_name="anomaly_settings"
    )
    enabled = models.BooleanField(_("开启异常自动暂停"), default=True)
    spike_multiplier = models.PositiveSmallIntegerField(
        _("突增倍数"), default=5, help_text=_("每分钟参与次数超过预期的多少倍视为异常")
    )
    floor_per_minute = models.PositiveIntegerField(
        _("预期下限(次/分钟)"), default=20, help_text=_("预期参与次数不低于此值，避免冷启动时误报")
    )
    new_account_percent = models.PositiveSmallIntegerField(
        _("新账号占比上限(%)"), default=80, help_text=_("一分钟内新注册账号的参与占比超过此值视为异常")
    )
    accounts_per_ip = models.PositiveSmallIntegerField(
        _("同一 IP 账号数上限"), default=8, help_text=_("一分钟内同一 IP 参与的账号数超过此值视为异常")
    )
    accounts_per_device = models.PositiveSmallIntegerField(
        _("同一设备账号数上限"), default=3, help_text=_("一分钟内同一设备参与的账号数超过此值视为异常")
    )
    accounts_per_address = models.PositiveSmallIntegerField(
        _("同一收货地址/手机号账号数上限"),
        default=3,
        help_text=_("一分钟内下单的账号中，同一收货地址或同一收货手机号的账号数超过此值视为异常"),
    )
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("异常监控设置")
        verbose_name_plural = _("异常监控设置")

    def __str__(self) -> str:
        return str(self.campaign)


class CampaignAnomalyResolution(models.TextChoices):
    OPEN = "", _("待处理")
    RESUMED = "resumed", _("已恢复活动")
    ENDED = "ended", _("已结束活动")


class CampaignAnomaly(models.Model):
    """One anomalous minute of one campaign (at most one alert per campaign and minute)."""

    campaign = models.ForeignKey(
        Campaign, verbose_name=_("营销活动"), on_delete=models.CASCADE, related_name="anomalies"
    )
    window_start = models.DateTimeField(_("异常分钟"))
    participations = models.PositiveIntegerField(_("参与次数"))
    expected = models.PositiveIntegerField(_("预期次数"))
    new_accounts = models.PositiveIntegerField(_("新账号参与次数"), default=0)
    reasons = models.JSONField(_("触发原因"), default=list)
    evidence = models.JSONField(_("证据"), default=dict)
    paused = models.BooleanField(_("已自动暂停"), default=False)
    resolution = models.CharField(
        _("处理结果"), max_length=10, choices=CampaignAnomalyResolution.choices, default="", blank=True
    )
    resolved_at = models.DateTimeField(_("处理时间"), null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("处理人"), null=True, blank=True, on_delete=models.SET_NULL
    )
    created_at = models.DateTimeField(_("发现时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("异常告警")
        verbose_name_plural = _("异常告警")
        ordering = ["-window_start", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "window_start"], name="campaign_anomaly_once_per_minute")
        ]
        indexes = [models.Index(fields=["resolved_at"], name="campaign_anomaly_open_idx")]

    def __str__(self) -> str:
        return f"{self.campaign} @ {self.window_start:%Y-%m-%d %H:%M}"
