"""Telling shoppers things (F48): the in-app inbox, and WeChat subscribe pushes after commit.

Tools call :func:`message_send` inside their own transaction. The push, when the merchant has
mapped the message's kind to a subscribe template, is a task enqueued after commit
(:func:`message_push` runs in the worker). WeChat delivers a subscribe message only when the
shopper granted its template in ``wx.requestSubscribeMessage`` (one-time subscriptions: one
push per "accept"), so a push first spends one of the shopper's credits for that template
(:class:`SubscribeCredit`, recorded by :func:`subscribe_consent_record`), then one of the
shopper's monthly pushes; both are guarded UPDATEs and both are given back when WeChat does not
deliver. In the quiet hours a push is held and sent once in the morning
(:func:`messages_release_held`). A message not pushed says why (``skip_reason``): no consent,
the monthly cap, quiet hours (still held) or a WeChat error. A marketing message
(:func:`members.message_kinds.message_kind_is_marketing`) to a shopper in the global holdout
(:mod:`members.global_holdout`) is recorded as skipped (``global_holdout``) and kept out of the
inbox; transactional messages reach everyone.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping, Sequence
from contextlib import suppress
from dataclasses import dataclass, replace
from datetime import datetime, time, timedelta
from functools import partial
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from mall.bulk_rows import rows_insert
from mall.errors import ApplicationError
from mall.services.audit import audit_record
from members import wechat
from members.errors import SubscribeTemplateInvalid, WeChatSubscribeRefused
from members.global_holdout import global_holdout_current
from members.message_kinds import message_kind_is_marketing
from members.models import (
    PUSHES_PER_MONTH,
    Member,
    Message,
    PushAllowance,
    SubscribeCredit,
    SubscribeTemplate,
)

logger = logging.getLogger(__name__)

# WeChat's limits on template values: thing.* at most 20 characters, others less.
THING_MAX = 20
TEXT_PREFIX = "text:"
TEMPLATE_KEY = re.compile(r"[a-z_]+[0-9]{1,2}")  # thing1, time2, phrase3, character_string4 …
# What wx.requestSubscribeMessage answers per template id; only "accept" grants a push.
CONSENT_ANSWERS = ("accept", "reject", "ban", "filter")
# A shopper tapping "accept" again and again banks pushes; beyond this many it adds nothing.
CREDITS_MAX = 50
QUIET_HOURS_FORMAT = re.compile(r"([01][0-9]|2[0-3]):([0-5][0-9])-([01][0-9]|2[0-3]):([0-5][0-9])")

Status = Message.PushStatus
Reason = Message.SkipReason


# Where a message without a page of its own opens (the tracking parameter needs a page to ride on).
HOME_PAGE = "pages/home/index"


def link_with_src(link: str, src: str) -> str:
    """``link`` with the tracking parameter ``src=<src>`` (issue 15) added to its query.

    A link that already carries a ``src`` keeps it; an empty link opens the home page. The
    mini-program remembers ``src`` on launch (core/share.js) and checkout sends it with the order,
    so the order is attributed to the push (``msg:12``), segment campaign (``seg:3``) or journey
    (``journey:5``) that brought the shopper.
    """
    if not src:
        return link
    path = link or HOME_PAGE
    base, _sep, query = path.partition("?")
    params = [param for param in query.split("&") if param]
    if any(param.startswith("src=") for param in params):
        return path
    return f"{base}?{'&'.join([*params, f'src={src}'])}"


def link_src(link: str) -> str:
    """The ``src`` a link carries, or ''."""
    _base, _sep, query = (link or "").partition("?")
    return next((param[4:] for param in query.split("&") if param.startswith("src=")), "")


def message_send(*, member_id: int, kind: str, title: str, body: str = "", link: str = "", src: str = "") -> Message:
    """Write the shopper's message; push it after commit if ``kind`` has an active template.

    ``src`` is the tracking parameter of what sent it (``seg:3``, ``journey:5``), kept in the
    link; a message without one is tracked as itself (``msg:<id>``) when it is pushed.
    """
    if message_kind_is_marketing(kind) and global_holdout_current().holds_out(member_id):
        return Message.objects.create(
            member_id=member_id,
            kind=kind[:32],
            title=title[:60],
            body=body[:300],
            link=link_with_src(link, src)[:200],
            push_status=Status.SKIPPED,
            skip_reason=Reason.GLOBAL_HOLDOUT,
        )
    template_active = SubscribeTemplate.objects.filter(kind=kind, is_active=True).exists()
    message = Message.objects.create(
        member_id=member_id,
        kind=kind[:32],
        title=title[:60],
        body=body[:300],
        link=link_with_src(link, src)[:200],
        push_status=Status.PENDING if template_active else Status.NONE,
    )
    if template_active:
        message_id = message.pk
        transaction.on_commit(lambda: _enqueue_push(message_id), robust=True)
    return message


@dataclass(frozen=True)
class MessageDraft:
    """One message of :func:`messages_send_bulk`; ``push=False`` keeps it in the inbox only.

    ``skip_reason`` (``no_consent`` / ``monthly_cap``) records a push the caller already knows
    cannot go (it read the credits and the month's pushes in bulk), without a task for it.
    """

    member_id: int
    kind: str
    title: str
    body: str = ""
    link: str = ""
    push: bool = True
    skip_reason: str = ""
    src: str = ""  # the tracking parameter, as in :func:`message_send`


def messages_send_bulk(*, drafts: Sequence[MessageDraft]) -> list[int]:
    """:func:`message_send` for many shoppers at once (one INSERT); pushes go after commit.

    The same rules hold for every pushed message (consent credit, monthly cap, quiet hours are
    decided by :func:`message_push` in the worker); returns the new messages' ids in order.
    """
    if not drafts:
        return []
    active = set(
        SubscribeTemplate.objects.filter(kind__in={draft.kind for draft in drafts}, is_active=True).values_list(
            "kind", flat=True
        )
    )
    now = timezone.now()
    marketing = [draft.member_id for draft in drafts if message_kind_is_marketing(draft.kind)]
    held = global_holdout_current().held_out(marketing) if marketing else set()
    drafts = [
        replace(draft, push=True, skip_reason=Reason.GLOBAL_HOLDOUT)
        if draft.member_id in held and message_kind_is_marketing(draft.kind)
        else draft
        for draft in drafts
    ]
    statuses = [_draft_status(draft, draft.kind in active) for draft in drafts]
    rows = [
        (
            draft.member_id,
            draft.kind[:32],
            draft.title[:60],
            draft.body[:300],
            link_with_src(draft.link, draft.src)[:200],
            status,
            draft.skip_reason if status in (Status.SKIPPED, Status.CAPPED) else "",
            "",
            now,
        )
        for draft, status in zip(drafts, statuses, strict=True)
    ]
    fields = ("member_id", "kind", "title", "body", "link", "push_status", "skip_reason", "push_error", "created_at")
    ids = rows_insert(Message, fields, rows, returning=True)
    if len(ids) != len(rows):  # a backend that cannot return ids
        raise ImproperlyConfigured("messages_send_bulk needs a database that returns ids from bulk inserts")
    pending = [message_id for message_id, status in zip(ids, statuses, strict=True) if status == Status.PENDING]
    for start in range(0, len(pending), PUSHES_PER_TASK):
        chunk = pending[start : start + PUSHES_PER_TASK]
        transaction.on_commit(partial(_enqueue_pushes, chunk), robust=True)
    return ids


# messages_send_bulk hands the worker this many pushes per task (each still claimed one by one).
PUSHES_PER_TASK = 200


def _enqueue_pushes(message_ids: list[int]) -> None:
    from members.tasks import messages_push_task

    messages_push_task.delay(message_ids=message_ids)


def _draft_status(draft: MessageDraft, template_active: bool) -> str:
    if draft.skip_reason == Reason.GLOBAL_HOLDOUT:
        return Status.SKIPPED
    if not (draft.push and template_active):
        return Status.NONE
    if draft.skip_reason == Reason.MONTHLY_CAP:
        return Status.CAPPED
    if draft.skip_reason == Reason.NO_CONSENT:
        return Status.SKIPPED
    return Status.PENDING


def _enqueue_push(message_id: int) -> None:
    from members.tasks import message_push_task

    message_push_task.delay(message_id=message_id)


def month_of(at: datetime) -> str:
    """The shop's calendar month ("2026-12") of ``at``."""
    return timezone.localtime(at).strftime("%Y-%m")


def quiet_hours() -> tuple[time, time] | None:
    """The shop's quiet hours (start, end) in shop time, or None when pushes are never held."""
    value = (settings.SUBSCRIBE_QUIET_HOURS or "").strip()
    if not value:
        return None
    match = QUIET_HOURS_FORMAT.fullmatch(value)
    if match is None:
        raise ImproperlyConfigured(f"SUBSCRIBE_QUIET_HOURS must look like 22:00-08:00, not {value!r}")
    hour1, minute1, hour2, minute2 = (int(part) for part in match.groups())
    start, end = time(hour1, minute1), time(hour2, minute2)
    return None if start == end else (start, end)


def quiet_until(at: datetime) -> datetime | None:
    """When the quiet hours around ``at`` end, or None if ``at`` is outside them."""
    window = quiet_hours()
    if window is None:
        return None
    start, end = window
    local = timezone.localtime(at)
    now = local.time()
    overnight = start > end
    quiet = (now >= start or now < end) if overnight else (start <= now < end)
    if not quiet:
        return None
    day = local.date() + timedelta(days=1) if overnight and now >= start else local.date()
    return datetime.combine(day, end, tzinfo=local.tzinfo)


def _take_allowance(member_id: int, month: str) -> bool:
    """One of the shopper's pushes this month, or False when all are used (concurrency-safe)."""
    # A concurrent push may create the row first (IntegrityError): the guarded update decides.
    with suppress(IntegrityError), transaction.atomic():
        PushAllowance.objects.get_or_create(member_id=member_id, month=month)
    return bool(
        PushAllowance.objects.filter(member_id=member_id, month=month, used__lt=PUSHES_PER_MONTH).update(
            used=F("used") + 1
        )
    )


def _give_back_allowance(member_id: int, month: str) -> None:
    PushAllowance.objects.filter(member_id=member_id, month=month, used__gt=0).update(used=F("used") - 1)


def _credits(member_id: int, template_id: str) -> Any:
    return SubscribeCredit.objects.filter(member_id=member_id, template_id=template_id)


def _spend_credit(member_id: int, template_id: str) -> bool:
    """One granted push of this template, or False when the shopper has none (concurrency-safe)."""
    return bool(_credits(member_id, template_id).filter(credits__gte=1).update(credits=F("credits") - 1))


def _give_back_credit(member_id: int, template_id: str) -> None:
    _credits(member_id, template_id).update(credits=F("credits") + 1)


def push_data(template: SubscribeTemplate, message: Message) -> dict[str, str]:
    """The template's values from the message, trimmed to WeChat's limits."""
    values = {
        "title": message.title,
        "body": message.body or message.title,
        "time": timezone.localtime(message.created_at).strftime("%Y-%m-%d %H:%M"),
    }
    data: dict[str, str] = {}
    for key, source in (template.fields or {}).items():
        source = str(source)
        value = source[len(TEXT_PREFIX) :] if source.startswith(TEXT_PREFIX) else values.get(source, "")
        if str(key).startswith("thing"):
            value = value[:THING_MAX]
        data[str(key)] = value
    return data


@dataclass(frozen=True)
class PushOutcome:
    status: str
    reason: str = ""
    error: str = ""
    push_after: datetime | None = None


def push_page(template: SubscribeTemplate, message: Message) -> str:
    """The page the push opens, always with its tracking parameter: the one place it is added.

    The template's page (or else the message's link) with the ``src`` the message was sent with
    (a campaign's or journey's), else ``msg:<message id>``.
    """
    return link_with_src(template.page or message.link, link_src(message.link) or f"msg:{message.pk}")


def message_push(*, message_id: int) -> str:
    """Push one pending (or held and now due) message; safe to run twice. Returns the final status."""
    message = _claim(message_id, timezone.now())
    if message is None:
        return Message.objects.filter(pk=message_id).values_list("push_status", flat=True).first() or "missing"
    return _deliver(message)


def _claim(message_id: int, now: datetime) -> Message | None:
    """The message, marked "sending", if it is this run's to push; None if it is not (any more)."""
    with transaction.atomic():
        message = Message.objects.select_for_update().filter(pk=message_id).first()
        if message is None:
            return None
        due = message.push_status == Status.HELD and message.push_after is not None and message.push_after <= now
        if message.push_status != Status.PENDING and not due:
            return None
        # Claimed: a second run of the task finds it no longer pending (a worker dying while
        # sending leaves it "sending": better one push lost than the same push twice).
        message.push_status = Status.SENDING
        message.save(update_fields=["push_status"])
    return message


def _deliver(message: Message) -> str:
    template = SubscribeTemplate.objects.filter(kind=message.kind, is_active=True).first()
    member = Member.objects.filter(pk=message.member_id).only("openid", "is_dev", "is_blocked").first()
    outcome = _push(message, template, member, timezone.now())
    changes: dict[str, Any] = {
        "push_status": outcome.status,
        "skip_reason": outcome.reason,
        "push_error": outcome.error[:200],
    }
    if outcome.push_after is not None:
        changes["push_after"] = outcome.push_after
    Message.objects.filter(pk=message.pk).update(**changes)
    return outcome.status


def _push(message: Message, template: SubscribeTemplate | None, member: Member | None, now: datetime) -> PushOutcome:
    if template is None or member is None or member.is_blocked:
        return PushOutcome(Status.NONE, error="no template or member")
    if member.is_dev:
        return PushOutcome(Status.NONE, error="development shopper")
    template_id = template.template_id
    held_until = quiet_until(now)
    if held_until is not None:
        # Hold only what could go in the morning; the credit is spent then, not now.
        if not _credits(member.pk, template_id).filter(credits__gte=1).exists():
            return PushOutcome(Status.SKIPPED, Reason.NO_CONSENT, "no subscription granted")
        return PushOutcome(Status.HELD, Reason.QUIET_HOURS, push_after=held_until)
    if not _spend_credit(member.pk, template_id):
        return PushOutcome(Status.SKIPPED, Reason.NO_CONSENT, "no subscription granted")
    month = month_of(now)
    if not _take_allowance(member.pk, month):
        _give_back_credit(member.pk, template_id)
        return PushOutcome(Status.CAPPED, Reason.MONTHLY_CAP, f"{PUSHES_PER_MONTH} pushes used in {month}")
    try:
        wechat.subscribe_message_send(
            openid=member.openid,
            template_id=template_id,
            data=push_data(template, message),
            page=push_page(template, message),
        )
    except WeChatSubscribeRefused as exc:
        # WeChat says the shopper has no grant left (or withdrew it): our count was wrong.
        _credits(member.pk, template_id).update(credits=0)
        _give_back_allowance(member.pk, month)
        return PushOutcome(Status.SKIPPED, Reason.NO_CONSENT, f"refused by WeChat ({exc.details.get('errcode')})")
    except ApplicationError as exc:
        # Nothing reached the shopper, so WeChat kept the grant: both counters go back.
        _give_back_credit(member.pk, template_id)
        _give_back_allowance(member.pk, month)
        logger.warning("subscribe push of message %s failed: %s", message.pk, exc)
        errcode = exc.details.get("errcode")
        return PushOutcome(Status.FAILED, Reason.WECHAT_ERROR, f"{exc.code} ({errcode}): {exc.message}")
    return PushOutcome(Status.SENT)


def messages_release_held(*, now: datetime | None = None) -> int:
    """Push every message the quiet hours held whose time has come; returns how many this run sent.

    Beat runs it every few minutes; each message is claimed under a row lock before it is
    pushed, so overlapping runs (or a run beside a redelivered task) push every message once.
    """
    at = now or timezone.now()
    due = Message.objects.filter(push_status=Status.HELD, push_after__lte=at).order_by("push_after", "pk")
    sent = 0
    for message_id in list(due.values_list("pk", flat=True)):
        message = _claim(message_id, at)
        if message is not None and _deliver(message) == Status.SENT:
            sent += 1
    return sent


@transaction.atomic
def subscribe_consent_record(*, member: Member, results: Mapping[str, str]) -> dict[str, int]:
    """Record what the shopper answered in ``wx.requestSubscribeMessage``; returns the credits.

    Every "accept" of an active template adds one push (up to ``CREDITS_MAX``); the other
    answers grant nothing and take nothing away (WeChat keeps earlier grants). Template ids the
    shop does not use are ignored. The answer is ``{template_id: credits}`` for the ids asked.
    """
    asked = {str(key)[:64]: str(value) for key, value in results.items()}
    # One shopper's answers queue on the member row: two posts at once creating the same credit
    # row would otherwise deadlock on the unique index (InnoDB's duplicate-key locks).
    Member.objects.select_for_update().filter(pk=member.pk).values_list("pk", flat=True).first()
    active = set(
        SubscribeTemplate.objects.filter(is_active=True, template_id__in=list(asked)).values_list(
            "template_id", flat=True
        )
    )
    for template_id in sorted(active):
        if asked[template_id] != "accept":
            continue
        SubscribeCredit.objects.get_or_create(member_id=member.pk, template_id=template_id)
        _credits(member.pk, template_id).filter(credits__lt=CREDITS_MAX).update(
            credits=F("credits") + 1, accepted_total=F("accepted_total") + 1
        )
    held = dict(
        SubscribeCredit.objects.filter(member_id=member.pk, template_id__in=list(active)).values_list(
            "template_id", "credits"
        )
    )
    return {template_id: held.get(template_id, 0) for template_id in sorted(active)}


@transaction.atomic
def messages_mark_read(*, member: Member, ids: Sequence[int] | None) -> int:
    """Mark the shopper's own messages read (``None`` = all); returns how many changed."""
    unread = Message.objects.filter(member_id=member.pk, read_at__isnull=True)
    if ids is not None:
        unread = unread.filter(pk__in=list(ids))
    return unread.update(read_at=timezone.now())


# --- the merchant's templates ---------------------------------------------------------------

TEMPLATE_SOURCES = ("title", "body", "time")


def _template_fields_clean(fields: object) -> dict[str, str]:
    if not isinstance(fields, dict) or not fields or len(fields) > 10:
        raise SubscribeTemplateInvalid(details={"fields": "1–10 template keys"})
    cleaned: dict[str, str] = {}
    for key, source in fields.items():
        key, source = str(key).strip(), str(source).strip()
        if not TEMPLATE_KEY.fullmatch(key):
            raise SubscribeTemplateInvalid(details={"key": key[:30]})
        if source not in TEMPLATE_SOURCES and not (source.startswith(TEXT_PREFIX) and len(source) > len(TEXT_PREFIX)):
            raise SubscribeTemplateInvalid(details={"source": source[:30]})
        cleaned[key] = source
    return cleaned


@transaction.atomic
def subscribe_template_save(
    *,
    actor: Any,
    template_id: int | None,
    kind: str,
    wechat_template_id: str,
    fields: object,
    page: str,
    is_active: bool,
) -> SubscribeTemplate:
    """Create or change the template of one kind of message (audited)."""
    kind, wechat_template_id = kind.strip(), wechat_template_id.strip()
    if not kind or not wechat_template_id:
        raise SubscribeTemplateInvalid(details={"kind": kind, "template_id": wechat_template_id})
    template = (
        SubscribeTemplate(kind=kind)
        if template_id is None
        else SubscribeTemplate.objects.select_for_update().get(pk=template_id)
    )
    template.kind = kind[:32]
    template.template_id = wechat_template_id[:64]
    template.fields = _template_fields_clean(fields)
    template.page = page.strip()[:200]
    template.is_active = is_active
    try:
        with transaction.atomic():
            template.save()
    except IntegrityError as exc:
        raise SubscribeTemplateInvalid(_("该消息类型已有模板。"), details={"kind": kind}) from exc
    audit_record(
        actor=actor,
        action="subscribe_template.save",
        target=template,
        data={"kind": template.kind, "template_id": template.template_id, "fields": template.fields},
    )
    return template
