"""Staff alerts delivered to whoever is on duty, exactly once per destination.

A domain registers an alert kind (``staff_alert_kind_register``) with a renderer that turns an
alert id into a :class:`StaffAlert` (title, evidence lines, console link), and asks for it to be
sent with ``staff_alert_notify_task.delay(kind=…, ref_id=…)`` after its transaction commits.

Exactly once, however often the work runs (the task retried, the beat sweep at the same time):

1. planning: one :class:`StaffAlertDelivery` row per destination (e-mail address / group robot)
   of the shifts on duty at the alert's moment; a unique constraint makes a second plan a no-op;
2. claiming: a conditional UPDATE ``pending|failed → sending`` commits before anything is sent,
   so only one worker holds a row;
3. recording: sent / failed (a refusal: nothing went out, retried by the sweep up to
   :data:`MAX_ATTEMPTS`) / uncertain (no answer after the request went out, or a worker that died
   while holding the row: never sent again on its own, shown in the console).
"""

from __future__ import annotations

import logging
import smtplib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from mall.errors import ApplicationError
from mall.models import AlertChannel, AlertDeliveryStatus, StaffAlertDelivery
from mall.services.duty import SHOP_ZONE, duty_shifts_on
from mall.wecom import WeComRobotUncertain, wecom_markdown_send

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 3
RETRY_AFTER = timedelta(minutes=2)
# A row "sending" longer than this belongs to a worker that died mid-send.
SENDING_LEASE = timedelta(minutes=10)
# The sweep plans alerts this recent again, in case their task never ran (a lost broker message).
REPLAN_WINDOW = timedelta(minutes=30)


@dataclass(frozen=True)
class StaffAlert:
    """What the staff on duty are told: a title, the evidence, where to act in the console."""

    title: str
    at: datetime
    link: str  # a console path, made absolute with CONSOLE_BASE_URL
    lines: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class AlertKind:
    render: Callable[[int], StaffAlert | None]
    recent: Callable[[datetime], list[int]]  # alert ids raised since a moment (the sweep re-plans them)


_KINDS: dict[str, AlertKind] = {}


def staff_alert_kind_register(
    *, kind: str, render: Callable[[int], StaffAlert | None], recent: Callable[[datetime], list[int]]
) -> None:
    _KINDS[kind] = AlertKind(render=render, recent=recent)


def _kind(kind: str) -> AlertKind:
    if kind not in _KINDS:
        raise KeyError(f"unknown staff alert kind {kind!r}")
    return _KINDS[kind]


def staff_alert_plan(*, kind: str, ref_id: int) -> list[int]:
    """The delivery rows of one alert (made once: a unique row per channel and destination)."""
    alert = _kind(kind).render(ref_id)
    if alert is None:
        return []
    # One row per channel and destination: the unique constraint drops rows another run (or another
    # shift with the same mailbox or group) already planned.
    StaffAlertDelivery.objects.bulk_create(
        [
            StaffAlertDelivery(kind=kind, ref_id=ref_id, channel=channel, target=target, user_id=shift.user_id)
            for shift in duty_shifts_on(moment=alert.at)
            for channel, target in ((AlertChannel.EMAIL, shift.email), (AlertChannel.WECOM, shift.wecom_webhook))
            if target
        ],
        ignore_conflicts=True,
    )
    return list(StaffAlertDelivery.objects.filter(kind=kind, ref_id=ref_id).order_by("pk").values_list("pk", flat=True))


def staff_alert_notify(*, kind: str, ref_id: int) -> list[str]:
    """Plan one alert and send every delivery no one holds; returns the outcome per row."""
    return [staff_alert_delivery_send(delivery_id=pk) for pk in staff_alert_plan(kind=kind, ref_id=ref_id)]


def _text(alert: StaffAlert) -> tuple[str, str, str]:
    """Subject, plain text (e-mail) and markdown (group robot) of one alert."""
    link = f"{settings.CONSOLE_BASE_URL}{alert.link}"
    when = alert.at.astimezone(SHOP_ZONE).strftime("%Y-%m-%d %H:%M")
    subject = _("【店铺告警】%(title)s") % {"title": alert.title}
    plain = "\n".join([alert.title, _("时间：%(when)s") % {"when": when}, "", *alert.lines, "", _("处理：") + link])
    quoted = "\n".join(f"> {line}" for line in alert.lines)
    markdown = (
        f'**<font color="warning">{alert.title}</font>**\n'
        f"> {_('时间：%(when)s') % {'when': when}}\n{quoted}\n\n[{_('到后台处理')}]({link})"
    )
    return subject, plain, markdown


