"""Recording behaviour events; called by other apps' services inside their transactions."""

from __future__ import annotations

from typing import Any

from analytics.models import Event
from mall.rows import row_create


def event_record(*, name: str, member_id: int | None = None, props: dict[str, Any] | None = None) -> Event:
    """One event row (issue 12: written out by ``row_create``, the ORM's insert compile was a
    noticeable share of a placement's CPU; the ORM's ``create()`` still runs if a receiver listens)."""
    return row_create(Event, name=name, member_id=member_id, props=props or {})
