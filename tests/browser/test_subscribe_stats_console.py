"""The 订阅消息效果 page (F48) in a real browser: kinds by name, sent and not sent by reason, bars."""

from __future__ import annotations

from datetime import timedelta

import responses
import time_machine
from django.utils import timezone
from playwright.sync_api import expect

from members.models import SubscribeTemplate
from members.services.messages import message_push, message_send, quiet_until, subscribe_consent_record
from members.tests.factories import MemberFactory
from members.tests.wechat_stubs import stub_access_token, stub_subscribe_send


def _push(member_id: int, kind: str) -> None:
    message_push(message_id=message_send(member_id=member_id, kind=kind, title="通知").pk)


def test_the_page_shows_sent_and_skipped_by_reason_per_kind(page_factory, owner, screenshot_dir):
    SubscribeTemplate.objects.create(kind="group_failed", template_id="TPL-G", fields={"thing1": "title"})
    SubscribeTemplate.objects.create(kind="flash_restock", template_id="TPL-R", fields={"thing1": "title"})
    granted, ungranted = MemberFactory.create_batch(2)
    subscribe_consent_record(member=granted, results={"TPL-G": "accept", "TPL-R": "accept"})
    # a daytime moment today (whatever the hour the test runs), so the page's 30 days include it
    noon = timezone.localtime().replace(hour=12, minute=0, second=0, microsecond=0) - timedelta(days=1)
    assert quiet_until(noon) is None
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps, time_machine.travel(noon, tick=False):
        stub_access_token(rsps)
        stub_subscribe_send(rsps)
        _push(granted.pk, "group_failed")
        _push(ungranted.pk, "group_failed")
        _push(ungranted.pk, "flash_restock")

    page = page_factory(owner)
    page.goto("/console/members/subscribe-stats/")
    expect(page.get_by_test_id("subscribe-stats-title")).to_have_text("订阅消息效果")
    expect(page.get_by_test_id("total-sent")).to_have_text("1")
    expect(page.get_by_test_id("total-skipped")).to_have_text("2")
    row = page.locator("tr[data-kind='group_failed']")
    expect(row.locator("td").first).to_have_text("拼团失败")
    expect(row.locator("td").nth(1)).to_have_text("1")
    expect(row.locator("td").nth(2)).to_have_text("1")  # 用户未授权
    expect(page.locator("tr[data-kind='flash_restock'] td").first).to_have_text("补货提醒")
    expect(page.locator("thead")).to_contain_text("用户未授权")
    expect(row.locator(".dy-push-bar > div")).to_have_count(2)
    page.screenshot(path=str(screenshot_dir / "console-subscribe-stats.png"), full_page=True)
