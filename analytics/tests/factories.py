"""Hand-built behaviour events for exact rollup figures (stored the way the ingest stores them)."""

from __future__ import annotations

import itertools
from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from analytics.models import BehaviourEvent

SHANGHAI = ZoneInfo("Asia/Shanghai")
_keys = itertools.count(1)


def make_event(
    name: str,
    *,
    day: date,
    at: time,
    anon: str = "device-aaaa",
    session: str = "s1",
    member_id: int | None = None,
    **props: Any,
) -> BehaviourEvent:
    occurred = datetime.combine(day, at, tzinfo=SHANGHAI)
    columns = {
        k: props.pop(k) for k in ("page", "product_id", "tool", "campaign_id", "dwell_ms", "reason") if k in props
    }
    return BehaviourEvent.objects.create(
        day=day,
        hour=occurred.hour,
        occurred_at=occurred,
        name=name,
        anon_id=anon,
        member_id=member_id,
        session=session,
        props=props,
        batch_key=f"test-{next(_keys)}",
        seq=0,
        **columns,
    )
