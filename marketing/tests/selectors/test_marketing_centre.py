"""The marketing centre (F46): what runs now and what starts within a week, from every tool."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from rest_framework.test import APIClient

from marketing.models import CouponChannel, PromotionType
from marketing.selectors import marketing_centre
from marketing.selectors.marketing_centre import marketing_centre_data
from marketing.selectors.pricing_rules import pricing_rules_bump
from marketing.tests.factories import CouponTemplateFactory, PromotionFactory

SHANGHAI = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 12, 1, 20, 0, tzinfo=SHANGHAI)


def _titles(entries: list[dict[str, Any]]) -> list[str]:
    return [e["title"] for e in entries]


@pytest.mark.django_db
def test_running_and_upcoming_campaigns_are_split_and_ordered() -> None:
    PromotionFactory.create(name="满减 今晚结束", starts_at=NOW - timedelta(days=1), ends_at=NOW + timedelta(hours=4))
    PromotionFactory.create(
        name="限时8折",
        type=PromotionType.LIMITED_DISCOUNT,
        rules={"rate": "0.8"},
        starts_at=NOW - timedelta(hours=1),
        ends_at=NOW + timedelta(hours=23),
    )
    PromotionFactory.create(name="双12 预热", starts_at=NOW + timedelta(days=2), ends_at=NOW + timedelta(days=3))
    PromotionFactory.create(name="下月活动", starts_at=NOW + timedelta(days=8), ends_at=NOW + timedelta(days=9))
    PromotionFactory.create(name="已结束", starts_at=NOW - timedelta(days=3), ends_at=NOW - timedelta(days=1))
    PromotionFactory.create(name="已暂停", is_active=False)
    CouponTemplateFactory.create(
        name="限时领券", valid_days=None, valid_from=NOW - timedelta(hours=2), valid_until=NOW + timedelta(days=1)
    )
    CouponTemplateFactory.create(name="长期券")  # no window: the coupon centre lists it, the marketing centre not
    CouponTemplateFactory.create(
        name="新人券",
        channel=CouponChannel.NEW_USER_PACK,
        valid_days=None,
        valid_from=NOW,
        valid_until=NOW + timedelta(days=1),
    )

    centre = marketing_centre_data(now=NOW)

    assert _titles(centre["ongoing"]) == ["满减 今晚结束", "限时8折", "限时领券"]
    assert _titles(centre["upcoming"]) == ["双12 预热"]
    discount = centre["ongoing"][1]
    assert (discount["type"], discount["kind"], discount["subtitle"]) == ("promotion", "limited_discount", "限时折扣")
    assert discount["end_at"] == "2026-12-02T19:00:00+08:00"
    coupon = centre["ongoing"][2]
    assert (coupon["type"], coupon["subtitle"], coupon["path"]) == (
        "coupon",
        "满100.00减20.00",
        "/package-member/coupons/index?tab=center",
    )


@pytest.mark.django_db
def test_a_tool_adds_its_entries_through_a_source(monkeypatch: pytest.MonkeyPatch) -> None:
    def flash_slots(now: datetime) -> list[dict[str, Any]]:
        start = now + timedelta(hours=1)
        return [
            {
                "type": "flash",
                "id": 7,
                "title": "21:00 场",
                "subtitle": "9.9 包邮",
                "start_at": start.isoformat(),
                "end_at": (start + timedelta(hours=1)).isoformat(),
            }
        ]

    monkeypatch.setattr(marketing_centre, "_sources", [*marketing_centre._sources, flash_slots])
    assert _titles(marketing_centre_data(now=NOW)["upcoming"]) == ["21:00 场"]


@pytest.mark.django_db
def test_the_home_screen_carries_the_centre_cached_until_a_merchant_change(django_assert_num_queries: Any) -> None:
    api_client = APIClient()
    with time_machine.travel(NOW, tick=False):
        PromotionFactory.create(name="满减", starts_at=NOW - timedelta(days=1), ends_at=NOW + timedelta(days=1))
        first = api_client.get("/api/v1/home").json()["marketing_center"]
        assert _titles(first["ongoing"]) == ["满减"]

        PromotionFactory.create(name="新活动", starts_at=NOW + timedelta(days=1), ends_at=NOW + timedelta(days=2))
        with django_assert_num_queries(0):
            cached = api_client.get("/api/v1/home").json()["marketing_center"]
        assert cached == first

        pricing_rules_bump()  # what every promotion and coupon service calls
        fresh = api_client.get("/api/v1/home").json()["marketing_center"]
    assert _titles(fresh["upcoming"]) == ["新活动"]
