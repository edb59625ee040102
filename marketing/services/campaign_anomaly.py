"""The anomaly watch (F31): a surge of participation pauses the campaign and alerts the merchant.

Every minute the beat job (:func:`campaigns_anomaly_watch`) looks at the minute that just
ended, once (the minute is claimed in Redis with SET NX, and an alert is unique per campaign
and minute), for every live campaign:

* participation in that minute (see ``campaign_anomaly_counts``) against the expected rate —
  the mean of the :data:`BASELINE_MINUTES` minutes before it, never below the campaign's floor;
* abuse signals of that minute: the share of brand-new accounts, the most accounts seen on one
  IP address, on one device and (orders) behind one receiver phone or one street address (the
  last two against ``accounts_per_address``: one door or one phone behind many accounts is one
  buyer farming new-account deals).

It is an anomaly when participation exceeds ``spike_multiplier`` × expected, or when the
minute carries at least the floor's worth of participation and one abuse signal passes its
threshold. Then the campaign is paused through the campaign services (audited as the system,
reason ``anomaly``) and a :class:`~marketing.models.CampaignAnomaly` row records the figures
and the top offending IP addresses and devices. That row is the staff's notification: the
console shows a banner on every page while it is open; resuming or ending the campaign from
the alert resolves it (resuming or ending from the campaign page resolves it too).

After the merchant resumes, the watch stays quiet for that campaign for :data:`QUIET_MINUTES`
minutes, so a surge the merchant judged genuine does not pause it again at once.
"""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from functools import partial
from typing import Any

from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from redis.exceptions import RedisError

from mall.redis import get_redis, slot_key
from mall.services.audit import audit_record
from marketing.errors import CampaignInvalid, CampaignNotFound
from marketing.models import (
    Campaign,
    CampaignAnomaly,
    CampaignAnomalyResolution,
    CampaignAnomalySettings,
    CampaignStatus,
)
from marketing.selectors.campaign_anomaly import open_anomaly_alerts_refresh
from marketing.services.campaign_anomaly_counts import KEY_PREFIX, counter_key, minute_of
from marketing.services.campaigns import (
    campaign_end,
    campaign_pause_for_anomaly,
    campaign_resume,
    open_alerts_forget,
)
from marketing.services.coupons import Actor, require_staff

logger = logging.getLogger(__name__)

BASELINE_MINUTES = 15
QUIET_MINUTES = 30
TOP_OFFENDERS = 5
STAFF_ALERT_KIND = "campaign_anomaly"

REASON_SPIKE = "spike"
REASON_NEW_ACCOUNTS = "new_accounts"
REASON_ACCOUNTS_PER_IP = "accounts_per_ip"
REASON_ACCOUNTS_PER_DEVICE = "accounts_per_device"
REASON_ACCOUNTS_PER_PHONE = "accounts_per_phone"
REASON_ACCOUNTS_PER_ADDRESS = "accounts_per_address"
REASON_LABELS = {
    REASON_SPIKE: gettext_lazy("参与量突增"),
    REASON_NEW_ACCOUNTS: gettext_lazy("新账号占比过高"),
    REASON_ACCOUNTS_PER_IP: gettext_lazy("同一 IP 账号过多"),
    REASON_ACCOUNTS_PER_DEVICE: gettext_lazy("同一设备账号过多"),
    REASON_ACCOUNTS_PER_PHONE: gettext_lazy("同一收货手机号账号过多"),
    REASON_ACCOUNTS_PER_ADDRESS: gettext_lazy("同一收货地址账号过多"),
}


@dataclass(frozen=True, kw_only=True)
class AnomalyThresholds:
    enabled: bool = True
    spike_multiplier: int = 5
    floor_per_minute: int = 20
    new_account_percent: int = 80
    accounts_per_ip: int = 8
    accounts_per_device: int = 3
    accounts_per_address: int = 3


DEFAULT_THRESHOLDS = AnomalyThresholds()


