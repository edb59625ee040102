"""Tiers that move in a real browser (F14, F16): the merchant edits 黄金's threshold in yuan from the
sidebar's 会员 group, and the 会员服务 page shows the tier counts and a late priority order."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone
from playwright.sync_api import expect

from members.models import TierRule
from members.services.tiers import tier_rules
from members.tests.factories import MemberFactory
from orders.models import Order, OrderStatus


def test_the_merchant_sets_a_threshold_in_yuan_and_sees_late_priority_orders(page_factory, owner, screenshot_dir):
    tier_rules()
    diamond = MemberFactory.create(nickname="钻石买家", tier="diamond")
    order = Order.objects.create(
        no="P2612060099",
        member=diamond,
        goods_amount=12900,
        payable_amount=12900,
        idempotency_key="late-1",
        expires_at=timezone.now(),
    )
    Order.objects.filter(pk=order.pk).update(status=OrderStatus.PAID, paid_at=timezone.now() - timedelta(hours=30))

    page = page_factory(owner)
    page.goto("/admin/members/tierrule/")
    row = page.locator("tr", has_text="黄金会员")
    expect(row).to_contain_text("¥2,000.00")
    row.get_by_role("link", name="黄金会员").click()
    page.get_by_label("12 个月消费门槛（元）").fill("2500")
    page.get_by_role("button", name="保存").first.click()
    expect(page.locator("tr", has_text="黄金会员")).to_contain_text("¥2,500.00")
    assert TierRule.objects.get(tier="gold").min_spend == 250_000

    page.goto("/console/members/tier-service/")
    expect(page.get_by_test_id("tier-count-diamond")).to_have_text("1")
    expect(page.get_by_test_id("late-orders")).to_contain_text("P2612060099")
    expect(page.get_by_test_id("late-orders")).to_contain_text("¥129.00")
    expect(page.get_by_test_id("exclusive-members")).to_contain_text("钻石买家")
    page.screenshot(path=str(screenshot_dir / "console-tier-service.png"), full_page=True)
