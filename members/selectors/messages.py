"""The shopper's inbox: a page of messages and the unread count, in a fixed number of queries."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from members.message_kinds import MOMENTS, TEMPLATES_PER_ASK, kinds_for_moment, message_kind_label
from members.models import Member, Message, SubscribeTemplate


def _inbox(member: Member) -> QuerySet[Message]:
    """The shopper's messages, without the marketing ones the global holdout kept back (B03)."""
    return Message.objects.filter(member_id=member.pk).exclude(skip_reason=Message.SkipReason.GLOBAL_HOLDOUT)


def message_list_for_member(*, member: Member, unread_only: bool = False) -> QuerySet[Message]:
    messages = _inbox(member).order_by("-id")
    return messages.filter(read_at__isnull=True) if unread_only else messages


def message_unread_count(*, member: Member) -> int:
    return _inbox(member).filter(read_at__isnull=True).count()


# --- subscribe messages (F48) -----------------------------------------------------------------


@dataclass(frozen=True)
class SubscribeTemplateEntry:
    kind: str
    label: str
    template_id: str


@dataclass(frozen=True)
class SubscribeTemplateMap:
    """What the mini-program needs to ask for subscriptions: the templates, and per moment the ids."""

    templates: list[SubscribeTemplateEntry]
    moments: dict[str, list[str]]


def subscribe_template_map() -> SubscribeTemplateMap:
    """The active templates per kind and, per moment, the template ids to ask for (one query)."""
    active = dict(SubscribeTemplate.objects.filter(is_active=True).values_list("kind", "template_id"))
    templates = [
        SubscribeTemplateEntry(kind=kind, label=message_kind_label(kind), template_id=template_id)
        for kind, template_id in sorted(active.items())
    ]
    moments: dict[str, list[str]] = {}
    for moment in MOMENTS:
        ids: list[str] = []
        for kind in kinds_for_moment(moment):
            template_id = active.get(kind)
            if template_id and template_id not in ids:
                ids.append(template_id)
        moments[moment] = ids[:TEMPLATES_PER_ASK]
    return SubscribeTemplateMap(templates=templates, moments=moments)


@dataclass
class PushKindStats:
    """One kind's pushes over the period: sent, and not sent by reason."""

    kind: str
    label: str
    sent: int = 0
    sent_after_quiet_hours: int = 0
    waiting: int = 0
    skipped: dict[str, int] = field(default_factory=lambda: dict.fromkeys(Message.SkipReason.values, 0))

    @property
    def total(self) -> int:
        return self.sent + self.waiting + sum(self.skipped.values())


def push_stats_by_kind(*, days: int = 30, now: datetime | None = None) -> list[PushKindStats]:
    """Per kind, the pushes of the last ``days`` days: sent and skipped by reason (one query).

    Messages never meant to be pushed (no template, development shoppers) are not counted; a
    message the quiet hours still hold counts under ``quiet_hours`` until it is sent.
    """
    since = (now or timezone.now()) - timedelta(days=days)
    rows = (
        Message.objects.filter(created_at__gte=since)
        .exclude(push_status=Message.PushStatus.NONE)
        .values("kind", "push_status", "skip_reason")
        .annotate(n=Count("pk"), delayed=Count("pk", filter=Q(push_after__isnull=False)))
        .order_by()
    )
    stats: dict[str, PushKindStats] = {}
    for row in rows:
        kind = row["kind"]
        entry = stats.setdefault(kind, PushKindStats(kind=kind, label=message_kind_label(kind)))
        status, reason, n = row["push_status"], row["skip_reason"], row["n"]
        if status == Message.PushStatus.SENT:
            entry.sent += n
            entry.sent_after_quiet_hours += row["delayed"]
        elif reason in entry.skipped:
            entry.skipped[reason] += n
        else:  # pending or being sent right now
            entry.waiting += n
    return sorted(stats.values(), key=lambda entry: (-entry.total, entry.label))
