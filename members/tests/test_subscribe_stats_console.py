"""The console's 订阅消息效果 page (F48): per kind, sent and not sent by reason, in Chinese."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import responses
import time_machine
from django.contrib.auth.models import User
from django.test import Client

from mall.models import AuditLog
from mall.services.staff import staff_create
from members.models import SubscribeTemplate
from members.services.messages import message_push, message_send, subscribe_consent_record
from members.tests.factories import MemberFactory
from members.tests.wechat_stubs import stub_subscribe_send

SHANGHAI = ZoneInfo("Asia/Shanghai")
URL = "/console/members/subscribe-stats/"

pytestmark = pytest.mark.django_db


def console(role: str) -> Client:
    owner = User.objects.filter(username="owner").first() or User.objects.create_superuser(
        username="owner", password="x", email="owner@example.com"
    )
    user = owner if role == "owner" else staff_create(username=role, password="pass-123-xyz", role=role, actor=owner)
    client = Client()
    client.force_login(user)
    return client


def push(member_id: int, kind: str) -> None:
    message_push(message_id=message_send(member_id=member_id, kind=kind, title="通知").pk)


def test_the_page_shows_each_kind_by_name_with_sent_and_skipped_by_reason(wechat_api: responses.RequestsMock) -> None:
    stub_subscribe_send(wechat_api)
    SubscribeTemplate.objects.create(kind="group_failed", template_id="TPL-G", fields={"thing1": "title"})
    SubscribeTemplate.objects.create(kind="flash_restock", template_id="TPL-R", fields={"thing1": "title"})
    granted, ungranted = MemberFactory.create_batch(2)
    subscribe_consent_record(member=granted, results={"TPL-G": "accept", "TPL-R": "accept"})
    with time_machine.travel(datetime(2026, 12, 8, 10, 0, tzinfo=SHANGHAI), tick=False):
        push(granted.pk, "group_failed")
        push(ungranted.pk, "group_failed")
        push(ungranted.pk, "flash_restock")
    with time_machine.travel(datetime(2026, 12, 8, 23, 0, tzinfo=SHANGHAI), tick=False):
        push(granted.pk, "flash_restock")

    with time_machine.travel(datetime(2026, 12, 8, 23, 30, tzinfo=SHANGHAI), tick=False):
        client = console("operator")  # signed in at the page's time: staff sessions expire when idle
        response = client.get(URL)
    assert response.status_code == 200
    page = response.content.decode()
    assert "订阅消息效果" in page
    assert "拼团失败" in page and "补货提醒" in page  # names, not codes
    assert ">group_failed<" not in page
    for reason in ("用户未授权", "超出每月上限", "免打扰时段", "微信接口报错"):
        assert reason in page
    rows = {row["kind"]: row for row in response.context["rows"]}
    assert (rows["group_failed"]["sent"], rows["group_failed"]["skipped"]) == (1, [1, 0, 0, 0])
    assert (rows["flash_restock"]["sent"], rows["flash_restock"]["skipped"]) == (0, [1, 0, 1, 0])
    assert rows["group_failed"]["delivered_rate"] == "50.0%"
    assert response.context["totals"] == {"sent": 1, "skipped": 3, "waiting": 0}


def test_the_page_is_linked_from_the_sidebar_for_operators_and_closed_to_customer_service() -> None:
    operator = console("operator")
    assert URL in operator.get("/admin/").content.decode()
    service = console("customer_service")
    assert service.get(URL).status_code == 403
    assert URL not in service.get("/admin/").content.decode()


def test_an_empty_period_says_what_to_do() -> None:
    response = console("owner").get(URL)
    assert response.status_code == 200
    assert "请先在「订阅消息模板」中为消息类型配置模板" in response.content.decode()


def test_the_merchant_maps_a_template_by_the_kinds_name_and_sees_when_shoppers_are_asked() -> None:
    client = console("operator")
    form = client.get("/admin/members/subscribetemplate/add/").content.decode()
    assert "补货提醒（flash_restock）" in form
    response = client.post(
        "/admin/members/subscribetemplate/add/",
        {
            "kind": "flash_restock",
            "template_id": "TPL-RESTOCK",
            "fields": '{"thing1": "title", "time2": "time"}',
            "page": "",
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    template = SubscribeTemplate.objects.get(kind="flash_restock")
    assert AuditLog.objects.filter(action="subscribe_template.save", target_id=str(template.pk)).exists()
    listing = client.get("/admin/members/subscribetemplate/").content.decode()
    assert "补货提醒" in listing and "预约补货时" in listing
    refused = client.post(
        "/admin/members/subscribetemplate/add/",
        {"kind": "no_such_kind", "template_id": "T", "fields": '{"thing1": "title"}', "page": "", "is_active": "on"},
    )
    assert refused.status_code == 200  # the form says the choice is not valid
    assert SubscribeTemplate.objects.count() == 1
