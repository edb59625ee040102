"""Celery tasks of the analytics app (beat entries in mall/schedules.py); each is idempotent."""

from __future__ import annotations

import os
import socket

from celery import shared_task

from analytics.services.figure_rollups import figures_rollup_recent
from analytics.services.ingest import events_drain
from analytics.services.partitions import partitions_maintain
from analytics.services.rollups import rollup_recent


@shared_task(name="analytics.tasks.events_drain_task")
def events_drain_task() -> int:
    """Queued behaviour events into the table (stream entries acknowledged after commit)."""
    return events_drain(consumer=f"{socket.gethostname()}-{os.getpid()}", max_entries=20_000)


@shared_task(name="analytics.tasks.behaviour_rollup_task")
def behaviour_rollup_task() -> int:
    """Today's and yesterday's rollups, replaced whole."""
    return len(rollup_recent(days=2))


@shared_task(name="analytics.tasks.event_partitions_task")
def event_partitions_task() -> int:
    """Tomorrow's partitions added, days past retention dropped."""
    report = partitions_maintain()
    return len(report.added) + len(report.dropped)


@shared_task(name="analytics.tasks.attribution_rollup_task", ignore_result=True)
def attribution_rollup_task(*, days: int = 2) -> dict[str, int]:
    """Every 10 minutes: rebuild the tool and product rollups of today and yesterday.

    Attribution rows are dated by the day they happen (a refund on its own day), so older days
    never change after the fact; backfills recompute their window on demand.
    """
    return figures_rollup_recent(days=days)


@shared_task(name="analytics.tasks.suggestions_generate_task", ignore_result=True)
def suggestions_generate_task() -> dict[str, dict[str, int]]:
    """Nightly 智能建议 from the rollups; exactly once per (kind, subject, day)."""
    from analytics.services.suggestions import suggestions_generate

    return suggestions_generate()
