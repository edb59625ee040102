"""``seed_demo`` makes the tiers lane visible: growth from completed history, a points mall, 白银 for sale."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.db.models import Sum

from members.models import GrowthEntry, PointsMallItem, TierRule
from orders.models import Order, OrderStatus

pytestmark = pytest.mark.django_db


def test_seed_demo_fills_growth_and_the_points_mall_once() -> None:
    call_command("seed_demo", "--shoppers", "20", "--days", "30", stdout=StringIO())
    completed = Order.objects.filter(status=OrderStatus.COMPLETED, refunded_amount=0)
    assert GrowthEntry.objects.count() >= completed.count() > 0
    one = completed.first()
    assert one is not None
    entry = GrowthEntry.objects.get(source="order", source_id=one.no)
    assert (entry.member_id, entry.orders, entry.occurred_at) == (one.member_id, 1, one.completed_at)
    assert entry.amount == one.lines.aggregate(total=Sum("paid_amount"))["total"]
    assert [i.name for i in PointsMallItem.objects.order_by("sort")] == [
        "5 元无门槛券",
        "满 100 减 20 券",
        "20 元无门槛券",
    ]
    assert TierRule.objects.get(tier="silver").points_price == 3000
    for item in PointsMallItem.objects.select_related("coupon_template"):
        assert item.redeemed_count == 2 == item.redemptions.count()
        assert item.coupon_template is not None and item.coupon_template.issued_count == 2
    assert TierRule.objects.get(tier="diamond").free_shipping_per_month == 2
    before = (GrowthEntry.objects.count(), PointsMallItem.objects.count())
    call_command("seed_demo", "--shoppers", "20", "--days", "30", stdout=StringIO())
    assert (GrowthEntry.objects.count(), PointsMallItem.objects.count()) == before