def _finish(delivery_id: int, status: str, *, error: str = "", now: datetime) -> str:
    """Record the outcome, only on the row this worker holds."""
    values: dict[str, object] = {"status": status, "last_error": error[:300]}
    if status == AlertDeliveryStatus.SENT:
        values["sent_at"] = now
    StaffAlertDelivery.objects.filter(pk=delivery_id, status=AlertDeliveryStatus.SENDING).update(**values)
    return status


def staff_alert_delivery_send(*, delivery_id: int, now: datetime | None = None) -> str:
    """Claim one delivery and send it; the claim commits first (never inside a caller's atomic
    block), so two workers never both hold it. Returns the row's status afterwards."""
    now = now or timezone.now()
    claimable = Q(status=AlertDeliveryStatus.PENDING) | Q(status=AlertDeliveryStatus.FAILED, attempts__lt=MAX_ATTEMPTS)
    claimed = StaffAlertDelivery.objects.filter(claimable, pk=delivery_id).update(
        status=AlertDeliveryStatus.SENDING, attempts=F("attempts") + 1, claimed_at=now
    )
    if not claimed:
        return str(StaffAlertDelivery.objects.filter(pk=delivery_id).values_list("status", flat=True).first() or "")
    delivery = StaffAlertDelivery.objects.get(pk=delivery_id)
    alert = _kind(delivery.kind).render(delivery.ref_id)
    if alert is None:
        StaffAlertDelivery.objects.filter(pk=delivery_id).update(attempts=MAX_ATTEMPTS)
        return _finish(delivery_id, AlertDeliveryStatus.FAILED, error=_("告警已不存在。"), now=now)
    subject, plain, markdown = _text(alert)
    try:
        if delivery.channel == AlertChannel.EMAIL:
            send_mail(subject, plain, settings.DEFAULT_FROM_EMAIL, [delivery.target], fail_silently=False)
        else:
            wecom_markdown_send(webhook=delivery.target, content=markdown)
    except WeComRobotUncertain:
        logger.warning("staff alert %s: the robot did not answer; not resent", delivery_id)
        return _finish(delivery_id, AlertDeliveryStatus.UNCERTAIN, error=_("企业微信未应答，可能已送达"), now=now)
    except ApplicationError as exc:
        errmsg = exc.details.get("errmsg") or exc.details.get("error") or ""
        error = f"{exc.message}（{exc.details.get('errcode', '')} {errmsg}）" if errmsg else str(exc.message)
        return _finish(delivery_id, AlertDeliveryStatus.FAILED, error=error, now=now)
    except (smtplib.SMTPException, OSError) as exc:
        logger.warning("staff alert %s: mail refused", delivery_id, exc_info=True)
        return _finish(delivery_id, AlertDeliveryStatus.FAILED, error=_("邮件发送失败：%(e)s") % {"e": exc}, now=now)
    return _finish(delivery_id, AlertDeliveryStatus.SENT, now=now)


def staff_alerts_sweep(*, now: datetime | None = None) -> dict[str, int]:
    """Beat, every minute: plan recent alerts again (a lost task), send deliveries no one sent,
    retry refused ones after :data:`RETRY_AFTER`, and mark rows held by a dead worker uncertain."""
    now = now or timezone.now()
    stale = StaffAlertDelivery.objects.filter(status=AlertDeliveryStatus.SENDING, claimed_at__lt=now - SENDING_LEASE)
    uncertain = stale.update(status=AlertDeliveryStatus.UNCERTAIN, last_error=_("发送中断，可能已送达"))
    for kind, registered in _KINDS.items():
        for ref_id in registered.recent(now - REPLAN_WINDOW):
            staff_alert_plan(kind=kind, ref_id=ref_id)
    due = StaffAlertDelivery.objects.filter(
        Q(status=AlertDeliveryStatus.PENDING, created_at__lte=now - timedelta(minutes=1))
        | Q(status=AlertDeliveryStatus.FAILED, attempts__lt=MAX_ATTEMPTS, claimed_at__lte=now - RETRY_AFTER)
    ).values_list("pk", flat=True)
    outcomes = [staff_alert_delivery_send(delivery_id=pk, now=now) for pk in list(due)]
    return {"uncertain": uncertain, "sent": outcomes.count(AlertDeliveryStatus.SENT), "tried": len(outcomes)}
