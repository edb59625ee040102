"""F31 "alerts the merchant (console banner plus a message to the staff on duty)": an anomaly
alert reaches each destination of the staff on duty in shop time exactly once (e-mail through
Django's mail backend, the 企业微信 group robot at the HTTP boundary with its documented
answers, refusals included), with the evidence and a link to the console; however often the
task and the beat sweep run, even all at once."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from datetime import datetime, time, timedelta
from typing import Any

import pytest
import requests
import responses
import time_machine
from django.contrib.auth.models import User
from django.core import mail
from django.utils import timezone

from mall.celery import app as celery_app
from mall.models import AlertDeliveryStatus, StaffAlertDelivery
from mall.services.duty import DutyShiftData, duty_shift_create
from mall.services.staff_alerts import staff_alert_delivery_send, staff_alert_notify, staff_alerts_sweep
from mall.tests.concurrency import run_in_threads
from marketing.models import Campaign, CampaignAnomaly, Promotion
from marketing.services.campaign_anomaly import (
    DEFAULT_THRESHOLDS,
    STAFF_ALERT_KIND,
    MinuteFigures,
    campaign_anomaly_raise,
)
from marketing.services.campaigns import CampaignData, campaign_create, campaign_publish, campaign_tool_add

pytestmark = pytest.mark.django_db

# 2026-06-18 is a Thursday; 10:00 in the shop is 02:00 UTC.
NOW = datetime.fromisoformat("2026-06-18 10:00:05+08:00")
ROBOT = "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=693a91f6-7xxx-4bc4-97a0-0ec2sifa5aaa"
OK = {"errcode": 0, "errmsg": "ok"}


@pytest.fixture
def robot() -> Iterator[responses.RequestsMock]:
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield mock


@pytest.fixture
def clock() -> Iterator[Any]:
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def _staff(username: str) -> User:
    return User.objects.create_user(username=username, password="x", is_staff=True)


def _roster(owner: User) -> dict[str, User]:
    """Two on duty on Thursday morning (one with the group robot), one on the weekend only."""
    day, night, weekend = _staff("zhangsan"), _staff("lisi"), _staff("wangwu")
    weekdays = (0, 1, 2, 3, 4)
    duty_shift_create(
        actor=owner,
        data=DutyShiftData(
            user_id=day.pk,
            weekdays=weekdays,
            starts_at=time(9),
            ends_at=time(18),
            email="zhangsan@shop.example",
            wecom_webhook=ROBOT,
        ),
    )
    # 22:00–次日 11:00 from Wednesday: Thursday 10:00 is still the Wednesday night shift
    duty_shift_create(
        actor=owner,
        data=DutyShiftData(
            user_id=night.pk, weekdays=(2,), starts_at=time(22), ends_at=time(11), email="lisi@shop.example"
        ),
    )
    duty_shift_create(
        actor=owner,
        data=DutyShiftData(
            user_id=weekend.pk, weekdays=(5, 6), starts_at=time(0), ends_at=time(23, 59), email="wangwu@shop.example"
        ),
    )
    return {"day": day, "night": night, "weekend": weekend}


def _alert(staff: User, make_promotion: Callable[..., Promotion]) -> CampaignAnomaly:
    now = timezone.now()
    campaign = campaign_create(
        actor=staff,
        data=CampaignData(name="618 爆款日", starts_at=now - timedelta(hours=1), ends_at=now + timedelta(1)),
    )
    promotion = make_promotion(ends_at=now + timedelta(days=1))
    campaign_tool_add(actor=staff, campaign_id=campaign.pk, kind="promotion", object_id=promotion.pk)
    campaign_publish(actor=staff, campaign_id=campaign.pk)
    figures = MinuteFigures(
        participations=60,
        new_accounts=60,
        baseline=1.0,
        accounts_by_ip={"203.0.113.9": 30, "203.0.113.8": 30},
        accounts_by_device={"farm-0": 20},
        accounts_by_address={"浙江省杭州市西湖区 文三路4…#a1b2c3": 24},
    )
    alert = campaign_anomaly_raise(
        campaign=Campaign.objects.get(pk=campaign.pk),
        window_start=now.replace(second=0) - timedelta(minutes=1),
        figures=figures,
        limits=DEFAULT_THRESHOLDS,
        reasons=["spike", "accounts_per_address"],
    )
    assert alert is not None
    return alert


def test_the_staff_on_duty_each_hear_once_with_the_evidence_and_a_console_link(
    staff: User,
    make_promotion: Callable[..., Promotion],
    robot: responses.RequestsMock,
    clock: Any,
    django_capture_on_commit_callbacks: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _roster(staff)
    posted = robot.post(ROBOT, json=OK)
    monkeypatch.setitem(celery_app.conf, "task_always_eager", True)  # run the task where it is queued

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        alert = _alert(staff, make_promotion)

    assert len(callbacks) >= 1  # the task is queued only once the alert is committed
    assert sorted(mail.outbox[i].to[0] for i in range(len(mail.outbox))) == [
        "lisi@shop.example",
        "zhangsan@shop.example",
    ]  # the weekend shift is not on duty
    message = mail.outbox[0]
    assert message.subject == "【店铺告警】活动「618 爆款日」异常，已自动暂停"
    assert "09:59 这一分钟参与 60 次，预期 20 次，其中新账号 60 次" in message.body
    assert "触发原因：参与量突增、同一收货地址账号过多" in message.body
    assert "203.0.113.8 30 个账号" in message.body and "文三路4…#a1b2c3 24 个账号" in message.body
    assert "http://127.0.0.1:8000/console/marketing/campaigns/anomalies/" in message.body
    assert posted.call_count == 1
    body = json.loads(posted.calls[0].request.body)
    assert body["msgtype"] == "markdown"
    assert "618 爆款日" in body["markdown"]["content"] and "[到后台处理](http://" in body["markdown"]["content"]
    rows = StaffAlertDelivery.objects.filter(kind=STAFF_ALERT_KIND, ref_id=alert.pk)
    assert sorted(rows.values_list("channel", "status")) == [("email", "sent"), ("email", "sent"), ("wecom", "sent")]

    # the beat sweep twice and the task again change nothing
    clock.shift(timedelta(minutes=5))
    staff_alerts_sweep()
    staff_alerts_sweep()
    staff_alert_notify(kind=STAFF_ALERT_KIND, ref_id=alert.pk)
    assert len(mail.outbox) == 2 and posted.call_count == 1


def test_a_refusal_by_the_robot_is_retried_by_the_sweep_and_then_sent_once(
    staff: User, make_promotion: Callable[..., Promotion], robot: responses.RequestsMock, clock: Any
) -> None:
    _roster(staff)
    alert = _alert(staff, make_promotion)
    refused = robot.post(ROBOT, json={"errcode": 45009, "errmsg": "api freq out of limit"})

    staff_alert_notify(kind=STAFF_ALERT_KIND, ref_id=alert.pk)

    row = StaffAlertDelivery.objects.get(channel="wecom")
    assert (row.status, row.attempts) == (AlertDeliveryStatus.FAILED, 1)
    assert "45009" in row.last_error and "api freq out of limit" in row.last_error
    staff_alerts_sweep()  # too soon to retry
    assert refused.call_count == 1

    robot.replace(responses.POST, ROBOT, json=OK)
    clock.shift(timedelta(minutes=3))
    staff_alerts_sweep()
    staff_alerts_sweep()
    row.refresh_from_db()
    assert (row.status, row.attempts) == (AlertDeliveryStatus.SENT, 2)
    assert len(robot.calls) == 2  # one refused, one delivered


def test_a_robot_that_keeps_refusing_is_given_up_after_three_attempts(
    staff: User, make_promotion: Callable[..., Promotion], robot: responses.RequestsMock, clock: Any
) -> None:
    _roster(staff)
    alert = _alert(staff, make_promotion)
    robot.post(ROBOT, json={"errcode": 93000, "errmsg": "invalid webhook url, hint: [1718]"})
    staff_alert_notify(kind=STAFF_ALERT_KIND, ref_id=alert.pk)
    for _ in range(5):
        clock.shift(timedelta(minutes=3))
        staff_alerts_sweep()
    row = StaffAlertDelivery.objects.get(channel="wecom")
    assert (row.status, row.attempts) == (AlertDeliveryStatus.FAILED, 3)
    assert len(robot.calls) == 3
    assert "企业微信群机器人拒绝了消息" in row.last_error


def test_no_answer_after_posting_or_a_worker_killed_mid_send_is_never_sent_twice(
    staff: User, make_promotion: Callable[..., Promotion], robot: responses.RequestsMock, clock: Any
) -> None:
    _roster(staff)
    alert = _alert(staff, make_promotion)
    robot.post(ROBOT, body=requests.ReadTimeout("no answer"))
    staff_alert_notify(kind=STAFF_ALERT_KIND, ref_id=alert.pk)
    wecom = StaffAlertDelivery.objects.get(channel="wecom")
    assert wecom.status == AlertDeliveryStatus.UNCERTAIN

    # a worker claimed an e-mail and died before recording it
    email = StaffAlertDelivery.objects.filter(channel="email").first()
    assert email is not None
    StaffAlertDelivery.objects.filter(pk=email.pk).update(
        status=AlertDeliveryStatus.SENDING, claimed_at=timezone.now(), sent_at=None
    )
    sent_before = len(mail.outbox)
    clock.shift(timedelta(minutes=11))
    staff_alerts_sweep()
    staff_alerts_sweep()
    email.refresh_from_db()
    assert email.status == AlertDeliveryStatus.UNCERTAIN and "可能已送达" in email.last_error
    assert len(mail.outbox) == sent_before and len(robot.calls) == 1
    assert staff_alert_delivery_send(delivery_id=wecom.pk) == AlertDeliveryStatus.UNCERTAIN


def test_nobody_on_duty_means_no_message_but_the_banner_stays(
    staff: User, make_promotion: Callable[..., Promotion], robot: responses.RequestsMock
) -> None:
    with time_machine.travel(datetime.fromisoformat("2026-06-18 20:00:00+08:00"), tick=False):
        duty_shift_create(
            actor=staff,
            data=DutyShiftData(user_id=staff.pk, weekdays=(3,), starts_at=time(9), ends_at=time(18), email="a@b.cn"),
        )
        alert = _alert(staff, make_promotion)
        assert staff_alert_notify(kind=STAFF_ALERT_KIND, ref_id=alert.pk) == []
    assert not mail.outbox and not StaffAlertDelivery.objects.exists()
    assert CampaignAnomaly.objects.get(pk=alert.pk).resolved_at is None  # the console banner's open alert


@pytest.mark.race
@pytest.mark.django_db(transaction=True)
def test_eight_workers_and_two_sweeps_at_once_send_each_destination_exactly_once(
    staff: User, make_promotion: Callable[..., Promotion], robot: responses.RequestsMock, clock: Any
) -> None:
    _roster(staff)
    posted = robot.post(ROBOT, json=OK)
    alert = _alert(staff, make_promotion)
    clock.shift(timedelta(minutes=2))  # the sweep also finds the alert "recent" and its rows due

    def work(i: int) -> Any:
        if i < 8:
            return staff_alert_notify(kind=STAFF_ALERT_KIND, ref_id=alert.pk)
        return staff_alerts_sweep()

    outcomes = run_in_threads(10, work)

    assert not [o for o in outcomes if isinstance(o, Exception)], outcomes
    assert sorted(m.to[0] for m in mail.outbox) == ["lisi@shop.example", "zhangsan@shop.example"]
    assert posted.call_count == 1
    rows = StaffAlertDelivery.objects.filter(ref_id=alert.pk)
    assert rows.count() == 3 and set(rows.values_list("status", flat=True)) == {AlertDeliveryStatus.SENT}
    assert set(rows.values_list("attempts", flat=True)) == {1}
