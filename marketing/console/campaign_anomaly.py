"""Anomaly watch pages (F31): the alerts with their evidence, and each campaign's thresholds.

* ``/console/marketing/campaigns/anomalies/`` — every alert, newest first: the minute, the
  figures against the expected rate, why it fired, the top IP addresses and devices (accounts
  each), whether the campaign was paused; open alerts carry 恢复活动 / 结束活动.
* the campaign page shows the campaign's thresholds (a form posting ``op=anomaly_settings``)
  and its recent alerts (see :func:`anomaly_context`).
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.views.decorators import staff_member_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from unfold.widgets import UnfoldAdminIntegerFieldWidget, UnfoldBooleanSwitchWidget

from mall.errors import ApplicationError
from marketing.errors import CampaignInvalid
from marketing.models import Campaign, CampaignAnomaly
from marketing.selectors.campaign_anomaly import anomaly_alert_list, anomaly_settings_for
from marketing.services.campaign_anomaly import (
    DEFAULT_THRESHOLDS,
    REASON_LABELS,
    AnomalySettingsData,
    campaign_anomaly_resolve,
    campaign_anomaly_settings_update,
)

VIEW = "marketing.view_campaign"
CHANGE = "marketing.change_campaign"
PUBLISH = "marketing.publish_campaign"


class AnomalySettingsForm(forms.Form):
    enabled = forms.BooleanField(label=_("开启异常自动暂停"), required=False, widget=UnfoldBooleanSwitchWidget)
    spike_multiplier = forms.IntegerField(
        label=_("突增倍数"),
        min_value=2,
        max_value=100,
        widget=UnfoldAdminIntegerFieldWidget,
        help_text=_("每分钟参与次数超过预期的多少倍视为异常"),
    )
    floor_per_minute = forms.IntegerField(
        label=_("预期下限(次/分钟)"),
        min_value=1,
        widget=UnfoldAdminIntegerFieldWidget,
        help_text=_("预期参与次数不低于此值，避免冷启动时误报"),
    )
    new_account_percent = forms.IntegerField(
        label=_("新账号占比上限(%)"), min_value=1, max_value=100, widget=UnfoldAdminIntegerFieldWidget
    )
    accounts_per_ip = forms.IntegerField(
        label=_("同一 IP 账号数上限"), min_value=1, widget=UnfoldAdminIntegerFieldWidget
    )
    accounts_per_device = forms.IntegerField(
        label=_("同一设备账号数上限"), min_value=1, widget=UnfoldAdminIntegerFieldWidget
    )
    accounts_per_address = forms.IntegerField(
        label=_("同一收货地址/手机号账号数上限"),
        min_value=1,
        widget=UnfoldAdminIntegerFieldWidget,
        help_text=_("一分钟内下单的账号中，同一收货地址或同一收货手机号的账号数超过此值视为异常"),
    )

    @classmethod
    def initial_for(cls, campaign_id: int) -> dict[str, Any]:
        row = anomaly_settings_for(campaign_id=campaign_id)
        source: Any = row if row is not None else DEFAULT_THRESHOLDS
        return {name: getattr(source, name) for name in cls.base_fields}

    def data_object(self) -> AnomalySettingsData:
        return AnomalySettingsData(**self.cleaned_data)


def _alert_row(alert: CampaignAnomaly) -> dict[str, Any]:
    evidence = alert.evidence or {}
    return {
        "alert": alert,
        "at": timezone.localtime(alert.window_start),
        "reasons": "、".join(str(REASON_LABELS.get(reason, reason)) for reason in alert.reasons),
        "top_ips": evidence.get("top_ips", []),
        "top_devices": evidence.get("top_devices", []),
        "top_phones": evidence.get("top_phones", []),
        "top_addresses": evidence.get("top_addresses", []),
        "distinct_ips": evidence.get("distinct_ips", 0),
        "distinct_devices": evidence.get("distinct_devices", 0),
        "is_open": alert.resolved_at is None,
    }


def anomaly_context(*, campaign: Campaign, form: forms.Form | None) -> dict[str, Any]:
    """What the campaign page shows of the watch: the thresholds form and recent alerts."""
    return {
        "anomaly_form": form
        or AnomalySettingsForm(prefix="anomaly", initial=AnomalySettingsForm.initial_for(campaign.pk)),
        "anomaly_rows": [_alert_row(alert) for alert in anomaly_alert_list(campaign_id=campaign.pk, limit=10)],
    }


def anomaly_settings_post(request: HttpRequest, campaign: Campaign, bound: dict[str, forms.Form]) -> bool:
    """The campaign page's ``op=anomaly_settings``; True when saved."""
    form = AnomalySettingsForm(request.POST, prefix="anomaly")
    bound["anomaly"] = form
    if not form.is_valid():
        return False
    try:
        campaign_anomaly_settings_update(actor=request.user, campaign_id=campaign.pk, data=form.data_object())
    except CampaignInvalid as exc:
        form.add_error(exc.details.get("field") if exc.details.get("field") in form.fields else None, str(exc.message))
        return False
    messages.success(request, _("异常监控设置已保存。"))
    return True


@staff_member_required
def anomaly_alerts_view(request: HttpRequest) -> HttpResponse:
    """Every alert with its evidence; open ones can be resolved by resuming or ending."""
    if not request.user.has_perm(VIEW):
        raise PermissionDenied
    if request.method == "POST":
        if not request.user.has_perm(PUBLISH):
            raise PermissionDenied
        resume = request.POST.get("op") == "resume"
        try:
            campaign_anomaly_resolve(actor=request.user, alert_id=int(request.POST.get("alert_id") or 0), resume=resume)
            messages.success(request, _("活动已恢复。") if resume else _("活动已结束。"))
        except ApplicationError as exc:
            messages.error(request, str(exc.message))
        return redirect(reverse("console:marketing_campaign_anomalies"))
    context = {
        **admin.site.each_context(request),
        "title": _("异常告警"),
        "rows": [_alert_row(alert) for alert in anomaly_alert_list()],
        "can_publish": request.user.has_perm(PUBLISH),
    }
    return render(request, "marketing/campaign_anomalies.html", context)
