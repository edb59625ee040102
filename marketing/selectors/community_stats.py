"""社区数据 (F23): the community's figures over the last 7 / 30 / 90 days, read from its own rows.

Eight queries whatever the size of the window (pinned in the tests): posts submitted in the
window (their current status and the day they came in), likes given in the window (their day,
for the chart), comments, favourites, the merchant's review decisions from the audit log,
优质内容 awards, the top authors and the posts per topic. Days are Asia/Shanghai days; the daily
series is bucketed in Python from the rows' timestamps, so it needs no time-zone tables in the
database (one shop's likes over 90 days are a few thousand rows at most).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass

from django.db.models import Count, Q, Sum
from django.utils import timezone

from mall.models import AuditLog
from marketing.models import (
    CommunityAward,
    CommunityComment,
    CommunityFavourite,
    CommunityLike,
    CommunityPost,
    CommunityTopic,
    PostStatus,
)

PERIODS = (7, 30, 90)
TOP_AUTHORS = 5
DECISIONS = ("community_post.approve", "community_post.reject", "community_post.remove")


@dataclass(frozen=True)
class AuthorRow:
    member_id: int
    name: str
    posts: int
    likes: int  # likes their posts of the window hold now


@dataclass(frozen=True)
class CommunityFigures:
    days: int
    start: dt.date
    end: dt.date
    posts: int
    by_status: dict[str, int]  # PostStatus value → posts submitted in the window now in that state
    approvals: int
    rejections: int
    removals: int
    likes: int
    comments: int
    comments_published: int
    favourites: int
    awards: int  # awards given in the window and still standing
    award_points: int
    awards_reversed: int
    top_authors: list[AuthorRow]
    per_topic: list[tuple[str, int]]  # (topic name, posts submitted in the window), every topic
    daily: list[tuple[dt.date, int, int]]  # (day, new posts, likes)


def _window(days: int, now: dt.datetime) -> tuple[dt.date, dt.date, dt.datetime]:
    end = timezone.localdate(now)
    start = end - dt.timedelta(days=days - 1)
    since = timezone.make_aware(dt.datetime.combine(start, dt.time()), timezone.get_current_timezone())
    return start, end, since


def community_figures(*, days: int = 30, now: dt.datetime | None = None) -> CommunityFigures:
    """The figures of the last ``days`` Shanghai days including today (8 queries)."""
    if days not in PERIODS:
        days = 30
    now = now or timezone.now()
    start, end, since = _window(days, now)

    post_rows = list(CommunityPost.objects.filter(created_at__gte=since).values_list("created_at", "status"))
    like_times = list(CommunityLike.objects.filter(created_at__gte=since).values_list("created_at", flat=True))
    comments = CommunityComment.objects.filter(created_at__gte=since).aggregate(
        n=Count("id"), published=Count("id", filter=Q(status=PostStatus.PUBLISHED))
    )
    favourites = CommunityFavourite.objects.filter(created_at__gte=since).count()
    decisions = dict(
        AuditLog.objects.filter(created_at__gte=since, action__in=DECISIONS)
        .values("action")
        .annotate(n=Count("id"))
        .values_list("action", "n")
    )
    awards = CommunityAward.objects.filter(created_at__gte=since).aggregate(
        standing=Count("id", filter=Q(reversed_at__isnull=True)),
        points=Sum("points", filter=Q(reversed_at__isnull=True)),
        reversed=Count("id", filter=Q(reversed_at__isnull=False)),
    )
    authors = (
        CommunityPost.objects.filter(created_at__gte=since)
        .exclude(status=PostStatus.DELETED)
        .values("author_id", "author__nickname")
        .annotate(n=Count("id"), liked=Sum("like_count"))
        .order_by("-n", "-liked", "author_id")[:TOP_AUTHORS]
    )
    topics = (
        CommunityTopic.objects.annotate(n=Count("posts", filter=Q(posts__created_at__gte=since)))
        .order_by("-n", "-sort_order", "id")
        .values_list("name", "n")
    )

    posts_per_day = Counter(timezone.localdate(at) for at, _status in post_rows)
    likes_per_day = Counter(timezone.localdate(at) for at in like_times)
    daily = [
        (day, posts_per_day.get(day, 0), likes_per_day.get(day, 0))
        for day in (start + dt.timedelta(days=i) for i in range(days))
    ]
    return CommunityFigures(
        days=days,
        start=start,
        end=end,
        posts=len(post_rows),
        by_status={status: n for status, n in Counter(status for _at, status in post_rows).items()},
        approvals=decisions.get("community_post.approve", 0),
        rejections=decisions.get("community_post.reject", 0),
        removals=decisions.get("community_post.remove", 0),
        likes=len(like_times),
        comments=int(comments["n"] or 0),
        comments_published=int(comments["published"] or 0),
        favourites=favourites,
        awards=int(awards["standing"] or 0),
        award_points=int(awards["points"] or 0),
        awards_reversed=int(awards["reversed"] or 0),
        top_authors=[
            AuthorRow(
                member_id=row["author_id"],
                name=row["author__nickname"] or f"会员{row['author_id']}",
                posts=row["n"],
                likes=int(row["liked"] or 0),
            )
            for row in authors
        ],
        per_topic=[(name, n) for name, n in topics],
        daily=daily,
    )
