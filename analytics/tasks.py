"""Celery tasks of analytics: take IDs or nothing, call a service, safe to run twice."""

from __future__ import annotations

from celery import shared_task

from analytics.services.rollups import figures_rollup_recent


@shared_task(name="analytics.tasks.attribution_rollup_task", ignore_result=True)
def attribution_rollup_task(*, days: int = 2) -> dict[str, int]:
    """Every 10 minutes: rebuild the tool and product rollups of today and yesterday.

    Attribution rows are dated by the day they happen (a refund on its own day), so older days
    never change after the fact; backfills recompute their window on demand.
    """
    return figures_rollup_recent(days=days)
