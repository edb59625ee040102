"""F31 console: the banner on every page, the alerts page with evidence, thresholds, resolving."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.utils import timezone

from mall.models import AuditLog
from mall.services.staff import staff_create
from marketing.models import Campaign, CampaignAnomaly, CampaignAnomalySettings, CampaignStatus, CouponTemplate
from marketing.selectors.campaign_anomaly import open_anomaly_alerts
from marketing.services.campaign_anomaly import (
    DEFAULT_THRESHOLDS,
    MinuteFigures,
    anomaly_reasons,
    campaign_anomaly_raise,
)
from marketing.services.campaigns import CampaignData, campaign_create, campaign_publish, campaign_tool_add

pytestmark = pytest.mark.django_db
ALERTS = "/console/marketing/campaigns/anomalies/"


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def operator(staff: User) -> Client:
    return _client(staff_create(username="ops1", password="staff-pass-123", role="operator", actor=staff))


@pytest.fixture
def paused_campaign(staff: User, make_template: Callable[..., CouponTemplate]) -> tuple[Campaign, CampaignAnomaly]:
    now = timezone.now()
    campaign = campaign_create(
        actor=staff,
        data=CampaignData(name="爆款券日", starts_at=now - timedelta(hours=1), ends_at=now + timedelta(days=1)),
    )
    template = make_template(name="爆款券", total_quantity=500)
    campaign_tool_add(actor=staff, campaign_id=campaign.pk, kind="coupon", object_id=template.pk)
    campaign_publish(actor=staff, campaign_id=campaign.pk)
    figures = MinuteFigures(
        participations=160,
        new_accounts=150,
        baseline=3.0,
        accounts_by_ip={"203.0.113.9": 90, "203.0.113.10": 60, "10.0.0.1": 1},
        accounts_by_device={"farm-a": 80, "farm-b": 79, "phone-1": 1},
    )
    reasons = anomaly_reasons(figures, DEFAULT_THRESHOLDS)
    alert = campaign_anomaly_raise(
        campaign=campaign,
        window_start=now.replace(second=0, microsecond=0),
        figures=figures,
        limits=DEFAULT_THRESHOLDS,
        reasons=reasons,
    )
    assert alert is not None
    return Campaign.objects.get(pk=campaign.pk), alert


def test_an_open_alert_shows_a_banner_on_console_pages_and_its_evidence_on_the_alerts_page(
    operator: Client, paused_campaign: tuple[Campaign, CampaignAnomaly]
) -> None:
    campaign, _alert = paused_campaign
    assert campaign.status == CampaignStatus.PAUSED

    for page in ("/admin/", "/admin/marketing/coupontemplate/", f"/console/marketing/campaigns/{campaign.pk}/"):
        html = operator.get(page).content.decode()
        assert 'data-testid="anomaly-banner"' in html, page
        assert "爆款券日" in html
        assert "每分钟参与 160 次，预期 20 次" in html

    html = operator.get(ALERTS).content.decode()
    assert "203.0.113.9：90 个账号" in html
    assert "farm-a：80 个账号" in html
    assert "参与量突增" in html and "新账号占比过高" in html and "同一设备账号过多" in html
    assert "共 3 个 IP" in html


def test_resuming_from_the_alert_brings_the_campaign_back_and_clears_the_banner(
    operator: Client, paused_campaign: tuple[Campaign, CampaignAnomaly]
) -> None:
    campaign, alert = paused_campaign

    response = operator.post(ALERTS, {"alert_id": alert.pk, "op": "resume"})

    assert response.status_code == 302
    assert Campaign.objects.get(pk=campaign.pk).status == CampaignStatus.LIVE
    resolved = CampaignAnomaly.objects.get(pk=alert.pk)
    assert resolved.resolution == "resumed"
    assert resolved.resolved_by is not None and resolved.resolved_by.username == "ops1"
    assert 'data-testid="anomaly-banner"' not in operator.get("/admin/").content.decode()
    assert AuditLog.objects.filter(action="campaign.anomaly_resolve", target_id=str(campaign.pk)).exists()


def test_ending_from_the_alert_ends_the_campaign(
    operator: Client, paused_campaign: tuple[Campaign, CampaignAnomaly]
) -> None:
    campaign, alert = paused_campaign
    operator.post(ALERTS, {"alert_id": alert.pk, "op": "end"})
    assert Campaign.objects.get(pk=campaign.pk).status == CampaignStatus.ENDED
    assert CampaignAnomaly.objects.get(pk=alert.pk).resolution == "ended"


def test_the_merchant_sets_the_thresholds_on_the_campaign_page(
    operator: Client, paused_campaign: tuple[Campaign, CampaignAnomaly]
) -> None:
    campaign, _alert = paused_campaign
    page = f"/console/marketing/campaigns/{campaign.pk}/"
    assert "异常监控" in operator.get(page).content.decode()
    data = {
        "op": "anomaly_settings",
        "anomaly-enabled": "on",
        "anomaly-spike_multiplier": "3",
        "anomaly-floor_per_minute": "50",
        "anomaly-new_account_percent": "70",
        "anomaly-accounts_per_ip": "6",
        "anomaly-accounts_per_device": "2",
        "anomaly-accounts_per_address": "4",
    }

    assert operator.post(page, data).status_code == 302

    row = CampaignAnomalySettings.objects.get(campaign=campaign)
    assert (row.spike_multiplier, row.floor_per_minute, row.accounts_per_device, row.accounts_per_address) == (
        3,
        50,
        2,
        4,
    )
    assert AuditLog.objects.filter(action="campaign.anomaly_settings").exists()
    refused = operator.post(page, {**data, "anomaly-spike_multiplier": "1"})
    assert refused.status_code == 200
    assert CampaignAnomalySettings.objects.get(campaign=campaign).spike_multiplier == 3


def test_staff_without_campaign_rights_see_no_banner_and_no_alerts(
    staff: User, paused_campaign: tuple[Campaign, CampaignAnomaly]
) -> None:
    support = _client(staff_create(username="cs1", password="staff-pass-123", role="finance", actor=staff))
    assert 'data-testid="anomaly-banner"' not in support.get("/admin/").content.decode()
    assert support.get(ALERTS).status_code == 403


def test_the_banner_reads_the_cache_only(
    paused_campaign: tuple[Campaign, CampaignAnomaly], django_assert_num_queries: Any
) -> None:
    with django_assert_num_queries(0):
        alerts = open_anomaly_alerts()
    assert [(a.campaign_name, a.participations, a.expected) for a in alerts] == [("爆款券日", 160, 20)]
