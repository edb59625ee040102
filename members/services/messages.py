"""Telling shoppers things (F48): the in-app inbox, and WeChat subscribe pushes after commit.

Tools call :func:`message_send` inside their own transaction. The push, when the merchant has
mapped the message's kind to a subscribe template, is a task enqueued after commit
(:func:`message_push` runs in the worker): it takes one of the shopper's monthly pushes with a
guarded UPDATE first and gives it back when WeChat refuses (the shopper did not subscribe), so
the cap counts only pushes that reached the shopper.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from contextlib import suppress
from datetime import datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from mall.errors import ApplicationError
from mall.services.audit import audit_record
from members import wechat
from members.errors import SubscribeTemplateInvalid, WeChatSubscribeRefused
from members.models import PUSHES_PER_MONTH, Member, Message, PushAllowance, SubscribeTemplate

logger = logging.getLogger(__name__)

# WeChat's limits on template values: thing.* at most 20 characters, others less.
THING_MAX = 20
TEXT_PREFIX = "text:"
TEMPLATE_KEY = re.compile(r"[a-z_]+[0-9]{1,2}")  # thing1, time2, phrase3, character_string4 …


def message_send(*, member_id: int, kind: str, title: str, body: str = "", link: str = "") -> Message:
    """Write the shopper's message; push it after commit if ``kind`` has an active template."""
    template_active = SubscribeTemplate.objects.filter(kind=kind, is_active=True).exists()
    message = Message.objects.create(
        member_id=member_id,
        kind=kind[:32],
        title=title[:60],
        body=body[:300],
        link=link[:200],
        push_status=Message.PushStatus.PENDING if template_active else Message.PushStatus.NONE,
    )
    if template_active:
        message_id = message.pk
        transaction.on_commit(lambda: _enqueue_push(message_id), robust=True)
    return message


def _enqueue_push(message_id: int) -> None:
    from members.tasks import message_push_task

    message_push_task.delay(message_id=message_id)


def month_of(at: datetime) -> str:
    """The shop's calendar month ("2026-12") of ``at``."""
    return timezone.localtime(at).strftime("%Y-%m")


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


def message_push(*, message_id: int) -> str:
    """Push one pending message (the worker's task); safe to run twice. Returns the final status."""
    with transaction.atomic():
        message = Message.objects.select_for_update().filter(pk=message_id).first()
        if message is None or message.push_status != Message.PushStatus.PENDING:
            return message.push_status if message is not None else "missing"
        # Claimed: a second run of the task finds it no longer pending (a worker dying while
        # sending leaves it "sending": better one push lost than the same push twice).
        message.push_status = Message.PushStatus.SENDING
        message.save(update_fields=["push_status"])
    template = SubscribeTemplate.objects.filter(kind=message.kind, is_active=True).first()
    member = Member.objects.filter(pk=message.member_id).only("openid", "is_dev", "is_blocked").first()
    status, error = _push(message, template, member)
    Message.objects.filter(pk=message.pk).update(push_status=status, push_error=error[:200])
    return status


def _push(message: Message, template: SubscribeTemplate | None, member: Member | None) -> tuple[str, str]:
    if template is None or member is None or member.is_blocked:
        return Message.PushStatus.NONE, "no template or member"
    if member.is_dev:
        return Message.PushStatus.NONE, "development shopper"
    month = month_of(message.created_at)
    if not _take_allowance(member.pk, month):
        return Message.PushStatus.CAPPED, f"{PUSHES_PER_MONTH} pushes used in {month}"
    try:
        wechat.subscribe_message_send(
            openid=member.openid,
            template_id=template.template_id,
            data=push_data(template, message),
            page=template.page or message.link or None,
        )
    except WeChatSubscribeRefused as exc:
        _give_back_allowance(member.pk, month)
        return Message.PushStatus.FAILED, f"not subscribed ({exc.details.get('errcode')})"
    except ApplicationError as exc:
        _give_back_allowance(member.pk, month)
        logger.warning("subscribe push of message %s failed: %s", message.pk, exc)
        return Message.PushStatus.FAILED, str(exc.message)
    return Message.PushStatus.SENT, ""


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
