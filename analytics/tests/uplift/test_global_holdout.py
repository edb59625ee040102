"""The global holdout (B03): a stable salted share of shoppers that no marketing path reaches —
journeys, segment campaigns, activity reminders — while transactional notices still do; the
setting is audited; and its uplift report on a shop built in the database."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command
from django.utils import timezone

from analytics.selectors.uplift import global_holdout_uplift, journey_uplift, segment_campaign_uplift
from analytics.tests.uplift.global_helpers import global_holdout_on
from mall.errors import ValidationFailed
from mall.models import AuditLog, ShopSettings
from mall.services.shop import shop_settings_update
from marketing.models import Coupon, JourneyKind, JourneyPush, JourneySend
from marketing.services.journeys.runner import lifecycle_run
from marketing.tests.journeys.helpers import journeys_on, paid_order
from members.global_holdout import BUCKETS, GlobalHoldout, global_holdout_bucket, global_holdout_current
from members.message_kinds import message_kind_is_marketing
from members.models import CampaignMember, CheckInRule, Member, Message, Segment, SubscribeTemplate
from members.people_tasks import segment_campaign_deliver_task
from members.selectors.messages import message_list_for_member, message_unread_count
from members.services.campaigns import (
    CampaignData,
    segment_campaign_create,
    segment_campaign_report,
    segment_campaign_start,
)
from members.services.checkin import checkin_do, checkin_remind_due
from members.services.messages import MessageDraft, message_send, messages_send_bulk
from members.tests.factories import MemberFactory
from members.tests.fixtures import SHOPPER_CONTEXT

pytestmark = pytest.mark.django_db
SHOP = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 12, 6, 10, 0, tzinfo=SHOP)


# --- assignment -------------------------------------------------------------------------------


def test_assignment_is_stable_close_to_the_share_and_only_grows_with_it():
    ids = range(1, 40_001)
    five = GlobalHoldout(enabled=True, percent=5, salt="a1b2c3")
    held = five.held_out(ids)
    assert 0.045 < len(held) / len(ids) < 0.055
    assert held == GlobalHoldout(enabled=True, percent=5, salt="a1b2c3").held_out(ids)  # same salt, same group
    assert held < GlobalHoldout(enabled=True, percent=10, salt="a1b2c3").held_out(ids)  # 10% keeps the 5%
    other = GlobalHoldout(enabled=True, percent=5, salt="ffee00").held_out(ids)
    assert len(held & other) < len(held) * 0.2  # a new salt is a new group
    assert all(0 <= global_holdout_bucket("a1b2c3", i) < BUCKETS for i in range(100))
    assert not GlobalHoldout(enabled=False, percent=5, salt="a1b2c3").held_out(ids)


def test_switching_on_fixes_a_salt_changing_the_share_keeps_it_and_every_change_is_audited():
    assert global_holdout_current().active is False
    with time_machine.travel(NOW, tick=False):
        shop_settings_update(actor=None, global_holdout_enabled=True, global_holdout_percent=5)
    first = global_holdout_current()
    assert first.active and first.percent == 5 and len(first.salt) == 16 and first.since == NOW
    shop_settings_update(actor=None, global_holdout_percent=8)
    assert (global_holdout_current().salt, global_holdout_current().percent) == (first.salt, 8)
    with time_machine.travel(NOW + timedelta(days=30), tick=False):
        shop_settings_update(actor=None, global_holdout_enabled=False)
    off = global_holdout_current()
    assert not off.active and off.salt == first.salt and off.until == NOW + timedelta(days=30)
    with time_machine.travel(NOW + timedelta(days=40), tick=False):
        shop_settings_update(actor=None, global_holdout_enabled=True)
    again = global_holdout_current()
    assert again.salt != first.salt and again.since == NOW + timedelta(days=40) and again.until is None
    logs = AuditLog.objects.filter(action="shop_settings.update").order_by("pk")
    assert [sorted(log.data) for log in logs] == [
        ["global_holdout_enabled", "global_holdout_since"],  # 5% is the default: not a change
        ["global_holdout_percent"],
        ["global_holdout_enabled"],
        ["global_holdout_enabled", "global_holdout_since"],
    ]
    with pytest.raises(ValidationFailed):
        shop_settings_update(actor=None, global_holdout_percent=11)
    assert ShopSettings.load().global_holdout_percent == 8


def test_kinds_are_split_into_marketing_and_transactional():
    for kind in ("journey_dormant", "journey_birthday", "journey_replenish", "segment_campaign", "checkin_reminder"):
        assert message_kind_is_marketing(kind), kind
    for kind in ("coupon_expiring", "flash_restock"):
        assert message_kind_is_marketing(kind), kind
    transactional = ("group_completed", "group_failed", "bargain_reached", "after_sale", "withdrawal_paid")
    for kind in transactional:
        assert not message_kind_is_marketing(kind), kind


# --- the marketing paths skip held-out shoppers -----------------------------------------------


def test_journeys_leave_held_out_shoppers_out_and_record_why():
    journeys_on(JourneyKind.DORMANT)
    held, *others = MemberFactory.create_batch(4)
    global_holdout_on([held], others)
    for shopper in (held, *others):
        paid_order(shopper, NOW - timedelta(days=35))
    with time_machine.travel(NOW, tick=False):
        (outcome,) = lifecycle_run(kinds=[JourneyKind.DORMANT], now=NOW)
    row = JourneySend.objects.get(member=held)
    assert (row.push, row.is_holdout, row.coupon_id, row.message_id) == (JourneyPush.GLOBAL_HOLDOUT, False, None, None)
    assert not Coupon.objects.filter(member=held).exists() and not Message.objects.filter(member=held).exists()
    assert Message.objects.filter(member__in=others).count() == 3
    assert outcome.eligible == 4 and outcome.granted == 3 and outcome.skipped["global_holdout"] == 1
    report = journey_uplift(kind=JourneyKind.DORMANT, now=NOW)
    assert (report.treated, report.holdout) == (3, 0)  # in neither group of the journey's report


def _segment_campaign(members: list[Member]) -> int:
    rules = {"op": "all", "conditions": [{"field": "tier", "operator": "in", "value": [Member.Tier.GOLD]}]}
    segment = Segment.objects.create(name="金卡", rules=rules)
    data = CampaignData(name="回购礼", segment_id=segment.pk, message_title="想你了", holdout_percent=0)
    campaign = segment_campaign_create(actor=None, data=data)
    segment_campaign_start(actor=None, campaign_id=campaign.pk)
    segment_campaign_deliver_task.run(campaign_id=campaign.pk)
    return campaign.pk


def test_segment_campaigns_leave_held_out_shoppers_out_and_record_why():
    held, *others = MemberFactory.create_batch(5, tier=Member.Tier.GOLD)
    global_holdout_on([held], others)
    campaign_id = _segment_campaign([held, *others])
    row = CampaignMember.objects.get(campaign_id=campaign_id, member=held)
    assert row.skip_reason == CampaignMember.Skip.GLOBAL_HOLDOUT and row.delivered and not row.is_holdout
    assert row.message_id is None and not Message.objects.filter(member=held).exists()
    assert Message.objects.filter(member__in=others, kind="segment_campaign").count() == 4
    report = segment_campaign_report(campaign_id=campaign_id)
    assert report.treated.members == 4 and report.skipped["global_holdout"] == 1
    uplift = segment_campaign_uplift(campaign_id=campaign_id)
    assert uplift is not None and (uplift.treated, uplift.holdout) == (4, 0)
    log = AuditLog.objects.get(action="segment_campaign.start")
    assert log.data["global_holdout"] == 1


def test_activity_reminders_skip_held_out_shoppers_who_still_get_transactional_notices():
    CheckInRule.objects.update_or_create(pk=CheckInRule.load().pk, defaults={"enabled": True})
    SubscribeTemplate.objects.create(kind="group_completed", template_id="TPL-G", fields={"thing1": "title"})
    SubscribeTemplate.objects.create(kind="checkin_reminder", template_id="TPL-C", fields={"thing1": "title"})
    held, other = MemberFactory.create_batch(2)
    global_holdout_on([held], [other])
    for shopper in (held, other):
        checkin_do(member=shopper, context=SHOPPER_CONTEXT, now=datetime(2026, 3, 1, 10, tzinfo=SHOP))
    assert checkin_remind_due(now=datetime(2026, 3, 2, 19, 30, tzinfo=SHOP)) == 2
    kept = Message.objects.get(member=held, kind="checkin_reminder")
    assert (kept.push_status, kept.skip_reason) == (Message.PushStatus.SKIPPED, Message.SkipReason.GLOBAL_HOLDOUT)
    sent = Message.objects.get(member=other, kind="checkin_reminder")
    assert sent.push_status == Message.PushStatus.PENDING
    restock = message_send(member_id=held.pk, kind="flash_restock", title="补货提醒")
    assert restock.skip_reason == Message.SkipReason.GLOBAL_HOLDOUT
    # Bulk sends (journeys' path) decide the same way.
    bulk = messages_send_bulk(drafts=[MessageDraft(member_id=held.pk, kind="coupon_expiring", title="券快过期了")])
    assert Message.objects.get(pk=bulk[0]).skip_reason == Message.SkipReason.GLOBAL_HOLDOUT
    # A transactional notice reaches the held-out shopper as anyone else: inbox and push.
    notice = message_send(member_id=held.pk, kind="group_completed", title="拼团成功")
    assert (notice.push_status, notice.skip_reason) == (Message.PushStatus.PENDING, "")
    assert [m.kind for m in message_list_for_member(member=held)] == ["group_completed"]
    assert message_unread_count(member=held) == 1


# --- the report -------------------------------------------------------------------------------


def test_the_report_compares_the_holdout_with_everyone_else_since_it_was_switched_on(django_assert_max_num_queries):
    with time_machine.travel(NOW - timedelta(days=90), tick=False):
        held = MemberFactory.create_batch(4)
        others = MemberFactory.create_batch(8)
    with time_machine.travel(NOW, tick=False):
        global_holdout_on(held, others)
    day = timedelta(days=1)
    for shopper in others:
        paid_order(shopper, NOW + 3 * day)  # ¥59 each, in the window
        paid_order(shopper, NOW - 10 * day)  # pre-period (CUPED)
    paid_order(held[0], NOW + 5 * day)
    paid_order(held[0], NOW - 20 * day)
    paid_order(held[1], NOW - 30 * day)
    paid_order(held[2], NOW - 200 * day)  # before the pre-period: not counted
    with time_machine.travel(NOW + 14 * day, tick=False):
        with time_machine.travel(NOW - 90 * day, tick=False):
            MemberFactory.create()  # a thirteenth shopper, in one group or the other
        with django_assert_max_num_queries(3):
            found = global_holdout_uplift()
    report = found.report
    assert report is not None and report.start == NOW and report.end == NOW + 14 * day and not report.finished
    assert report.treated + report.holdout == 13 and report.holdout in (4, 5)
    result = report.result
    assert result is not None and report.cost == 0 and result.roi is None
    assert result.gmv_holdout == pytest.approx(5_900 / report.holdout)
    assert result.gmv_treated == pytest.approx(8 * 5_900 / report.treated)
    assert result.conversion_holdout == pytest.approx(1 / report.holdout)
    assert result.conversion_diff.value == pytest.approx(8 / report.treated - 1 / report.holdout)
    assert result.theta != 0  # the pre-period spend is the covariate


def test_the_command_prints_the_global_report_as_one_json_line():
    held, *others = MemberFactory.create_batch(6)
    with time_machine.travel(timezone.now() - timedelta(days=3), tick=False):
        global_holdout_on([held], others)
    for shopper in others[:3]:
        paid_order(shopper, timezone.now() - timedelta(days=1))
    out = StringIO()
    call_command("uplift", "--global", stdout=out)
    data = json.loads(out.getvalue())
    assert data["global_holdout"] == {"enabled": True, "percent": 10}
    assert (data["treated"], data["holdout"]) == (5, 1)
    assert data["significant"] is None  # a group of one shopper: too few to say


def test_a_shop_that_never_switched_it_on_has_no_report():
    found = global_holdout_uplift()
    assert found.report is None and not found.holdout.active
