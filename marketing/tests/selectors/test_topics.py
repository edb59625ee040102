"""Topic pages (F25), read side: the listed topics (published, in their window, in order, one
query then cached until something changes by hand or by the clock) and the topic report read
from real rollups: page views sent with tool=topic through the events API and orders placed with
``src=topic:<page>`` through checkout and payment."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
import time_machine
from django.contrib.auth.models import User
from rest_framework.test import APIClient

from analytics.models import FunnelDay, OrderTouch
from analytics.services.figure_rollups import figures_rollup
from analytics.services.ingest import events_drain
from analytics.services.rollups import rollup_day
from mall.models import Sku
from marketing.models import CampaignPage
from marketing.selectors.topics import topic_list_data, topic_report
from marketing.services.pages import PageData, page_create, page_publish, page_save, page_unpublish, page_update
from marketing.services.topics import TopicData, topic_set
from marketing.tests.conftest import pay, place
from members.models import Member
from members.tests.factories import MemberFactory

pytestmark = pytest.mark.django_db

SH = dt.timezone(dt.timedelta(hours=8))
NOW = dt.datetime(2026, 8, 25, 10, 0, tzinfo=SH)
DAY = NOW.date()


@pytest.fixture
def frozen() -> Iterator[Any]:
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def make_topic(
    staff: User, slug: str, *, publish: bool = True, blocks: list[dict[str, Any]] | None = None, **card: Any
) -> CampaignPage:
    page = page_create(actor=staff, data=PageData(title=f"专题 {slug}", slug=slug))
    page_save(actor=staff, page_id=page.pk, blocks=blocks or [{"type": "divider", "settings": {}}])
    if publish:
        page_publish(actor=staff, page_id=page.pk)
    topic_set(actor=staff, page_id=page.pk, data=TopicData(**card))
    return page


def test_the_list_holds_published_topics_in_window_in_order(
    frozen: Any, staff: User, django_assert_num_queries: Any
) -> None:
    low = make_topic(staff, "low", sort_order=1, subtitle="慢慢逛")
    high = make_topic(staff, "high", sort_order=9, cover="/media/t/high.jpg")
    make_topic(staff, "draft", publish=False, sort_order=50)  # not published: not listed
    later = make_topic(staff, "later", sort_order=5, listed_from=NOW + dt.timedelta(hours=2))
    make_topic(staff, "gone", sort_order=5, listed_until=NOW - dt.timedelta(minutes=1))
    plain = page_create(actor=staff, data=PageData(title="不是专题", slug="plain"))
    page_publish(actor=staff, page_id=plain.pk)

    with django_assert_num_queries(1):
        cards = topic_list_data()
    assert [c["slug"] for c in cards] == ["high", "low"]
    assert cards[0] == {
        "id": high.pk,
        "slug": "high",
        "title": "专题 high",
        "subtitle": "",
        "cover": "/media/t/high.jpg",
        "share_title": "专题 high",
        "published_at": NOW.isoformat(),
    }
    assert cards[1]["subtitle"] == "慢慢逛" and cards[1]["id"] == low.pk
    with django_assert_num_queries(0):
        assert topic_list_data() == cards  # cached

    frozen.shift(dt.timedelta(hours=2))  # "later" enters its window: the entry expired by itself
    assert [c["slug"] for c in topic_list_data()] == ["high", "later", "low"]
    topic_set(actor=staff, page_id=later.pk, data=TopicData(sort_order=20))  # an edit shows at once
    assert [c["slug"] for c in topic_list_data()] == ["later", "high", "low"]
    frozen.shift(dt.timedelta(seconds=1))  # the cache version is the clock's ns: a frozen clock would repeat it
    page_unpublish(actor=staff, page_id=high.pk)  # unpublishing takes it off the list
    assert [c["slug"] for c in topic_list_data()] == ["later", "low"]
    frozen.shift(dt.timedelta(seconds=1))
    page_update(actor=staff, page_id=low.pk, data=PageData(title="首页", slug="low", is_home=True))
    assert [c["slug"] for c in topic_list_data()] == ["later"]  # the home page is the home tab's, not a topic


def _page_view(client: APIClient, anon: str, page_id: int, dwell: int = 2000) -> None:
    event = {
        "name": "page_view",
        "session": f"s-{anon}",
        "ts": int(NOW.timestamp() * 1000),
        "props": {"page": "package-topic/page/index", "tool": "topic", "campaign_id": page_id, "dwell_ms": dwell},
    }
    answer = client.post("/api/v1/events/batch", {"anon_id": anon, "events": [event, event]}, format="json")
    assert answer.status_code == 202 and answer.json()["rejected"] == []


def test_the_report_counts_views_visitors_orders_and_gmv_of_each_topic(
    frozen: Any, redis_client: Any, shop: Any, staff: User, lipstick: Sku, member: Member
) -> None:
    school = make_topic(staff, "back-to-school", sort_order=2)
    trip = make_topic(staff, "business-trip", sort_order=1)
    client = APIClient()
    for anon in ("dev-aaaa", "dev-bbbb", "dev-cccc"):
        _page_view(client, anon, school.pk)  # two views each
    _page_view(client, "dev-dddd", trip.pk)
    assert events_drain(consumer="t") == 8
    rollup_day(day=DAY)
    assert FunnelDay.objects.get(day=DAY, tool="topic", campaign_id=school.pk).views == 6

    first = pay(place(member, [(lipstick, 1)], src=f"topic:{school.pk}"))
    second = pay(place(MemberFactory.create(), [(lipstick, 2)], src=f"topic:{school.pk}"))
    pay(place(member, [(lipstick, 1)], src="share"))  # another source: not the topic's
    touch = OrderTouch.objects.get(order=first, tool="topic")
    assert (touch.object_id, touch.object_name) == (school.pk, "专题 back-to-school")
    figures_rollup(start=DAY, end=DAY)

    report = {f.topic.page_id: f for f in topic_report(start=DAY - dt.timedelta(days=6), end=DAY)}
    got = report[school.pk]
    assert (got.views, got.visitors, got.orders, got.gmv) == (6, 3, 2, first.payable_amount + second.payable_amount)
    assert got.conversion == pytest.approx(2 / 3)
    assert (report[trip.pk].views, report[trip.pk].visitors, report[trip.pk].orders) == (2, 1, 0)
    assert report[trip.pk].conversion == 0
    before = topic_report(start=DAY - dt.timedelta(days=30), end=DAY - dt.timedelta(days=1))
    assert {(f.views, f.orders, f.conversion) for f in before} == {(0, 0, None)}


def test_the_report_is_three_queries_whatever_the_topics(
    frozen: Any, staff: User, django_assert_num_queries: Any
) -> None:
    for n in range(4):
        make_topic(staff, f"t{n}")
    with django_assert_num_queries(3):
        assert len(topic_report(start=DAY, end=DAY)) == 4
