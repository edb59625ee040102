"""优质内容 awards raced with real threads against the real database (MariaDB in CI):

* 12 of one author's posts awarded at once with a daily cap of 3: exactly 3 awards and 3 grants;
* 20 shoppers liking one post across the engagement threshold at once: one award, 20 likes;
* 10 merchant clicks featuring the same post at once: one award.
"""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from django.db import connection

from mall.tests.concurrency import run_in_threads
from marketing.models import AwardReason, CommunityAward, CommunityAwardDay, CommunityPost
from marketing.services.community import community_post_like
from marketing.services.community_awards import community_award_grant
from marketing.services.community_moderation import community_post_feature
from marketing.tests.community.helpers import community_rules, published_post, staff_user
from members.models import Member, PointsEntry

pytestmark = [pytest.mark.race, pytest.mark.django_db(transaction=True)]


def _shoppers(n: int) -> list[Member]:
    return list(Member.objects.bulk_create([Member(openid=f"community-{uuid.uuid4().hex}") for _i in range(n)]))


def _grants(member: Member) -> list[int]:
    return list(
        PointsEntry.objects.filter(member=member, reason=PointsEntry.Reason.COMMUNITY_AWARD).values_list(
            "delta", flat=True
        )
    )


def test_the_daily_cap_holds_when_many_posts_are_awarded_at_once() -> None:
    community_rules(award_points=20, daily_award_cap=3)
    (author,) = _shoppers(1)
    posts = [published_post(author) for _i in range(12)]
    connection.close()

    results = run_in_threads(12, lambda i: community_award_grant(post_id=posts[i].pk, reason=AwardReason.FEATURED))

    assert [r for r in results if isinstance(r, Exception)] == []
    assert sum(1 for r in results if isinstance(r, CommunityAward)) == 3
    assert CommunityAward.objects.filter(member=author).count() == 3
    assert _grants(author) == [20, 20, 20]
    assert CommunityAwardDay.objects.get(member=author).count == 3


def test_many_likes_crossing_the_threshold_award_once() -> None:
    community_rules(engagement_threshold=5, award_points=40, daily_award_cap=5)
    author, *fans = _shoppers(21)
    post = published_post(author)
    connection.close()

    results = run_in_threads(20, lambda i: community_post_like(member=fans[i], post_id=post.pk))

    assert [r for r in results if isinstance(r, Exception)] == []
    assert CommunityPost.objects.get(pk=post.pk).like_count == 20
    assert CommunityAward.objects.filter(post=post).count() == 1
    assert _grants(author) == [40]


def test_featuring_clicked_many_times_at_once_awards_once() -> None:
    community_rules(award_points=15, daily_award_cap=5)
    (author,) = _shoppers(1)
    post = published_post(author)
    staff = staff_user()
    connection.close()

    results: list[Any] = run_in_threads(
        10, lambda i: community_post_feature(post_id=post.pk, actor=staff, featured=True)
    )

    assert [r for r in results if isinstance(r, Exception)] == []
    assert CommunityAward.objects.filter(post=post).count() == 1
    assert _grants(author) == [15]
