"""The 种草社区 API (F23) as the mini-program calls it: every refusal a 4xx with its stable code."""

from __future__ import annotations

from typing import Any

import pytest
from rest_framework.test import APIClient

from marketing.models import CommunityMedia, CommunityPost, PostStatus
from marketing.services.community import community_comment_create
from marketing.services.community_moderation import community_post_reject
from marketing.tests.community.helpers import (
    completed_order,
    make_post,
    make_product,
    paid_order,
    png_bytes,
    published_post,
    staff_user,
    topic,
)
from members.models import Member
from members.tests.fixtures import client_for

pytestmark = pytest.mark.django_db


def _upload(client: APIClient, content: bytes, name: str = "a.png") -> Any:
    from django.core.files.uploadedfile import SimpleUploadedFile

    return client.post("/api/v1/community/media", {"file": SimpleUploadedFile(name, content)}, format="multipart")


def test_compose_upload_then_post_then_find_it_under_mine(member: Member) -> None:
    client = client_for(member)
    cream = make_product("保湿面霜")
    skincare = topic()
    first = _upload(client, png_bytes("red")).json()
    second = _upload(client, png_bytes("blue")).json()
    assert first["kind"] == "image" and "/media/community/" in first["url"]

    answer = client.post(
        "/api/v1/community/posts",
        {
            "text": "一个月回购三次",
            "media_ids": [first["id"], second["id"]],
            "product_ids": [cream.pk],
            "topic_ids": [skincare.pk],
        },
        format="json",
    )

    assert answer.status_code == 201
    body = answer.json()
    assert (body["status"], body["status_label"], body["is_mine"]) == ("pending", "审核中", True)
    assert [m["id"] for m in body["media"]] == [first["id"], second["id"]]
    assert body["products"] == [{"id": cream.pk, "title": "保湿面霜", "image": "", "purchased": False}]
    assert body["topics"] == [{"id": skincare.pk, "slug": "skincare", "name": "护肤心得"}]
    mine = client.get("/api/v1/community/mine").json()
    assert mine["count"] == 1 and mine["results"][0]["id"] == body["id"]


def test_bad_uploads_and_posts_answer_400_with_codes(member: Member) -> None:
    client = client_for(member)
    not_image = _upload(client, b"hello", "a.png")
    assert (not_image.status_code, not_image.json()["code"]) == (400, "community_media_invalid")
    missing = client.post("/api/v1/community/media", {}, format="multipart")
    assert missing.status_code == 400

    empty = client.post("/api/v1/community/posts", {"text": "   "}, format="json")
    assert (empty.status_code, empty.json()["code"]) == (400, "community_post_invalid")
    too_many = client.post("/api/v1/community/posts", {"text": "好", "media_ids": list(range(1, 11))}, format="json")
    assert (too_many.status_code, too_many.json()["code"]) == (400, "invalid_input")
    foreign = client.post("/api/v1/community/posts", {"text": "好", "media_ids": [999999]}, format="json")
    assert (foreign.status_code, foreign.json()["code"]) == (400, "community_media_invalid")
    assert "message" in foreign.json() and CommunityPost.objects.count() == 0


def test_anonymous_shoppers_read_but_do_not_write(member: Member) -> None:
    post = published_post(member)
    anonymous = APIClient()
    assert anonymous.get("/api/v1/community/feed").status_code == 200
    assert anonymous.get(f"/api/v1/community/posts/{post.pk}").status_code == 200
    assert anonymous.get("/api/v1/community/topics").status_code == 200
    for path in ("posts", f"posts/{post.pk}/like", f"posts/{post.pk}/comments", "media"):
        assert anonymous.post(f"/api/v1/community/{path}", {}, format="json").status_code == 401
    assert anonymous.get("/api/v1/community/mine").status_code == 401
    assert anonymous.get("/api/v1/community/invitable").status_code == 401


def test_a_pending_or_rejected_post_is_visible_to_its_author_only_with_the_reason(
    member: Member, other_member: Member
) -> None:
    post = make_post(member)
    community_post_reject(post_id=post.pk, actor=staff_user(), reason="图片模糊")
    mine = client_for(member).get(f"/api/v1/community/posts/{post.pk}").json()
    assert (mine["status"], mine["status_label"], mine["reject_reason"]) == ("rejected", "未通过", "图片模糊")
    hidden = client_for(other_member).get(f"/api/v1/community/posts/{post.pk}")
    assert (hidden.status_code, hidden.json()["code"]) == (404, "community_post_not_found")


def test_delete_is_for_the_author(member: Member, other_member: Member) -> None:
    post = published_post(member)
    refused = client_for(other_member).delete(f"/api/v1/community/posts/{post.pk}")
    assert (refused.status_code, refused.json()["code"]) == (403, "community_post_not_owned")
    assert client_for(member).delete(f"/api/v1/community/posts/{post.pk}").status_code == 204
    assert CommunityPost.objects.get(pk=post.pk).status == PostStatus.DELETED


