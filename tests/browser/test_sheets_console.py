"""The sheets in a real browser (P06): the merchant uploads the old shop's members — a bad row is
shown against its line and nothing is imported; the corrected sheet is staged and listed as 待匹配 —
and grants a coupon template to a list of shoppers, reading the report of granted / skipped rows."""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import expect

from marketing.models import CouponTemplate
from members.models import MemberImport
from members.tests.factories import MemberFactory


def _csv(tmp_path: Path, name: str, lines: list[str]) -> str:
    path = tmp_path / name
    path.write_text("\ufeff" + "\n".join(lines) + "\n", encoding="utf-8")
    return str(path)


def test_the_merchant_imports_members_and_grants_a_coupon_to_a_list(page_factory, owner, screenshot_dir, tmp_path):
    header = "手机号,姓名,生日,会员等级,积分,标签,累计消费(元)"
    page = page_factory(owner)
    page.goto("/admin/members/memberimport/")
    page.get_by_role("link", name="导入会员表").click()

    page.set_input_files(
        "input[type=file]", _csv(tmp_path, "bad.csv", [header, "13800000001,张三,,黄金会员,100,,", "12345,李四,,,,,"])
    )
    page.get_by_role("button", name="上传").click()
    errors = page.get_by_test_id("member-import-errors")
    expect(errors).to_contain_text("手机号应为 11 位大陆手机号。")
    expect(errors).to_contain_text("3")
    assert not MemberImport.objects.exists()
    page.screenshot(path=str(screenshot_dir / "console-member-import-errors.png"), full_page=True)

    page.set_input_files(
        "input[type=file]", _csv(tmp_path, "good.csv", [header, "13800000001,张三,,黄金会员,100,老客,99.50"])
    )
    page.get_by_role("button", name="上传").click()
    expect(page.locator("#result_list")).to_contain_text("138****0001")
    expect(page.locator("#result_list")).to_contain_text("待匹配")
    assert MemberImport.objects.get().state == MemberImport.State.PENDING

    template = CouponTemplate.objects.create(name="迁移欢迎券", kind="amount_off", off=1000, valid_days=7)
    shopper = MemberFactory.create(phone="13900000001")
    page.goto(f"/admin/marketing/coupontemplate/{template.pk}/change/")
    page.get_by_role("link", name="按名单发券").click()
    page.set_input_files(
        "input[type=file]", _csv(tmp_path, "list.csv", ["手机号", "13900000001", "13900000002", "13900000001"])
    )
    page.get_by_role("button", name="发放").click()
    report = page.get_by_test_id("coupon-grant-report")
    expect(report).to_contain_text("已发放")
    expect(report).to_contain_text("找不到该会员")
    expect(report).to_contain_text("重复的行")
    assert template.coupons.get().member_id == shopper.pk
    page.screenshot(path=str(screenshot_dir / "console-coupon-grant-report.png"), full_page=True)
