"""The topic funnel (F25) is complete: cart adds and checkout starts sent with ``tool=topic`` and
the page id roll up into the topic's 加购人数 / 结算人数 next to its views, and the page editor
leads to the topic settings (设为专题, 专题设置 once it is one)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse
from django.utils import translation

from analytics.services.rollups import rollup_day
from analytics.tests.factories import CHECKOUT, PRODUCT, make_event
from marketing.models import CampaignPage
from marketing.selectors.topics import topic_report
from marketing.services.pages import PageData, page_create, page_publish
from marketing.services.topics import TopicData, topic_set

pytestmark = pytest.mark.django_db

SH = dt.timezone(dt.timedelta(hours=8))
NOW = dt.datetime(2026, 8, 25, 20, 0, tzinfo=SH)
TOPIC_PAGE = "package-topic/page/index"


@pytest.fixture(autouse=True)
def frozen() -> Any:
    with time_machine.travel(NOW, tick=False), translation.override("zh-hans"):
        yield


@pytest.fixture
def owner(staff: User) -> Client:
    client = Client()
    client.force_login(staff)
    return client


def _topic(staff: User) -> CampaignPage:
    page = page_create(actor=staff, data=PageData(title="开学季必备", slug="back-to-school"))
    page_publish(actor=staff, page_id=page.pk)
    topic_set(actor=staff, page_id=page.pk, data=TopicData(subtitle="书桌一次备齐"))
    return page


def test_cart_adds_and_checkouts_after_a_topic_fill_its_funnel(staff: User, owner: Client) -> None:
    page = _topic(staff)
    topic: dict[str, Any] = {"tool": "topic", "campaign_id": page.pk}
    day = NOW.date()
    for anon, steps in (("A", 3), ("B", 2), ("C", 1), ("D", 3)):
        at = dt.time(10, ord(anon) - 60)
        make_event("page_view", day=day, at=at, anon=anon, session=anon, page=TOPIC_PAGE, dwell_ms=3000, **topic)
        if steps >= 2:
            make_event("add_to_cart", day=day, at=at, anon=anon, session=anon, page=PRODUCT, product_id=7, **topic)
        if steps >= 3:
            make_event("checkout_start", day=day, at=at, anon=anon, session=anon, page=CHECKOUT, **topic)
    # a flash checkout is the flash sale's, not the topic's
    make_event("checkout_start", day=day, at=dt.time(11, 0), anon="B", session="B", page=CHECKOUT, tool="flash")
    rollup_day(day=day)

    (figures,) = topic_report(start=day, end=day)
    assert (figures.views, figures.visitors, figures.carters, figures.checkouts) == (4, 4, 3, 2)

    html = owner.get(reverse("console:marketing_topics")).content.decode()
    assert "加购人数" in html and "结算人数" in html
    row = html[html.index(f'data-page-id="{page.pk}"') :]
    row = row[: row.index("</tr>")]
    assert 'data-testid="topic-carters">3<' in row and 'data-testid="topic-checkouts">2<' in row


def test_the_page_editor_leads_to_the_topic_settings(staff: User, owner: Client) -> None:
    page = page_create(actor=staff, data=PageData(title="出差便携套装", slug="business-trip"))
    editor = reverse("console:marketing_page_editor", args=[page.pk])
    settings_url = reverse("console:marketing_topic_edit", args=[page.pk])

    html = owner.get(editor).content.decode()
    link = html[html.index('data-testid="page-topic-link"') - 120 :]
    assert f'href="{settings_url}"' in link[: link.index("</a>")] and "设为专题" in link[: link.index("</a>")]
    assert owner.get(settings_url).status_code == 200

    topic_set(actor=staff, page_id=page.pk, data=TopicData(subtitle="一个背包装下"))
    html = owner.get(editor).content.decode()
    link = html[html.index('data-testid="page-topic-link"') :]
    assert "专题设置" in link[: link.index("</a>")] and "设为专题" not in link[: link.index("</a>")]
