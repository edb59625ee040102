"""The state every campaign list shows: the merchant's early end and pause come before the clock."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from marketing.selectors.campaigns import campaign_state_label, campaign_window_text

NOW = datetime(2026, 12, 1, 20, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
HOUR = timedelta(hours=1)


@pytest.mark.parametrize(
    ("starts_at", "ends_at", "is_active", "ended_at", "label"),
    [
        (NOW - HOUR, NOW + HOUR, True, None, "进行中"),
        (NOW + HOUR, NOW + 2 * HOUR, True, None, "即将开始"),
        (NOW - 2 * HOUR, NOW, True, None, "已结束"),  # the window is half-open
        (NOW - HOUR, NOW + HOUR, False, None, "已暂停"),
        (NOW - HOUR, NOW + HOUR, False, NOW - HOUR, "已提前结束"),
    ],
)
def test_campaign_state(
    starts_at: datetime, ends_at: datetime, is_active: bool, ended_at: datetime | None, label: str
) -> None:
    state = campaign_state_label(starts_at=starts_at, ends_at=ends_at, is_active=is_active, ended_at=ended_at, now=NOW)
    assert state == label


def test_campaign_window_is_shown_in_shop_time() -> None:
    assert campaign_window_text(NOW - HOUR, NOW + 26 * HOUR) == "12-01 19:00 – 12-02 22:00"
