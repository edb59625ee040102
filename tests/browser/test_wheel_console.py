"""The lucky wheel (F21) in a real browser: the merchant opens 幸运大转盘 from the sidebar's 裂变
group, publishes a draft from the list, sees the published version read only, and the 大转盘数据
page shows the figures in yuan with its 30-day chart."""

from __future__ import annotations

from playwright.sync_api import expect

from mall.models import AuditLog
from marketing.models import WheelStatus
from marketing.services.wheel import wheel_draw
from marketing.tests.wheel.helpers import add_prize, draft_wheel, live_wheel, paid_order, staff_user
from marketing.tests.wheel.test_wheel_services import FIVE, Always
from members.tests.factories import MemberFactory
from members.tests.fixtures import SHOPPER_CONTEXT
from tests.browser.charts import first_chart_labels


def test_the_merchant_publishes_a_wheel_and_reads_its_figures(page_factory, owner, screenshot_dir):
    staff = staff_user()
    live = live_wheel(staff)
    shopper = MemberFactory.create(nickname="转盘幸运儿")
    paid_order(shopper, 6800)
    wheel_draw(member=shopper, context=SHOPPER_CONTEXT, rng=Always(FIVE))
    draft = draft_wheel(staff, name="周末大转盘")
    add_prize(staff, draft, name="谢谢参与", weight=3, is_fallback=True)
    add_prize(staff, draft, name="20 积分", kind="points", points=20, weight=1, stock=10)

    page = page_factory(owner)
    page.goto("/admin/")
    page.locator("#nav-sidebar-apps, nav, aside").get_by_role("link", name="幸运大转盘").first.click()
    expect(page.locator("#result_list")).to_contain_text("周末大转盘")
    page.locator(f'input.action-select[value="{draft.pk}"]').check()
    page.select_option("select[name=action]", "publish_selected")
    with page.expect_navigation():
        page.locator("button[name=index], button[type=submit][title]").first.click()
    expect(page.locator("body")).to_contain_text("已发布 1 个版本")
    draft.refresh_from_db()
    live.refresh_from_db()
    assert (draft.status, live.status) == (WheelStatus.PUBLISHED, WheelStatus.ENDED)
    assert AuditLog.objects.filter(action="wheel.publish", target_id=str(draft.pk)).exists()

    page.goto(f"/admin/marketing/wheel/{live.pk}/change/")
    expect(page.get_by_text("已发布的版本不能修改奖品和概率")).to_be_visible()
    expect(page.locator('input[name="prizes-0-weight"]')).to_have_count(0)
    page.screenshot(path=str(screenshot_dir / "console-wheel-frozen.png"), full_page=True)

    page.goto("/console/marketing/wheel/")
    expect(page.get_by_test_id("wheel-stats-title")).to_have_text("大转盘数据")
    expect(page.get_by_test_id("kpi-participants")).to_have_text("1")
    expect(page.get_by_test_id("kpi-cost")).to_have_text("¥5.00")
    expect(page.get_by_test_id("kpi-gmv")).to_have_text("¥0.00")
    labels = first_chart_labels(page)
    assert labels == 30
    page.screenshot(path=str(screenshot_dir / "console-wheel-stats.png"), full_page=True)
