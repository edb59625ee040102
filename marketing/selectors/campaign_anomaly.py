"""Reads of the anomaly watch (F31): the open alerts for the console banner, the alert list."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.utils import timezone

from mall.cache import cache_read, cache_write
from marketing.models import CampaignAnomaly, CampaignAnomalySettings
from marketing.models.anomaly import OPEN_ALERTS_KEY

BANNER_MAX = 5


@dataclass(frozen=True, kw_only=True)
class OpenAlert:
    alert_id: int
    campaign_id: int
    campaign_name: str
    window_start: datetime
    participations: int
    expected: int


def open_anomaly_alerts_refresh() -> None:
    """Write the open alerts to the cache (one query): called when an alert opens or closes and
    by the minute watch, so the banner's cache entry is never missing for long."""
    rows = (
        CampaignAnomaly.objects.filter(resolved_at__isnull=True)
        .order_by("-window_start", "-pk")
        .values_list("pk", "campaign_id", "campaign__name", "window_start", "participations", "expected")[:BANNER_MAX]
    )
    cached = [[pk, cid, name, start.isoformat(), n, exp] for pk, cid, name, start, n, exp in rows]
    cache_write(OPEN_ALERTS_KEY, cached, timeout=None)


def open_anomaly_alerts() -> list[OpenAlert]:
    """Unresolved alerts, newest first, from the cache only: the banner on every console page
    costs one cache read and no query. After a cache flush the banner is back within a minute
    (the watch job writes the list every minute)."""
    cached = cache_read(OPEN_ALERTS_KEY)
    if not isinstance(cached, list):
        return []
    return [
        OpenAlert(
            alert_id=int(pk),
            campaign_id=int(cid),
            campaign_name=str(name),
            window_start=timezone.localtime(datetime.fromisoformat(start)),
            participations=int(n),
            expected=int(exp),
        )
        for pk, cid, name, start, n, exp in cached
    ]


def anomaly_alert_list(*, campaign_id: int | None = None, limit: int = 100) -> list[CampaignAnomaly]:
    """Alerts with their campaign and who resolved them: one query."""
    alerts = CampaignAnomaly.objects.select_related("campaign", "resolved_by").order_by("-window_start", "-pk")
    if campaign_id is not None:
        alerts = alerts.filter(campaign_id=campaign_id)
    return list(alerts[:limit])


def anomaly_settings_for(*, campaign_id: int) -> CampaignAnomalySettings | None:
    return CampaignAnomalySettings.objects.filter(campaign_id=campaign_id).first()
