"""``seed_demo`` shows the anomaly watch: one handled alert with evidence on the running 618, once."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User

from mall.demo.anomaly import build_anomaly
from mall.demo.marketing import build_marketing
from mall.demo.shop import build_catalogue
from mall.demo.studio import LIVE_NAME, build_studio
from marketing.models import Campaign, CampaignAnomaly, CampaignAnomalySettings, CampaignStatus
from marketing.selectors.campaign_anomaly import open_anomaly_alerts

pytestmark = pytest.mark.django_db


def test_the_demo_alert_was_handled_so_the_shop_runs_and_no_banner_shows() -> None:
    User.objects.create_superuser(username="owner", password="x")
    build_catalogue(seed=1)
    build_marketing()
    build_studio()

    assert build_anomaly() == {"anomaly alerts": 1}

    live = Campaign.objects.get(name=LIVE_NAME)
    assert live.status == CampaignStatus.LIVE
    alert = CampaignAnomaly.objects.get(campaign=live)
    assert alert.paused and alert.resolution == "resumed"
    assert alert.evidence["top_ips"][0] == ["183.6.52.17", 64]
    assert CampaignAnomalySettings.objects.get(campaign=live).spike_multiplier == 6
    assert open_anomaly_alerts() == []
    assert build_anomaly() == {"anomaly alerts": 0}
