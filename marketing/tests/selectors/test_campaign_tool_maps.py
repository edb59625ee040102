"""Issue 12: the campaign tool maps are read in one cache round trip and held in the process."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.utils import timezone

from marketing.models import CampaignTool, Promotion
from marketing.selectors import campaign_tool_maps
from marketing.selectors.campaign_tool_maps import (
    BUDGETED_TOOLS_KEY,
    LIVE_TOOLS_KEY,
    MAPS_HOLD_SECONDS,
    budgeted_tools,
    live_campaign_tools,
)
from marketing.services.campaigns import CampaignData, campaign_create, campaign_publish, campaign_tool_add

pytestmark = pytest.mark.django_db


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def monotonic(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    fake = Clock()
    monkeypatch.setattr(campaign_tool_maps, "time", fake)
    return fake


@pytest.fixture
def reads(monkeypatch: pytest.MonkeyPatch) -> list[list[str]]:
    seen: list[list[str]] = []
    real = campaign_tool_maps.cache_read_many

    def counted(keys: list[str]) -> dict[str, Any]:
        seen.append(list(keys))
        return real(keys)

    monkeypatch.setattr(campaign_tool_maps, "cache_read_many", counted)
    return seen


def _live_budgeted(staff: User, promotion: Promotion) -> int:
    now = timezone.now()
    campaign = campaign_create(
        actor=staff,
        data=CampaignData(
            name="会员日", starts_at=now - timedelta(hours=1), ends_at=now + timedelta(days=1), budget_amount=5000
        ),
    )
    campaign_tool_add(actor=staff, campaign_id=campaign.pk, kind="promotion", object_id=promotion.pk)
    campaign_publish(actor=staff, campaign_id=campaign.pk)
    return campaign.pk


def test_both_maps_come_in_one_round_trip_and_are_held(
    staff: User, make_promotion: Callable[..., Promotion], clock: Clock, reads: list[list[str]]
) -> None:
    promotion = make_promotion()
    campaign_id = _live_budgeted(staff, promotion)
    key = ("promotion", promotion.pk)
    assert budgeted_tools() == {key: campaign_id}
    assert live_campaign_tools() == {key: campaign_id}
    assert reads == [[BUDGETED_TOOLS_KEY, LIVE_TOOLS_KEY]]  # one round trip for both
    clock.now += MAPS_HOLD_SECONDS / 2
    assert budgeted_tools() == {key: campaign_id}
    assert len(reads) == 1  # held: no read at all
    clock.now += MAPS_HOLD_SECONDS
    assert live_campaign_tools() == {key: campaign_id}
    assert len(reads) == 2  # the hold lapsed: read again (from the cache, no query)


def test_a_change_here_is_seen_at_once_and_another_process_change_within_the_hold(
    staff: User, make_promotion: Callable[..., Promotion], clock: Clock, reads: list[list[str]]
) -> None:
    first, second = make_promotion(), make_promotion(name="第二个满减")
    assert budgeted_tools() == {}
    campaign_id = _live_budgeted(staff, first)  # this process's change drops the held maps
    assert budgeted_tools() == {("promotion", first.pk): campaign_id}
    # another process adds a tool: its rows and its ``campaign_tool_maps_forget`` of the cache,
    # but not this process's held maps
    CampaignTool.objects.create(campaign_id=campaign_id, kind="promotion", object_id=second.pk)
    from mall.cache import cache_write

    cache_write(BUDGETED_TOOLS_KEY, None, timeout=1)
    cache_write(LIVE_TOOLS_KEY, None, timeout=1)
    assert ("promotion", second.pk) not in budgeted_tools()  # held for at most MAPS_HOLD_SECONDS
    clock.now += MAPS_HOLD_SECONDS
    assert budgeted_tools()[("promotion", second.pk)] == campaign_id
    assert live_campaign_tools()[("promotion", second.pk)] == campaign_id
