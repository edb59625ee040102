"""Second factor in Chromium: the owner binds an authenticator (QR code, first code, recovery
codes) at the first sign-in and later signs in with a recovery code; a finance user without one
meets the binding page instead of refunds; a locked username sees when it unlocks."""

from __future__ import annotations

import time
from base64 import b32decode

import pytest
from django_otp.oath import TOTP
from playwright.sync_api import expect

from mall.models import AuditLog
from mall.services.staff import staff_create


@pytest.fixture(autouse=True)
def enforce_2fa(settings):
    settings.STAFF_2FA_REQUIRED_ROLES = ["owner", "finance"]


def authenticator_code(secret: str) -> str:
    """What an authenticator app shows now for the key printed under the QR code."""
    token = TOTP(b32decode(secret), step=30, t0=0, digits=6)
    token.time = time.time()
    return str(token.token()).zfill(6)


def sign_in(page, username: str, password: str) -> None:
    page.goto("/admin/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    with page.expect_navigation():
        page.click("button[type=submit]")


def test_owner_binds_an_authenticator_then_signs_in_with_a_recovery_code(page_factory, owner, screenshot_dir):
    page = page_factory()
    sign_in(page, "boss", "boss-pass-123")

    page.wait_for_url("**/console/security/2fa/setup/**")
    expect(page.get_by_test_id("otp-required")).to_contain_text("必须开启两步验证")
    expect(page.get_by_test_id("otp-qr").locator("svg")).to_be_visible()
    secret = page.get_by_test_id("otp-secret").inner_text().strip()
    page.screenshot(path=str(screenshot_dir / "console-2fa-setup.png"), full_page=True)

    page.fill("#id_token", authenticator_code(secret))
    with page.expect_navigation():
        page.get_by_test_id("otp-setup-form").locator("button[type=submit]").click()
    codes = page.get_by_test_id("recovery-codes").locator("li")
    expect(codes).to_have_count(10)
    first_code = codes.first.inner_text().strip()
    page.screenshot(path=str(screenshot_dir / "console-2fa-codes.png"), full_page=True)
    with page.expect_navigation():
        page.get_by_role("link", name="我已保存，进入后台").click()
    expect(page.get_by_test_id("home-title")).to_have_text("经营概况")
    assert AuditLog.objects.filter(action="staff.2fa_enabled", actor=owner).count() == 1

    # Another browser (the phone left at home): password, then a recovery code.
    other = page_factory()
    sign_in(other, "boss", "boss-pass-123")
    other.wait_for_url("**/console/security/2fa/verify/**")
    other.fill("#id_token", first_code)
    with other.expect_navigation():
        other.get_by_test_id("otp-verify-form").locator("button[type=submit]").click()
    expect(other.get_by_test_id("home-title")).to_have_text("经营概况")

    # The first browser lists both sessions and ends the other one.
    page.goto("/console/security/")
    expect(page.get_by_test_id("session-row")).to_have_count(2)
    with page.expect_navigation():
        page.get_by_test_id("session-row").get_by_role("button", name="结束").click()
    expect(page.get_by_test_id("session-row")).to_have_count(1)
    other.goto("/admin/")
    assert "/admin/login/" in other.url


def test_finance_without_a_second_factor_meets_the_binding_page_not_refunds(page_factory, owner):
    staff_create(username="caiwu", password="finance-pass-1", role="finance", actor=owner)
    page = page_factory()
    sign_in(page, "caiwu", "finance-pass-1")
    page.goto("/admin/orders/refund/")
    assert "/console/security/2fa/setup/" in page.url
    expect(page.get_by_test_id("otp-required")).to_be_visible()
    expect(page.get_by_test_id("otp-qr").locator("svg")).to_be_visible()
    page.goto("/admin/marketing/withdrawal/")
    assert "/console/security/2fa/setup/" in page.url


def test_a_locked_username_sees_when_it_unlocks(page_factory, owner, settings):
    settings.AXES_FAILURE_LIMIT = 2
    page = page_factory()
    sign_in(page, "boss", "wrong-password-1")
    expect(page.get_by_text("请输入一个正确的工作人员账户")).to_be_visible()
    sign_in(page, "boss", "wrong-password-2")
    expect(page.get_by_text("该账号或 IP 已被锁定，将于")).to_be_visible()
    sign_in(page, "boss", "boss-pass-123")
    expect(page.get_by_text("该账号或 IP 已被锁定，将于")).to_be_visible()
    assert "/admin/login/" in page.url
