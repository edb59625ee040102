"""Celery tasks of members: take IDs, call a service, safe to run twice."""

from __future__ import annotations

from celery import shared_task

from members.services.messages import message_push


@shared_task(name="members.tasks.message_push_task", ignore_result=True)
def message_push_task(*, message_id: int) -> str:
    """After the message's commit: push it as a WeChat subscribe message (capped per month)."""
    return message_push(message_id=message_id)
