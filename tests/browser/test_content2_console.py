"""Round-2 content pages in a real browser: 内容 › 社区数据 with its cards, daily chart and tables
(opened from the sidebar), a published comment offering only 驳回, and the page editor's 设为专题
leading to the topic settings."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from playwright.sync_api import expect

from marketing.services.community import community_comment_create, community_post_like
from marketing.services.community_moderation import community_comment_approve, community_post_feature
from marketing.services.pages import PageData, page_create
from marketing.tests.community.helpers import community_rules, published_post, topic
from members.tests.factories import MemberFactory
from tests.browser.charts import first_chart_labels


def test_the_merchant_reads_the_community_figures(
    page_factory: Any, owner: Any, screenshot_dir: Path, settings: Any, tmp_path: Path
) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    community_rules(award_points=100, engagement_threshold=1000)
    author = MemberFactory.create(nickname="种草达人")
    fans = [MemberFactory.create(nickname=f"粉丝{i}") for i in range(3)]
    post = published_post(author, text="用了两周，干皮救星！", topic_ids=[topic().pk])
    published_post(author, text="第二篇：口红试色", topic_ids=[topic("makeup", "彩妆").pk])
    for fan in fans:
        community_post_like(member=fan, post_id=post.pk)
    community_post_feature(post_id=post.pk, actor=owner, featured=True)
    comment = community_comment_create(member=fans[0], post_id=post.pk, text="求同款链接")
    community_comment_approve(comment_id=comment.pk, actor=owner)

    page = page_factory(owner)
    page.goto("/admin/")
    page.locator("#nav-sidebar-apps, nav, aside").get_by_role("link", name="社区数据").first.click()
    expect(page.get_by_test_id("community-stats-title")).to_have_text("社区数据")
    expect(page.get_by_test_id("kpi-posts")).to_have_text("2")
    expect(page.get_by_test_id("kpi-likes")).to_have_text("3")
    expect(page.get_by_test_id("kpi-awards")).to_have_text("100 积分")
    expect(page.get_by_test_id("community-top-authors")).to_contain_text("种草达人")
    expect(page.get_by_test_id("community-per-topic")).to_contain_text("彩妆")
    labels = first_chart_labels(page)
    assert labels == 30
    page.screenshot(path=str(screenshot_dir / "console-community-stats.png"), full_page=True)

    page.goto(f"/admin/marketing/communitycomment/{comment.pk}/change/")
    expect(page.locator("body")).to_contain_text("求同款链接")
    expect(page.get_by_role("link", name="驳回")).to_have_count(1)
    expect(page.get_by_role("link", name="通过", exact=True)).to_have_count(0)
    page.screenshot(path=str(screenshot_dir / "console-community-comment.png"), full_page=True)


def test_the_page_editor_makes_the_page_a_topic(page_factory: Any, owner: Any, screenshot_dir: Path) -> None:
    campaign = page_create(actor=owner, data=PageData(title="出差便携套装", slug="business-trip"))
    page = page_factory(owner)
    page.goto(f"/console/marketing/pages/{campaign.pk}/")
    link = page.get_by_test_id("page-topic-link")
    expect(link).to_have_text("设为专题")
    page.screenshot(path=str(screenshot_dir / "console-page-editor-topic-link.png"), full_page=False)
    link.click()
    expect(page).to_have_url(f"{page.url.split('/console/')[0]}/console/marketing/topics/{campaign.pk}/")
    expect(page.locator("body")).to_contain_text("专题设置")
