"""Console login lockouts (django-axes on MariaDB + Redis): per username, per IP, under parallel
guesses; the Chinese lock message with its end time; the owner's unlock; the audit trail."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from axes.models import AccessAttempt
from django.contrib.auth.hashers import MD5PasswordHasher
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from mall.models import AuditLog
from mall.services.staff import staff_create
from mall.tests.concurrency import run_in_threads

SHANGHAI = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 3, 2, 9, 0, tzinfo=SHANGHAI)
LIMIT = 5
WRONG = "请输入一个正确的工作人员账户"  # Django's zh-hans invalid-login message on the admin form


def _login(client: Client, username: str, password: str, ip: str = "127.0.0.1"):
    return client.post(
        reverse("admin:login"),
        {"username": username, "password": password, "next": reverse("admin:index")},
        REMOTE_ADDR=ip,
        HTTP_USER_AGENT="pytest-browser/1.0",
    )


@pytest.fixture
def clerk(db, owner) -> User:
    return staff_create(username="clerk", password="clerk-pass-2026", role="operator", actor=owner)


@pytest.mark.django_db
def test_username_is_locked_after_the_limit_with_a_chinese_message_and_its_end(clerk):
    client = Client()
    with time_machine.travel(NOW, tick=False):
        for _i in range(LIMIT - 1):
            response = _login(client, "clerk", "wrong-guess-1")
            assert response.status_code == 200
        locked = _login(client, "clerk", "wrong-guess-1")
        # The right password no longer helps while the lock lasts, from a fresh client too.
        still = _login(Client(), "clerk", "clerk-pass-2026")

    assert locked.status_code == 429
    assert "已被锁定，将于 2026-03-02 09:30 解锁" in locked.content.decode()
    assert still.status_code == 429
    assert "_auth_user_id" not in still.client.session
    lockouts = AuditLog.objects.filter(action="staff.login_locked", data__username="clerk")
    assert lockouts.count() == 2  # the lock itself and the refused attempt during it
    assert lockouts.first().data["ip"] == "127.0.0.1"

    # After the cool-off the right password signs in again.
    with time_machine.travel(NOW + timedelta(minutes=31), tick=False):
        response = _login(Client(), "clerk", "clerk-pass-2026")
    assert response.status_code == 302


@pytest.mark.django_db
def test_one_ip_guessing_many_usernames_is_locked(clerk, owner):
    with time_machine.travel(NOW, tick=False):
        for i in range(LIMIT):
            _login(Client(), f"nobody{i}", "wrong-guess-1", ip="10.1.2.3")
        from_that_ip = _login(Client(), "clerk", "clerk-pass-2026", ip="10.1.2.3")
        from_elsewhere = _login(Client(), "clerk", "clerk-pass-2026", ip="10.9.9.9")

    assert from_that_ip.status_code == 429
    assert "已被锁定" in from_that_ip.content.decode()
    assert from_elsewhere.status_code == 302  # the username itself is not locked
    assert AuditLog.objects.filter(action="staff.login_locked", data__ip="10.1.2.3").exists()


class CountingMD5Hasher(MD5PasswordHasher):
    """The test suite's hasher, counting how many passwords were really checked."""

    checked = 0
    _guard = threading.Lock()

    def verify(self, password: str, encoded: str) -> bool:
        with self._guard:
            type(self).checked += 1
        return super().verify(password, encoded)


