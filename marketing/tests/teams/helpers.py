"""Builders shared by the team-split tests: an activity made through the audited service."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth.models import User
from django.utils import timezone

from marketing.models import TeamActivity
from marketing.services.teams import TeamActivityData, team_activity_create


def activity_data(**overrides: Any) -> TeamActivityData:
    now = timezone.now()
    values: dict[str, Any] = {
        "name": "双十二组队瓜分",
        "team_size": 3,
        "goal": 200_000,
        "reward_total": 10_000,
        "starts_at": now - dt.timedelta(hours=1),
        "ends_at": now + dt.timedelta(days=10),
        **overrides,
    }
    return TeamActivityData(**values)


def make_activity(staff: User, **overrides: Any) -> TeamActivity:
    return team_activity_create(actor=staff, data=activity_data(**overrides))
