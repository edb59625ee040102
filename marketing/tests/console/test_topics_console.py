"""The topics console (F25, 营销 › 专题页): each topic's list state and figures in yuan, the card
form (saved through the services, refused in Chinese per field), taking a page off the topics,
picking a page to become one, the sidebar entry, and who may do what."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse
from django.utils import translation

from analytics.models import FunnelDay, Tool, ToolDailyFigure
from mall.models import AuditLog
from mall.services.staff import staff_create
from marketing.models import CampaignPage, TopicPage
from marketing.services.pages import PageData, page_create, page_publish, page_schedule
from marketing.services.topics import TopicData, topic_set

pytestmark = pytest.mark.django_db

SH = dt.timezone(dt.timedelta(hours=8))
NOW = dt.datetime(2026, 8, 25, 10, 0, tzinfo=SH)


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture(autouse=True)
def frozen() -> Any:
    with time_machine.travel(NOW, tick=False), translation.override("zh-hans"):
        yield


@pytest.fixture
def owner(staff: User) -> Client:
    return _client(staff)


def _page(staff: User, slug: str, title: str, publish: bool = True) -> CampaignPage:
    page = page_create(actor=staff, data=PageData(title=title, slug=slug))
    if publish:
        page_publish(actor=staff, page_id=page.pk)
    return page


def test_the_list_shows_each_topic_with_its_figures_in_yuan(staff: User, owner: Client) -> None:
    school = _page(staff, "back-to-school", "开学季必备")
    trip = _page(staff, "business-trip", "出差便携套装", publish=False)
    topic_set(actor=staff, page_id=school.pk, data=TopicData(subtitle="书桌一次备齐", sort_order=9))
    topic_set(actor=staff, page_id=trip.pk, data=TopicData(listed_until=NOW + dt.timedelta(days=3)))
    day = NOW.date()
    for offset, views, viewers in ((0, 40, 30), (1, 20, 15), (40, 999, 999)):  # the last is outside 30 days
        FunnelDay.objects.create(
            day=day - dt.timedelta(days=offset), tool="topic", campaign_id=school.pk, views=views, viewers=viewers
        )
    ToolDailyFigure.objects.create(day=day, tool=Tool.TOPIC, object_id=school.pk, orders=3, gmv=123450)
    page_schedule(actor=staff, page_id=trip.pk, publish_at=NOW + dt.timedelta(days=1), unpublish_at=None)

    html = owner.get(reverse("console:marketing_topics")).content.decode()
    assert html.index("开学季必备") < html.index("出差便携套装")  # sort order
    row = html[html.index(f'data-page-id="{school.pk}"') :]
    row = row[: row.index("</tr>")]
    assert "书桌一次备齐" in row and "列表中" in row and "发布期间一直显示" in row
    assert ">60<" in row and ">45<" in row and ">3<" in row  # views, visitors, orders over 30 days
    assert "¥1,234.50" in row and "6.7%" in row and "123450" not in row  # yuan, orders ÷ visitors
    other = html[html.index(f'data-page-id="{trip.pk}"') :]
    assert "2026-08-26 10:00 定时发布" in other[: other.index("</tr>")] and "¥0.00" in other and "—" in other
    week = owner.get(reverse("console:marketing_topics") + "?days=7").content.decode()
    assert "¥1,234.50" in week and "近 7 天" in week
    sidebar = owner.get(reverse("admin:index")).content.decode()
    assert reverse("console:marketing_topics") in sidebar


def test_the_card_form_saves_refuses_in_chinese_and_removes(staff: User, owner: Client) -> None:
    page = _page(staff, "back-to-school", "开学季必备")
    url = reverse("console:marketing_topic_edit", args=[page.pk])
    assert "专题设置：开学季必备" in owner.get(url).content.decode()

    refused = owner.post(url, {"op": "save", "cover": "javascript:alert(1)", "subtitle": "", "sort_order": "1"})
    assert refused.status_code == 200 and "封面须为 https:// 开头或本站 / 开头的图片地址。" in refused.content.decode()
    window = {
        "listed_from_0": "2026-09-01",
        "listed_from_1": "08:00",
        "listed_until_0": "2026-08-30",
        "listed_until_1": "08:00",
    }
    refused = owner.post(url, {"op": "save", "sort_order": "1", **window})
    assert "下架列表时间须晚于上架列表时间。" in refused.content.decode()
    assert not TopicPage.objects.exists()

    saved = owner.post(
        url,
        {
            "op": "save",
            "cover": "/media/t/s.jpg",
            "subtitle": "书桌一次备齐",
            "sort_order": "7",
            "listed_from_0": "2026-09-01",
            "listed_from_1": "08:00",
        },
    )
    assert saved.status_code == 302 and saved["Location"] == reverse("console:marketing_topics")
    topic = TopicPage.objects.get(page=page)
    assert (topic.cover, topic.subtitle, topic.sort_order) == ("/media/t/s.jpg", "书桌一次备齐", 7)
    assert topic.listed_from == dt.datetime(2026, 9, 1, 8, 0, tzinfo=SH)  # the shop's time
    listed = owner.get(reverse("console:marketing_topics")).content.decode()
    assert "待上架" in listed and "2026-09-01 08:00" in listed

    removed = owner.post(url, {"op": "remove"})
    assert removed.status_code == 302 and not TopicPage.objects.exists()
    assert list(
        AuditLog.objects.filter(action__startswith="topic.").order_by("pk").values_list("action", flat=True)
    ) == [
        "topic.create",
        "topic.remove",
    ]


def test_picking_a_page_opens_its_topic_form(staff: User, owner: Client) -> None:
    page = _page(staff, "summer", "清凉一夏", publish=False)
    home = page_create(actor=staff, data=PageData(title="首页", slug="index", is_home=True))
    listing = owner.get(reverse("console:marketing_topics")).content.decode()
    assert "清凉一夏" in listing and f'value="{home.pk}"' not in listing  # the home page is not offered
    picked = owner.post(reverse("console:marketing_topics"), {"page": page.pk})
    assert picked["Location"] == reverse("console:marketing_topic_edit", args=[page.pk])
    assert (
        "请选择一个活动页面。"
        in owner.post(reverse("console:marketing_topics"), {"page": ""}, follow=True).content.decode()
    )


def test_who_may_do_what(staff: User) -> None:
    page = _page(staff, "back-to-school", "开学季必备")
    service = _client(staff_create(username="kefu", password="staff-pass-123", role="customer_service", actor=staff))
    operator = _client(staff_create(username="ops9", password="staff-pass-123", role="operator", actor=staff))
    url = reverse("console:marketing_topic_edit", args=[page.pk])
    assert service.get(reverse("console:marketing_topics")).status_code == 403
    assert service.post(url, {"op": "save", "sort_order": "1"}).status_code == 403
    assert operator.post(url, {"op": "save", "sort_order": "1"}).status_code == 302
    assert TopicPage.objects.get().sort_order == 1
    assert owner_missing_page(operator) == 404


def owner_missing_page(client: Client) -> int:
    return client.get(reverse("console:marketing_topic_edit", args=[999999])).status_code
