"""GET topics (F25): the listed topics' cards for the mini-program, documented in the OpenAPI
schema; a topic itself opens through GET pages/{slug} with its guide block resolved."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import User
from drf_spectacular.generators import SchemaGenerator
from rest_framework.test import APIClient

from mall.models import Category, Product, Sku
from marketing.services.pages import PageData, page_create, page_publish, page_save
from marketing.services.topics import TopicData, topic_set

pytestmark = pytest.mark.django_db


def test_the_topic_list_and_a_topic_page(staff: User, django_assert_max_num_queries: Any) -> None:
    category = Category.objects.create(name="文具")
    lamp = Product.objects.create(category=category, title="护眼台灯", min_price=12900)
    Sku.objects.create(product=lamp, code="LAMP", price=12900, stock=0)
    page = page_create(actor=staff, data=PageData(title="开学季必备", slug="back-to-school", share_title="开学啦"))
    body = f"新学期开始了。\n\n## 书桌\n\n[商品:{lamp.pk}]"
    page_save(actor=staff, page_id=page.pk, blocks=[{"type": "guide", "settings": {"body": body}}])
    page_publish(actor=staff, page_id=page.pk)
    topic_set(actor=staff, page_id=page.pk, data=TopicData(subtitle="书桌一次备齐", cover="/media/t/s.jpg"))

    with django_assert_max_num_queries(1):
        answer = APIClient().get("/api/v1/topics")
    assert answer.status_code == 200
    (card,) = answer.json()["results"]
    assert {k: card[k] for k in ("id", "slug", "title", "subtitle", "cover", "share_title")} == {
        "id": page.pk,
        "slug": "back-to-school",
        "title": "开学季必备",
        "subtitle": "书桌一次备齐",
        "cover": "/media/t/s.jpg",
        "share_title": "开学啦",
    }
    topic = APIClient().get("/api/v1/pages/back-to-school").json()
    items = topic["blocks"][0]["data"]["items"]
    assert [i["kind"] for i in items] == ["text", "heading", "product"]
    assert items[2]["product"]["min_price"] == 12900 and items[2]["product"]["in_stock"] is False


def test_topics_are_in_the_schema() -> None:
    schema = SchemaGenerator().get_schema(request=None, public=True)
    operation = schema["paths"]["/api/v1/topics"]["get"]
    assert operation["operationId"] == "topics_list"
    ref = operation["responses"]["200"]["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[-1]
    results = schema["components"]["schemas"][ref]["properties"]["results"]
    card = schema["components"]["schemas"][results["items"]["$ref"].rsplit("/", 1)[-1]]
    assert set(card["properties"]) == {"id", "slug", "title", "subtitle", "cover", "share_title", "published_at"}
    assert "guide" in schema["components"]["schemas"]["CampaignPageBlock"]["properties"]["data"]["description"]
