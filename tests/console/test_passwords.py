"""Django's password validators on every path that sets a staff password, and the demo's
published passwords refused outside the embedded demo (production refuses to start with one)."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from django.utils import translation

from mall.demo.shop import STAFF
from mall.errors import ValidationFailed
from mall.services.staff import staff_create, staff_ensure_owner
from mall.services.staff_security import staff_default_passwords_in_use, staff_refuse_default_passwords

WEAK = [
    ("short-1", "长度太短"),  # under 10 characters
    ("password123", "太常见"),  # in the common-password list
    ("3141592653589", "只包含数字"),
    ("cashier-zhang", "太相似"),  # too close to the username cashier-zhang
    ("duoying-finance", "演示店铺"),  # the demo's published password
]


@pytest.mark.django_db
@pytest.mark.parametrize(("password", "reason"), WEAK)
def test_staff_create_refuses_weak_passwords(owner, password, reason):
    # the reasons are asserted in Chinese, whatever language an earlier test left active
    with translation.override("zh-hans"), pytest.raises(ValidationFailed) as refused:
        staff_create(username="cashier-zhang", password=password, role="finance", actor=owner)
    assert any(reason in message for message in refused.value.details["password"])
    assert not User.objects.filter(username="cashier-zhang").exists()


@pytest.mark.django_db
def test_staff_page_shows_the_validators_reasons(owner, console_client):
    response = console_client(owner).post(
        reverse("console:staff_create"),
        {"username": "cashier", "role": "finance", "password": "12345678", "password_again": "12345678"},
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "长度太短" in html and "只包含数字" in html
    assert not User.objects.filter(username="cashier").exists()


@pytest.mark.django_db
def test_ensure_owner_refuses_weak_and_demo_passwords_outside_the_demo(settings):
    with pytest.raises(ValidationFailed):
        staff_ensure_owner(username="shopowner", password="owner")
    with pytest.raises(CommandError, match="演示店铺"):
        _ensure_owner_command("shopowner", "duoying-owner")
    assert not User.objects.filter(username="shopowner").exists()

    settings.STAFF_DEMO_PASSWORDS_ALLOWED = True  # the embedded demo (mall.settings.local)
    assert staff_ensure_owner(username="owner", password="duoying-owner") is True


def _ensure_owner_command(username: str, password: str) -> None:
    import os
    from unittest import mock

    with mock.patch.dict(os.environ, {"OWNER_USERNAME": username, "OWNER_PASSWORD": password}):
        call_command("ensure_owner")


@pytest.mark.django_db
def test_console_password_change_forms_use_the_validators(owner, staff_factory, console_client):
    finance = staff_factory("finance")
    client = console_client(owner)
    response = client.post(
        reverse("admin:auth_user_password_change", args=[finance.pk]),
        {"password1": "password123", "password2": "password123", "usable_password": "true"},
    )
    assert response.status_code == 200 and "太常见" in response.content.decode()
    own = client.post(
        reverse("admin:password_change"),
        {"old_password": "boss-pass-123", "new_password1": "1234567890", "new_password2": "1234567890"},
    )
    assert own.status_code == 200 and "只包含数字" in own.content.decode()
    owner.refresh_from_db()
    assert owner.check_password("boss-pass-123")


@pytest.mark.django_db
def test_changepassword_command_uses_the_validators(staff_factory, monkeypatch):
    finance = staff_factory("finance")
    answers = iter(["short", "short"] * 3)
    monkeypatch.setattr("getpass.getpass", lambda prompt="": next(answers))
    with pytest.raises(CommandError):
        call_command("changepassword", finance.username)
    finance.refresh_from_db()
    assert finance.check_password("staff-pass-123")


def test_demo_logins_match_the_published_list():
    from mall.console.passwords import DEMO_STAFF_LOGINS

    assert [(username, password) for username, password, _group, _su in STAFF] == list(DEMO_STAFF_LOGINS)


@pytest.mark.django_db
def test_production_refuses_to_start_while_a_demo_password_is_in_use(settings):
    from mall.demo.shop import build_staff

    build_staff()
    settings.STAFF_REFUSE_DEFAULT_PASSWORDS = True
    assert staff_default_passwords_in_use() == ["owner", "operator", "service", "finance"]
    with pytest.raises(ImproperlyConfigured, match="owner, operator, service, finance"):
        staff_refuse_default_passwords()

    for username in ("owner", "operator", "service", "finance"):
        user = User.objects.get(username=username)
        user.set_password(f"{username}-new-secret-2026")
        user.save()
    staff_refuse_default_passwords()  # starts
    assert staff_default_passwords_in_use() == []
