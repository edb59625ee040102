"""Recording behaviour events; called by other apps' services inside their transactions."""

from __future__ import annotations

from typing import Any

from analytics.models import Event


def event_record(*, name: str, member_id: int | None = None, props: dict[str, Any] | None = None) -> Event:
    return Event.objects.create(name=name, member_id=member_id, props=props or {})
