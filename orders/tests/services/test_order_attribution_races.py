"""Attribution written once under concurrency (issue 15): a backfill racing the payment's own write,
and many callers attributing one order or one refund at once, leave exactly one set of rows.

It lives with the orders' race tests (not in analytics/tests) so that, like them, its database
flush runs after the demo tests that read the rows the migrations created."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.db import connection

from analytics.models import LineFigure, OrderTouch
from analytics.services.attribution import order_attribute, refund_attribute
from mall.models import Sku
from mall.tests.concurrency import run_in_threads
from marketing.services.promotions import promotion_create
from marketing.tests.conftest import pay, place, promotion_data
from members.models import Member
from orders.services.refunds import refund_create
from orders.tests.factories import SkuFactory

pytestmark = [pytest.mark.race, pytest.mark.django_db(transaction=True)]


def test_many_writers_attribute_an_order_and_its_refund_once(shop: object, staff: User, member: Member) -> None:
    promotion_create(actor=staff, data=promotion_data())  # 满100减15
    lipstick: Sku = SkuFactory.create(price=10000, stock=10)
    order = pay(place(member, [(lipstick, 2)]))
    paid_rows = sorted(OrderTouch.objects.filter(order=order).values_list("tool", "discount", "gmv"))
    OrderTouch.objects.filter(order=order).delete()
    LineFigure.objects.filter(order=order).delete()
    connection.close()

    written = run_in_threads(12, lambda i: order_attribute(order_id=order.pk))

    assert sorted(r for r in written if r) == [3] and written.count(0) == 11  # 满减, 包邮, one line
    assert sorted(OrderTouch.objects.filter(order=order).values_list("tool", "discount", "gmv")) == paid_rows
    refund = refund_create(order_id=order.pk, lines=None, reason="全部退", actor=staff)
    OrderTouch.objects.filter(order=order, refund_key=refund.pk).delete()
    LineFigure.objects.filter(order=order, refund_key=refund.pk).delete()
    connection.close()

    again = run_in_threads(12, lambda i: refund_attribute(refund_id=refund.pk))

    assert sorted(r for r in again if r) == [3] and again.count(0) == 11
    assert sum(OrderTouch.objects.filter(order=order).values_list("gmv", flat=True)) == 0
    assert sum(LineFigure.objects.filter(order=order).values_list("units", flat=True)) == 0