@dataclass(frozen=True, kw_only=True)
class MinuteFigures:
    """What one campaign's counters say about one minute."""

    participations: int
    new_accounts: int
    baseline: float
    accounts_by_ip: dict[str, int]
    accounts_by_device: dict[str, int]
    accounts_by_phone: dict[str, int] = field(default_factory=dict)
    accounts_by_address: dict[str, int] = field(default_factory=dict)


def thresholds_for(campaign: Campaign) -> AnomalyThresholds:
    row = getattr(campaign, "anomaly_settings", None)
    if row is None:
        return DEFAULT_THRESHOLDS
    return AnomalyThresholds(
        enabled=row.enabled,
        spike_multiplier=row.spike_multiplier,
        floor_per_minute=row.floor_per_minute,
        new_account_percent=row.new_account_percent,
        accounts_per_ip=row.accounts_per_ip,
        accounts_per_device=row.accounts_per_device,
        accounts_per_address=row.accounts_per_address,
    )


def _accounts(pairs: set[str]) -> dict[str, int]:
    counts: Counter[str] = Counter(pair.rsplit("|", 1)[0] for pair in pairs)
    return dict(counts)


def minute_figures(*, campaign_id: int, minute: int) -> MinuteFigures:
    """One pipelined Redis round trip: the minute's counters and the baseline minutes' totals."""
    client = get_redis()
    pipe = client.pipeline(transaction=False)
    pipe.get(counter_key(campaign_id, minute, "n"))
    pipe.get(counter_key(campaign_id, minute, "new"))
    pipe.smembers(counter_key(campaign_id, minute, "ip"))
    pipe.smembers(counter_key(campaign_id, minute, "dev"))
    pipe.smembers(counter_key(campaign_id, minute, "ph"))
    pipe.smembers(counter_key(campaign_id, minute, "ad"))
    for back in range(1, BASELINE_MINUTES + 1):
        pipe.get(counter_key(campaign_id, minute - back, "n"))
    raw = pipe.execute()
    history = [int(value or 0) for value in raw[6:]]
    return MinuteFigures(
        participations=int(raw[0] or 0),
        new_accounts=int(raw[1] or 0),
        baseline=sum(history) / BASELINE_MINUTES,
        accounts_by_ip=_accounts(set(raw[2] or ())),
        accounts_by_device=_accounts(set(raw[3] or ())),
        accounts_by_phone=_accounts(set(raw[4] or ())),
        accounts_by_address=_accounts(set(raw[5] or ())),
    )


def expected_rate(figures: MinuteFigures, limits: AnomalyThresholds) -> int:
    return max(round(figures.baseline), limits.floor_per_minute, 1)


def anomaly_reasons(figures: MinuteFigures, limits: AnomalyThresholds) -> list[str]:
    """Which thresholds the minute crossed (empty: a normal minute). Pure."""
    count = figures.participations
    reasons = []
    if count > limits.spike_multiplier * expected_rate(figures, limits):
        reasons.append(REASON_SPIKE)
    if count >= limits.floor_per_minute:
        if figures.new_accounts * 100 > limits.new_account_percent * count:
            reasons.append(REASON_NEW_ACCOUNTS)
        if max(figures.accounts_by_ip.values(), default=0) > limits.accounts_per_ip:
            reasons.append(REASON_ACCOUNTS_PER_IP)
        if max(figures.accounts_by_device.values(), default=0) > limits.accounts_per_device:
            reasons.append(REASON_ACCOUNTS_PER_DEVICE)
        # One receiver phone or one door behind many accounts is one buyer.
        if max(figures.accounts_by_phone.values(), default=0) > limits.accounts_per_address:
            reasons.append(REASON_ACCOUNTS_PER_PHONE)
        if max(figures.accounts_by_address.values(), default=0) > limits.accounts_per_address:
            reasons.append(REASON_ACCOUNTS_PER_ADDRESS)
    return reasons


