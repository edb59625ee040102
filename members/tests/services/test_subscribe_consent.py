"""Subscribe pushes that WeChat really delivers (F48): consent credits, refusal codes, quiet hours.

WeChat is replaced at its HTTP boundary (``responses``) with the documented answers of
``subscribeMessage.send``: ``{"errcode": 0, "errmsg": "ok"}``, 43101 (the shopper refused or has
no grant left), 47003 (a template value breaks its rule), 40003 (invalid openid), 40037 (invalid
template id). The database and Redis are the real ones; races run in real threads.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import responses
import time_machine
from django.test import override_settings

from mall.tests.concurrency import run_in_threads
from members.models import Member, Message, PushAllowance, SubscribeCredit, SubscribeTemplate
from members.selectors.messages import push_stats_by_kind
from members.services.messages import (
    CREDITS_MAX,
    message_push,
    message_send,
    messages_release_held,
    quiet_until,
    subscribe_consent_record,
)
from members.tasks import messages_release_held_task
from members.tests.factories import MemberFactory
from members.tests.wechat_stubs import SUBSCRIBE_SEND_URL, stub_access_token, stub_subscribe_send

SHANGHAI = ZoneInfo("Asia/Shanghai")
DAYTIME = datetime(2026, 12, 8, 10, 0, tzinfo=SHANGHAI)
NIGHT = datetime(2026, 12, 8, 23, 10, tzinfo=SHANGHAI)
MORNING = datetime(2026, 12, 9, 8, 0, tzinfo=SHANGHAI)
TPL = "bDmywsp2oEHjwAadTGKkUHpzTDsq2Mzp9xPfdNDUbMs"  # the shape of a real WeChat template id


@pytest.fixture
def template(db: Any) -> SubscribeTemplate:
    return SubscribeTemplate.objects.create(
        kind="group_failed", template_id=TPL, fields={"thing1": "title", "thing2": "body", "time3": "time"}
    )


def sent_count(rsps: responses.RequestsMock) -> int:
    return sum(1 for call in rsps.calls if str(call.request.url).startswith(SUBSCRIBE_SEND_URL))


def credits_of(member: Member, template_id: str = TPL) -> int:
    row = SubscribeCredit.objects.filter(member=member, template_id=template_id).first()
    return row.credits if row is not None else 0


def allowance_used(member: Member) -> int:
    row = PushAllowance.objects.filter(member=member).first()
    return row.used if row is not None else 0


def push_now(member: Member, title: str = "拼团未成功") -> Message:
    message = message_send(member_id=member.pk, kind="group_failed", title=title, body="已原路退款")
    message_push(message_id=message.pk)
    return Message.objects.get(pk=message.pk)


# --- consent --------------------------------------------------------------------------------


@pytest.mark.django_db
def test_without_consent_the_message_stays_in_the_inbox_and_the_skip_says_why(
    member: Member, template: SubscribeTemplate, wechat_api: responses.RequestsMock
) -> None:
    stub_subscribe_send(wechat_api)
    with time_machine.travel(DAYTIME, tick=False):
        message = push_now(member)
    assert (message.push_status, message.skip_reason) == (Message.PushStatus.SKIPPED, "no_consent")
    assert sent_count(wechat_api) == 0  # WeChat is not even asked
    assert allowance_used(member) == 0  # nor is a monthly push used
    assert Message.objects.filter(member=member, title="拼团未成功", read_at__isnull=True).count() == 1


@pytest.mark.django_db
def test_each_accept_allows_one_push_and_other_answers_allow_none(
    member: Member, template: SubscribeTemplate, wechat_api: responses.RequestsMock
) -> None:
    stub_subscribe_send(wechat_api)
    other = SubscribeTemplate.objects.create(kind="group_completed", template_id="TPL-DONE", fields={"thing1": "title"})
    credits = subscribe_consent_record(
        member=member, results={TPL: "accept", other.template_id: "reject", "TPL-NOT-OURS": "accept"}
    )
    assert credits == {TPL: 1, "TPL-DONE": 0}  # an id the shop does not use is ignored
    assert not SubscribeCredit.objects.filter(template_id="TPL-NOT-OURS").exists()
    subscribe_consent_record(member=member, results={TPL: "accept"})
    subscribe_consent_record(member=member, results={TPL: "ban"})
    assert credits_of(member) == 2

    with time_machine.travel(DAYTIME, tick=False):
        statuses = [push_now(member, f"第{i}条").push_status for i in range(3)]
    assert statuses == [Message.PushStatus.SENT, Message.PushStatus.SENT, Message.PushStatus.SKIPPED]
    assert sent_count(wechat_api) == 2
    assert credits_of(member) == 0
    assert SubscribeCredit.objects.get(member=member, template_id=TPL).accepted_total == 2


@pytest.mark.django_db
def test_accepting_again_and_again_banks_at_most_the_ceiling(member: Member, template: SubscribeTemplate) -> None:
    for _ in range(CREDITS_MAX + 3):
        subscribe_consent_record(member=member, results={TPL: "accept"})
    assert credits_of(member) == CREDITS_MAX


@pytest.mark.django_db
def test_a_switched_off_template_collects_no_consent(member: Member, template: SubscribeTemplate) -> None:
    SubscribeTemplate.objects.filter(pk=template.pk).update(is_active=False)
    assert subscribe_consent_record(member=member, results={TPL: "accept"}) == {}
    assert credits_of(member) == 0


@pytest.mark.race
@pytest.mark.django_db(transaction=True)
def test_answers_posted_at_once_each_count() -> None:
    member = MemberFactory.create()
    for template_id in ("TPL-A", "TPL-B"):
        SubscribeTemplate.objects.create(
            kind=f"kind_{template_id}", template_id=template_id, fields={"thing1": "title"}
        )
    answers = [{"TPL-A": "accept", "TPL-B": "accept"}, {"TPL-B": "accept", "TPL-A": "accept"}] * 3
    results = run_in_threads(6, lambda i: subscribe_consent_record(member=member, results=answers[i]))
    assert not [r for r in results if isinstance(r, Exception)]
    assert credits_of(member, "TPL-A") == credits_of(member, "TPL-B") == 6


# --- WeChat's answers -------------------------------------------------------------------------


@pytest.mark.django_db
def test_refusal_43101_zeroes_the_credit_and_gives_the_monthly_push_back(
    member: Member, template: SubscribeTemplate, wechat_api: responses.RequestsMock
) -> None:
    stub_subscribe_send(
        wechat_api, errcode=43101, errmsg="user refuse to accept the msg rid: 6757d5a2-3f1e0c11-1b2a3c4d"
    )
    for _ in range(3):
        subscribe_consent_record(member=member, results={TPL: "accept"})
    with time_machine.travel(DAYTIME, tick=False):
        refused = push_now(member)
        assert (refused.push_status, refused.skip_reason) == (Message.PushStatus.SKIPPED, "no_consent")
        assert credits_of(member) == 0  # WeChat knows better: our three grants were not there
        assert allowance_used(member) == 0
        # the next message does not even ask WeChat
        assert push_now(member, "第二条").skip_reason == "no_consent"
    assert sent_count(wechat_api) == 1


@pytest.mark.parametrize(
    ("errcode", "errmsg"),
    [
        (47003, "argument invalid! data.thing1.value is empty rid: 6757d5a2-5c4d3e2f-0a1b2c3d"),
        (40003, "invalid openid hint: [Wq9pTa0451b123] rid: 6757d5a2-1a2b3c4d-5e6f7a8b"),
        (40037, "invalid template_id hint: [Tz0T3a0453c311] rid: 6757d5a2-2b3c4d5e-6f7a8b9c"),
        (-1, "system error"),
    ],
)
@pytest.mark.django_db
def test_other_wechat_errors_keep_the_grant_and_the_monthly_push(
    member: Member, template: SubscribeTemplate, wechat_api: responses.RequestsMock, errcode: int, errmsg: str
) -> None:
    stub_subscribe_send(wechat_api, errcode=errcode, errmsg=errmsg)
    subscribe_consent_record(member=member, results={TPL: "accept"})
    with time_machine.travel(DAYTIME, tick=False):
        failed = push_now(member)
    assert (failed.push_status, failed.skip_reason) == (Message.PushStatus.FAILED, "wechat_error")
    assert f"({errcode})" in failed.push_error
    assert credits_of(member) == 1  # nothing reached the shopper: WeChat kept the grant, so do we
    assert allowance_used(member) == 0


@pytest.mark.django_db
def test_errcode_0_sends_and_spends_one_grant_and_one_monthly_push(
    member: Member, template: SubscribeTemplate, wechat_api: responses.RequestsMock
) -> None:
    stub_subscribe_send(wechat_api, errcode=0, errmsg="ok")
    subscribe_consent_record(member=member, results={TPL: "accept"})
    subscribe_consent_record(member=member, results={TPL: "accept"})
    with time_machine.travel(DAYTIME, tick=False):
        sent = push_now(member)
    assert (sent.push_status, sent.skip_reason, sent.push_error) == (Message.PushStatus.SENT, "", "")
    assert (credits_of(member), allowance_used(member)) == (1, 1)
    (call,) = [c for c in wechat_api.calls if str(c.request.url).startswith(SUBSCRIBE_SEND_URL)]
    body = json.loads(bytes(call.request.body or b"{}"))  # type: ignore[arg-type]
    assert (body["touser"], body["template_id"]) == (member.openid, TPL)
    assert body["data"]["time3"] == {"value": "2026-12-08 10:00"}


@pytest.mark.race
@pytest.mark.django_db(transaction=True)
def test_two_pushes_racing_for_one_grant_send_one() -> None:
    member = MemberFactory.create()
    SubscribeTemplate.objects.create(kind="group_failed", template_id=TPL, fields={"thing1": "title"})
    subscribe_consent_record(member=member, results={TPL: "accept"})
    ids = [message_send(member_id=member.pk, kind="group_failed", title=f"第{i}条").pk for i in range(2)]
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps, time_machine.travel(DAYTIME, tick=False):
        stub_access_token(rsps)
        stub_subscribe_send(rsps)
        results = run_in_threads(2, lambda i: message_push(message_id=ids[i]))
        sends = sent_count(rsps)
    assert sorted(results) == [Message.PushStatus.SENT, Message.PushStatus.SKIPPED]
    assert sends == 1
    assert credits_of(member) == 0
    assert allowance_used(member) == 1
    assert list(Message.objects.filter(push_status="skipped").values_list("skip_reason", flat=True)) == ["no_consent"]


# --- quiet hours ----------------------------------------------------------------------------


def test_quiet_hours_end_at_the_next_eight_oclock_in_shop_time() -> None:
    assert quiet_until(datetime(2026, 12, 8, 21, 59, tzinfo=SHANGHAI)) is None
    assert quiet_until(datetime(2026, 12, 8, 22, 0, tzinfo=SHANGHAI)) == MORNING
    assert quiet_until(datetime(2026, 12, 9, 3, 0, tzinfo=SHANGHAI)) == MORNING
    assert quiet_until(datetime(2026, 12, 9, 8, 0, tzinfo=SHANGHAI)) is None
    # the shop's clock, whatever the server's: 23:30 UTC is 07:30 in Shanghai
    assert quiet_until(datetime(2026, 12, 8, 23, 30, tzinfo=ZoneInfo("UTC"))) == MORNING
    with override_settings(SUBSCRIBE_QUIET_HOURS="12:00-14:00"):
        assert quiet_until(datetime(2026, 12, 8, 13, 0, tzinfo=SHANGHAI)) == datetime(
            2026, 12, 8, 14, 0, tzinfo=SHANGHAI
        )
        assert quiet_until(datetime(2026, 12, 8, 23, 0, tzinfo=SHANGHAI)) is None
    with override_settings(SUBSCRIBE_QUIET_HOURS=""):
        assert quiet_until(datetime(2026, 12, 8, 23, 0, tzinfo=SHANGHAI)) is None


@pytest.mark.django_db
def test_a_push_at_night_is_held_and_sent_exactly_once_in_the_morning(
    member: Member, template: SubscribeTemplate, wechat_api: responses.RequestsMock
) -> None:
    stub_subscribe_send(wechat_api)
    subscribe_consent_record(member=member, results={TPL: "accept"})
    with time_machine.travel(NIGHT, tick=False):
        held = push_now(member)
    assert (held.push_status, held.skip_reason, held.push_after) == (Message.PushStatus.HELD, "quiet_hours", MORNING)
    assert credits_of(member) == 1  # spent when it goes, not when it waits
    assert message_push(message_id=held.pk) == Message.PushStatus.HELD  # a redelivered task does nothing

    with time_machine.travel(datetime(2026, 12, 9, 7, 59, tzinfo=SHANGHAI), tick=False):
        assert messages_release_held() == 0
    with time_machine.travel(MORNING, tick=False):
        assert messages_release_held_task() == 1
        assert messages_release_held() == 0  # beat running again sends nothing more
    with time_machine.travel(datetime(2026, 12, 9, 8, 5, tzinfo=SHANGHAI), tick=False):
        assert messages_release_held() == 0
    sent = Message.objects.get(pk=held.pk)
    assert (sent.push_status, sent.skip_reason, sent.push_after) == (Message.PushStatus.SENT, "", MORNING)
    assert sent_count(wechat_api) == 1
    assert credits_of(member) == 0


@pytest.mark.django_db
def test_a_push_at_night_without_consent_is_skipped_at_once(
    member: Member, template: SubscribeTemplate, wechat_api: responses.RequestsMock
) -> None:
    with time_machine.travel(NIGHT, tick=False):
        message = push_now(member)
    assert (message.push_status, message.skip_reason, message.push_after) == ("skipped", "no_consent", None)
    with time_machine.travel(MORNING, tick=False):
        assert messages_release_held() == 0
    assert sent_count(wechat_api) == 0


@pytest.mark.django_db
def test_a_held_push_counts_against_the_month_it_is_sent_in(
    member: Member, template: SubscribeTemplate, wechat_api: responses.RequestsMock
) -> None:
    stub_subscribe_send(wechat_api)
    subscribe_consent_record(member=member, results={TPL: "accept"})
    with time_machine.travel(datetime(2026, 12, 31, 23, 0, tzinfo=SHANGHAI), tick=False):
        push_now(member)
    with time_machine.travel(datetime(2027, 1, 1, 8, 0, tzinfo=SHANGHAI), tick=False):
        assert messages_release_held() == 1
    assert list(PushAllowance.objects.filter(member=member).values_list("month", "used")) == [("2027-01", 1)]


@pytest.mark.race
@pytest.mark.django_db(transaction=True)
def test_two_morning_sweeps_at_once_send_each_held_push_once() -> None:
    shoppers = MemberFactory.create_batch(3)
    SubscribeTemplate.objects.create(kind="group_failed", template_id=TPL, fields={"thing1": "title"})
    with time_machine.travel(NIGHT, tick=False):
        for shopper in shoppers:
            subscribe_consent_record(member=shopper, results={TPL: "accept"})
            message_push(message_id=message_send(member_id=shopper.pk, kind="group_failed", title="拼团未成功").pk)
    assert Message.objects.filter(push_status="held").count() == 3
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps, time_machine.travel(MORNING, tick=False):
        stub_access_token(rsps)
        stub_subscribe_send(rsps)
        results = run_in_threads(2, lambda i: messages_release_held())
        sends = sent_count(rsps)
    assert sum(results) == 3
    assert sends == 3
    assert Message.objects.filter(push_status="sent").count() == 3


# --- what the console shows -------------------------------------------------------------------


@pytest.mark.django_db
def test_the_stats_count_sent_and_skipped_by_reason_per_kind_in_one_query(
    template: SubscribeTemplate, wechat_api: responses.RequestsMock, django_assert_num_queries: Any
) -> None:
    stub_subscribe_send(wechat_api)
    granted, ungranted = MemberFactory.create_batch(2)
    subscribe_consent_record(member=granted, results={TPL: "accept"})
    subscribe_consent_record(member=granted, results={TPL: "accept"})
    with time_machine.travel(DAYTIME, tick=False):
        push_now(granted)
        push_now(ungranted)
        message_send(member_id=granted.pk, kind="invite_rewarded", title="邀请奖励")  # no template: not counted
    with time_machine.travel(NIGHT, tick=False):
        push_now(granted)
    with time_machine.travel(datetime(2026, 10, 1, 10, 0, tzinfo=SHANGHAI), tick=False):
        push_now(ungranted)  # older than 30 days
    with time_machine.travel(DAYTIME, tick=False), django_assert_num_queries(1):
        stats = push_stats_by_kind(days=30)
    (row,) = stats
    assert (row.kind, row.label, row.sent, row.waiting) == ("group_failed", "拼团失败", 1, 0)
    assert row.skipped == {"no_consent": 1, "monthly_cap": 0, "quiet_hours": 1, "wechat_error": 0, "global_holdout": 0}
    with time_machine.travel(MORNING, tick=False):
        messages_release_held()
        (after,) = push_stats_by_kind(days=30)
    assert (after.sent, after.sent_after_quiet_hours, after.skipped["quiet_hours"]) == (2, 1, 0)
