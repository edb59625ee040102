"""The console's 内容 › 种草社区 (F23): the review queue with pictures and WeChat's verdicts,
approve / reject with a reason (bulk with stock reasons), 精选, removal reversing the award,
reports, topics and the rules — every step audited, every refusal a message."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from mall.models import AuditLog
from marketing.models import (
    CommunityAward,
    CommunityPost,
    CommunityReport,
    CommunitySettings,
    CommunityTopic,
    PostStatus,
    ReportStatus,
)
from marketing.services.community import community_post_report
from marketing.tests.community.helpers import community_rules, make_post, make_product, published_post, topic
from members.models import Member, PointsEntry

pytestmark = pytest.mark.django_db


@pytest.fixture
def owner() -> User:
    return User.objects.create_superuser(username="owner", password="x", email="owner@example.com")


@pytest.fixture
def console(owner: User) -> Client:
    client = Client()
    client.force_login(owner)
    return client


def _action(name: str, obj: Any, model: str = "communitypost") -> str:
    return reverse(f"admin:marketing_{model}_{name}", args=[obj.pk])


def test_the_queue_opens_on_pending_posts_with_their_pictures(console: Client, member: Member) -> None:
    waiting = make_post(member, text="待审核的种草", images=2, product_ids=[make_product("面霜").pk])
    published_post(member, text="已经发布的种草")

    listing = console.get(reverse("admin:marketing_communitypost_changelist"), follow=True)
    html = listing.content.decode()
    assert "待审核的种草" in html and "已经发布的种草" not in html
    detail = console.get(reverse("admin:marketing_communitypost_change", args=[waiting.pk])).content.decode()
    assert detail.count('data-testid="community-media"') == 2
    assert "文本 检测中" in detail and "面霜" in detail
    assert _action("approve", waiting) in detail and _action("reject", waiting) in detail


def test_approve_and_reject_from_the_detail_page_are_audited(console: Client, owner: User, member: Member) -> None:
    post = make_post(member)
    empty = console.post(_action("reject", post), {"reason": "", "_form_submitted": "on"})
    assert "HX-Redirect" not in empty.headers
    assert CommunityPost.objects.get(pk=post.pk).status == PostStatus.PENDING

    answer = console.post(_action("reject", post), {"reason": "图片与商品无关", "_form_submitted": "on"})
    assert answer.headers["HX-Redirect"] == reverse("admin:marketing_communitypost_change", args=[post.pk])
    assert CommunityPost.objects.get(pk=post.pk).reject_reason == "图片与商品无关"

    console.post(_action("approve", post), {"_form_submitted": "on"})
    assert CommunityPost.objects.get(pk=post.pk).status == PostStatus.PUBLISHED
    console.post(_action("approve", post), {"_form_submitted": "on"})
    refused = console.get(reverse("admin:marketing_communitypost_change", args=[post.pk]))
    assert "帖子当前状态不能执行该操作" in refused.content.decode()
    assert set(
        AuditLog.objects.filter(actor=owner, action__startswith="community").values_list("action", flat=True)
    ) == {
        "community_post.reject",
        "community_post.approve",
    }


def test_bulk_approve_and_bulk_reject_with_a_stock_reason(console: Client, member: Member) -> None:
    posts = [make_post(member) for _i in range(3)]
    url = reverse("admin:marketing_communitypost_changelist")
    console.post(url, {"action": "approve_selected", "_selected_action": [posts[0].pk, posts[1].pk]})
    console.post(url, {"action": "reject_advert", "_selected_action": [posts[1].pk, posts[2].pk]})
    statuses = {p.pk: (p.status, p.reject_reason) for p in CommunityPost.objects.all()}
    assert statuses == {
        posts[0].pk: (PostStatus.PUBLISHED, ""),
        posts[1].pk: (PostStatus.REJECTED, "含广告或联系方式"),  # a published one is taken down
        posts[2].pk: (PostStatus.REJECTED, "含广告或联系方式"),
    }


def test_featuring_then_removing_gives_and_takes_the_points_back(console: Client, member: Member) -> None:
    community_rules(award_points=80)
    post = published_post(member)
    console.post(_action("feature", post), {"_form_submitted": "on"})
    assert CommunityPost.objects.get(pk=post.pk).is_featured
    assert CommunityAward.objects.get(post=post).points == 80
    page = console.get(reverse("admin:marketing_communitypost_change", args=[post.pk])).content.decode()
    assert "80 积分（商家精选）" in page

    console.post(_action("remove", post), {"reason": "商品已停售", "_form_submitted": "on"})
    assert CommunityPost.objects.get(pk=post.pk).status == PostStatus.DELETED
    assert sum(PointsEntry.objects.filter(member=member).values_list("delta", flat=True)) == 0


def test_a_report_is_resolved_with_the_post_removed(console: Client, member: Member, other_member: Member) -> None:
    post = published_post(member)
    report = community_post_report(member=other_member, post_id=post.pk, reason="spam", text="留微信号")
    listing = console.get(reverse("admin:marketing_communityreport_changelist"), follow=True).content.decode()
    assert "广告引流" in listing and "留微信号" in listing
    console.post(
        _action("resolve_and_remove", report, "communityreport"), {"resolution": "违规引流", "_form_submitted": "on"}
    )
    assert CommunityReport.objects.get(pk=report.pk).status == ReportStatus.RESOLVED
    assert CommunityPost.objects.get(pk=post.pk).status == PostStatus.DELETED


def test_topics_are_saved_through_the_audited_service(console: Client, owner: User, member: Member) -> None:
    add = reverse("admin:marketing_communitytopic_add")
    console.post(add, {"name": "出差好物", "slug": "Travel", "sort_order": "1", "is_active": "on"})
    created = CommunityTopic.objects.get(slug="travel")
    taken = console.post(add, {"name": "重复", "slug": "travel", "sort_order": "2", "is_active": "on"}, follow=True)
    assert "errornote" in taken.content.decode() and CommunityTopic.objects.count() == 1
    used = topic("skincare", "护肤")
    published_post(member, topic_ids=[used.pk])
    console.post(reverse("admin:marketing_communitytopic_delete", args=[used.pk]), {"post": "yes"})
    console.post(reverse("admin:marketing_communitytopic_delete", args=[created.pk]), {"post": "yes"})
    assert list(CommunityTopic.objects.values_list("slug", "is_active")) == [("skincare", False)]
    assert {"community_topic.create", "community_topic.update", "community_topic.delete"} <= set(
        AuditLog.objects.filter(actor=owner).values_list("action", flat=True)
    )


def test_the_rules_page_saves_through_the_service(console: Client, owner: User) -> None:
    page = console.get(reverse("admin:marketing_communitysettings_changelist"), follow=True)
    assert "优质内容互动门槛" in page.content.decode()
    rules = CommunitySettings.load()
    console.post(
        reverse("admin:marketing_communitysettings_change", args=[rules.pk]),
        {"auto_publish_on_pass": "on", "engagement_threshold": "20", "award_points": "50", "daily_award_cap": "2"},
    )
    rules.refresh_from_db()
    assert (rules.auto_publish_on_pass, rules.engagement_threshold, rules.award_points, rules.daily_award_cap) == (
        True,
        20,
        50,
        2,
    )
    assert AuditLog.objects.filter(actor=owner, action="community_settings.update").exists()


def test_the_sidebar_lists_the_content_group(console: Client) -> None:
    html = console.get(reverse("admin:index")).content.decode()
    assert "内容" in html and reverse("admin:marketing_communitypost_changelist") in html
