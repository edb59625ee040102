"""The owner adds a finance account in the console; the new account logs in and sees only its work."""

from __future__ import annotations

from playwright.sync_api import expect

from mall.models import AuditLog


def test_owner_adds_finance_staff_who_then_logs_in(page_factory, owner, screenshot_dir):
    page = page_factory(owner)
    page.goto("/admin/")
    page.get_by_test_id("shortcuts").get_by_role("link", name="新增员工").click()
    page.wait_for_url("**/console/staff/new/")
    page.fill("#id_username", "caiwu")
    page.select_option("#id_role", "finance")
    page.fill("#id_password", "finance-pass-1")
    page.fill("#id_password_again", "finance-pass-1")
    page.screenshot(path=str(screenshot_dir / "console-staff-new.png"), full_page=True)
    with page.expect_navigation():
        page.get_by_test_id("staff-create-form").get_by_role("button", name="创建员工").click()
    expect(page.get_by_text("已创建员工 caiwu。")).to_be_visible()
    assert AuditLog.objects.filter(action="staff.create", actor=owner, data__role="finance").count() == 1

    finance = page_factory()
    finance.goto("/admin/login/")
    finance.fill("#id_username", "caiwu")
    finance.fill("#id_password", "finance-pass-1")
    with finance.expect_navigation():
        finance.click("button[type=submit]")

    expect(finance.get_by_test_id("home-title")).to_have_text("经营概况")
    sidebar = finance.locator("#nav-sidebar-inner")
    expect(sidebar).to_contain_text("退款")
    expect(sidebar).to_contain_text("操作日志")
    expect(sidebar.get_by_role("link", name="商品分类")).to_have_count(0)
