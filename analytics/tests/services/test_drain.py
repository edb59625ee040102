"""Queue → table exactly once: drained twice, killed mid-drain, raced by two drains."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from django.conf import settings
from django.db import connection

from analytics.models import BehaviourEvent
from analytics.services import ingest
from analytics.services.ingest import events_batch_accept, events_drain


def _queue(batches: int, *, per_batch: int = 5) -> None:
    for n in range(batches):
        events_batch_accept(
            anon_id=f"device-{n:06d}",
            events=[
                {"name": "tap", "session": f"s{n}", "props": {"page": "pages/home/index", "element": f"e{i}"}}
                for i in range(per_batch)
            ],
        )


@pytest.mark.django_db
def test_draining_twice_stores_each_event_once(redis_client: Any) -> None:
    _queue(30)
    assert events_drain(consumer="a", chunk=7) == 150
    assert events_drain(consumer="a", chunk=7) == 0
    assert BehaviourEvent.objects.count() == 150
    assert redis_client.xlen(settings.ANALYTICS_STREAM) == 0


@pytest.mark.django_db
def test_a_drain_killed_after_inserting_loses_and_duplicates_nothing(
    redis_client: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    _queue(10)

    def die(*args: Any, **kwargs: Any) -> None:
        raise SystemExit("worker killed before acknowledging")

    monkeypatch.setattr(ingest, "_acknowledge", die)
    with pytest.raises(SystemExit):
        events_drain(consumer="dead", chunk=4)
    assert BehaviourEvent.objects.count() == 20  # the first chunk's rows were committed
    monkeypatch.undo()

    # another worker takes the new entries; the dead one's stay pending until idle long enough
    assert events_drain(consumer="alive", chunk=4, reclaim_idle_ms=60_000) == 30
    assert BehaviourEvent.objects.count() == 50
    assert redis_client.xpending(settings.ANALYTICS_STREAM, ingest.GROUP)["pending"] == 4
    # then they are claimed and inserted again, to no effect
    assert events_drain(consumer="alive", chunk=4, reclaim_idle_ms=0) == 20
    assert BehaviourEvent.objects.count() == 50
    assert redis_client.xlen(settings.ANALYTICS_STREAM) == 0
    assert redis_client.xpending(settings.ANALYTICS_STREAM, ingest.GROUP)["pending"] == 0
    keys = list(BehaviourEvent.objects.values_list("batch_key", "seq"))
    assert len(set(keys)) == 50


@pytest.mark.django_db(transaction=True)
def test_drains_racing_store_every_event_once(redis_client: Any) -> None:
    _queue(200, per_batch=3)
    start = threading.Barrier(4)

    def drain(n: int) -> int:
        start.wait()
        try:
            return events_drain(consumer=f"w{n}", chunk=5, reclaim_idle_ms=0)
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=4) as pool:
        handled = list(pool.map(drain, range(4)))
    assert BehaviourEvent.objects.count() == 600
    assert len(set(BehaviourEvent.objects.values_list("batch_key", "seq"))) == 600
    assert sum(handled) >= 600  # a reclaimed entry may be handled twice, stored once
    assert redis_client.xlen(settings.ANALYTICS_STREAM) == 0
