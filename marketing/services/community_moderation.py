"""Moderation of the 种草社区 (F23): WeChat's content-security checks, then the merchant's queue.

The pipeline of a post:

1. ``community_post_check`` (a task, after the post committed) asks ``msg_sec_check`` about the
   text and starts ``media_check_async`` for each picture. Network calls happen outside any
   transaction. A WeChat refusal (errcode ≠ 0, rate limit, not configured) is recorded on the
   post, never loses it: it stays 待审核 in the merchant's queue and the sweep retries it.
2. Each picture's verdict arrives as the ``wxa_media_check`` push event
   (``community_media_check_result``), idempotent by ``trace_id``.
3. ``community_post_settle`` decides whenever something changed: any ``risky`` verdict
   rejects the post automatically (a published one is taken down and its award reversed);
   when every check is back ``pass`` and the merchant turned on 检测通过自动发布, it publishes;
   otherwise it waits for the merchant (approve / reject with a reason).

Comments go through the same text check and the same rule.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import datetime, timedelta
from urllib.parse import urljoin

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, User
from django.db import transaction
from django.db.models import Exists, F, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext

from mall.errors import ApplicationError
from mall.services.audit import audit_record
from marketing.community_errors import (
    CommentNotFound,
    PostNotFound,
    PostNotReviewable,
    RejectReasonRequired,
    ReportNotFound,
)
from marketing.models import (
    AwardReason,
    CheckResult,
    CommunityComment,
    CommunityMedia,
    CommunityPost,
    CommunityReport,
    MediaKind,
    PostStatus,
    ReportStatus,
)
from marketing.models.community import CommunitySettings
from marketing.services.community import community_post_rescore
from marketing.services.community_awards import (
    community_award_check_engagement,
    community_award_grant,
    community_award_reverse,
)
from members import wechat

logger = logging.getLogger(__name__)

MAX_CHECK_ATTEMPTS = 5
RETRY_WINDOW = timedelta(days=1)
# The sweep leaves fresh posts to their own after-commit task.
RETRY_AFTER = timedelta(minutes=2)
AUTO_REJECT_REASON = "内容未通过微信内容安全检测"


# --- WeChat checks ------------------------------------------------------------------------


def media_public_url(media: CommunityMedia) -> str:
    """The absolute URL WeChat fetches the picture from (MEDIA_HOST, else PUBLIC_BASE_URL)."""
    url = media.file.url
    if url.startswith(("http://", "https://")):
        return url
    return urljoin(settings.PUBLIC_BASE_URL + "/", url.lstrip("/"))


def _text_verdict(*, openid: str, text: str) -> tuple[str, int | None]:
    verdict = wechat.msg_sec_check(openid=openid, content=text)
    return verdict.suggest, verdict.label


def community_post_check(*, post_id: int) -> CommunityPost | None:
    """Run (or resume) the post's WeChat checks; safe to call again, it only asks what is missing."""
    post = CommunityPost.objects.select_related("author").filter(pk=post_id, status=PostStatus.PENDING).first()
    if post is None:
        return None
    errors: list[str] = []
    if post.text_check == CheckResult.WAITING:
        try:
            suggest, label = _text_verdict(openid=post.author.openid, text=post.text)
        except ApplicationError as exc:
            errors.append(f"text:{exc.code}")
        else:
            CommunityPost.objects.filter(pk=post.pk, text_check=CheckResult.WAITING).update(
                text_check=suggest, text_label=label
            )
    waiting = CommunityMedia.objects.filter(
        post=post, kind=MediaKind.IMAGE, check_result=CheckResult.WAITING, trace_id__isnull=True
    )
    for media in waiting:
        if not (media.file.url.startswith(("http://", "https://")) or settings.PUBLIC_BASE_URL):
            # WeChat cannot fetch a picture from a private address: the merchant looks at it.
            CommunityMedia.objects.filter(pk=media.pk).update(check_result=CheckResult.SKIPPED)
            continue
        try:
            trace_id = wechat.media_check_async(openid=post.author.openid, media_url=media_public_url(media))
        except ApplicationError as exc:
            errors.append(f"media:{exc.code}")
        else:
            CommunityMedia.objects.filter(pk=media.pk, trace_id__isnull=True).update(trace_id=trace_id)
    CommunityPost.objects.filter(pk=post.pk).update(
        check_attempts=F("check_attempts") + 1, check_error=", ".join(sorted(set(errors)))[:120]
    )
    return community_post_settle(post_id=post.pk)


