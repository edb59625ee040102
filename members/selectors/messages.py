"""The shopper's inbox: a page of messages and the unread count, in a fixed number of queries."""

from __future__ import annotations

from django.db.models import QuerySet

from members.models import Member, Message


def message_list_for_member(*, member: Member, unread_only: bool = False) -> QuerySet[Message]:
    messages = Message.objects.filter(member_id=member.pk).order_by("-id")
    return messages.filter(read_at__isnull=True) if unread_only else messages


def message_unread_count(*, member: Member) -> int:
    return Message.objects.filter(member_id=member.pk, read_at__isnull=True).count()
