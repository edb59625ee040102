"""The 种草社区 review queue (F23) in a real browser: the merchant opens 内容 › 种草帖子 from the
sidebar, sees the pending post with its words, products and WeChat's verdict, rejects it with a
reason in the dialog, and the reports list names reasons in Chinese."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from playwright.sync_api import expect

from marketing.models import CommunityPost, PostStatus
from marketing.services.community import community_post_report
from marketing.tests.community.helpers import make_post, make_product, published_post, topic
from members.tests.factories import MemberFactory


def test_the_merchant_reviews_a_post_and_a_report(
    page_factory: Any, owner: Any, screenshot_dir: Path, settings: Any, tmp_path: Path
) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    author = MemberFactory.create(nickname="种草达人")
    reader = MemberFactory.create(nickname="路人甲")
    cream = make_product("玻尿酸保湿面霜")
    waiting = make_post(
        author, text="用了两周，干皮救星！质地清爽不油腻。", images=2, product_ids=[cream.pk], topic_ids=[topic().pk]
    )
    live = published_post(author, text="已发布的口红试色")
    community_post_report(member=reader, post_id=live.pk, reason="spam", text="评论区留了微信号")

    page = page_factory(owner)
    page.goto("/admin/")
    page.locator("nav, aside").get_by_role("link", name="种草帖子").first.click()
    expect(page.locator("#result_list")).to_contain_text("用了两周，干皮救星")
    expect(page.locator("#result_list")).not_to_contain_text("已发布的口红试色")
    page.screenshot(path=str(screenshot_dir / "console-community-queue.png"), full_page=True)

    page.goto(f"/admin/marketing/communitypost/{waiting.pk}/change/")
    expect(page.locator("body")).to_contain_text("玻尿酸保湿面霜")
    expect(page.locator("body")).to_contain_text("文本 检测中")
    page.screenshot(path=str(screenshot_dir / "console-community-post.png"), full_page=True)
    page.get_by_role("link", name="驳回").first.click()
    page.locator("input[name=reason], textarea[name=reason]").fill("图片与商品无关")
    page.get_by_role("button", name="确认驳回").click()
    expect(page.locator("body")).to_contain_text("帖子已驳回")
    waiting.refresh_from_db()
    assert (waiting.status, waiting.reject_reason) == (PostStatus.REJECTED, "图片与商品无关")

    page.goto("/admin/marketing/communityreport/")
    expect(page.locator("#result_list")).to_contain_text("广告引流")
    expect(page.locator("#result_list")).to_contain_text("评论区留了微信号")
    page.screenshot(path=str(screenshot_dir / "console-community-reports.png"), full_page=True)
    assert CommunityPost.objects.filter(status=PostStatus.PUBLISHED).count() == 1
