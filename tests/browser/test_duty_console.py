"""系统 › 值班 in a real browser: the owner opens it from the sidebar, adds a night shift with a
企业微信 group robot (a wrong address is refused in Chinese first), and reads the latest alert
deliveries with their outcome in words."""

from __future__ import annotations

from playwright.sync_api import expect

from mall.models import AlertDeliveryStatus, DutyShift, StaffAlertDelivery

ROBOT = "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=693a91f6-7xxx-4bc4-97a0-0ec2sifa5aaa"


def test_the_owner_keeps_the_duty_roster(page_factory, owner, screenshot_dir):
    StaffAlertDelivery.objects.create(
        kind="campaign_anomaly",
        ref_id=7,
        channel="wecom",
        target=ROBOT,
        user=owner,
        status=AlertDeliveryStatus.FAILED,
        attempts=3,
        last_error="企业微信群机器人拒绝了消息。（93000 invalid webhook url）",
    )
    StaffAlertDelivery.objects.create(
        kind="campaign_anomaly", ref_id=7, channel="email", target="boss@example.com", user=owner, status="sent"
    )
    page = page_factory(owner)
    page.goto("/admin/")
    page.locator("#nav-sidebar-apps, nav, aside").get_by_role("link", name="值班").first.click()
    expect(page.get_by_test_id("duty-roster")).to_contain_text("还没有值班安排")

    form = page.get_by_test_id("duty-add")
    form.locator("select[name=user]").select_option(str(owner.pk))
    for day in ("5", "6"):
        form.locator(f"input[name=weekdays][value='{day}']").check()
    for day in ("0", "1", "2", "3", "4"):
        form.locator(f"input[name=weekdays][value='{day}']").uncheck()
    form.locator("input[name=starts_at]").fill("22:00")
    form.locator("input[name=ends_at]").fill("08:00")
    form.locator("input[name=wecom_webhook]").fill("https://example.com/hook")
    page.get_by_test_id("duty-add-submit").click()
    expect(page.get_by_test_id("duty-add")).to_contain_text("企业微信群机器人地址应形如")

    page.get_by_test_id("duty-add").locator("input[name=wecom_webhook]").fill(ROBOT)
    page.get_by_test_id("duty-add-submit").click()
    shift = DutyShift.objects.get()
    row = page.get_by_test_id(f"duty-shift-{shift.pk}")
    expect(row).to_contain_text("周六、周日")
    expect(row).to_contain_text("22:00 – 次日 08:00")
    expect(row).to_contain_text("693a…5aaa")
    deliveries = page.get_by_test_id("duty-deliveries")
    expect(deliveries).to_contain_text("发送失败")
    expect(deliveries).to_contain_text("93000 invalid webhook url")
    expect(deliveries).to_contain_text("已送达")
    page.screenshot(path=str(screenshot_dir / "console-duty.png"), full_page=True)