def community_comment_check(*, comment_id: int) -> CommunityComment | None:
    comment = (
        CommunityComment.objects.select_related("author")
        .filter(pk=comment_id, status=PostStatus.PENDING, text_check=CheckResult.WAITING)
        .first()
    )
    if comment is None:
        return None
    try:
        suggest, label = _text_verdict(openid=comment.author.openid, text=comment.text)
    except ApplicationError as exc:
        CommunityComment.objects.filter(pk=comment.pk).update(
            check_attempts=F("check_attempts") + 1, check_error=f"text:{exc.code}"
        )
        return comment
    CommunityComment.objects.filter(pk=comment.pk, text_check=CheckResult.WAITING).update(
        text_check=suggest, text_label=label, check_attempts=F("check_attempts") + 1, check_error=""
    )
    return community_comment_settle(comment_id=comment.pk)


@transaction.atomic
def community_media_check_result(*, trace_id: str, suggest: str, label: int | None) -> CommunityMedia | None:
    """WeChat's verdict on one picture (the push event); a replay or an unknown trace_id is a no-op."""
    if suggest not in (CheckResult.PASS, CheckResult.REVIEW, CheckResult.RISKY):
        logger.warning("wxa_media_check %s with unknown suggest %r", trace_id, suggest)
        return None
    updated = CommunityMedia.objects.filter(trace_id=trace_id, check_result=CheckResult.WAITING).update(
        check_result=suggest, check_label=label, checked_at=timezone.now()
    )
    media = CommunityMedia.objects.filter(trace_id=trace_id).first()
    if updated and media is not None and media.post_id is not None:
        community_post_settle(post_id=media.post_id)
    return media


# --- deciding -----------------------------------------------------------------------------


def _publish(post: CommunityPost, *, now: datetime) -> None:
    post.status = PostStatus.PUBLISHED
    post.reject_reason = ""
    if post.published_at is None:
        post.published_at = now
    post.save(update_fields=["status", "reject_reason", "published_at"])
    community_post_rescore(post_id=post.pk)


def _take_down(post: CommunityPost, *, status: str, reason: str) -> None:
    post.status = status
    post.reject_reason = reason[:200]
    post.save(update_fields=["status", "reject_reason"])
    community_award_reverse(post_id=post.pk)


@transaction.atomic
def community_post_settle(*, post_id: int) -> CommunityPost | None:
    """Apply the checks' verdicts: risky → rejected; all pass + auto-publish → published."""
    post = CommunityPost.objects.select_for_update().filter(pk=post_id).first()
    if post is None:
        return None
    results = [post.text_check, *CommunityMedia.objects.filter(post=post).values_list("check_result", flat=True)]
    if CheckResult.RISKY in results:
        if post.status in (PostStatus.PENDING, PostStatus.PUBLISHED):
            _take_down(post, status=PostStatus.REJECTED, reason=AUTO_REJECT_REASON)
        return post
    if post.status != PostStatus.PENDING:
        return post
    if all(r == CheckResult.PASS for r in results) and CommunitySettings.load().auto_publish_on_pass:
        _publish(post, now=timezone.now())
    return post


def _comment_publish(comment: CommunityComment) -> None:
    comment.status = PostStatus.PUBLISHED
    comment.save(update_fields=["status"])
    CommunityPost.objects.filter(pk=comment.post_id).update(comment_count=F("comment_count") + 1)
    post = community_post_rescore(post_id=comment.post_id)
    if post.status == PostStatus.PUBLISHED:
        community_award_check_engagement(post=post)


@transaction.atomic
def community_comment_settle(*, comment_id: int) -> CommunityComment | None:
    comment = CommunityComment.objects.select_for_update().filter(pk=comment_id).first()
    if comment is None or comment.status != PostStatus.PENDING:
        return comment
    if comment.text_check == CheckResult.RISKY:
        comment.status = PostStatus.REJECTED
        comment.reject_reason = AUTO_REJECT_REASON
        comment.save(update_fields=["status", "reject_reason"])
    elif comment.text_check == CheckResult.PASS and CommunitySettings.load().auto_publish_on_pass:
        _comment_publish(comment)
    return comment


# --- the merchant's review ----------------------------------------------------------------


def _staff(actor: AbstractBaseUser | None) -> User | None:
    return actor if isinstance(actor, User) else None


