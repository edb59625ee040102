"""Celery tasks of members: take IDs, call a service, safe to run twice."""

from __future__ import annotations

from celery import shared_task

from members.services.messages import message_push, messages_release_held


@shared_task(name="members.tasks.message_push_task", ignore_result=True)
def message_push_task(*, message_id: int) -> str:
    """After the message's commit: push it as a WeChat subscribe message (consent, cap, quiet hours)."""
    return message_push(message_id=message_id)


@shared_task(name="members.tasks.messages_push_task", ignore_result=True)
def messages_push_task(*, message_ids: list[int]) -> int:
    """After a bulk send's commit: push each message (as message_push_task does); returns how many went."""
    return sum(1 for message_id in message_ids if message_push(message_id=message_id) == "sent")


@shared_task(name="members.tasks.messages_release_held_task", ignore_result=True)
def messages_release_held_task() -> int:
    """Beat: send the pushes the quiet hours held, once their morning has come (each exactly once)."""
    return messages_release_held()


from members.people_tasks import (  # noqa: E402, F401
    layer_snapshot_task,
    member_tags_refresh_task,
    segment_campaign_deliver_task,
    tag_bulk_job_task,
    tags_recompute_task,
)


@shared_task(name="members.tasks.tiers_evaluate_task", ignore_result=True)
def tiers_evaluate_task() -> int:
    """Beat: the monthly tier evaluation (保级 / 降级), once per member per month by unique key."""
    from members.services.tiers import tiers_evaluate_due

    return tiers_evaluate_due()


@shared_task(name="members.tasks.points_expiry_task", ignore_result=True)
def points_expiry_task() -> int:
    """Beat: remind a month before points expire, and expire them after the year end (each exactly once)."""
    from members.services.points_mall import points_expire_due, points_expiry_remind_due

    return points_expiry_remind_due() + points_expire_due()


@shared_task(name="members.tasks.checkin_remind_task", ignore_result=True)
def checkin_remind_task() -> int:
    """Beat: remind shoppers who checked in yesterday but not yet today (once per member per day)."""
    from members.services.checkin import checkin_remind_due

    return checkin_remind_due()
