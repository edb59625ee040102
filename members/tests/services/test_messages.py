"""Messages to shoppers: the inbox, the subscribe push through WeChat's HTTP API, the monthly cap.

Consent (credits), quiet hours and the refusal codes are in ``test_subscribe_consent.py``; here
the shopper has granted enough pushes (through the consent service) wherever a push is meant to go.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import responses
import time_machine
from django.contrib.auth.models import User
from rest_framework.test import APIClient

from mall.models import AuditLog
from mall.tests.concurrency import run_in_threads
from members.errors import SubscribeTemplateInvalid
from members.models import PUSHES_PER_MONTH, Member, Message, PushAllowance, SubscribeCredit, SubscribeTemplate
from members.services.messages import (
    message_push,
    message_send,
    messages_mark_read,
    subscribe_consent_record,
    subscribe_template_save,
)
from members.tests.factories import MemberFactory
from members.tests.fixtures import client_for
from members.tests.wechat_stubs import SUBSCRIBE_SEND_URL, stub_access_token, stub_subscribe_send

SHANGHAI = ZoneInfo("Asia/Shanghai")
DAYTIME = datetime(2026, 12, 1, 10, 0, tzinfo=SHANGHAI)  # outside the quiet hours (22:00–08:00)


def grant(member: Member, template_id: str, times: int = 1) -> None:
    """The shopper tapped "allow" ``times`` times in wx.requestSubscribeMessage."""
    for _ in range(times):
        subscribe_consent_record(member=member, results={template_id: "accept"})


@pytest.fixture
def template(db: Any) -> SubscribeTemplate:
    return SubscribeTemplate.objects.create(
        kind="flash_restock",
        template_id="TPL-RESTOCK",
        fields={"thing1": "title", "thing2": "body", "time3": "time", "thing4": "text:多营商城"},
        page="pages/home/index",
    )


def member_credits(member: Member, template_id: str) -> int:
    return SubscribeCredit.objects.get(member=member, template_id=template_id).credits


def _sent_payloads(rsps: responses.RequestsMock) -> list[dict[str, Any]]:
    calls = [call for call in rsps.calls if str(call.request.url).startswith(SUBSCRIBE_SEND_URL)]
    return [json.loads(bytes(call.request.body or b"{}")) for call in calls]  # type: ignore[arg-type]


@pytest.mark.django_db
def test_a_message_without_a_template_stays_in_the_inbox(
    member: Member, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks() as callbacks:
        message = message_send(member_id=member.pk, kind="group_failed", title="拼团未成功", body="已原路退款")
    assert message.push_status == Message.PushStatus.NONE
    assert callbacks == []


@pytest.mark.django_db
def test_a_mapped_kind_is_pushed_after_commit_with_the_templates_fields(
    member: Member,
    template: SubscribeTemplate,
    wechat_api: responses.RequestsMock,
    django_capture_on_commit_callbacks: Any,
) -> None:
    stub_subscribe_send(wechat_api)
    grant(member, "TPL-RESTOCK")
    with time_machine.travel(datetime(2026, 12, 1, 9, 30, tzinfo=SHANGHAI), tick=False):
        with django_capture_on_commit_callbacks() as callbacks:
            message = message_send(
                member_id=member.pk,
                kind="flash_restock",
                title="您预约的精华液补货啦，库存有限快来抢购吧！",
                body="10:00 场",
                link="package-flash/slot/index?id=3",
            )
        assert message.push_status == Message.PushStatus.PENDING
        assert len(callbacks) == 1  # the push task is enqueued only once the message is committed
        assert message_push(message_id=message.pk) == Message.PushStatus.SENT

    (payload,) = _sent_payloads(wechat_api)
    assert payload["touser"] == member.openid
    assert payload["template_id"] == "TPL-RESTOCK"
    assert payload["page"] == f"pages/home/index?src=msg:{message.pk}"  # tracked as itself (issue 15)
    assert payload["data"] == {
        "thing1": {"value": "您预约的精华液补货啦，库存有限快来抢购吧"},  # thing.* values: at most 20 characters
        "thing2": {"value": "10:00 场"},
        "time3": {"value": "2026-12-01 09:30"},
        "thing4": {"value": "多营商城"},
    }
    assert PushAllowance.objects.get(member=member).used == 1
    # The task running again (a redelivery) sends nothing more.
    assert message_push(message_id=message.pk) == Message.PushStatus.SENT
    assert len(_sent_payloads(wechat_api)) == 1


@pytest.mark.django_db
def test_at_most_four_pushes_a_month_then_the_next_month_starts_again(
    member: Member, template: SubscribeTemplate, wechat_api: responses.RequestsMock
) -> None:
    stub_subscribe_send(wechat_api)
    grant(member, "TPL-RESTOCK", times=PUSHES_PER_MONTH + 2)
    with time_machine.travel(datetime(2026, 12, 31, 21, 0, tzinfo=SHANGHAI), tick=False):
        statuses = [
            message_push(message_id=message_send(member_id=member.pk, kind="flash_restock", title=f"第{i}条").pk)
            for i in range(PUSHES_PER_MONTH + 1)
        ]
    assert statuses == [Message.PushStatus.SENT] * PUSHES_PER_MONTH + [Message.PushStatus.CAPPED]
    capped = Message.objects.get(title=f"第{PUSHES_PER_MONTH}条")
    assert capped.skip_reason == Message.SkipReason.MONTHLY_CAP
    with time_machine.travel(datetime(2027, 1, 1, 9, 5, tzinfo=SHANGHAI), tick=False):
        january = message_send(member_id=member.pk, kind="flash_restock", title="新年第一条")
        assert message_push(message_id=january.pk) == Message.PushStatus.SENT
    assert len(_sent_payloads(wechat_api)) == PUSHES_PER_MONTH + 1
    # the capped push did not spend the shopper's grant: one of the six is left
    assert member_credits(member, "TPL-RESTOCK") == 1


@pytest.mark.django_db
def test_a_refused_push_does_not_use_up_the_allowance(
    member: Member, template: SubscribeTemplate, wechat_api: responses.RequestsMock
) -> None:
    stub_subscribe_send(wechat_api, errcode=43101, errmsg="user refuse to accept the msg rid: 6757d5a2-0a1b2c3d")
    grant(member, "TPL-RESTOCK")
    with time_machine.travel(DAYTIME, tick=False):
        message = message_send(member_id=member.pk, kind="flash_restock", title="补货")
        assert message_push(message_id=message.pk) == Message.PushStatus.SKIPPED
    refused = Message.objects.get(pk=message.pk)
    assert refused.skip_reason == Message.SkipReason.NO_CONSENT
    assert refused.push_error == "refused by WeChat (43101)"
    assert PushAllowance.objects.get(member=member).used == 0


@pytest.mark.django_db
def test_development_and_blocked_shoppers_are_not_pushed(
    template: SubscribeTemplate, wechat_api: responses.RequestsMock
) -> None:
    dev = MemberFactory.create(is_dev=True)
    blocked = MemberFactory.create(is_blocked=True)
    for shopper in (dev, blocked):
        grant(shopper, "TPL-RESTOCK")
        with time_machine.travel(DAYTIME, tick=False):
            message = message_send(member_id=shopper.pk, kind="flash_restock", title="补货")
            assert message_push(message_id=message.pk) == Message.PushStatus.NONE
    assert _sent_payloads(wechat_api) == []


@pytest.mark.race
@pytest.mark.django_db(transaction=True)
def test_workers_pushing_at_once_never_pass_the_monthly_cap() -> None:
    member = MemberFactory.create()
    SubscribeTemplate.objects.create(kind="flash_restock", template_id="TPL", fields={"thing1": "title"})
    grant(member, "TPL", times=10)
    ids = [message_send(member_id=member.pk, kind="flash_restock", title=f"第{i}条").pk for i in range(10)]
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps, time_machine.travel(DAYTIME, tick=False):
        stub_access_token(rsps)
        stub_subscribe_send(rsps)
        results = run_in_threads(10, lambda i: message_push(message_id=ids[i]))
    assert sorted(results) == sorted([Message.PushStatus.SENT] * PUSHES_PER_MONTH + [Message.PushStatus.CAPPED] * 6)
    assert PushAllowance.objects.get(member=member).used == PUSHES_PER_MONTH
    assert member_credits(member, "TPL") == 10 - PUSHES_PER_MONTH  # capped pushes gave their grant back


@pytest.mark.django_db
def test_the_merchant_maps_a_template_with_an_audit_row(db: Any) -> None:
    owner = User.objects.create_superuser(username="owner", password="x", email="o@example.com")
    template = subscribe_template_save(
        actor=owner,
        template_id=None,
        kind="group_failed",
        wechat_template_id=" TPL-1 ",
        fields={"thing1": "title", "time2": "time"},
        page="",
        is_active=True,
    )
    assert (template.kind, template.template_id) == ("group_failed", "TPL-1")
    assert AuditLog.objects.filter(action="subscribe_template.save", actor=owner).count() == 1
    for fields in ({}, {"thing1": "nickname"}, {"Thing 1": "title"}, ["thing1"]):
        with pytest.raises(SubscribeTemplateInvalid):
            subscribe_template_save(
                actor=owner,
                template_id=None,
                kind="other",
                wechat_template_id="T",
                fields=fields,
                page="",
                is_active=True,
            )
    with pytest.raises(SubscribeTemplateInvalid):
        subscribe_template_save(
            actor=owner,
            template_id=None,
            kind="group_failed",
            wechat_template_id="T2",
            fields={"thing1": "title"},
            page="",
            is_active=True,
        )


@pytest.mark.django_db
def test_the_inbox_lists_the_shoppers_own_messages_with_the_unread_count(
    member: Member, other_member: Member, django_assert_max_num_queries: Any
) -> None:
    for i in range(30):
        message_send(member_id=member.pk, kind="group_failed", title=f"消息{i}")
    message_send(member_id=other_member.pk, kind="group_failed", title="别人的")
    client: APIClient = client_for(member)

    with django_assert_max_num_queries(4):  # the member, the count, the page, the unread count
        response = client.get("/api/v1/me/messages?page_size=10")
    body = response.json()
    assert response.status_code == 200
    assert (body["unread"], body["count"], len(body["results"])) == (30, 30, 10)
    assert body["results"][0]["title"] == "消息29"
    assert body["results"][0]["read"] is False

    first_two = [body["results"][0]["id"], body["results"][1]["id"]]
    foreign = Message.objects.get(member=other_member).pk
    read = client.post("/api/v1/me/messages/read", {"ids": [*first_two, foreign]}, format="json")
    assert read.json() == {"marked": 2, "unread": 28}
    assert Message.objects.get(pk=foreign).read_at is None
    assert client.get("/api/v1/me/messages?unread=true").json()["count"] == 28
    assert messages_mark_read(member=member, ids=None) == 28
    assert client.post("/api/v1/me/messages/read", {"ids": ["x"]}, format="json").status_code == 400
