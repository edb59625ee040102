"""The feed (推荐 / 最新, by topic, by product, keyset-paged), the 已购 badge, invitable products
and the invitation after an order completes — each list in a pinned number of queries."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.utils import timezone

from marketing.community_errors import PostInvalid
from marketing.models import CommunityPost
from marketing.selectors.community import community_feed, community_invitable_products
from marketing.services.community import community_post_like
from marketing.services.community_rank import rank_score
from marketing.tests.community.helpers import (
    completed_order,
    make_product,
    paid_order,
    published_post,
    topic,
)
from members.models import Member, Message
from members.tests.factories import MemberFactory
from orders.services.refunds import refund_create

pytestmark = pytest.mark.django_db


def test_rank_score_weighs_engagement_against_age() -> None:
    now = timezone.now()
    fresh = rank_score(likes=0, comments=0, favourites=0, featured=False, published_at=now)
    older_liked = rank_score(likes=7, comments=0, favourites=0, featured=False, published_at=now - timedelta(hours=12))
    older_more = rank_score(likes=20, comments=5, favourites=4, featured=False, published_at=now - timedelta(hours=12))
    assert older_liked < fresh < older_more  # 12.5 h of age weighs as much as ten times the engagement
    assert rank_score(likes=0, comments=0, favourites=0, featured=True, published_at=now) == pytest.approx(fresh + 1)
    assert rank_score(likes=5, comments=5, favourites=5, featured=False, published_at=None) == 0.0


def test_recommended_puts_engaging_posts_first_and_recent_the_newest(member: Member) -> None:
    start = timezone.now()
    with time_machine.travel(start - timedelta(hours=2), tick=False):
        popular = published_post(member, text="爆款")
    with time_machine.travel(start, tick=False):
        quiet = published_post(member, text="新帖")
    for fan in MemberFactory.create_batch(5):
        community_post_like(member=fan, post_id=popular.pk)

    recommended = [v.post.pk for v in community_feed(viewer=None, sort="recommended").posts]
    recent = [v.post.pk for v in community_feed(viewer=None, sort="recent").posts]
    assert recommended == [popular.pk, quiet.pk]
    assert recent == [quiet.pk, popular.pk]


@pytest.mark.parametrize("sort", ["recommended", "recent"])
def test_cursor_paging_walks_every_post_once_in_a_fixed_number_of_queries(
    member: Member, other_member: Member, sort: str, django_assert_max_num_queries: Any
) -> None:
    cream = make_product()
    skincare = topic()
    start = timezone.now()
    for i in range(7):
        with time_machine.travel(start + timedelta(minutes=i), tick=False):
            published_post(member, text=f"第 {i} 篇", images=2, product_ids=[cream.pk], topic_ids=[skincare.pk])
    community_post_like(member=other_member, post_id=CommunityPost.objects.order_by("pk")[3].pk)

    seen: list[int] = []
    cursor = ""
    while True:
        with django_assert_max_num_queries(7):
            page = community_feed(viewer=other_member, sort=sort, limit=3, cursor=cursor)
        seen += [v.post.pk for v in page.posts]
        if page.next_cursor is None:
            break
        cursor = page.next_cursor
    assert sorted(seen) == sorted(CommunityPost.objects.values_list("pk", flat=True)) and len(seen) == 7


def test_topic_and_product_filters_and_a_bad_cursor(member: Member) -> None:
    cream, lipstick = make_product("面霜"), make_product("口红")
    skincare, makeup = topic(), topic("makeup", "彩妆")
    about_cream = published_post(member, product_ids=[cream.pk], topic_ids=[skincare.pk])
    about_lipstick = published_post(member, product_ids=[lipstick.pk], topic_ids=[makeup.pk])
    published_post(member)

    assert [v.post.pk for v in community_feed(viewer=None, topic="makeup").posts] == [about_lipstick.pk]
    assert [v.post.pk for v in community_feed(viewer=None, product_id=cream.pk, limit=3).posts] == [about_cream.pk]
    with pytest.raises(PostInvalid):
        community_feed(viewer=None, cursor="abc")
    with pytest.raises(PostInvalid):
        community_feed(viewer=None, sort="hot")


def test_the_purchased_badge_follows_paid_orders_and_refunds(member: Member) -> None:
    cream, lipstick = make_product("面霜"), make_product("口红")
    order = paid_order(member, cream)
    post = published_post(member, product_ids=[cream.pk, lipstick.pk])

    (view,) = community_feed(viewer=None).posts
    assert view.post.pk == post.pk and view.purchased_product_ids == {cream.pk}

    refund_create(order_id=order.pk, lines=None, reason="不想要了", actor=None)
    (view,) = community_feed(viewer=None).posts
    assert view.purchased_product_ids == set()


def test_invitable_lists_completed_products_without_a_post(member: Member, django_assert_max_num_queries: Any) -> None:
    cream, lipstick, mask = make_product("面霜"), make_product("口红"), make_product("面膜")
    completed_order(member, cream)
    completed_order(member, lipstick)
    paid_order(member, mask)  # not completed yet
    published_post(member, product_ids=[lipstick.pk])

    with django_assert_max_num_queries(2):
        rows = community_invitable_products(member=member)
    assert [r.product.pk for r in rows] == [cream.pk]


def test_a_completed_order_invites_its_shopper_to_post(member: Member) -> None:
    cream = make_product("保湿面霜")
    completed_order(member, cream)
    message = Message.objects.get(member=member, kind="community_invite")
    assert message.title == "晒单赢积分" and "保湿面霜" in message.body
    assert message.link.startswith(f"/package-community/compose/index?product_id={cream.pk}")

    published_post(member, product_ids=[cream.pk])
    completed_order(member, cream)  # already posted about: no second invitation
    assert Message.objects.filter(member=member, kind="community_invite").count() == 1
