"""The demo shop's anomaly watch (F31): the running "618 年中大促" has its thresholds set and one
handled alert from last night — a brushing burst from two addresses that paused it, after which
the owner looked at the evidence and resumed it — so 异常告警 shows what an alert looks like
without a banner shouting on every page of a fresh shop. A second run changes nothing.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from mall.demo.studio import LIVE_NAME
from marketing.models import Campaign, CampaignAnomaly, CampaignStatus
from marketing.services.campaign_anomaly import (
    AnomalySettingsData,
    AnomalyThresholds,
    MinuteFigures,
    anomaly_reasons,
    campaign_anomaly_raise,
    campaign_anomaly_resolve,
    campaign_anomaly_settings_update,
)

SETTINGS = AnomalySettingsData(spike_multiplier=6, floor_per_minute=30)


def _burst() -> MinuteFigures:
    farm_ips = {"183.6.52.17": 64, "183.6.52.18": 41}
    regular_ips = {f"112.96.{n}.{n * 7 % 250}": 1 for n in range(1, 24)}
    farm_devices = {"A8F3-7C21": 38, "A8F3-7C22": 35, "A8F3-7C23": 32}
    regular_devices = {f"iPhone-{n:04d}": 1 for n in range(1, 24)}
    return MinuteFigures(
        participations=236,
        new_accounts=201,
        baseline=12.4,
        accounts_by_ip={**farm_ips, **regular_ips},
        accounts_by_device={**farm_devices, **regular_devices},
    )


@transaction.atomic
def build_anomaly(*, now: datetime | None = None) -> dict[str, int]:
    owner = User.objects.filter(is_superuser=True, is_active=True).order_by("pk").first()
    campaign = Campaign.objects.filter(name=LIVE_NAME, status=CampaignStatus.LIVE).first()
    if owner is None or campaign is None or CampaignAnomaly.objects.filter(campaign=campaign).exists():
        return {"anomaly alerts": 0}
    now = now or timezone.now()
    campaign_anomaly_settings_update(actor=owner, campaign_id=campaign.pk, data=SETTINGS)
    limits = AnomalyThresholds(spike_multiplier=SETTINGS.spike_multiplier, floor_per_minute=SETTINGS.floor_per_minute)
    figures = _burst()
    last_night = timezone.localtime(now - timedelta(days=1)).replace(hour=21, minute=14, second=0, microsecond=0)
    alert = campaign_anomaly_raise(
        campaign=campaign,
        window_start=last_night,
        figures=figures,
        limits=limits,
        reasons=anomaly_reasons(figures, limits),
    )
    if alert is None:
        return {"anomaly alerts": 0}
    campaign_anomaly_resolve(actor=owner, alert_id=alert.pk, resume=True)
    return {"anomaly alerts": 1}