def _locked_post(post_id: int) -> CommunityPost:
    post = CommunityPost.objects.select_for_update().filter(pk=post_id).first()
    if post is None:
        raise PostNotFound()
    return post


def _reason_required(reason: str) -> str:
    cleaned = (reason or "").strip()
    if not cleaned:
        raise RejectReasonRequired()
    return cleaned[:200]


@transaction.atomic
def community_post_approve(*, post_id: int, actor: AbstractBaseUser | None) -> CommunityPost:
    """Publish a post waiting in the queue (or one rejected by mistake)."""
    post = _locked_post(post_id)
    if post.status not in (PostStatus.PENDING, PostStatus.REJECTED):
        raise PostNotReviewable(details={"status": post.status})
    now = timezone.now()
    _publish(post, now=now)
    CommunityPost.objects.filter(pk=post.pk).update(reviewed_by=_staff(actor), reviewed_at=now)
    audit_record(actor=actor, action="community_post.approve", target=post, data={"author": post.author_id})
    return post


@transaction.atomic
def community_post_reject(*, post_id: int, actor: AbstractBaseUser | None, reason: str) -> CommunityPost:
    """Reject a pending post, or take down a published one, with a reason the author sees."""
    cleaned = _reason_required(reason)
    post = _locked_post(post_id)
    if post.status not in (PostStatus.PENDING, PostStatus.PUBLISHED):
        raise PostNotReviewable(details={"status": post.status})
    _take_down(post, status=PostStatus.REJECTED, reason=cleaned)
    CommunityPost.objects.filter(pk=post.pk).update(reviewed_by=_staff(actor), reviewed_at=timezone.now())
    audit_record(actor=actor, action="community_post.reject", target=post, data={"reason": cleaned})
    return post


@transaction.atomic
def community_post_remove(*, post_id: int, actor: AbstractBaseUser | None, reason: str) -> CommunityPost:
    """Remove a post for good (已删除); its 优质内容 award is reversed once."""
    cleaned = _reason_required(reason)
    post = _locked_post(post_id)
    if post.status == PostStatus.DELETED:
        raise PostNotReviewable(details={"status": post.status})
    _take_down(post, status=PostStatus.DELETED, reason=cleaned)
    audit_record(actor=actor, action="community_post.remove", target=post, data={"reason": cleaned})
    return post


@transaction.atomic
def community_post_feature(*, post_id: int, actor: AbstractBaseUser | None, featured: bool) -> CommunityPost:
    """精选 (or not): featured posts rank higher and earn the author the 优质内容 award once."""
    post = _locked_post(post_id)
    if post.status != PostStatus.PUBLISHED:
        raise PostNotReviewable(details={"status": post.status})
    if post.is_featured != featured:
        post.is_featured = featured
        post.save(update_fields=["is_featured"])
        community_post_rescore(post_id=post.pk)
        audit_record(actor=actor, action="community_post.feature", target=post, data={"featured": featured})
    if featured:
        community_award_grant(post_id=post.pk, reason=AwardReason.FEATURED)
    return post


def _locked_comment(comment_id: int) -> CommunityComment:
    comment = CommunityComment.objects.select_for_update().filter(pk=comment_id).first()
    if comment is None:
        raise CommentNotFound()
    return comment


@transaction.atomic
def community_comment_approve(*, comment_id: int, actor: AbstractBaseUser | None) -> CommunityComment:
    comment = _locked_comment(comment_id)
    if comment.status != PostStatus.PENDING:
        raise PostNotReviewable(details={"status": comment.status})
    _comment_publish(comment)
    CommunityComment.objects.filter(pk=comment.pk).update(reviewed_by=_staff(actor), reviewed_at=timezone.now())
    audit_record(actor=actor, action="community_comment.approve", target=comment, data={"post": comment.post_id})
    return comment


@transaction.atomic
def community_comment_reject(*, comment_id: int, actor: AbstractBaseUser | None, reason: str) -> CommunityComment:
    """Reject a pending comment or take a published one down (the post's count follows)."""
    cleaned = _reason_required(reason)
    comment = _locked_comment(comment_id)
    if comment.status not in (PostStatus.PENDING, PostStatus.PUBLISHED):
        raise PostNotReviewable(details={"status": comment.status})
    was_published = comment.status == PostStatus.PUBLISHED
    comment.status = PostStatus.REJECTED
    comment.reject_reason = cleaned
    comment.reviewed_by = _staff(actor)
    comment.reviewed_at = timezone.now()
    comment.save(update_fields=["status", "reject_reason", "reviewed_by", "reviewed_at"])
    if was_published:
        CommunityPost.objects.filter(pk=comment.post_id, comment_count__gt=0).update(
            comment_count=F("comment_count") - 1
        )
        community_post_rescore(post_id=comment.post_id)
    audit_record(actor=actor, action="community_comment.reject", target=comment, data={"reason": cleaned})
    return comment


