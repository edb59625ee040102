"""What the staff on duty are told of an anomaly alert (F31): the campaign, whether it was
paused, the minute's figures, why, and the top offending IP addresses, devices, phones and
street addresses, with a link to the console's 异常告警 page where they resume or end it.

Registered with the mall's staff alerts (``mall.services.staff_alerts``) from the app's ready().
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from mall.services.duty import SHOP_ZONE
from mall.services.staff_alerts import StaffAlert, staff_alert_kind_register
from marketing.models import CampaignAnomaly
from marketing.services.campaign_anomaly import REASON_LABELS, STAFF_ALERT_KIND

TOP_SHOWN = 3


def _top(label: str, rows: list[list[Any]]) -> list[str]:
    shown = "；".join(_("%(name)s %(n)d 个账号") % {"name": name, "n": n} for name, n in rows[:TOP_SHOWN])
    return [f"{label}：{shown}"] if shown else []


def campaign_anomaly_staff_alert(alert_id: int) -> StaffAlert | None:
    alert = CampaignAnomaly.objects.select_related("campaign").filter(pk=alert_id).first()
    if alert is None:
        return None
    evidence = alert.evidence or {}
    name = alert.campaign.name
    title = _("活动「%(name)s」异常，已自动暂停") if alert.paused else _("活动「%(name)s」出现异常")
    minute = alert.window_start.astimezone(SHOP_ZONE).strftime("%H:%M")
    lines = [
        _("%(minute)s 这一分钟参与 %(n)d 次，预期 %(expected)d 次，其中新账号 %(new)d 次")
        % {"minute": minute, "n": alert.participations, "expected": alert.expected, "new": alert.new_accounts},
        _("触发原因：%(reasons)s") % {"reasons": "、".join(str(REASON_LABELS.get(r, r)) for r in alert.reasons)},
        *_top(_("账号最多的 IP"), evidence.get("top_ips", [])),
        *_top(_("账号最多的设备"), evidence.get("top_devices", [])),
        *_top(_("收货手机号"), evidence.get("top_phones", [])),
        *_top(_("收货地址"), evidence.get("top_addresses", [])),
    ]
    return StaffAlert(
        title=title % {"name": name},
        at=alert.created_at,
        link=reverse("console:marketing_campaign_anomalies"),
        lines=lines,
    )


def campaign_anomaly_recent(since: datetime) -> list[int]:
    return list(CampaignAnomaly.objects.filter(created_at__gte=since).order_by("pk").values_list("pk", flat=True))


staff_alert_kind_register(kind=STAFF_ALERT_KIND, render=campaign_anomaly_staff_alert, recent=campaign_anomaly_recent)
