"""The page editor (F26) in a real browser: the merchant opens 活动页面 from the sidebar, adds
blocks from the palette (by click and by dragging), edits a block's form, sees the preview that
the mini-program's JSON draws, reorders, saves and publishes; the API then serves that page."""

from __future__ import annotations

from playwright.sync_api import expect
from rest_framework.test import APIClient

from marketing.models import CampaignPage
from marketing.services.pages import PageData, page_create


def test_the_merchant_builds_and_publishes_a_page(page_factory, owner, screenshot_dir):
    made = page_create(actor=owner, data=PageData(title="双 11 会场", slug="double11"))

    page = page_factory(owner)
    page.goto("/admin/")
    page.locator("#nav-sidebar-apps, nav, aside").get_by_role("link", name="活动页面").first.click()
    page.get_by_role("link", name="双 11 会场").click()
    expect(page.get_by_test_id("page-status")).to_have_text("草稿")

    page.get_by_test_id("palette-rich_text").click()
    body = page.locator("[data-testid=block-0] textarea[data-field=body]")
    body.fill("满 300 减 40。\n\n跨店可用。")
    body.dispatch_event("change")
    # dropped on the upper half of the text block: it goes before it
    target = page.get_by_test_id("block-0")
    page.get_by_test_id("palette-checkin_entry").drag_to(target, target_position={"x": 40, "y": 4})
    expect(page.locator("[data-testid=block-0]")).to_have_attribute("data-type", "checkin_entry")
    preview = page.get_by_test_id("page-preview-pane")
    expect(preview.locator("[data-block-type=rich_text]")).to_contain_text("跨店可用。")
    expect(preview.locator("[data-block-type=checkin_entry]")).to_contain_text("签到 +5 积分")

    page.get_by_test_id("block-down-0").click()  # the check-in entry after the text
    expect(page.locator("[data-testid=block-1]")).to_have_attribute("data-type", "checkin_entry")
    page.get_by_test_id("page-save-publish").click()
    expect(page.get_by_test_id("page-status")).to_have_text("已发布")
    page.screenshot(path=str(screenshot_dir / "console-page-editor.png"), full_page=True)

    made.refresh_from_db()
    assert made.published_version is not None
    served = APIClient().get("/api/v1/pages/double11").json()
    assert [b["type"] for b in served["blocks"]] == ["rich_text", "checkin_entry"]
    assert served["blocks"][0]["data"]["paragraphs"] == ["满 300 减 40。", "跨店可用。"]
    assert CampaignPage.objects.count() == 1
