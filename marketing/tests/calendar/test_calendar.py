"""活动日历's grid: weeks Monday to Sunday in Beijing time, bars placed by exact start and end,
lanes for bars that would cover each other, the line at now, the state filter and the overlaps;
two queries whatever the number of campaigns."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

import pytest
from django.contrib.auth.models import User

from marketing.models import CampaignStatus
from marketing.selectors.campaign_calendar import calendar_range, campaign_calendar
from marketing.services.campaigns import CampaignData, campaign_create
from marketing.tests.calendar.helpers import NOW, campaign

pytestmark = pytest.mark.django_db


def _at(text: str) -> datetime:
    return datetime.fromisoformat(f"{text}+08:00")


def test_month_and_week_ranges_run_monday_to_sunday() -> None:
    assert calendar_range(view="month", anchor=date(2026, 6, 18)) == (date(2026, 6, 1), date(2026, 7, 5))
    assert calendar_range(view="week", anchor=date(2026, 6, 18)) == (date(2026, 6, 15), date(2026, 6, 21))


def test_bars_lanes_now_line_filters_and_overlaps(staff: User, django_assert_num_queries: Any) -> None:
    # 618 runs Tue 16 12:00 → Fri 19 00:00; 美妆节 Thu 18 00:00 → Tue 23 00:00 (crosses into the next week)
    campaign_create(
        actor=staff, data=CampaignData(name="618", starts_at=_at("2026-06-16T12:00"), ends_at=_at("2026-06-19T00:00"))
    )
    beauty = campaign(
        staff,
        "美妆节",
        promotions=[{"type": "limited_discount", "rules": {"rate": "0.9"}}],
        starts=timedelta(hours=-10),
        days=5,
    )
    campaign_create(
        actor=staff, data=CampaignData(name="五月", starts_at=_at("2026-05-01T00:00"), ends_at=_at("2026-05-10T00:00"))
    )

    with django_assert_num_queries(2):
        grid = campaign_calendar(view="week", anchor=date(2026, 6, 18), now=NOW)
    (week,) = grid.weeks
    bars = {bar.name: bar for bar in week.bars}
    assert set(bars) == {"618", "美妆节"}
    first = bars["618"]
    assert (first.left, first.width, first.lane) == (round(1.5 / 7 * 100, 3), round(2.5 / 7 * 100, 3), 0)
    assert (first.phase, first.phase_label, first.tools) == ("draft", "草稿", ())
    second = bars["美妆节"]
    assert second.lane == 1 and second.continues_after and not second.continues_before
    assert [(t.icon, t.label, t.count) for t in second.tools] == [("sell", "价格规则", 1)]
    assert week.now_at == round((3 + 10 / 24) / 7 * 100, 3)  # Thursday 10:00
    assert [(p.first.name, p.second.name) for p in grid.overlaps] == [("618", "美妆节")]

    month = campaign_calendar(view="month", anchor=date(2026, 6, 18), now=NOW)
    assert month.first_day == date(2026, 6, 1) and len(month.weeks) == 5
    spread = [w for w in month.weeks if any(b.campaign_id == beauty.pk for b in w.bars)]
    assert [w.days[0] for w in spread] == [date(2026, 6, 15), date(2026, 6, 22)]
    assert spread[1].bars[0].continues_before
    assert sum(w.now_at is not None for w in month.weeks) == 1
    assert month.by_phase["draft"] == 2 and month.previous == date(2026, 5, 1) and month.following == date(2026, 7, 1)

    beauty.status = CampaignStatus.LIVE
    beauty.save(update_fields=["status"])
    running = campaign_calendar(view="month", anchor=date(2026, 6, 18), now=NOW, phases=["running"])
    assert running.shown == 1 and {b.name for w in running.weeks for b in w.bars} == {"美妆节"}
    assert running.by_phase["running"] == 1 and running.by_phase["draft"] == 1


def test_many_campaigns_cost_the_same_two_queries(staff: User, django_assert_num_queries: Any) -> None:
    for i in range(6):
        campaign(staff, f"活动{i}", promotions=[{"type": "limited_discount", "rules": {"rate": "0.9"}}], days=i + 1)
    with django_assert_num_queries(2):
        grid = campaign_calendar(view="month", anchor=date(2026, 6, 18), now=NOW)
    assert grid.shown == 6 and max(w.lanes for w in grid.weeks) == 6
