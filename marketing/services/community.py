"""The shopper's side of the 种草社区 (F23): uploads, posts, likes, favourites, comments, reports.

A new post or comment is 待审核 and its content-security check is queued after commit
(``marketing.services.community_moderation``). Likes and favourites are one unique row per
shopper and post plus a counter moved by a conditional UPDATE in the same transaction; the
post's ``rank_score`` is recomputed under the post's row lock, and reaching the engagement
threshold awards the author (``community_awards``).
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import F
from PIL import Image, UnidentifiedImageError

from mall.models import Product
from marketing.community_errors import (
    CommentInvalid,
    PostInvalid,
    PostMediaInvalid,
    PostNotFound,
    PostNotOwned,
    PostNotPublished,
    ReportDuplicate,
    TopicInvalid,
)
from marketing.models import (
    CheckResult,
    CommunityComment,
    CommunityFavourite,
    CommunityLike,
    CommunityMedia,
    CommunityPost,
    CommunityReport,
    CommunityTopic,
    MediaKind,
    PostStatus,
    ReportReason,
)
from marketing.models.community import COMMENT_TEXT_MAX, MAX_IMAGES, POST_TEXT_MAX
from marketing.services.community_awards import community_award_check_engagement, community_award_reverse
from marketing.services.community_rank import rank_score
from members.models import Member

IMAGE_FORMATS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}
MAX_PRODUCTS = 5
MAX_TOPICS = 3


# --- uploads ------------------------------------------------------------------------------


def _is_mp4(head: bytes) -> bool:
    """MP4 / MOV (what wx.chooseMedia records) start with a box whose type is ``ftyp``."""
    return len(head) >= 12 and head[4:8] == b"ftyp"


def community_media_upload(*, member: Member, upload: UploadedFile) -> CommunityMedia:
    """Store one picture (JPG/PNG/WEBP, real format checked) or one MP4 video under MEDIA_ROOT."""
    size = upload.size or 0
    head = upload.read(12)
    upload.seek(0)
    if _is_mp4(head):
        if not size or size > settings.COMMUNITY_VIDEO_MAX_BYTES:
            raise PostMediaInvalid(details={"size": size, "max_bytes": settings.COMMUNITY_VIDEO_MAX_BYTES})
        upload.name = f"{secrets.token_hex(12)}.mp4"
        # WeChat's async check takes pictures and audio only: a video is for the merchant's eyes.
        return CommunityMedia.objects.create(
            owner=member, kind=MediaKind.VIDEO, file=upload, check_result=CheckResult.SKIPPED
        )
    if not size or size > settings.COMMUNITY_IMAGE_MAX_BYTES:
        raise PostMediaInvalid(details={"size": size, "max_bytes": settings.COMMUNITY_IMAGE_MAX_BYTES})
    try:
        with Image.open(upload) as image:
            image_format = image.format or ""
            image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise PostMediaInvalid(details={"reason": "not_an_image_or_mp4"}) from exc
    if image_format not in IMAGE_FORMATS:
        raise PostMediaInvalid(details={"format": image_format, "allowed": sorted(IMAGE_FORMATS)})
    upload.seek(0)
    upload.name = f"{secrets.token_hex(12)}.{IMAGE_FORMATS[image_format]}"
    return CommunityMedia.objects.create(owner=member, kind=MediaKind.IMAGE, file=upload)


# --- posts --------------------------------------------------------------------------------


def _clean_text(text: str, *, limit: int, error: type[PostInvalid] | type[CommentInvalid]) -> str:
    cleaned = (text or "").strip()
    if not cleaned:
        raise error(details={"field": "text", "reason": "empty"})
    if len(cleaned) > limit:
        raise error(details={"field": "text", "max_length": limit})
    return cleaned


def _unique(ids: Sequence[int]) -> list[int]:
    return list(dict.fromkeys(ids))


@transaction.atomic
def community_post_create(
    *,
    member: Member,
    text: str,
    media_ids: Sequence[int] = (),
    product_ids: Sequence[int] = (),
    topic_ids: Sequence[int] = (),
) -> CommunityPost:
    """A post 待审核 with up to 9 pictures or one video (uploaded by this shopper, not yet used),
    products and topics; its checks run after commit."""
    cleaned = _clean_text(text, limit=POST_TEXT_MAX, error=PostInvalid)
    media_ids, product_ids, topic_ids = _unique(media_ids), _unique(product_ids), _unique(topic_ids)
    media = {
        m.pk: m
        for m in CommunityMedia.objects.select_for_update().filter(pk__in=media_ids, owner=member, post__isnull=True)
    }
    if len(media) != len(media_ids):
        raise PostMediaInvalid(details={"media_ids": sorted(set(media_ids) - set(media))})
    kinds = [media[i].kind for i in media_ids]
    if MediaKind.VIDEO in kinds and len(kinds) > 1:
        raise PostMediaInvalid(details={"reason": "video_alone"})
    if len(kinds) > MAX_IMAGES:
        raise PostMediaInvalid(details={"reason": "too_many", "max": MAX_IMAGES})
    if len(product_ids) > MAX_PRODUCTS:
        raise PostInvalid(details={"field": "product_ids", "max": MAX_PRODUCTS})
    products = list(Product.objects.filter(pk__in=product_ids))
    if len(products) != len(product_ids):
        raise PostInvalid(
            details={"field": "product_ids", "unknown": sorted(set(product_ids) - {p.pk for p in products})}
        )
    if len(topic_ids) > MAX_TOPICS:
        raise TopicInvalid(details={"max": MAX_TOPICS})
    topics = list(CommunityTopic.objects.filter(pk__in=topic_ids, is_active=True))
    if len(topics) != len(topic_ids):
        raise TopicInvalid(details={"topic_ids": sorted(set(topic_ids) - {t.pk for t in topics})})
    post = CommunityPost.objects.create(author=member, text=cleaned)
    for position, media_id in enumerate(media_ids):
        CommunityMedia.objects.filter(pk=media_id).update(post=post, position=position)
    post.products.set(products)
    post.topics.set(topics)
    post_id = post.pk
    transaction.on_commit(lambda: _enqueue_post_check(post_id), robust=True)
    return post


def _enqueue_post_check(post_id: int) -> None:
    from marketing.tasks import community_post_check_task

    community_post_check_task.delay(post_id=post_id)


def _enqueue_comment_check(comment_id: int) -> None:
    from marketing.tasks import community_comment_check_task

    community_comment_check_task.delay(comment_id=comment_id)


@transaction.atomic
def community_post_delete(*, member: Member, post_id: int) -> CommunityPost:
    """The author deletes their own post (any state); an award it earned is taken back."""
    post = CommunityPost.objects.select_for_update().filter(pk=post_id).first()
    if post is None or post.status == PostStatus.DELETED:
        raise PostNotFound()
    if post.author_id != member.pk:
        raise PostNotOwned()
    post.status = PostStatus.DELETED
    post.save(update_fields=["status"])
    community_award_reverse(post_id=post.pk)
    return post


def community_post_rescore(*, post_id: int) -> CommunityPost:
    """Recompute the feed score from the counters, under the post's row lock (caller's transaction)."""
    post = CommunityPost.objects.select_for_update().get(pk=post_id)
    post.rank_score = rank_score(
        likes=post.like_count,
        comments=post.comment_count,
        favourites=post.favourite_count,
        featured=post.is_featured,
        published_at=post.published_at,
    )
    post.save(update_fields=["rank_score"])
    return post


def _published_post(post_id: int) -> CommunityPost:
    post = CommunityPost.objects.filter(pk=post_id).exclude(status=PostStatus.DELETED).first()
    if post is None:
        raise PostNotFound()
    if post.status != PostStatus.PUBLISHED:
        raise PostNotPublished()
    return post


# --- likes and favourites -----------------------------------------------------------------

_COUNTERS = {CommunityLike: "like_count", CommunityFavourite: "favourite_count"}


def _toggle(
    model: type[CommunityLike] | type[CommunityFavourite], *, member: Member, post_id: int, on: bool
) -> CommunityPost:
    counter = _COUNTERS[model]
    with transaction.atomic():
        post = _published_post(post_id)
        if on:
            try:
                with transaction.atomic():
                    model.objects.create(post=post, member=member)
            except IntegrityError:
                return post  # already on: a double tap changes nothing
            CommunityPost.objects.filter(pk=post.pk).update(**{counter: F(counter) + 1})
        else:
            deleted, _rows = model.objects.filter(post=post, member=member).delete()
            if not deleted:
                return post
            CommunityPost.objects.filter(pk=post.pk, **{f"{counter}__gt": 0}).update(**{counter: F(counter) - 1})
        post = community_post_rescore(post_id=post.pk)
        if on:
            community_award_check_engagement(post=post)
        return post


def community_post_like(*, member: Member, post_id: int) -> CommunityPost:
    return _toggle(CommunityLike, member=member, post_id=post_id, on=True)


def community_post_unlike(*, member: Member, post_id: int) -> CommunityPost:
    return _toggle(CommunityLike, member=member, post_id=post_id, on=False)


def community_post_favourite(*, member: Member, post_id: int) -> CommunityPost:
    return _toggle(CommunityFavourite, member=member, post_id=post_id, on=True)


def community_post_unfavourite(*, member: Member, post_id: int) -> CommunityPost:
    return _toggle(CommunityFavourite, member=member, post_id=post_id, on=False)


# --- comments and reports -----------------------------------------------------------------


@transaction.atomic
def community_comment_create(*, member: Member, post_id: int, text: str) -> CommunityComment:
    """A comment 待审核 (only its author sees it until it is published); checked after commit."""
    cleaned = _clean_text(text, limit=COMMENT_TEXT_MAX, error=CommentInvalid)
    post = _published_post(post_id)
    comment = CommunityComment.objects.create(post=post, author=member, text=cleaned)
    comment_id = comment.pk
    transaction.on_commit(lambda: _enqueue_comment_check(comment_id), robust=True)
    return comment


@transaction.atomic
def community_post_report(*, member: Member, post_id: int, reason: str, text: str = "") -> CommunityReport:
    """One report per shopper and post (a second one is refused, not counted twice)."""
    post = CommunityPost.objects.filter(pk=post_id, status=PostStatus.PUBLISHED).first()
    if post is None:
        raise PostNotFound()
    if reason not in ReportReason.values:
        raise PostInvalid(details={"field": "reason", "allowed": list(ReportReason.values)})
    try:
        with transaction.atomic():
            return CommunityReport.objects.create(post=post, reporter=member, reason=reason, text=text.strip()[:200])
    except IntegrityError as exc:
        raise ReportDuplicate() from exc
