"""F31: a brushing wave through the API pauses its campaign within a minute; others run on."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import pytest
import time_machine
from django.contrib.auth.models import User
from django.utils import timezone
from rest_framework.test import APIClient

from mall.api.throttling import FixedWindowRateThrottle
from mall.models import AuditLog
from marketing.models import (
    Campaign,
    CampaignAnomaly,
    CampaignAnomalyResolution,
    CampaignPauseReason,
    CampaignStatus,
    CouponTemplate,
)
from marketing.services.campaign_anomaly import (
    AnomalySettingsData,
    campaign_anomaly_resolve,
    campaign_anomaly_settings_update,
    campaigns_anomaly_watch,
)
from marketing.services.campaigns import CampaignData, campaign_create, campaign_publish, campaign_tool_add
from members.models import Member
from members.services.abuse import GuardSettingsData, guard_settings_update
from members.tests.factories import MemberFactory
from members.tests.fixtures import client_for

pytestmark = pytest.mark.django_db

CLAIM = "/api/v1/coupons/claim"
START = datetime.fromisoformat("2026-06-18 10:00:05+08:00")


@pytest.fixture(autouse=True)
def _open_gates(monkeypatch: pytest.MonkeyPatch, staff: User, redis_client: Any) -> None:
    """No slider and generous rates: the watch, not the per-request guard, must catch the wave."""
    rates = {"claim.shopper": "1000/min", "claim.ip": "10000/min"}
    monkeypatch.setattr(FixedWindowRateThrottle, "THROTTLE_RATES", {**FixedWindowRateThrottle.THROTTLE_RATES, **rates})
    guard_settings_update(actor=staff, data=GuardSettingsData(claim_captcha="off"))


def _campaign(staff: User, make_template: Callable[..., CouponTemplate], name: str) -> tuple[Campaign, CouponTemplate]:
    now = timezone.now()
    campaign = campaign_create(
        actor=staff, data=CampaignData(name=name, starts_at=now - timedelta(hours=1), ends_at=now + timedelta(days=3))
    )
    template = make_template(name=f"{name}券", total_quantity=5000)
    campaign_tool_add(actor=staff, campaign_id=campaign.pk, kind="coupon", object_id=template.pk)
    campaign_publish(actor=staff, campaign_id=campaign.pk)
    return campaign, template


def _regulars(count: int) -> list[Member]:
    members = MemberFactory.create_batch(count)
    Member.objects.filter(pk__in=[m.pk for m in members]).update(created_at=timezone.now() - timedelta(days=90))
    return list(Member.objects.filter(pk__in=[m.pk for m in members]))


def _claim(member: Member, template: CouponTemplate, *, ip: str, device: str) -> int:
    client: APIClient = client_for(member)
    response = client.post(CLAIM, {"template_id": template.pk}, format="json", REMOTE_ADDR=ip, HTTP_X_DEVICE_ID=device)
    return response.status_code


def test_a_brushing_wave_pauses_its_campaign_within_a_minute_and_leaves_normal_traffic_running(
    staff: User, make_template: Callable[..., CouponTemplate]
) -> None:
    with time_machine.travel(START, tick=False) as clock:
        brushed, brushed_coupon = _campaign(staff, make_template, "爆款券日")
        steady, steady_coupon = _campaign(staff, make_template, "会员日")
        regulars = _regulars(32)
        # The merchant tightened the spike threshold of the coupon day (floor and others default).
        campaign_anomaly_settings_update(
            actor=staff, campaign_id=brushed.pk, data=AnomalySettingsData(spike_multiplier=2)
        )

        # Ten quiet minutes: a few regular shoppers a minute in each campaign, each on their own phone.
        for minute in range(10):
            for n, shopper in enumerate(regulars[minute * 3 : minute * 3 + 3]):
                ip, device = f"10.1.{minute}.{n}", f"phone-{shopper.pk}"
                assert _claim(shopper, steady_coupon, ip=ip, device=device) == 201
                if n == 0:
                    assert _claim(shopper, brushed_coupon, ip=ip, device=device) == 201
            clock.shift(timedelta(minutes=1))
            assert campaigns_anomaly_watch() == []

        # The wave: 60 accounts made a moment ago, from two addresses and three devices.
        farm = MemberFactory.create_batch(60)
        statuses = [
            _claim(account, brushed_coupon, ip=f"203.0.113.{n % 2}", device=f"farm-{n % 3}")
            for n, account in enumerate(farm)
        ]
        assert statuses.count(201) == 60
        # Normal traffic of the other campaign goes on in the same minute.
        assert _claim(regulars[0], make_template(name="另一张"), ip="10.9.9.9", device="x") == 201

        clock.shift(timedelta(seconds=60))
        alerts = campaigns_anomaly_watch()
        assert campaigns_anomaly_watch() == []  # the same minute is judged once

    assert [alert.campaign_id for alert in alerts] == [brushed.pk]
    alert = alerts[0]
    assert alert.paused is True
    assert alert.participations == 60
    assert alert.new_accounts == 60
    assert alert.expected == 20  # the floor: the quiet minutes averaged one claim
    assert set(alert.reasons) >= {"spike", "new_accounts", "accounts_per_ip", "accounts_per_device"}
    assert alert.evidence["thresholds"]["spike_multiplier"] == 2
    assert alert.evidence["top_ips"] == [["203.0.113.0", 30], ["203.0.113.1", 30]]
    assert [device for device, _n in alert.evidence["top_devices"]] == ["farm-0", "farm-1", "farm-2"]

    paused = Campaign.objects.get(pk=brushed.pk)
    assert (paused.status, paused.pause_reason) == (CampaignStatus.PAUSED, CampaignPauseReason.ANOMALY)
    assert CouponTemplate.objects.get(pk=brushed_coupon.pk).is_active is False
    assert Campaign.objects.get(pk=steady.pk).status == CampaignStatus.LIVE
    assert CouponTemplate.objects.get(pk=steady_coupon.pk).is_active is True
    pause_audit = AuditLog.objects.get(action="campaign.pause", target_id=str(brushed.pk))
    assert pause_audit.actor is None
    assert pause_audit.data["reason"] == "anomaly"
    assert CampaignAnomaly.objects.count() == 1

    # Further brushing is refused while paused; the steady campaign still serves.
    assert _claim(MemberFactory.create(), brushed_coupon, ip="203.0.113.0", device="farm-0") in {400, 404, 409}
    assert _claim(regulars[31], steady_coupon, ip="10.3.3.3", device="y") == 201


def test_the_merchant_resumes_from_the_alert_and_the_watch_stays_quiet_a_while(
    staff: User, make_template: Callable[..., CouponTemplate]
) -> None:
    with time_machine.travel(START, tick=False) as clock:
        campaign, coupon = _campaign(staff, make_template, "爆款券日")
        for n, account in enumerate(MemberFactory.create_batch(30)):
            assert _claim(account, coupon, ip="198.51.100.7", device=f"d{n % 2}") == 201
        clock.shift(timedelta(minutes=1))
        (alert,) = campaigns_anomaly_watch()

        resolved = campaign_anomaly_resolve(actor=staff, alert_id=alert.pk, resume=True)

        assert resolved.resolution == CampaignAnomalyResolution.RESUMED
        assert resolved.resolved_by == staff
        assert Campaign.objects.get(pk=campaign.pk).status == CampaignStatus.LIVE
        for account in MemberFactory.create_batch(30):
            _claim(account, coupon, ip="198.51.100.7", device="d0")
        clock.shift(timedelta(minutes=1))
        assert campaigns_anomaly_watch() == []  # the merchant judged it genuine: quiet for a while
        assert Campaign.objects.get(pk=campaign.pk).status == CampaignStatus.LIVE