@transaction.atomic
def community_report_resolve(
    *, report_id: int, actor: AbstractBaseUser | None, resolution: str, remove_post: bool = False
) -> CommunityReport:
    """Close a report; with ``remove_post`` the post is removed (award reversed) in the same step."""
    report = CommunityReport.objects.select_for_update().filter(pk=report_id).first()
    if report is None:
        raise ReportNotFound()
    if report.status == ReportStatus.RESOLVED:
        raise PostNotReviewable(details={"status": report.status})
    note = (resolution or "").strip()[:200] or gettext("已处理")
    if remove_post:
        post = CommunityPost.objects.filter(pk=report.post_id).exclude(status=PostStatus.DELETED).first()
        if post is not None:
            community_post_remove(post_id=post.pk, actor=actor, reason=note)
    report.status = ReportStatus.RESOLVED
    report.resolution = note
    report.resolved_by = _staff(actor)
    report.resolved_at = timezone.now()
    report.save(update_fields=["status", "resolution", "resolved_by", "resolved_at"])
    audit_record(
        actor=actor, action="community_report.resolve", target=report, data={"remove_post": remove_post, "note": note}
    )
    return report


@transaction.atomic
def community_settings_save(
    *,
    actor: AbstractBaseUser | None,
    auto_publish_on_pass: bool,
    engagement_threshold: int,
    award_points: int,
    daily_award_cap: int,
) -> CommunitySettings:
    rules = CommunitySettings.objects.select_for_update().filter(pk=1).first() or CommunitySettings.load()
    before = {
        "auto_publish_on_pass": rules.auto_publish_on_pass,
        "engagement_threshold": rules.engagement_threshold,
        "award_points": rules.award_points,
        "daily_award_cap": rules.daily_award_cap,
    }
    rules.auto_publish_on_pass = auto_publish_on_pass
    rules.engagement_threshold = engagement_threshold
    rules.award_points = award_points
    rules.daily_award_cap = daily_award_cap
    rules.save()
    after = {
        "auto_publish_on_pass": auto_publish_on_pass,
        "engagement_threshold": engagement_threshold,
        "award_points": award_points,
        "daily_award_cap": daily_award_cap,
    }
    audit_record(actor=actor, action="community_settings.update", target=rules, data={"before": before, "after": after})
    return rules


# --- retries ------------------------------------------------------------------------------


def community_checks_retry_due(*, now: datetime | None = None) -> int:
    """The sweep: posts and comments whose WeChat check failed (or whose task never ran) are
    asked again, up to MAX_CHECK_ATTEMPTS within a day; after that they wait for the merchant."""
    now = now or timezone.now()
    since, until = now - RETRY_WINDOW, now - RETRY_AFTER
    post_ids: Iterable[int] = (
        CommunityPost.objects.filter(
            status=PostStatus.PENDING,
            created_at__gte=since,
            created_at__lte=until,
            check_attempts__lt=MAX_CHECK_ATTEMPTS,
        )
        .filter(_post_missing_checks())
        .values_list("pk", flat=True)[:200]
    )
    done = 0
    for post_id in list(post_ids):
        community_post_check(post_id=post_id)
        done += 1
    comment_ids = CommunityComment.objects.filter(
        status=PostStatus.PENDING,
        text_check=CheckResult.WAITING,
        created_at__gte=since,
        created_at__lte=until,
        check_attempts__lt=MAX_CHECK_ATTEMPTS,
    ).values_list("pk", flat=True)[:200]
    for comment_id in list(comment_ids):
        community_comment_check(comment_id=comment_id)
        done += 1
    return done


def _post_missing_checks() -> Q:
    unsent = CommunityMedia.objects.filter(
        post=OuterRef("pk"), kind=MediaKind.IMAGE, check_result=CheckResult.WAITING, trace_id__isnull=True
    )
    return Q(text_check=CheckResult.WAITING) | Exists(unsent)
