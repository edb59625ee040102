"""``seed_demo`` shows two topics, "开学季必备" and "出差便携套装": published pages whose guide block
carries the demo's own products inline, listed in the mini-program in their order, made once."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User

from mall.demo.shop import build_catalogue
from mall.demo.topics import SCHOOL_SLUG, TRAVEL_SLUG, build_topics
from marketing.models import TopicPage
from marketing.selectors.pages import page_published_data
from marketing.selectors.topics import topic_list_data

pytestmark = pytest.mark.django_db


def test_the_demo_makes_two_listed_topics_with_guides_once() -> None:
    User.objects.create_superuser(username="owner", password="x")
    build_catalogue(seed=1)

    assert build_topics() == {"topic pages": 2}

    cards = topic_list_data()
    assert [(c["slug"], c["title"]) for c in cards] == [(SCHOOL_SLUG, "开学季必备"), (TRAVEL_SLUG, "出差便携套装")]
    assert all(c["subtitle"] and c["cover"] for c in cards)
    for slug, expected in ((SCHOOL_SLUG, "护眼智能台灯"), (TRAVEL_SLUG, "20W PD 快充充电器")):
        guide = page_published_data(key=slug)["blocks"][0]
        assert guide["type"] == "guide"
        kinds = [item["kind"] for item in guide["data"]["items"]]
        assert kinds.count("heading") == 3 and kinds.count("product") >= 4
        titles = [item["product"]["title"] for item in guide["data"]["items"] if item["kind"] == "product"]
        assert any(title.startswith(expected) for title in titles)
    assert build_topics() == {"topic pages": 0}
    assert TopicPage.objects.count() == 2