def test_like_and_favourite_round_trips(member: Member, other_member: Member) -> None:
    post = published_post(member)
    client = client_for(other_member)
    assert client.post(f"/api/v1/community/posts/{post.pk}/like").json() == {"liked": True, "like_count": 1}
    assert client.post(f"/api/v1/community/posts/{post.pk}/like").json() == {"liked": True, "like_count": 1}
    assert client.post(f"/api/v1/community/posts/{post.pk}/favourite").json() == {
        "favourited": True,
        "favourite_count": 1,
    }
    detail = client.get(f"/api/v1/community/posts/{post.pk}").json()
    assert (detail["liked"], detail["favourited"], detail["is_mine"]) == (True, True, False)
    assert client.delete(f"/api/v1/community/posts/{post.pk}/like").json() == {"liked": False, "like_count": 0}
    assert client.delete(f"/api/v1/community/posts/{post.pk}/favourite").json()["favourite_count"] == 0
    pending = make_post(member)
    blocked = client.post(f"/api/v1/community/posts/{pending.pk}/like")
    assert (blocked.status_code, blocked.json()["code"]) == (409, "community_post_not_published")
    missing = client.post("/api/v1/community/posts/999999/like")
    assert (missing.status_code, missing.json()["code"]) == (404, "community_post_not_found")


def test_comments_show_published_ones_and_my_own_pending(member: Member, other_member: Member) -> None:
    from marketing.services.community_moderation import community_comment_approve

    post = published_post(member)
    approved = community_comment_create(member=member, post_id=post.pk, text="谢谢支持")
    community_comment_approve(comment_id=approved.pk, actor=staff_user())
    client = client_for(other_member)
    created = client.post(f"/api/v1/community/posts/{post.pk}/comments", {"text": "求色号"}, format="json")
    assert created.status_code == 201 and created.json()["status"] == "pending"

    mine = client.get(f"/api/v1/community/posts/{post.pk}/comments").json()
    assert [(c["text"], c["status"], c["is_mine"]) for c in mine["results"]] == [
        ("谢谢支持", "published", False),
        ("求色号", "pending", True),
    ]
    others = APIClient().get(f"/api/v1/community/posts/{post.pk}/comments").json()
    assert [c["text"] for c in others["results"]] == ["谢谢支持"]
    bad = client.post(f"/api/v1/community/posts/{post.pk}/comments", {"text": "  "}, format="json")
    assert (bad.status_code, bad.json()["code"]) == (400, "community_comment_invalid")


def test_report_once(member: Member, other_member: Member) -> None:
    post = published_post(member)
    client = client_for(other_member)
    first = client.post(f"/api/v1/community/posts/{post.pk}/report", {"reason": "spam", "text": "广告"}, format="json")
    assert first.status_code == 201 and first.json()["status"] == "open"
    again = client.post(f"/api/v1/community/posts/{post.pk}/report", {"reason": "spam"}, format="json")
    assert (again.status_code, again.json()["code"]) == (409, "community_report_duplicate")
    bad = client.post(f"/api/v1/community/posts/{post.pk}/report", {"reason": "boring"}, format="json")
    assert bad.status_code == 400


def test_feed_for_the_product_page_and_its_query_count(
    member: Member, other_member: Member, django_assert_max_num_queries: Any
) -> None:
    cream = make_product("面霜")
    paid_order(member, cream)
    for _i in range(4):
        published_post(member, images=2, product_ids=[cream.pk], topic_ids=[topic().pk])
    client = client_for(other_member)
    with django_assert_max_num_queries(9):
        body = client.get(f"/api/v1/community/feed?product_id={cream.pk}&limit=3").json()
    assert len(body["results"]) == 3 and body["next_cursor"]
    assert body["results"][0]["products"][0]["purchased"] is True
    rest = client.get(f"/api/v1/community/feed?product_id={cream.pk}&limit=3&cursor={body['next_cursor']}").json()
    assert len(rest["results"]) == 1 and rest["next_cursor"] is None
    bad = client.get("/api/v1/community/feed?sort=hot")
    assert (bad.status_code, bad.json()["code"]) == (400, "invalid_input")
    bad_cursor = client.get("/api/v1/community/feed?cursor=zzz")
    assert (bad_cursor.status_code, bad_cursor.json()["code"]) == (400, "community_post_invalid")


def test_invitable_and_topics(member: Member) -> None:
    cream = make_product("面霜")
    completed_order(member, cream)
    topic("makeup", "彩妆")
    client = client_for(member)
    rows = client.get("/api/v1/community/invitable").json()
    assert [(r["product_id"], r["title"]) for r in rows] == [(cream.pk, "面霜")] and rows[0]["completed_at"]
    assert client.get("/api/v1/community/topics").json() == [
        {"id": topic("makeup").pk, "slug": "makeup", "name": "彩妆"}
    ]


def test_every_community_operation_is_in_the_schema() -> None:
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    operations = {
        op["operationId"]
        for path, item in schema["paths"].items()
        if path.startswith("/api/v1/community/")
        for op in item.values()
    }
    assert operations == {
        "community_feed",
        "community_post_create",
        "community_post_detail",
        "community_post_delete",
        "community_post_like",
        "community_post_unlike",
        "community_post_favourite",
        "community_post_unfavourite",
        "community_comments",
        "community_comment_create",
        "community_post_report",
        "community_mine",
        "community_media_upload",
        "community_topics",
        "community_invitable",
    }
    assert CommunityMedia.objects.count() == 0
