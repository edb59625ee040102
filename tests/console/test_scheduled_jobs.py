"""计划任务: the shop's scheduled jobs in the merchant's words; beat's own admin only for developers."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.contrib import admin
from django.urls import reverse
from django_celery_beat.models import IntervalSchedule, PeriodicTask

from mall.schedules import BEAT_SCHEDULE
from mall.selectors.schedules import JOB_TEXTS, every_text

SHANGHAI = ZoneInfo("Asia/Shanghai")


def test_every_scheduled_job_is_described_for_the_merchant() -> None:
    assert set(JOB_TEXTS) == set(BEAT_SCHEDULE)


def test_frequencies_read_as_words() -> None:
    assert every_text(timedelta(minutes=1)) == "每 1 分钟"
    assert every_text(timedelta(hours=1)) == "每小时"
    assert every_text(timedelta(hours=6)) == "每 6 小时"
    assert every_text(timedelta(days=1)) == "每天"
    assert every_text(timedelta(seconds=30)) == "每 30 秒"


def test_developer_models_are_not_in_the_console_by_default() -> None:
    from django_otp.plugins.otp_static.models import StaticDevice
    from django_otp.plugins.otp_totp.models import TOTPDevice

    assert not admin.site.is_registered(PeriodicTask)
    assert not admin.site.is_registered(IntervalSchedule)
    # English "TOTP devices" pages: staff manage their second factor at 账号安全 instead
    assert not admin.site.is_registered(TOTPDevice)
    assert not admin.site.is_registered(StaticDevice)


@pytest.mark.django_db
def test_the_owner_reads_each_job_with_when_it_last_ran(owner: Any, console_client: Any) -> None:
    every = IntervalSchedule.objects.create(every=1, period=IntervalSchedule.MINUTES)
    PeriodicTask.objects.create(
        name="orders-release-expired-locks",
        task=str(BEAT_SCHEDULE["orders-release-expired-locks"]["task"]),
        interval=every,
        last_run_at=datetime(2026, 12, 6, 1, 2, 3, tzinfo=ZoneInfo("UTC")),
        total_run_count=42,
    )
    client = console_client(owner)

    page = client.get(reverse("console:scheduled_jobs"), headers={"accept-language": "zh-hans"})
    html = page.content.decode()
    home = client.get(reverse("admin:index"), headers={"accept-language": "zh-hans"}).content.decode()

    assert page.status_code == 200
    assert "释放超时未付款订单" in html and "每 1 分钟" in html and "42" in html
    assert "2026-12-06 09:02:03" in html  # shown in shop time
    assert "尚未运行" in html  # the jobs beat has not run yet
    assert "orders.tasks" not in html  # names, not task paths
    assert reverse("console:scheduled_jobs") in home
    assert "周期性任务" not in home


@pytest.mark.django_db
def test_a_role_without_the_permission_is_refused(staff_factory: Any, console_client: Any) -> None:
    service = staff_factory("customer_service")
    assert not service.has_perm("django_celery_beat.view_periodictask")
    response = console_client(service).get(reverse("console:scheduled_jobs"))
    assert response.status_code == 403
