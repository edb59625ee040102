"""The beat jobs of behaviour analytics: drain the queue, roll up today and yesterday (each safe twice)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
import time_machine

from analytics.models import BehaviourEvent, EventDay
from analytics.services.ingest import events_batch_accept
from analytics.tasks import behaviour_rollup_task, events_drain_task
from mall.schedules import BEAT_SCHEDULE


@pytest.mark.django_db
@time_machine.travel(datetime(2026, 11, 20, 4, 0, tzinfo=UTC), tick=False)
def test_drain_then_rollup_jobs(redis_client: Any) -> None:
    events_batch_accept(
        anon_id="device-0001",
        events=[{"name": "page_view", "session": "s", "props": {"page": "pages/home/index"}}] * 3,
    )
    assert events_drain_task() == 3
    assert events_drain_task() == 0
    assert BehaviourEvent.objects.count() == 3
    assert behaviour_rollup_task() == 2
    assert behaviour_rollup_task() == 2
    assert list(EventDay.objects.values_list("day", "name", "events", "visitors")) == [
        (datetime(2026, 11, 20).date(), "page_view", 3, 1)
    ]


def test_the_jobs_are_scheduled() -> None:
    tasks = {entry["task"] for entry in BEAT_SCHEDULE.values()}
    assert {
        "analytics.tasks.events_drain_task",
        "analytics.tasks.behaviour_rollup_task",
        "analytics.tasks.event_partitions_task",
    } <= tasks
