"""``seed_demo`` fills 系统 › 值班: every hour of the shop's week has someone on duty, reached by
e-mail only (no real 企业微信 robot), the handled demo alert sends nothing, and a second run
changes nothing."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from mall.demo.anomaly import build_anomaly
from mall.demo.duty import build_duty
from mall.demo.marketing import build_marketing
from mall.demo.shop import build_catalogue, build_staff
from mall.demo.studio import build_studio
from mall.models import AuditLog, DutyShift, StaffAlertDelivery
from mall.services.duty import duty_shifts_on

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")


def test_the_demo_roster_covers_the_whole_week_once() -> None:
    build_staff()
    assert build_duty() == {"duty shifts": 3}
    assert build_duty() == {"duty shifts": 0}
    assert DutyShift.objects.count() == 3
    assert not DutyShift.objects.exclude(wecom_webhook="").exists()
    assert all(shift.email.endswith("@duoying.example.com") for shift in DutyShift.objects.all())
    assert AuditLog.objects.filter(action="duty.shift_create").count() == 3

    monday = datetime(2026, 12, 7, tzinfo=SHANGHAI)  # a Monday
    on_duty = {}
    for hour in range(7 * 24):
        moment = monday + timedelta(hours=hour, minutes=30)
        on_duty[moment] = sorted(shift.user.username for shift in duty_shifts_on(moment=moment))
    assert all(len(names) == 1 for names in on_duty.values()), on_duty  # always one person, never two
    assert on_duty[monday + timedelta(hours=10, minutes=30)] == ["operator"]
    assert on_duty[monday + timedelta(hours=22, minutes=30)] == ["owner"]
    assert on_duty[monday + timedelta(days=5, hours=10, minutes=30)] == ["owner"]  # Saturday


def test_the_handled_demo_alert_reaches_nobody_and_the_roster_page_shows_it() -> None:
    build_catalogue(seed=1)
    build_staff()
    build_marketing()
    build_studio()
    build_anomaly()
    build_duty()
    assert not StaffAlertDelivery.objects.exists()

    owner = Client()
    owner.force_login(User.objects.get(username="owner"))
    page = owner.get(reverse("console:duty_roster")).content.decode()
    assert "还没有值班安排" not in page
    assert "operator@duoying.example.com" in page and "周一、周二、周三、周四、周五" in page
    assert "18:00 – 次日 09:00" in page
