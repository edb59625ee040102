"""Invite and distribution pages in a real browser: finance pays a promoter's withdrawal through the
dialog, and the 裂变数据 page draws its two 30-day charts."""

from __future__ import annotations

import uuid
from datetime import timedelta

import time_machine
from django.contrib.auth.models import User
from django.utils import timezone
from playwright.sync_api import expect

from mall.models import ShopSettings
from mall.services.staff import staff_create
from marketing.models import Withdrawal, WithdrawalStatus
from marketing.services.coupons import coupon_template_create
from marketing.services.distribution import (
    DistributionProgramData,
    attribution_click,
    commissions_release_due,
    distribution_program_update,
    withdrawal_request,
)
from marketing.services.invites import InviteProgramData, invite_program_update
from marketing.tests.conftest import complete, make_promoter, place, reward_template_data
from members.services.auth import member_login_dev
from members.tests.factories import MemberFactory
from members.tests.fixtures import SHOPPER_CONTEXT
from orders.tests.factories import SkuFactory
from tests.browser.charts import charts_of


def _promoter_with_money(owner: User):  # type: ignore[no-untyped-def]
    """A promoter whose buyer's 300-yuan order has passed its after-sales window: 30.00 available."""
    ShopSettings.load()
    distribution_program_update(actor=owner, data=DistributionProgramData())
    promoter = make_promoter(MemberFactory.create(nickname="推广员小周"), owner)
    buyer = MemberFactory.create()
    attribution_click(member=buyer, code=promoter.code)
    complete(place(buyer, [(SkuFactory.create(price=30000, stock=5), 1)]), owner)
    with time_machine.travel(timezone.now() + timedelta(days=8), tick=False):
        commissions_release_due()
    return promoter


def test_finance_pays_a_withdrawal_in_the_dialog(page_factory, owner, screenshot_dir):
    promoter = _promoter_with_money(owner)
    withdrawal = withdrawal_request(member=promoter.member, amount=2000)
    finance = staff_create(username="caiwu", password="finance-pass-1", role="finance", actor=owner)

    page = page_factory(finance)
    page.goto(f"/admin/marketing/withdrawal/{withdrawal.pk}/change/")
    page.get_by_role("link", name="确认打款").first.click()
    dialog = page.locator("form:has(#id_payout_reference)")
    expect(dialog).to_be_visible()
    dialog.locator("#id_payout_reference").fill("WX-20240601-0001")
    dialog.locator("#id_note").fill("微信转账")
    page.screenshot(path=str(screenshot_dir / "console-withdrawal-pay.png"), full_page=True)
    with page.expect_navigation():
        dialog.get_by_role("button", name="已打款").click()

    expect(page.get_by_text("已记录打款 20.00 元")).to_be_visible()
    paid = Withdrawal.objects.get(pk=withdrawal.pk)
    assert (paid.status, paid.payout_reference, paid.reviewed_by_id) == (
        WithdrawalStatus.PAID,
        "WX-20240601-0001",
        finance.pk,
    )
    page.goto("/admin/marketing/promoter/")
    expect(page.get_by_test_id("total-paid")).to_have_text("¥20.00")
    page.screenshot(path=str(screenshot_dir / "console-promoters.png"), full_page=True)


def test_the_growth_page_draws_both_charts(page_factory, owner, screenshot_dir):
    template = coupon_template_create(actor=owner, data=reward_template_data())
    invite_program_update(actor=owner, data=InviteProgramData(reward_template_id=template.pk))
    inviter = MemberFactory.create()
    for _ in range(3):
        member_login_dev(
            context=SHOPPER_CONTEXT, openid=f"dev_{uuid.uuid4().hex[:12]}", invite_code=inviter.invite_code
        )
    _promoter_with_money(owner)

    page = page_factory(owner)
    page.goto("/console/marketing/growth/")
    expect(page.get_by_test_id("growth-title")).to_have_text("裂变数据")
    expect(page.get_by_test_id("kpi-invites_bound")).to_have_text("3")
    expect(page.get_by_test_id("kpi-invites_rewarded")).to_have_text("1")
    expect(page.get_by_test_id("kpi-commission_available")).to_have_text("¥30.00")
    charts = page.locator("canvas.chart")
    expect(charts).to_have_count(2)
    points = charts_of(
        page, "() => [...document.querySelectorAll('canvas.chart')].map(c => Chart.getChart(c).data.labels.length)"
    )
    assert points == [30, 30]
    page.screenshot(path=str(screenshot_dir / "console-growth.png"), full_page=True)