@pytest.mark.race
@pytest.mark.django_db(transaction=True)
def test_parallel_guesses_never_get_more_than_the_limit_checked(settings):
    """Twenty guesses at once from twenty addresses: only LIMIT passwords are ever tested,
    the rest meet the lock (without the login gate several pass the check together)."""
    settings.PASSWORD_HASHERS = [f"{__name__}.CountingMD5Hasher"]
    staff_create(username="target", password="target-pass-2026", role="finance", actor=None)
    CountingMD5Hasher.checked = 0

    def guess(i: int) -> tuple[int, str]:
        response = _login(Client(), "target", f"wrong-guess-{i}", ip=f"10.0.0.{i + 1}")
        return response.status_code, response.content.decode()

    results = run_in_threads(20, guess)

    assert all(isinstance(result, tuple) for result in results), results
    assert CountingMD5Hasher.checked == LIMIT
    checked = [body for status, body in results if status == 200 and WRONG in body]
    locked = [body for status, body in results if status == 429 and "已被锁定" in body]
    assert len(checked) == LIMIT - 1  # the LIMIT-th failure answers with the lock itself
    assert len(locked) == 20 - (LIMIT - 1)
    failures = sum(AccessAttempt.objects.filter(username="target").values_list("failures_since_start", flat=True))
    assert failures == 20  # every guess counted (attempts during the lock renew it)


@pytest.mark.django_db
def test_owner_unlocks_a_username_and_an_ip_from_the_console(clerk, owner, console_client):
    with time_machine.travel(NOW, tick=False):
        for i in range(LIMIT):  # the clerk's name guessed from five addresses
            _login(Client(), "clerk", "wrong-guess-1", ip=f"10.2.0.{i + 1}")
        for i in range(LIMIT):  # one address guessing five names
            _login(Client(), f"someone{i}", "wrong-guess-1", ip="10.2.0.9")
        page = console_client(owner).get(reverse("console:login_locks"))
        assert page.status_code == 200
        html = page.content.decode()
        assert "clerk" in html and "10.2.0.9" in html and "2026-03-02 09:30" in html
        assert _login(Client(), "clerk", "clerk-pass-2026", ip="10.2.0.7").status_code == 429

        response = console_client(owner).post(reverse("console:login_unlock"), {"kind": "username", "value": "clerk"})
        assert response.status_code == 302
        assert _login(Client(), "clerk", "clerk-pass-2026", ip="10.2.0.7").status_code == 302
        # The guessing address stays locked until it is unlocked too.
        assert _login(Client(), "clerk", "clerk-pass-2026", ip="10.2.0.9").status_code == 429
        console_client(owner).post(reverse("console:login_unlock"), {"kind": "ip", "value": "10.2.0.9"})
        assert _login(Client(), "clerk", "clerk-pass-2026", ip="10.2.0.9").status_code == 302

    unlocks = AuditLog.objects.filter(action="staff.login_unlock", actor=owner).order_by("id")
    assert [row.data["username"] or row.data["ip"] for row in unlocks] == ["clerk", "10.2.0.9"]
    assert unlocks[0].data["attempts_removed"] == LIMIT + 1  # five guesses and the refused login


@pytest.mark.django_db
def test_only_the_owner_sees_and_lifts_locks(staff_factory, console_client):
    finance = console_client(staff_factory("finance"))
    assert finance.get(reverse("console:login_locks")).status_code == 403
    assert finance.post(reverse("console:login_unlock"), {"kind": "username", "value": "x"}).status_code == 403
    assert not AuditLog.objects.filter(action="staff.login_unlock").exists()


@pytest.mark.django_db
def test_logins_and_logouts_are_audited_with_ip_and_browser(clerk):
    client = Client()
    assert _login(client, "clerk", "clerk-pass-2026", ip="10.3.0.7").status_code == 302
    client.post(reverse("admin:logout"), REMOTE_ADDR="10.3.0.7", HTTP_USER_AGENT="pytest-browser/1.0")

    login = AuditLog.objects.get(action="staff.login", actor=clerk)
    logout = AuditLog.objects.get(action="staff.logout", actor=clerk)
    assert login.data == {"ip": "10.3.0.7", "user_agent": "pytest-browser/1.0"}
    assert logout.data == {"ip": "10.3.0.7", "user_agent": "pytest-browser/1.0"}
    # A successful login clears the username's failures (AXES_RESET_ON_SUCCESS).
    assert not AccessAttempt.objects.filter(username="clerk").exists()
