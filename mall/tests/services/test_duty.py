"""The duty roster: who is on duty at a moment in shop time (nights past midnight included,
whatever the server's clock), the roster's refusals in Chinese, audited changes, and the
系统 › 值班 console page as the owner and as staff without the right to it."""

from __future__ import annotations

from datetime import datetime, time

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from mall.errors import DutyShiftInvalid
from mall.models import AuditLog, DutyShift
from mall.services.duty import DutyShiftData, duty_shift_create, duty_shifts_on, shift_covers
from mall.services.staff import staff_create

pytestmark = pytest.mark.django_db

ROBOT = "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=693a91f6-7xxx-4bc4-97a0-0ec2sifa5aaa"


def _shift(weekdays: list[int], starts: time, ends: time) -> DutyShift:
    return DutyShift(weekdays=weekdays, starts_at=starts, ends_at=ends)


@pytest.mark.parametrize(
    ("moment", "covered"),
    [
        ("2026-06-18 09:00:00+08:00", True),  # Thursday, the start is inside
        ("2026-06-18 17:59:59+08:00", True),
        ("2026-06-18 18:00:00+08:00", False),  # the end is outside
        ("2026-06-18 01:30:00+00:00", True),  # 09:30 in the shop although 01:30 on a UTC clock
        ("2026-06-20 10:00:00+08:00", False),  # Saturday
    ],
)
def test_a_day_shift_covers_its_weekdays_and_hours_in_shop_time(moment: str, covered: bool) -> None:
    assert shift_covers(_shift([0, 1, 2, 3, 4], time(9), time(18)), datetime.fromisoformat(moment)) is covered


@pytest.mark.parametrize(
    ("moment", "covered"),
    [
        ("2026-06-20 23:00:00+08:00", True),  # Saturday night
        ("2026-06-21 07:59:00+08:00", True),  # Sunday morning belongs to Saturday's night
        ("2026-06-21 08:00:00+08:00", False),
        ("2026-06-21 23:00:00+08:00", False),  # Sunday night is not rostered
        ("2026-06-20 07:00:00+08:00", False),  # Saturday morning belongs to Friday's night
    ],
)
def test_a_night_shift_runs_past_midnight_into_the_next_day(moment: str, covered: bool) -> None:
    assert shift_covers(_shift([5], time(22), time(8)), datetime.fromisoformat(moment)) is covered


def test_the_roster_refuses_what_cannot_reach_anyone_in_chinese(actor: User) -> None:
    with pytest.raises(DutyShiftInvalid) as refused:
        duty_shift_create(
            actor=actor, data=DutyShiftData(user_id=actor.pk, weekdays=(), starts_at=time(9), ends_at=time(9))
        )
    errors = refused.value.details["errors"]
    assert errors["weekdays"] == "请至少选择一个值班日。"
    assert errors["ends_at"].startswith("结束时间不能与开始时间相同")
    assert errors["email"] == "请至少填写通知邮箱或企业微信群机器人地址之一。"
    with pytest.raises(DutyShiftInvalid) as bad_robot:
        duty_shift_create(
            actor=actor,
            data=DutyShiftData(
                user_id=actor.pk,
                weekdays=(1,),
                starts_at=time(9),
                ends_at=time(18),
                wecom_webhook="https://example.com/hook?key=1",
            ),
        )
    assert bad_robot.value.code == "duty_shift_invalid" and "wecom_webhook" in bad_robot.value.details["errors"]
    assert not DutyShift.objects.exists()


def test_a_shift_is_audited_without_the_robots_key_and_inactive_staff_are_off_duty(actor: User) -> None:
    shift = duty_shift_create(
        actor=actor,
        data=DutyShiftData(user_id=actor.pk, weekdays=(3,), starts_at=time(9), ends_at=time(18), wecom_webhook=ROBOT),
    )
    audit = AuditLog.objects.get(action="duty.shift_create", target_id=str(shift.pk))
    assert audit.actor == actor and "693a91f6-7xxx" not in str(audit.data) and audit.data["hours"] == "09:00-18:00"
    thursday = datetime.fromisoformat("2026-06-18 10:00:00+08:00")
    assert duty_shifts_on(moment=thursday) == [shift]
    User.objects.filter(pk=actor.pk).update(is_active=False)
    assert duty_shifts_on(moment=thursday) == []


def test_the_owner_manages_the_roster_on_the_console_page(actor: User) -> None:
    owner = Client()
    owner.force_login(actor)
    url = reverse("console:duty_roster")
    empty = owner.get(url)
    assert empty.status_code == 200 and "还没有值班安排" in empty.content.decode()

    form = {
        "op": "add",
        "user": actor.pk,
        "weekdays": ["5", "6"],
        "starts_at": "22:00",
        "ends_at": "08:00",
        "email": "",
        "wecom_webhook": "https://example.com/not-a-robot",
    }
    refused = owner.post(url, form)
    assert refused.status_code == 200 and "企业微信群机器人地址应形如" in refused.content.decode()
    assert not DutyShift.objects.exists()

    assert owner.post(url, {**form, "wecom_webhook": ROBOT}).status_code == 302
    shift = DutyShift.objects.get()
    assert (shift.weekdays, shift.starts_at, shift.ends_at) == ([5, 6], time(22), time(8))
    page = owner.get(url).content.decode()
    assert "周六、周日" in page and "22:00 – 次日 08:00" in page
    assert "693a…5aaa" in page and "693a91f6-7xxx" not in page  # the robot's key is not shown

    owner.post(url, {"op": "toggle", "shift_id": shift.pk})
    shift.refresh_from_db()
    assert shift.is_active is False
    owner.post(url, {"op": "delete", "shift_id": shift.pk})
    assert not DutyShift.objects.exists()
    assert AuditLog.objects.filter(action__startswith="duty.").count() == 3


def test_staff_without_the_right_cannot_open_the_roster(actor: User) -> None:
    service = Client()
    service.force_login(staff_create(username="kefu9", password="staff-pass-123", role="customer_service", actor=actor))
    assert service.get(reverse("console:duty_roster")).status_code == 403
