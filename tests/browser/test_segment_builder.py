"""The segment builder (F34) in a real browser: conditions change, the live count follows."""

from __future__ import annotations

from playwright.sync_api import expect

from members.models import Member, Segment
from members.tests.factories import MemberFactory


def test_the_builder_counts_live_and_saves(page_factory, owner, screenshot_dir):
    MemberFactory.create_batch(3, tier=Member.Tier.GOLD)
    MemberFactory.create_batch(2, tier=Member.Tier.SILVER)
    page = page_factory(owner)
    page.goto("/admin/members/segment/add/")
    page.fill("input[name=name]", "金卡与银卡")
    expect(page.get_by_test_id("segment-count")).to_have_text("5")  # an empty tree: everyone
    page.get_by_test_id("segment-add").click()
    expect(page.get_by_test_id("segment-count")).to_have_text("3")  # the default: 黄金会员
    page.locator("[data-testid=segment-condition] select[data-role=value]").select_option(["gold", "silver"])
    expect(page.get_by_test_id("segment-count")).to_have_text("5")
    page.locator("[data-testid=segment-condition] select[data-role=operator]").select_option("not_in")
    expect(page.get_by_test_id("segment-count")).to_have_text("0")
    page.locator("[data-testid=segment-condition] select[data-role=operator]").select_option("in")
    expect(page.get_by_test_id("segment-sample").locator("li")).to_have_count(5)
    page.screenshot(path=str(screenshot_dir / "console-segment-builder.png"), full_page=True)
    page.locator("button[name=_save], input[name=_save]").first.click()
    page.wait_for_url("**/members/segment/")
    segment = Segment.objects.get(name="金卡与银卡")
    assert segment.member_count == 5
    assert sorted(segment.rules["conditions"][0]["value"]) == ["gold", "silver"]
