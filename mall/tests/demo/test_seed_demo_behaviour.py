"""The demo's behaviour history: every chart of 行为分析 has figures, and a second run adds nothing."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from django.utils import translation

from analytics.console.behaviour import behaviour_context
from analytics.models import BehaviourEvent, DeviceLink, PageDay, PathDay
from mall.demo.behaviour import build_behaviour
from marketing.models import FlashSlot
from members.tests.factories import MemberFactory
from orders.tests.factories import SkuFactory

TODAY = date(2026, 11, 30)


@pytest.mark.django_db
def test_the_demo_fills_every_behaviour_chart() -> None:
    for _ in range(5):
        SkuFactory.create()
    FlashSlot.objects.create(
        title="午间秒杀",
        starts_at=datetime(2026, 11, 20, 12, tzinfo=UTC),
        ends_at=datetime(2026, 11, 20, 13, tzinfo=UTC),
    )
    MemberFactory.create(openid="dev-demo-0001")
    counts = build_behaviour(seed=1, days=14, today=TODAY)
    assert counts["behaviour events"] == BehaviourEvent.objects.count() > 1000
    assert PageDay.objects.filter(day=TODAY).exists() and PathDay.objects.exists()
    assert DeviceLink.objects.count() == 1

    with translation.override("zh-hans"):
        context = behaviour_context(days=30, today=TODAY)
    overall = context["funnels"][0]
    assert overall["viewers"] > overall["carters"] > overall["checkouts"] > overall["payers"] > 0
    assert any(row["tool"] == "秒杀" and row["campaign"] == "午间秒杀" for row in context["funnels"][1:])
    assert all(reason["leaves"] > 0 for reason in context["reasons"])
    assert context["paths"] and context["paths"][0]["steps"][0] == "首页"
    assert context["has_activity"]

    assert build_behaviour(seed=1, days=14, today=TODAY) == {"behaviour events": 0}
