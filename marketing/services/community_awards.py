"""优质内容 points (F23): once per post, at most ``daily_award_cap`` per author per Asia/Shanghai day,
reversed once if the post is later rejected or removed.

Three database guards make this safe under any number of concurrent likes or merchant clicks:
the post's row lock (one decision per post at a time), ``CommunityAward.post`` unique (a post is
awarded at most once, ever — a reversed award is not granted again) and the author's day row,
whose ``count`` only grows by a conditional UPDATE ``WHERE count < cap``. The points themselves
go through ``points_grant``, idempotent by ``(member, reason, ref)``.
"""

from __future__ import annotations

import logging
from datetime import datetime

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from marketing.models import (
    AwardReason,
    CommunityAward,
    CommunityAwardDay,
    CommunityPost,
    CommunitySettings,
    PostStatus,
)
from members.models import PointsEntry
from members.services.points import points_grant

logger = logging.getLogger(__name__)


def _points_ref(post_id: int) -> str:
    return f"community_post:{post_id}"


@transaction.atomic
def community_award_grant(*, post_id: int, reason: str, now: datetime | None = None) -> CommunityAward | None:
    """Award the post's author if the post is published, not yet awarded, and the author's day
    has room; ``None`` otherwise (nothing to do is not an error)."""
    post = CommunityPost.objects.select_for_update().filter(pk=post_id).first()
    if post is None or post.status != PostStatus.PUBLISHED:
        return None
    if CommunityAward.objects.filter(post_id=post_id).exists():
        return None
    rules = CommunitySettings.load()
    if rules.award_points == 0 or rules.daily_award_cap == 0:
        return None
    day = timezone.localdate(now or timezone.now())
    CommunityAwardDay.objects.bulk_create(
        [CommunityAwardDay(member_id=post.author_id, day=day, count=0)], ignore_conflicts=True
    )
    taken = CommunityAwardDay.objects.filter(member_id=post.author_id, day=day, count__lt=rules.daily_award_cap).update(
        count=F("count") + 1
    )
    if not taken:
        logger.info("community award for post %s skipped: author %s reached the day's cap", post_id, post.author_id)
        return None
    award = CommunityAward.objects.create(
        post=post, member_id=post.author_id, reason=AwardReason(reason), points=rules.award_points, day=day
    )
    points_grant(
        member_id=post.author_id,
        delta=rules.award_points,
        reason=PointsEntry.Reason.COMMUNITY_AWARD,
        ref=_points_ref(post_id),
        note=post.text[:40],
    )
    return award


@transaction.atomic
def community_award_reverse(*, post_id: int, now: datetime | None = None) -> CommunityAward | None:
    """Take the award's points back once (the post was rejected or removed after its award).

    The author's day count is not given back: a removed post does not free a slot for another.
    """
    award = CommunityAward.objects.select_for_update().filter(post_id=post_id, reversed_at__isnull=True).first()
    if award is None:
        return None
    award.reversed_at = now or timezone.now()
    award.save(update_fields=["reversed_at"])
    points_grant(
        member_id=award.member_id,
        delta=-award.points,
        reason=PointsEntry.Reason.COMMUNITY_REVERSE,
        ref=_points_ref(post_id),
    )
    return award


def community_award_check_engagement(*, post: CommunityPost) -> CommunityAward | None:
    """After a counter moved: award once engagement reaches the merchant's threshold."""
    rules = CommunitySettings.load()
    if rules.engagement_threshold == 0 or post.engagement < rules.engagement_threshold:
        return None
    return community_award_grant(post_id=post.pk, reason=AwardReason.ENGAGEMENT)
