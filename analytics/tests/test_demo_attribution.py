"""The demo shop's history is attributed (issue 15 §4): every chart of 营销效果 has data on ``make run``."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from analytics.models import BehaviourEvent, Event, OrderTouch, ProductDailyFigure, ProductDay, ToolDailyFigure
from analytics.selectors.attribution import product_figures
from mall.models import Sku
from marketing.models import InviteOrder
from orders.models import Order

pytestmark = pytest.mark.django_db


def test_the_demo_history_is_attributed_once() -> None:
    call_command("seed_demo", "--shoppers", "20", "--days", "10", stdout=StringIO())
    tools = set(OrderTouch.objects.values_list("tool", flat=True))
    assert {"promotion", "coupon", "flash", "group_buy", "bargain", "distribution", "direct"} <= tools
    invited = set(InviteOrder.objects.filter(order__paid_at__isnull=False).values_list("order_id", flat=True))
    assert set(OrderTouch.objects.filter(tool="invite").values_list("order_id", flat=True)) == invited
    paid = Order.objects.filter(paid_at__isnull=False).exclude(status="cancelled")
    assert set(OrderTouch.objects.filter(refund_key=0).values_list("order_id", flat=True)) == set(
        paid.values_list("pk", flat=True)
    )
    assert OrderTouch.objects.filter(refund_key__gt=0).exists()  # the failed group's refunds came back
    assert not Sku.objects.filter(cost_price__isnull=True).exists()
    assert ToolDailyFigure.objects.filter(cost__gt=0).exists() and ProductDailyFigure.objects.exists()
    # product views are behaviour events rolled up per day: the rollups agree with the events
    # and the product figures read them, so conversion has visitors to divide by
    views = BehaviourEvent.objects.filter(name="page_view", product_id__isnull=False).count()
    assert views > 0 and sum(ProductDay.objects.values_list("views", flat=True)) == views
    today = timezone.localdate()
    figures = product_figures(start=today - dt.timedelta(days=29), end=today)
    sold = [f for f in figures if f.buyers > 0]
    assert sold and all(f.visitors > 0 and f.conversion is not None for f in sold)
    before = OrderTouch.objects.count(), Event.objects.count(), BehaviourEvent.objects.count()
    out = StringIO()
    call_command("seed_demo", "--shoppers", "20", "--days", "10", stdout=out)
    assert (OrderTouch.objects.count(), Event.objects.count(), BehaviourEvent.objects.count()) == before
    assert "nothing changed" in out.getvalue()
