"""The moderation pipeline (F23) against WeChat's documented content-security payloads:
text check, async image checks with their signed push callback, refusals that keep the post
for the merchant's queue and the sweep that asks again."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
import responses
import time_machine
from django.utils import timezone

from marketing.models import CheckResult, CommunityMedia, CommunityPost, PostStatus
from marketing.services.community_moderation import (
    AUTO_REJECT_REASON,
    community_checks_retry_due,
    community_media_check_result,
    community_post_check,
)
from marketing.tests.community.helpers import (
    MEDIA_CHECK_URL,
    MSG_SEC_CHECK_URL,
    community_rules,
    make_post,
    media_check_event,
    push,
    signed_query,
    stub_media_check,
    stub_msg_sec_check,
    stub_refusal,
)
from members.models import Member

pytestmark = pytest.mark.django_db


def test_a_clean_post_with_auto_publish_goes_live_when_every_picture_comes_back_pass(
    member: Member, wechat_api: responses.RequestsMock
) -> None:
    community_rules(auto_publish_on_pass=True)
    post = make_post(member, images=2)
    text_call = stub_msg_sec_check(wechat_api)
    stub_media_check(wechat_api, "trace-a", "trace-b")

    community_post_check(post_id=post.pk)

    post.refresh_from_db()
    assert (post.status, post.text_check, post.check_error) == (PostStatus.PENDING, CheckResult.PASS, "")
    sent = text_call.calls[0].request
    assert '"version": 2' in sent.body.decode() and '"scene": 3' in sent.body.decode()
    assert f'"openid": "{member.openid}"' in sent.body.decode()
    media_body = wechat_api.calls[-1].request.body.decode()
    assert '"media_type": 2' in media_body and "https://shop.example.com/media/community/" in media_body
    assert sorted(CommunityMedia.objects.filter(post=post).values_list("trace_id", flat=True)) == ["trace-a", "trace-b"]

    assert push(media_check_event("trace-a")).content == b"success"
    assert CommunityPost.objects.get(pk=post.pk).status == PostStatus.PENDING  # one picture still out
    assert push(media_check_event("trace-b")).status_code == 200

    post.refresh_from_db()
    assert post.status == PostStatus.PUBLISHED and post.published_at is not None and post.rank_score > 0


def test_without_auto_publish_a_clean_post_waits_for_the_merchant(
    member: Member, wechat_api: responses.RequestsMock
) -> None:
    post = make_post(member)
    stub_msg_sec_check(wechat_api)
    community_post_check(post_id=post.pk)
    assert CommunityPost.objects.get(pk=post.pk).status == PostStatus.PENDING


def test_review_suggestion_waits_for_the_merchant_even_with_auto_publish(
    member: Member, wechat_api: responses.RequestsMock
) -> None:
    community_rules(auto_publish_on_pass=True)
    post = make_post(member)
    stub_msg_sec_check(wechat_api, suggest="review", label=21000)
    community_post_check(post_id=post.pk)
    post.refresh_from_db()
    assert (post.status, post.text_check, post.text_label) == (PostStatus.PENDING, CheckResult.REVIEW, 21000)


def test_risky_text_is_rejected_automatically(member: Member, wechat_api: responses.RequestsMock) -> None:
    post = make_post(member, text="加微信领返现")
    stub_msg_sec_check(wechat_api, suggest="risky", label=20001)
    community_post_check(post_id=post.pk)
    post.refresh_from_db()
    assert (post.status, post.reject_reason) == (PostStatus.REJECTED, AUTO_REJECT_REASON)


def test_a_risky_picture_rejects_the_post(member: Member, wechat_api: responses.RequestsMock) -> None:
    post = make_post(member, images=1)
    stub_msg_sec_check(wechat_api)
    stub_media_check(wechat_api, "trace-risky")
    community_post_check(post_id=post.pk)

    push(media_check_event("trace-risky", suggest="risky", label=20002))

    post.refresh_from_db()
    assert post.status == PostStatus.REJECTED
    media = CommunityMedia.objects.get(trace_id="trace-risky")
    assert (media.check_result, media.check_label) == (CheckResult.RISKY, 20002)


def test_a_replayed_push_changes_nothing(member: Member, wechat_api: responses.RequestsMock) -> None:
    post = make_post(member, images=1)
    stub_msg_sec_check(wechat_api)
    stub_media_check(wechat_api, "trace-1")
    community_post_check(post_id=post.pk)
    push(media_check_event("trace-1", suggest="pass"))
    # The same trace_id again, now claiming risky: the first verdict stands.
    push(media_check_event("trace-1", suggest="risky", label=20002))
    assert CommunityMedia.objects.get(trace_id="trace-1").check_result == CheckResult.PASS
    assert CommunityPost.objects.get(pk=post.pk).status == PostStatus.PENDING
    assert community_media_check_result(trace_id="unknown-trace", suggest="pass", label=100) is None


def test_a_push_with_a_bad_signature_is_refused_and_changes_nothing(
    member: Member, wechat_api: responses.RequestsMock
) -> None:
    post = make_post(member, images=1)
    stub_msg_sec_check(wechat_api)
    stub_media_check(wechat_api, "trace-sig")
    community_post_check(post_id=post.pk)

    forged = push(media_check_event("trace-sig", suggest="pass"), query=signed_query(token="not-the-token"))
    unsigned = push(media_check_event("trace-sig", suggest="pass"), query="")

    assert forged.status_code == 403 and forged.json()["code"] == "wechat_push_signature_invalid"
    assert unsigned.status_code == 403
    assert CommunityMedia.objects.get(trace_id="trace-sig").check_result == CheckResult.WAITING


def test_wechat_checking_the_push_url_gets_its_echostr_back() -> None:
    from rest_framework.test import APIClient

    answer = APIClient().get(f"/api/v1/wechat/push?{signed_query()}&echostr=8827654321")
    assert (answer.status_code, answer.content) == (200, b"8827654321")
    forged = APIClient().get(f"/api/v1/wechat/push?{signed_query(token='x')}&echostr=1")
    assert forged.status_code == 403


def test_a_failed_media_check_event_sends_the_picture_to_the_merchant(
    member: Member, wechat_api: responses.RequestsMock
) -> None:
    community_rules(auto_publish_on_pass=True)
    post = make_post(member, images=1)
    stub_msg_sec_check(wechat_api)
    stub_media_check(wechat_api, "trace-err")
    community_post_check(post_id=post.pk)
    push(media_check_event("trace-err", suggest="", errcode=-1008))
    assert CommunityMedia.objects.get(trace_id="trace-err").check_result == CheckResult.REVIEW
    assert CommunityPost.objects.get(pk=post.pk).status == PostStatus.PENDING


@pytest.mark.parametrize(
    ("errcode", "errmsg", "code"),
    [
        (45009, "reach max api daily quota limit", "wechat_rate_limited"),
        (-1, "system error", "wechat_unavailable"),
        (61010, "user access expired", "wechat_unavailable"),
    ],
)
def test_a_wechat_refusal_keeps_the_post_pending_and_the_sweep_asks_again(
    member: Member, wechat_api: responses.RequestsMock, errcode: int, errmsg: str, code: str
) -> None:
    community_rules(auto_publish_on_pass=True)
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        post = make_post(member, images=1)
        stub_refusal(wechat_api, MSG_SEC_CHECK_URL, errcode=errcode, errmsg=errmsg)
        stub_refusal(wechat_api, MEDIA_CHECK_URL, errcode=errcode, errmsg=errmsg)
        community_post_check(post_id=post.pk)

    post.refresh_from_db()
    assert (post.status, post.text_check, post.check_attempts) == (PostStatus.PENDING, CheckResult.WAITING, 1)
    assert post.check_error == f"media:{code}, text:{code}"

    wechat_api.replace(
        responses.POST,
        MSG_SEC_CHECK_URL,
        json={
            "errcode": 0,
            "errmsg": "ok",
            "result": {"suggest": "pass", "label": 100},
            "detail": [],
            "trace_id": "t-text",
        },
    )
    wechat_api.replace(responses.POST, MEDIA_CHECK_URL, json={"errcode": 0, "errmsg": "ok", "trace_id": "trace-retry"})
    with time_machine.travel(start + timedelta(minutes=1), tick=False):
        assert community_checks_retry_due() == 0  # too fresh: its own task may still be running
    with time_machine.travel(start + timedelta(minutes=10), tick=False):
        assert community_checks_retry_due() == 1
        assert community_checks_retry_due() == 0  # nothing left to ask

    post.refresh_from_db()
    assert (post.text_check, post.check_attempts, post.check_error) == (CheckResult.PASS, 2, "")
    push(media_check_event("trace-retry"))
    assert CommunityPost.objects.get(pk=post.pk).status == PostStatus.PUBLISHED


def test_the_sweep_gives_up_after_five_attempts_and_leaves_the_post_to_the_merchant(
    member: Member, wechat_api: responses.RequestsMock
) -> None:
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        post = make_post(member)
    stub_refusal(wechat_api, MSG_SEC_CHECK_URL, errcode=-1, errmsg="system error")
    for minutes in range(10, 100, 10):
        with time_machine.travel(start + timedelta(minutes=minutes), tick=False):
            community_checks_retry_due()
    post.refresh_from_db()
    assert (post.status, post.check_attempts) == (PostStatus.PENDING, 5)


def test_a_video_is_not_sent_to_wechat_and_waits_for_the_merchant(
    member: Member, wechat_api: responses.RequestsMock
) -> None:
    from marketing.services.community import community_media_upload, community_post_create
    from marketing.tests.community.helpers import mp4_upload

    community_rules(auto_publish_on_pass=True)
    video = community_media_upload(member=member, upload=mp4_upload())
    post = community_post_create(member=member, text="开箱视频", media_ids=[video.pk])
    stub_msg_sec_check(wechat_api)
    community_post_check(post_id=post.pk)
    assert CommunityMedia.objects.get(pk=video.pk).check_result == CheckResult.SKIPPED
    assert CommunityPost.objects.get(pk=post.pk).status == PostStatus.PENDING
    assert all("media_check_async" not in c.request.url for c in wechat_api.calls)


def test_a_comment_is_checked_like_a_post(member: Member, other_member: Member, wechat_api: Any) -> None:
    from marketing.models import CommunityComment
    from marketing.services.community import community_comment_create
    from marketing.services.community_moderation import community_comment_check
    from marketing.tests.community.helpers import published_post

    community_rules(auto_publish_on_pass=True)
    post = published_post(member)
    good = community_comment_create(member=other_member, post_id=post.pk, text="求链接")
    bad = community_comment_create(member=other_member, post_id=post.pk, text="加我微信")
    stub_msg_sec_check(wechat_api)
    community_comment_check(comment_id=good.pk)
    wechat_api.replace(
        responses.POST,
        MSG_SEC_CHECK_URL,
        json={
            "errcode": 0,
            "errmsg": "ok",
            "result": {"suggest": "risky", "label": 20001},
            "detail": [],
            "trace_id": "x",
        },
    )
    community_comment_check(comment_id=bad.pk)
    assert CommunityComment.objects.get(pk=good.pk).status == PostStatus.PUBLISHED
    assert CommunityComment.objects.get(pk=bad.pk).status == PostStatus.REJECTED
    assert CommunityPost.objects.get(pk=post.pk).comment_count == 1
