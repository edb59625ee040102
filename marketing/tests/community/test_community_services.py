"""Posts, uploads, likes, favourites, comments, reports and 优质内容 awards (F23) through the services."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine

from mall.models import AuditLog
from marketing.community_errors import (
    CommentInvalid,
    PostInvalid,
    PostMediaInvalid,
    PostNotFound,
    PostNotOwned,
    PostNotPublished,
    PostNotReviewable,
    RejectReasonRequired,
    ReportDuplicate,
    TopicInvalid,
)
from marketing.models import (
    AwardReason,
    CommunityAward,
    CommunityMedia,
    CommunityPost,
    CommunityReport,
    MediaKind,
    PostStatus,
    ReportStatus,
)
from marketing.services.community import (
    community_media_upload,
    community_post_create,
    community_post_delete,
    community_post_favourite,
    community_post_like,
    community_post_report,
    community_post_unfavourite,
    community_post_unlike,
)
from marketing.services.community_awards import community_award_grant
from marketing.services.community_moderation import (
    community_post_approve,
    community_post_feature,
    community_post_reject,
    community_post_remove,
    community_report_resolve,
)
from marketing.tests.community.helpers import (
    community_rules,
    make_post,
    make_product,
    mp4_upload,
    png_upload,
    published_post,
    staff_user,
    topic,
)
from members.models import Member, PointsEntry
from members.tests.factories import MemberFactory

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")


def _points(member: Member) -> int:
    return sum(PointsEntry.objects.filter(member=member).values_list("delta", flat=True))


# --- uploads and posts --------------------------------------------------------------------


def test_uploads_keep_our_own_names_and_refuse_what_is_not_a_picture_or_mp4(member: Member, settings: Any) -> None:
    image = community_media_upload(member=member, upload=png_upload("我的照片.png"))
    video = community_media_upload(member=member, upload=mp4_upload())
    assert (image.kind, video.kind) == (MediaKind.IMAGE, MediaKind.VIDEO)
    assert image.file.name.startswith("community/") and "我的照片" not in image.file.name
    assert video.file.name.endswith(".mp4")

    from django.core.files.uploadedfile import SimpleUploadedFile

    with pytest.raises(PostMediaInvalid):
        community_media_upload(member=member, upload=SimpleUploadedFile("x.png", b"not an image"))
    settings.COMMUNITY_IMAGE_MAX_BYTES = 10
    with pytest.raises(PostMediaInvalid) as too_big:
        community_media_upload(member=member, upload=png_upload())
    assert too_big.value.details["max_bytes"] == 10


def test_a_post_keeps_its_pictures_in_order_with_products_and_topics(
    member: Member, django_capture_on_commit_callbacks: Any
) -> None:
    cream = make_product()
    skincare = topic()
    first = community_media_upload(member=member, upload=png_upload())
    second = community_media_upload(member=member, upload=png_upload())

    with django_capture_on_commit_callbacks() as callbacks:
        post = community_post_create(
            member=member,
            text="  用了一个月，皮肤不干了  ",
            media_ids=[second.pk, first.pk],
            product_ids=[cream.pk],
            topic_ids=[skincare.pk],
        )

    assert (post.status, post.text) == (PostStatus.PENDING, "用了一个月，皮肤不干了")
    assert list(CommunityMedia.objects.filter(post=post).values_list("pk", flat=True)) == [second.pk, first.pk]
    assert list(post.products.all()) == [cream] and list(post.topics.all()) == [skincare]
    assert len(callbacks) == 1  # the WeChat check is queued after commit


@pytest.mark.parametrize(
    ("case", "error"),
    [
        ("empty", PostInvalid),
        ("too_long", PostInvalid),
        ("ten_images", PostMediaInvalid),
        ("video_and_image", PostMediaInvalid),
        ("someone_elses_media", PostMediaInvalid),
        ("used_media", PostMediaInvalid),
        ("unknown_product", PostInvalid),
        ("inactive_topic", TopicInvalid),
    ],
)
def test_bad_posts_are_refused_and_nothing_is_written(
    member: Member, other_member: Member, case: str, error: Any
) -> None:
    kwargs: dict[str, Any] = {"member": member, "text": "不错"}
    if case == "empty":
        kwargs["text"] = "   "
    elif case == "too_long":
        kwargs["text"] = "好" * 1001
    elif case == "ten_images":
        kwargs["media_ids"] = [community_media_upload(member=member, upload=png_upload()).pk for _i in range(10)]
    elif case == "video_and_image":
        kwargs["media_ids"] = [
            community_media_upload(member=member, upload=mp4_upload()).pk,
            community_media_upload(member=member, upload=png_upload()).pk,
        ]
    elif case == "someone_elses_media":
        kwargs["media_ids"] = [community_media_upload(member=other_member, upload=png_upload()).pk]
    elif case == "used_media":
        used = make_post(member, images=1)
        kwargs["media_ids"] = [CommunityMedia.objects.get(post=used).pk]
    elif case == "unknown_product":
        kwargs["product_ids"] = [987654]
    elif case == "inactive_topic":
        hidden = topic("hidden", "停用话题")
        hidden.is_active = False
        hidden.save()
        kwargs["topic_ids"] = [hidden.pk]
    before = CommunityPost.objects.count()
    with pytest.raises(error):
        community_post_create(**kwargs)
    assert CommunityPost.objects.count() == before


def test_only_the_author_deletes_a_post(member: Member, other_member: Member) -> None:
    post = published_post(member)
    with pytest.raises(PostNotOwned):
        community_post_delete(member=other_member, post_id=post.pk)
    community_post_delete(member=member, post_id=post.pk)
    assert CommunityPost.objects.get(pk=post.pk).status == PostStatus.DELETED
    with pytest.raises(PostNotFound):
        community_post_delete(member=member, post_id=post.pk)


# --- likes, favourites, reports -----------------------------------------------------------


def test_likes_and_favourites_count_once_per_shopper(member: Member, other_member: Member) -> None:
    post = published_post(member)
    for _i in range(3):
        community_post_like(member=other_member, post_id=post.pk)
    community_post_favourite(member=other_member, post_id=post.pk)
    community_post_favourite(member=other_member, post_id=post.pk)
    liked = CommunityPost.objects.get(pk=post.pk)
    assert (liked.like_count, liked.favourite_count) == (1, 1)
    assert liked.rank_score > post.rank_score

    community_post_unlike(member=other_member, post_id=post.pk)
    community_post_unlike(member=other_member, post_id=post.pk)
    community_post_unfavourite(member=other_member, post_id=post.pk)
    after = CommunityPost.objects.get(pk=post.pk)
    assert (after.like_count, after.favourite_count) == (0, 0)


def test_a_pending_post_cannot_be_liked(member: Member, other_member: Member) -> None:
    post = make_post(member)
    with pytest.raises(PostNotPublished):
        community_post_like(member=other_member, post_id=post.pk)


def test_a_shopper_reports_a_post_once_and_the_merchant_resolves_it(member: Member, other_member: Member) -> None:
    post = published_post(member)
    report = community_post_report(member=other_member, post_id=post.pk, reason="spam", text="留了微信号")
    with pytest.raises(ReportDuplicate):
        community_post_report(member=other_member, post_id=post.pk, reason="other")
    with pytest.raises(PostInvalid):
        community_post_report(member=member, post_id=post.pk, reason="boring")

    community_report_resolve(report_id=report.pk, actor=staff_user(), resolution="已删除违规帖子", remove_post=True)

    report.refresh_from_db()
    assert (report.status, report.resolution, report.resolved_by) == (
        ReportStatus.RESOLVED,
        "已删除违规帖子",
        staff_user(),
    )
    assert CommunityPost.objects.get(pk=post.pk).status == PostStatus.DELETED
    assert set(AuditLog.objects.values_list("action", flat=True)) >= {
        "community_report.resolve",
        "community_post.remove",
    }
    assert CommunityReport.objects.count() == 1


def test_comments_are_refused_when_empty_or_too_long(member: Member) -> None:
    from marketing.services.community import community_comment_create

    post = published_post(member)
    with pytest.raises(CommentInvalid):
        community_comment_create(member=member, post_id=post.pk, text=" ")
    with pytest.raises(CommentInvalid):
        community_comment_create(member=member, post_id=post.pk, text="好" * 301)


# --- the merchant's review ----------------------------------------------------------------


def test_the_merchant_approves_and_rejects_with_a_reason_and_each_step_is_audited(member: Member) -> None:
    staff = staff_user()
    post = make_post(member)
    with pytest.raises(RejectReasonRequired):
        community_post_reject(post_id=post.pk, actor=staff, reason="  ")
    community_post_reject(post_id=post.pk, actor=staff, reason="图片与商品无关")
    post.refresh_from_db()
    assert (post.status, post.reject_reason, post.reviewed_by) == (PostStatus.REJECTED, "图片与商品无关", staff)

    community_post_approve(post_id=post.pk, actor=staff)
    post.refresh_from_db()
    assert (post.status, post.reject_reason) == (PostStatus.PUBLISHED, "")
    with pytest.raises(PostNotReviewable):
        community_post_approve(post_id=post.pk, actor=staff)
    actions = list(AuditLog.objects.filter(target_id=str(post.pk)).values_list("action", flat=True))
    assert sorted(actions) == ["community_post.approve", "community_post.reject"]


# --- 优质内容 awards ----------------------------------------------------------------------


def test_featuring_awards_once_and_removal_reverses_once(member: Member) -> None:
    community_rules(award_points=100, daily_award_cap=3)
    staff = staff_user()
    post = published_post(member)

    community_post_feature(post_id=post.pk, actor=staff, featured=True)
    community_post_feature(post_id=post.pk, actor=staff, featured=False)
    community_post_feature(post_id=post.pk, actor=staff, featured=True)
    assert CommunityAward.objects.get(post=post).reason == AwardReason.FEATURED
    assert _points(member) == 100

    community_post_remove(post_id=post.pk, actor=staff, reason="商品已下架")
    with pytest.raises(PostNotReviewable):
        community_post_remove(post_id=post.pk, actor=staff, reason="再删一次")
    assert _points(member) == 0
    assert PointsEntry.objects.filter(member=member, reason=PointsEntry.Reason.COMMUNITY_REVERSE).count() == 1
    assert CommunityAward.objects.get(post=post).reversed_at is not None


def test_a_rejected_post_is_never_awarded_again(member: Member) -> None:
    community_rules(award_points=50)
    staff = staff_user()
    post = published_post(member)
    community_post_feature(post_id=post.pk, actor=staff, featured=True)
    community_post_reject(post_id=post.pk, actor=staff, reason="与实物不符")
    community_post_approve(post_id=post.pk, actor=staff)
    community_post_feature(post_id=post.pk, actor=staff, featured=True)
    assert _points(member) == 0
    assert CommunityAward.objects.filter(post=post).count() == 1


def test_engagement_threshold_awards_the_author(member: Member) -> None:
    community_rules(engagement_threshold=4, award_points=30)
    post = published_post(member)
    fans = MemberFactory.create_batch(3)
    community_post_like(member=fans[0], post_id=post.pk)
    community_post_like(member=fans[1], post_id=post.pk)
    community_post_favourite(member=fans[0], post_id=post.pk)
    assert _points(member) == 0  # 3 < 4
    community_post_like(member=fans[2], post_id=post.pk)
    community_post_like(member=fans[2], post_id=post.pk)
    assert CommunityAward.objects.get(post=post).reason == AwardReason.ENGAGEMENT
    assert _points(member) == 30


def test_the_daily_cap_counts_by_the_shanghai_day(member: Member) -> None:
    community_rules(award_points=10, daily_award_cap=2)
    posts = [published_post(member) for _i in range(4)]
    late_evening = datetime(2026, 12, 6, 23, 30, tzinfo=SHANGHAI)
    with time_machine.travel(late_evening, tick=False):
        results = [community_award_grant(post_id=p.pk, reason=AwardReason.FEATURED) for p in posts[:3]]
    assert [r is not None for r in results] == [True, True, False]
    with time_machine.travel(late_evening + timedelta(minutes=40), tick=False):  # 00:10 the next day
        assert community_award_grant(post_id=posts[2].pk, reason=AwardReason.FEATURED) is not None
    assert _points(member) == 30
    assert sorted(str(d) for d in CommunityAward.objects.values_list("day", flat=True)) == [
        "2026-12-06",
        "2026-12-06",
        "2026-12-07",
    ]