def _top(counts: dict[str, int]) -> list[list[Any]]:
    ranked = sorted(counts.items(), key=lambda item: (-item[1], item[0]))[:TOP_OFFENDERS]
    return [[name, accounts] for name, accounts in ranked]


def _evidence(figures: MinuteFigures, limits: AnomalyThresholds) -> dict[str, Any]:
    return {
        "participations": figures.participations,
        "expected": expected_rate(figures, limits),
        "baseline": round(figures.baseline, 2),
        "new_accounts": figures.new_accounts,
        "distinct_ips": len(figures.accounts_by_ip),
        "distinct_devices": len(figures.accounts_by_device),
        "top_ips": _top(figures.accounts_by_ip),
        "top_devices": _top(figures.accounts_by_device),
        "top_phones": _top(figures.accounts_by_phone),
        "distinct_addresses": len(figures.accounts_by_address),
        "top_addresses": _top(figures.accounts_by_address),
        "thresholds": asdict(limits),
    }


def _quiet(campaign: Campaign, now: datetime) -> bool:
    """The merchant resumed after an alert a short while ago: leave the campaign alone."""
    since = now - timedelta(minutes=QUIET_MINUTES)
    return CampaignAnomaly.objects.filter(
        campaign=campaign, resolution=CampaignAnomalyResolution.RESUMED, resolved_at__gte=since
    ).exists()


@transaction.atomic
def campaign_anomaly_raise(
    *, campaign: Campaign, window_start: datetime, figures: MinuteFigures, limits: AnomalyThresholds, reasons: list[str]
) -> CampaignAnomaly | None:
    """Record the alert (once per campaign and minute) and pause the campaign."""
    evidence = _evidence(figures, limits)
    try:
        with transaction.atomic():
            alert = CampaignAnomaly.objects.create(
                campaign=campaign,
                window_start=window_start,
                participations=figures.participations,
                expected=evidence["expected"],
                new_accounts=figures.new_accounts,
                reasons=reasons,
                evidence=evidence,
            )
    except IntegrityError:
        return None
    alert.paused = campaign_pause_for_anomaly(
        campaign_id=campaign.pk,
        evidence={"reason": "anomaly", "alert": alert.pk, "reasons": reasons, "minute": window_start.isoformat()},
    )
    alert.save(update_fields=["paused"])
    open_alerts_forget()
    # the staff on duty hear of it once the alert is committed (mall.services.staff_alerts)
    transaction.on_commit(partial(_notify_staff, alert.pk))
    logger.warning("anomaly: campaign %s paused=%s (%s)", campaign.pk, alert.paused, ",".join(reasons))
    return alert


def _notify_staff(alert_id: int) -> None:
    from mall.tasks import staff_alert_notify_task

    staff_alert_notify_task.delay(kind=STAFF_ALERT_KIND, ref_id=alert_id)


def _claim_minute(minute: int) -> bool:
    """Exactly once per minute window, however often the job fires."""
    key = slot_key(KEY_PREFIX, "watch", minute)
    return bool(get_redis().set(key, "1", nx=True, ex=3 * 3600))


def campaigns_anomaly_watch(*, now: datetime | None = None) -> list[CampaignAnomaly]:
    """Judge the minute that just ended for every live campaign; returns the alerts raised."""
    now = now or timezone.now()
    if get_redis() is None:
        return []
    minute = minute_of(now) - 1
    window_start = datetime.fromtimestamp(minute * 60, tz=timezone.get_current_timezone())
    try:
        if not _claim_minute(minute):
            return []
        live = Campaign.objects.filter(status=CampaignStatus.LIVE, starts_at__lte=now).select_related(
            "anomaly_settings"
        )
        alerts = []
        for campaign in live:
            limits = thresholds_for(campaign)
            if not limits.enabled:
                continue
            figures = minute_figures(campaign_id=campaign.pk, minute=minute)
            reasons = anomaly_reasons(figures, limits)
            if not reasons or _quiet(campaign, now):
                continue
            alert = campaign_anomaly_raise(
                campaign=campaign, window_start=window_start, figures=figures, limits=limits, reasons=reasons
            )
            if alert is not None:
                alerts.append(alert)
        open_anomaly_alerts_refresh()  # keeps the banner's cache entry present (see the selector)
        return alerts
    except RedisError:
        logger.warning("anomaly: watch skipped minute %s (Redis unavailable)", minute, exc_info=True)
        return []
    except Exception:
        # A failure half-way (the database) gives the minute back so a retry judges it again; the
        # alerts already raised are unique per campaign and minute, so none is raised twice.
        get_redis().delete(slot_key(KEY_PREFIX, "watch", minute))
        raise


