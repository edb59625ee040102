"""Celery tasks of tags, segments and segment campaigns (imported by members.tasks): take IDs,
call a service, safe to run twice."""

from __future__ import annotations

from celery import shared_task

from members.services.tags import rfm_recompute, tag_bulk_job_run, tags_recompute


@shared_task(name="members.tasks.tags_recompute_task", ignore_result=True)
def tags_recompute_task() -> int:
    """Beat, nightly: every automatic tag and the RFM groups, for every shopper (idempotent)."""
    result = tags_recompute()
    rfm_recompute()
    return result.added + result.removed


@shared_task(name="members.tasks.member_tags_refresh_task", ignore_result=True)
def member_tags_refresh_task(*, member_id: int) -> int:
    """After an order completes: the shopper's automatic tags."""
    result = tags_recompute(member_ids=[member_id])
    return result.added + result.removed


@shared_task(name="members.tasks.tag_bulk_job_task", ignore_result=True)
def tag_bulk_job_task(*, job_id: int) -> int:
    job = tag_bulk_job_run(job_id=job_id)
    return job.done if job is not None else 0


@shared_task(name="members.tasks.segment_campaign_deliver_task", ignore_result=True)
def segment_campaign_deliver_task(*, campaign_id: int) -> int:
    """After a campaign starts: give the treated shoppers its coupon / message (each once)."""
    from members.services.campaigns import segment_campaign_deliver

    return segment_campaign_deliver(campaign_id=campaign_id)


@shared_task(name="members.tasks.layer_snapshot_task", ignore_result=True)
def layer_snapshot_task() -> int:
    """Beat, daily: this month's layer of every shopper (the month's first run fixes it)."""
    from members.services.layers import layer_snapshot_take

    return layer_snapshot_take()
