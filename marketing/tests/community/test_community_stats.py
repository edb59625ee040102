"""内容 › 社区数据 (F23): the figures of 7/30/90 days from the community's rows (posts by status,
review decisions, likes, comments, favourites, award points, top authors, posts per topic, a daily
chart) in a pinned number of queries; and the comment steps shown only when the comment's state
allows them, like the posts'."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from typing import Any

import pytest
import time_machine
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse
from django.utils import translation

from marketing.models import CommunityComment, CommunityPost, PostStatus
from marketing.selectors.community_stats import community_figures
from marketing.services.community import community_comment_create, community_post_favourite, community_post_like
from marketing.services.community_moderation import (
    community_comment_approve,
    community_comment_reject,
    community_post_feature,
    community_post_reject,
    community_post_remove,
)
from marketing.tests.community.helpers import community_rules, make_post, published_post, topic
from members.models import Member
from members.tests.factories import MemberFactory

pytestmark = pytest.mark.django_db

SH = dt.timezone(dt.timedelta(hours=8))
NOW = dt.datetime(2026, 9, 10, 15, 0, tzinfo=SH)


@pytest.fixture(autouse=True)
def chinese() -> Iterator[None]:
    with translation.override("zh-hans"):
        yield


@pytest.fixture
def owner() -> User:
    return User.objects.create_superuser(username="owner", password="x", email="owner@example.com")


@pytest.fixture
def console(owner: User) -> Client:
    client = Client()
    client.force_login(owner)
    return client


def _community(owner: User) -> dict[str, Any]:
    """40 days ago one post; two days ago the rest: published, featured, pending, rejected, removed."""
    community_rules(award_points=80, engagement_threshold=1000)
    skin, food = topic("skincare", "护肤心得"), topic("food", "美食")
    anna = MemberFactory.create(nickname="安娜")
    bo = MemberFactory.create(nickname="小博")
    fans = [MemberFactory.create() for _i in range(4)]
    with time_machine.travel(NOW - dt.timedelta(days=40), tick=False):
        old = published_post(bo, text="很久以前的帖子", topic_ids=[food.pk])
    with time_machine.travel(NOW - dt.timedelta(days=2), tick=False):
        star = published_post(anna, text="精选好文", topic_ids=[skin.pk])
        plain = published_post(anna, text="普通一篇", topic_ids=[skin.pk, food.pk])
        make_post(bo, text="还在排队")
        bad = make_post(bo, text="广告")
        community_post_reject(post_id=bad.pk, actor=owner, reason="广告")
        gone = published_post(bo, text="后来删掉")
        community_post_remove(post_id=gone.pk, actor=owner, reason="违规")
        for fan in fans:
            community_post_like(member=fan, post_id=star.pk)
        community_post_like(member=fans[0], post_id=plain.pk)
        community_post_favourite(member=fans[1], post_id=star.pk)
        comment = community_comment_create(member=fans[2], post_id=star.pk, text="写得好")
        community_comment_approve(comment_id=comment.pk, actor=owner)
        community_comment_create(member=fans[3], post_id=star.pk, text="求链接")
    with time_machine.travel(NOW - dt.timedelta(days=1), tick=False):
        community_post_feature(post_id=star.pk, actor=owner, featured=True)
    return {"old": old, "star": star, "anna": anna, "bo": bo}


def test_the_figures_count_the_window_in_a_pinned_number_of_queries(
    owner: User, django_assert_num_queries: Any
) -> None:
    made = _community(owner)
    with time_machine.travel(NOW, tick=False), django_assert_num_queries(8):
        month = community_figures(days=30)

    assert month.posts == 5  # the 40-day-old post is outside
    assert month.by_status == {
        PostStatus.PUBLISHED: 2,
        PostStatus.PENDING: 1,
        PostStatus.REJECTED: 1,
        PostStatus.DELETED: 1,
    }
    assert (month.approvals, month.rejections, month.removals) == (3, 1, 1)  # 3 approved inside the window
    assert (month.likes, month.comments, month.comments_published, month.favourites) == (5, 2, 1, 1)
    assert (month.awards, month.award_points, month.awards_reversed) == (1, 80, 0)
    assert [(a.name, a.posts, a.likes) for a in month.top_authors] == [("安娜", 2, 5), ("小博", 2, 0)]
    assert month.per_topic == [("护肤心得", 2), ("美食", 1)]
    assert len(month.daily) == 30 and month.daily[-1][0] == NOW.date()
    two_days_ago = NOW.date() - dt.timedelta(days=2)
    assert [(posts, likes) for day, posts, likes in month.daily if day == two_days_ago] == [(5, 5)]

    with time_machine.travel(NOW, tick=False):
        quarter = community_figures(days=90)
        week = community_figures(days=7)
    assert quarter.posts == 6 and quarter.per_topic == [("护肤心得", 2), ("美食", 2)]  # a tie: the older topic first
    assert week.posts == 5 and len(week.daily) == 7
    assert made["old"].pk not in {
        p.pk for p in CommunityPost.objects.filter(created_at__gte=NOW - dt.timedelta(days=7))
    }


def test_the_figures_page_shows_cards_a_chart_and_tables_in_chinese(owner: User, console: Client) -> None:
    _community(owner)
    with time_machine.travel(NOW, tick=False):
        answer = console.get(reverse("console:marketing_community_stats") + "?days=30")
        week = console.get(reverse("console:marketing_community_stats") + "?days=7").content.decode()
        sidebar = console.get(reverse("admin:index")).content.decode()
    html = answer.content.decode()
    assert answer.status_code == 200 and "社区数据" in html
    assert 'data-testid="kpi-posts">5<' in html and "已发布 2 · 待审核 1 · 已驳回 1 · 已删除 1" in html
    assert 'data-testid="kpi-reviews">3 / 1<' in html and 'data-testid="kpi-awards">80 积分<' in html
    assert html.count('data-testid="community-author-row"') == 2 and "安娜" in html
    assert html.count('data-testid="community-topic-row"') == 2
    chart = json.loads(answer.context["chart"])
    assert [d["label"] for d in chart["datasets"]] == ["新帖", "点赞"] and len(chart["labels"]) == 30
    assert "近 7 天每日新帖与点赞" in week
    assert reverse("console:marketing_community_stats") in sidebar


def test_the_figures_page_needs_the_community_view_right(owner: User) -> None:
    from mall.services.staff import staff_create

    clerk = staff_create(username="kefu", password="staff-pass-123", role="customer_service", actor=owner)
    client = Client()
    client.force_login(clerk)
    allowed = clerk.has_perm("marketing.view_communitypost")
    assert client.get(reverse("console:marketing_community_stats")).status_code == (200 if allowed else 403)


def _action(name: str, comment: CommunityComment) -> str:
    return reverse(f"admin:marketing_communitycomment_{name}", args=[comment.pk])


def test_comment_steps_follow_the_comment_state(owner: User, console: Client, member: Member) -> None:
    post = published_post(member)
    waiting = community_comment_create(member=member, post_id=post.pk, text="等审核")
    shown = community_comment_create(member=member, post_id=post.pk, text="已通过")
    community_comment_approve(comment_id=shown.pk, actor=owner)
    refused = community_comment_create(member=member, post_id=post.pk, text="被驳回")
    community_comment_reject(comment_id=refused.pk, actor=owner, reason="无关内容")

    def page(comment: CommunityComment) -> str:
        url = reverse("admin:marketing_communitycomment_change", args=[comment.pk])
        return console.get(url).content.decode()

    assert _action("approve", waiting) in page(waiting) and _action("reject", waiting) in page(waiting)
    assert _action("approve", shown) not in page(shown) and _action("reject", shown) in page(shown)
    assert _action("approve", refused) not in page(refused) and _action("reject", refused) not in page(refused)
    assert console.post(_action("approve", shown), {"_form_submitted": "on"}).status_code == 403
    assert console.post(_action("reject", refused), {"_form_submitted": "on", "reason": "x"}).status_code == 403
    answer = console.post(_action("approve", waiting), {"_form_submitted": "on"})
    assert answer.headers["HX-Redirect"] == reverse("admin:marketing_communitycomment_change", args=[waiting.pk])
    assert CommunityComment.objects.get(pk=waiting.pk).status == PostStatus.PUBLISHED
