"""Staff sessions: idle expiry (2 h by default), ended by a password change, listed and ended by
their owner from 账号安全."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from mall.models import AuditLog, StaffSession
from mall.services.staff import staff_create

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
PASSWORD = "clerk-pass-2026"


@pytest.fixture(autouse=True)
def clock() -> Iterator[time_machine.Traveller]:
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def clerk(db, owner) -> User:
    return staff_create(username="clerk", password=PASSWORD, role="operator", actor=owner)


def signed_in(ip: str, agent: str) -> Client:
    client = Client(REMOTE_ADDR=ip, HTTP_USER_AGENT=agent)
    response = client.post(reverse("admin:login"), {"username": "clerk", "password": PASSWORD})
    assert response.status_code == 302
    return client


def can_work(client: Client) -> bool:
    return client.get(reverse("admin:mall_product_changelist")).status_code == 200


@pytest.mark.django_db
def test_a_session_ends_after_two_idle_hours_and_activity_keeps_it(clerk, clock):
    client = signed_in("10.4.0.1", "Chrome/131 office")
    clock.shift(timedelta(hours=1, minutes=55))
    assert can_work(client)  # activity pushes the end two hours on
    clock.shift(timedelta(hours=1, minutes=55))
    assert can_work(client)
    clock.shift(timedelta(hours=2, minutes=1))
    response = client.get(reverse("admin:mall_product_changelist"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("admin:login"))


@pytest.mark.django_db
def test_idle_time_follows_the_setting(clerk, clock, settings):
    settings.SESSION_COOKIE_AGE = 30 * 60
    client = signed_in("10.4.0.1", "Chrome/131 office")
    clock.shift(timedelta(minutes=31))
    assert not can_work(client)


@pytest.mark.django_db
def test_staff_sees_and_ends_their_other_sessions(clerk):
    office = signed_in("10.4.0.1", "Chrome/131 office")
    phone = signed_in("10.4.0.2", "Safari/18 phone")

    page = office.get(reverse("console:security"))
    rows = page.context["sessions"]
    assert [(row.ip_address, row.current) for row in rows] == [("10.4.0.1", True), ("10.4.0.2", False)]
    assert "Safari/18 phone" in page.content.decode() and "当前会话" in page.content.decode()

    other = next(row for row in rows if not row.current)
    office.post(reverse("console:security"), {"action": "end_session", "session_id": other.id})

    assert not can_work(phone)
    assert can_work(office)
    assert StaffSession.objects.filter(user=clerk).count() == 1
    ended = AuditLog.objects.get(action="staff.session_end", actor=clerk)
    assert ended.data == {"ip": "10.4.0.2", "user_agent": "Safari/18 phone"}


@pytest.mark.django_db
def test_one_cannot_end_someone_elses_session(clerk, staff_factory, console_client):
    signed_in("10.4.0.2", "Safari/18 phone")
    theirs = StaffSession.objects.get(user=clerk)
    intruder = console_client(staff_factory("operator"))
    response = intruder.post(reverse("console:security"), {"action": "end_session", "session_id": theirs.id})
    assert response.status_code == 302
    assert StaffSession.objects.filter(pk=theirs.pk).exists()
    assert not AuditLog.objects.filter(action="staff.session_end").exists()


@pytest.mark.django_db
def test_a_password_change_ends_the_other_sessions(clerk):
    office = signed_in("10.4.0.1", "Chrome/131 office")
    phone = signed_in("10.4.0.2", "Safari/18 phone")
    response = office.post(
        reverse("admin:password_change"),
        {"old_password": PASSWORD, "new_password1": "new-clerk-pass-77", "new_password2": "new-clerk-pass-77"},
    )
    assert response.status_code == 302

    assert can_work(office)
    assert not can_work(phone)
    rows = office.get(reverse("console:security")).context["sessions"]
    assert [row.ip_address for row in rows] == ["10.4.0.1"]


@pytest.mark.django_db
def test_logout_removes_the_session_from_the_list(clerk):
    office = signed_in("10.4.0.1", "Chrome/131 office")
    assert StaffSession.objects.filter(user=clerk).count() == 1
    office.post(reverse("admin:logout"))
    assert not StaffSession.objects.filter(user=clerk).exists()


def test_sessions_name_the_browser_and_system_not_the_raw_user_agent():
    from mall.selectors.staff_security import user_agent_label

    chrome_linux = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36"
    wechat_iphone = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 MicroMessenger/8.0.49"
    edge_windows = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/131.0 Safari/537.36 Edg/131.0"
    assert user_agent_label(chrome_linux) == "Chrome · Linux"
    assert user_agent_label(wechat_iphone) == "微信 · iPhone"
    assert user_agent_label(edge_windows) == "Edge · Windows"
    assert user_agent_label("") == "-"
