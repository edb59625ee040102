"""Team split (F22) in a real browser: the merchant opens 组队瓜分活动 from the sidebar's 裂变 group,
creates an activity with the goal and reward in yuan, sees a team's progress in yuan, and the
组队瓜分数据 page shows its figures and a 30-day chart."""

from __future__ import annotations

from django.utils import timezone
from playwright.sync_api import expect

from mall.models import AuditLog
from marketing.models import TeamActivity
from marketing.services.teams import team_join, team_open
from members.tests.factories import MemberFactory
from members.tests.fixtures import SHOPPER_CONTEXT
from tests.browser.charts import first_chart_labels


def test_the_merchant_creates_an_activity_and_reads_the_figures(page_factory, owner, screenshot_dir):
    page = page_factory(owner)
    page.goto("/admin/")
    page.locator("#nav-sidebar-apps, nav, aside").get_by_role("link", name="组队瓜分活动").first.click()
    assert "/admin/marketing/teamactivity/" in page.url
    page.goto("/admin/marketing/teamactivity/add/")
    page.locator("#id_name").fill("年货节组队瓜分")
    page.locator("#id_goal_yuan").fill("2000")
    page.locator("#id_reward_yuan").fill("100")
    today = timezone.localdate()
    page.locator("#id_starts_at_0").fill(today.isoformat())
    page.locator("#id_starts_at_1").fill("00:00:00")
    page.locator("#id_ends_at_0").fill(today.replace(year=today.year + 1).isoformat())
    page.locator("#id_ends_at_1").fill("00:00:00")
    page.get_by_role("button", name="保存").first.click()
    expect(page.locator("#result_list")).to_contain_text("年货节组队瓜分")
    expect(page.locator("#result_list")).to_contain_text("¥2,000.00")
    activity = TeamActivity.objects.get()
    assert (activity.goal, activity.reward_total) == (200_000, 10_000)
    assert AuditLog.objects.filter(action="team_activity.create").count() == 1

    leader, friend = MemberFactory.create(nickname="队长小王"), MemberFactory.create(nickname="好友小李")
    team = team_open(member=leader, activity_id=activity.pk, context=SHOPPER_CONTEXT)
    team_join(member=friend, token=team.share_token, context=SHOPPER_CONTEXT)
    page.goto("/admin/marketing/team/")
    expect(page.locator("#result_list")).to_contain_text("¥0.00 / ¥2,000.00")
    expect(page.locator("#result_list")).to_contain_text("2/3")

    page.goto(f"/console/marketing/team-stats/?activity={activity.pk}")
    expect(page.get_by_test_id("team-stats-title")).to_have_text("组队瓜分数据")
    expect(page.get_by_test_id("kpi-participants")).to_have_text("2")
    expect(page.get_by_test_id("kpi-cost")).to_have_text("¥0.00")
    labels = first_chart_labels(page)
    assert labels == 30
    page.screenshot(path=str(screenshot_dir / "console-team-stats.png"), full_page=True)