# --- merchant side ----------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class AnomalySettingsData:
    enabled: bool = True
    spike_multiplier: int = 5
    floor_per_minute: int = 20
    new_account_percent: int = 80
    accounts_per_ip: int = 8
    accounts_per_device: int = 3
    accounts_per_address: int = 3


def _validate(data: AnomalySettingsData) -> None:
    errors: dict[str, str] = {}
    if not 2 <= data.spike_multiplier <= 100:
        errors["spike_multiplier"] = _("突增倍数须在 2 到 100 之间。")
    if data.floor_per_minute < 1:
        errors["floor_per_minute"] = _("预期下限至少为每分钟 1 次。")
    if not 1 <= data.new_account_percent <= 100:
        errors["new_account_percent"] = _("新账号占比上限须在 1% 到 100% 之间。")
    if data.accounts_per_ip < 1:
        errors["accounts_per_ip"] = _("同一 IP 账号数上限至少为 1。")
    if data.accounts_per_device < 1:
        errors["accounts_per_device"] = _("同一设备账号数上限至少为 1。")
    if data.accounts_per_address < 1:
        errors["accounts_per_address"] = _("同一收货地址/手机号账号数上限至少为 1。")
    if errors:
        field, message = next(iter(errors.items()))
        raise CampaignInvalid(message, details={"field": field, "errors": errors})


@transaction.atomic
def campaign_anomaly_settings_update(*, actor: Actor, campaign_id: int, data: AnomalySettingsData) -> None:
    require_staff(actor)
    _validate(data)
    campaign = Campaign.objects.filter(pk=campaign_id).first()
    if campaign is None:
        raise CampaignNotFound(details={"campaign_id": campaign_id})
    CampaignAnomalySettings.objects.update_or_create(campaign=campaign, defaults=asdict(data))
    audit_record(actor=actor, action="campaign.anomaly_settings", target=campaign, data=asdict(data))


@transaction.atomic
def campaign_anomaly_resolve(*, actor: Actor, alert_id: int, resume: bool) -> CampaignAnomaly:
    """The merchant looked at the evidence: resume the campaign or end it; its open alerts close."""
    require_staff(actor)
    alert = CampaignAnomaly.objects.select_for_update().filter(pk=alert_id).first()
    if alert is None:
        raise CampaignNotFound(details={"alert_id": alert_id})
    campaign = Campaign.objects.get(pk=alert.campaign_id)
    if resume and campaign.status == CampaignStatus.PAUSED:
        campaign_resume(actor=actor, campaign_id=campaign.pk)  # closes its open alerts
    elif not resume and campaign.status != CampaignStatus.ENDED:
        campaign_end(actor=actor, campaign_id=campaign.pk)  # closes its open alerts
    resolution = CampaignAnomalyResolution.RESUMED if resume else CampaignAnomalyResolution.ENDED
    CampaignAnomaly.objects.filter(campaign_id=campaign.pk, resolved_at__isnull=True).update(
        resolution=resolution, resolved_at=timezone.now(), resolved_by=actor if isinstance(actor, User) else None
    )
    audit_record(
        actor=actor,
        action="campaign.anomaly_resolve",
        target=campaign,
        data={"alert": alert.pk, "resolution": resolution},
    )
    open_alerts_forget()
    alert.refresh_from_db()
    return alert
