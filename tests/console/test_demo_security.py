"""The embedded demo stays usable with 2FA required: owner and finance get an authenticator
with a printed key, `manage.py demo_otp_code` shows the codes; neither exists outside the demo."""

from __future__ import annotations

from base64 import b32decode
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from mall.demo.shop import build_staff

pytestmark = pytest.mark.django_db


@pytest.fixture
def embedded_demo(settings):
    settings.STAFF_DEMO_PASSWORDS_ALLOWED = True  # as mall.settings.local
    settings.STAFF_2FA_REQUIRED_ROLES = ["owner", "finance"]


def test_demo_owner_and_finance_get_a_printed_authenticator_key(embedded_demo):
    logins = {login.username: login for login in build_staff()}
    assert logins["operator"].otp_key == "" and logins["service"].otp_key == ""
    for username in ("owner", "finance"):
        device = TOTPDevice.objects.get(user__username=username, confirmed=True)
        assert b32decode(logins[username].otp_key) == device.bin_key
    build_staff()  # idempotent: no second device
    assert TOTPDevice.objects.count() == 2


@time_machine.travel("2026-03-02 09:00:10+08:00", tick=False)
def test_make_run_owner_signs_in_with_the_printed_code(embedded_demo):
    build_staff()
    out = StringIO()
    call_command("demo_otp_code", stdout=out)
    codes = dict(line.split()[:2] for line in out.getvalue().splitlines())
    assert set(codes) == {"owner", "finance"}

    client = Client()
    client.post(reverse("admin:login"), {"username": "owner", "password": "duoying-owner"})
    response = client.post(reverse("console:otp_verify"), {"token": codes["owner"]})
    assert response.status_code == 302
    assert client.get(reverse("admin:index")).status_code == 200


def test_outside_the_demo_there_are_no_demo_authenticators_and_no_codes():
    logins = build_staff()
    assert all(login.otp_key == "" for login in logins)
    assert not TOTPDevice.objects.exists()
    with pytest.raises(CommandError, match="embedded demo"):
        call_command("demo_otp_code", stdout=StringIO())
