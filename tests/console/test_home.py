"""The console home page: real figures for staff who may read orders, in a bounded number of queries."""

from __future__ import annotations

import datetime as dt
import json
import re
from html import unescape
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from orders.models import OrderStatus
from tests.console.factories import member_at, order_at

SH = ZoneInfo("Asia/Shanghai")
NOW = dt.datetime(2026, 6, 18, 20, 0, tzinfo=SH)

pytestmark = pytest.mark.django_db


def _kpi(html: str, key: str) -> str:
    match = re.search(rf'data-testid="kpi-{key}">([^<]*)<', html)
    assert match, key
    return match.group(1).strip()


def _chart(html: str, kind: str) -> dict:
    match = re.search(rf'data-type="{kind}" data-value="([^"]*)"', html)
    assert match, kind
    return json.loads(unescape(match.group(1)))


@time_machine.travel(NOW, tick=False)
def test_home_shows_todays_figures_and_thirty_day_charts(owner, console_client, django_assert_max_num_queries):
    order_at(NOW - dt.timedelta(hours=3), paid_at=NOW - dt.timedelta(hours=3), payable=129_900)
    order_at(NOW - dt.timedelta(hours=1), paid_at=NOW - dt.timedelta(minutes=50), payable=5_050)
    order_at(NOW - dt.timedelta(minutes=5))
    order_at(
        NOW - dt.timedelta(days=2),
        paid_at=NOW - dt.timedelta(days=2),
        status=OrderStatus.CANCELLED,
        needs_attention=True,
    )
    member_at(NOW - dt.timedelta(minutes=1))
    client = console_client(owner)

    with django_assert_max_num_queries(12):
        response = client.get(reverse("admin:index"))

    html = response.content.decode()
    assert response.status_code == 200
    assert "经营概况" in html
    assert _kpi(html, "orders_placed") == "3"
    assert _kpi(html, "paid_gmv") == "¥1,349.50"
    # three order shoppers joined when they ordered today (two) or two days ago, plus one more
    assert _kpi(html, "new_members") == "4"
    assert _kpi(html, "pending_shipments") == "2"
    assert _kpi(html, "needs_attention") == "1"
    gmv = _chart(html, "line")
    assert len(gmv["labels"]) == 30 and gmv["labels"][-1] == "06-18"
    assert gmv["datasets"][0]["data"][-1] == 1349.5
    assert gmv["datasets"][0]["data"][-3] == 59.0
    orders = _chart(html, "bar")
    assert orders["datasets"][0]["data"][-1] == 3
    assert orders["datasets"][1]["data"][-1] == 2


@time_machine.travel(NOW, tick=False)
def test_home_query_count_does_not_grow_with_orders(owner, console_client, django_assert_max_num_queries):
    client = console_client(owner)
    client.get(reverse("admin:index"))  # warm per-process caches (content types, permissions)
    for hour in range(40):
        order_at(NOW - dt.timedelta(hours=hour), paid_at=NOW - dt.timedelta(hours=hour))
    with django_assert_max_num_queries(12):
        response = client.get(reverse("admin:index"))
    assert response.status_code == 200
    assert _kpi(response.content.decode(), "pending_shipments") == "40"


def test_home_cards_link_to_the_order_backlog(staff_factory, console_client):
    html = console_client(staff_factory("customer_service")).get(reverse("admin:index")).content.decode()
    order_list = reverse("admin:orders_order_changelist")
    assert f'href="{order_list}?status__exact=paid"' in html
    assert f'href="{order_list}?needs_attention__exact=1"' in html
    assert "角色：客服" in html


def test_staff_without_order_access_sees_no_figures(db, console_client):
    from django.contrib.auth.models import User

    user = User.objects.create_user(username="intern", password="x-pass-1234", is_staff=True)
    html = console_client(user).get(reverse("admin:index")).content.decode()
    assert 'data-testid="no-figures"' in html
    assert 'data-testid="kpis"' not in html


def test_anonymous_visitors_are_sent_to_login(client):
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


def test_logging_in_at_the_login_page_lands_on_the_home_page(owner, client):
    """unfold's login form posts no "next"; LOGIN_REDIRECT_URL keeps staff off /accounts/profile/."""
    response = client.post(reverse("admin:login"), {"username": "boss", "password": "boss-pass-123"})
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:index")
