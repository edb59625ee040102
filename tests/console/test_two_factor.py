"""Second factor (django-otp TOTP + recovery codes): required for owner and finance, optional for
the others; enrolment, verification after the password, recovery codes, owner's reset."""

from __future__ import annotations

import time
from base64 import b32decode
from collections.abc import Iterator
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from mall.models import AuditLog
from mall.services.staff_security import staff_otp_enrol_confirm, staff_otp_enrol_start

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
MONEY_PAGES = ("orders_refund_changelist", "orders_refund_add", "marketing_withdrawal_changelist")


@pytest.fixture(autouse=True)
def enforce_2fa(settings):
    """The production rule (the test settings switch it off for the other suites)."""
    settings.STAFF_2FA_REQUIRED_ROLES = ["owner", "finance"]


@pytest.fixture(autouse=True)
def clock() -> Iterator[time_machine.Traveller]:
    """Frozen at NOW; tests move it forward (TOTP codes and sessions both follow the clock)."""
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def code_now(device: TOTPDevice) -> str:
    """The authenticator app's 6 digits at the current (frozen) time (RFC 6238, 30-second steps)."""
    token = TOTP(device.bin_key, step=device.step, t0=device.t0, digits=device.digits)
    token.time = time.time()
    return str(token.token()).zfill(device.digits)


def enrolled(user) -> tuple[TOTPDevice, list[str]]:
    device = staff_otp_enrol_start(user=user)
    return staff_otp_enrol_confirm(user=user, token=code_now(device))


@pytest.mark.django_db
@pytest.mark.parametrize("url_name", MONEY_PAGES)
def test_finance_without_a_second_factor_cannot_reach_refunds_or_withdrawals(staff_factory, console_client, url_name):
    client = console_client(staff_factory("finance"))
    response = client.get(reverse(f"admin:{url_name}"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("console:otp_setup"))
    # Posting does not get through either.
    assert client.post(reverse(f"admin:{url_name}"), {}).status_code == 302


@pytest.mark.django_db
def test_owner_without_a_second_factor_is_sent_to_bind_one(owner, console_client):
    response = console_client(owner).get(reverse("admin:index"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("console:otp_setup"))


@pytest.mark.django_db
def test_operator_and_service_may_work_without_a_second_factor(staff_factory, console_client):
    assert console_client(staff_factory("operator")).get(reverse("admin:mall_product_changelist")).status_code == 200
    service = console_client(staff_factory("customer_service"))
    assert service.get(reverse("admin:orders_order_changelist")).status_code == 200


@pytest.mark.django_db
def test_finance_binds_an_authenticator_and_then_reaches_refunds(staff_factory, console_client, clock):
    finance = staff_factory("finance")
    client = console_client(finance)
    page = client.get(reverse("console:otp_setup"))
    html = page.content.decode()
    assert page.status_code == 200 and "<svg" in html and "必须开启两步验证" in html
    device = TOTPDevice.objects.get(user=finance, confirmed=False)
    assert b32decode(page.context["secret"]) == device.bin_key

    wrong = client.post(reverse("console:otp_setup"), {"token": "000000" if code_now(device) != "000000" else "111111"})
    assert wrong.status_code == 400 and "验证码不正确" in wrong.content.decode()

    clock.shift(timedelta(seconds=5))  # past the throttle a wrong code starts (1 s)
    done = client.post(reverse("console:otp_setup"), {"token": code_now(device)})
    assert done.status_code == 200
    codes = done.context["codes"]
    assert len(codes) == 10 and all(code in done.content.decode() for code in codes)
    assert client.get(reverse("admin:orders_refund_changelist")).status_code == 200
    assert AuditLog.objects.filter(action="staff.2fa_enabled", actor=finance).exists()


@pytest.mark.django_db
def test_a_new_session_needs_the_code_and_a_recovery_code_works_once(staff_factory, console_client, clock):
    finance = staff_factory("finance")
    device, codes = enrolled(finance)

    client = console_client(finance)  # a new sign-in: password only so far
    blocked = client.get(reverse("admin:marketing_withdrawal_changelist"))
    assert blocked.status_code == 302 and blocked["Location"].startswith(reverse("console:otp_verify"))
    # The binding page cannot be used to add a device without the second factor.
    assert client.get(reverse("console:otp_setup"))["Location"].startswith(reverse("console:otp_verify"))

    clock.shift(timedelta(minutes=2))  # a code not used before
    verified = client.post(
        reverse("console:otp_verify"),
        {"token": code_now(device), "next": reverse("admin:marketing_withdrawal_changelist")},
    )
    assert verified.status_code == 302 and verified["Location"] == reverse("admin:marketing_withdrawal_changelist")
    assert client.get(reverse("admin:marketing_withdrawal_changelist")).status_code == 200

    phone_lost = console_client(finance)
    assert phone_lost.post(reverse("console:otp_verify"), {"token": codes[0]}).status_code == 302
    assert phone_lost.get(reverse("admin:orders_refund_changelist")).status_code == 200
    again = console_client(finance)
    clock.shift(timedelta(minutes=10))  # no throttle left from earlier failures
    reused = again.post(reverse("console:otp_verify"), {"token": codes[0]})
    assert reused.status_code == 400
    assert again.get(reverse("admin:orders_refund_changelist")).status_code == 302
    assert AuditLog.objects.get(action="staff.2fa_recovery_used", actor=finance).data == {"left": 9}


@pytest.mark.django_db
def test_optional_roles_with_an_authenticator_must_use_it(staff_factory, console_client):
    operator = staff_factory("operator")
    enrolled(operator)
    response = console_client(operator).get(reverse("admin:mall_product_changelist"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("console:otp_verify"))


@pytest.mark.django_db
def test_finance_cannot_switch_it_off_but_the_owner_resets_a_lost_phone(owner, staff_factory, console_client, clock):
    finance = staff_factory("finance")
    _device, codes = enrolled(finance)
    client = console_client(finance)
    client.post(reverse("console:otp_verify"), {"token": codes[1]})

    client.post(reverse("console:security"), {"action": "disable_2fa"})
    assert TOTPDevice.objects.filter(user=finance, confirmed=True).exists()

    enrolled(owner)
    boss = console_client(owner)
    boss.post(reverse("console:otp_verify"), {"token": "wrong"})
    reset_url = reverse("admin:auth_user_reset_2fa", args=[finance.pk])
    refused = boss.post(reset_url, {"_form_submitted": "on"})
    assert refused.status_code == 302 and refused["Location"].startswith(reverse("console:otp_verify"))
    assert TOTPDevice.objects.filter(user=finance, confirmed=True).exists()
    clock.shift(timedelta(minutes=5))
    owner_device = TOTPDevice.objects.get(user=owner, confirmed=True)
    boss.post(reverse("console:otp_verify"), {"token": code_now(owner_device)})
    assert boss.post(reset_url, {"_form_submitted": "on"}).status_code == 302
    assert not TOTPDevice.objects.filter(user=finance).exists()
    assert AuditLog.objects.get(action="staff.2fa_disabled").actor == owner
    # Next sign-in the finance user binds a new one before reaching money.
    assert (
        console_client(finance)
        .get(reverse("admin:orders_refund_changelist"))["Location"]
        .startswith(reverse("console:otp_setup"))
    )


@pytest.mark.django_db
def test_operator_may_switch_it_off(staff_factory, console_client):
    operator = staff_factory("operator")
    _device, codes = enrolled(operator)
    client = console_client(operator)
    client.post(reverse("console:otp_verify"), {"token": codes[0]})
    client.post(reverse("console:security"), {"action": "disable_2fa"})
    assert not TOTPDevice.objects.filter(user=operator).exists()


@pytest.mark.django_db
def test_binding_an_authenticator_signs_out_the_other_sessions(owner, clock):
    from django.test import Client

    from mall.services.staff import staff_create

    staff_create(username="yunying", password="yunying-pass-2026", role="operator", actor=owner)
    laptop, phone = Client(REMOTE_ADDR="10.5.0.1"), Client(REMOTE_ADDR="10.5.0.2")
    for client in (laptop, phone):
        client.post(reverse("admin:login"), {"username": "yunying", "password": "yunying-pass-2026"})
    assert phone.get(reverse("admin:mall_product_changelist")).status_code == 200

    laptop.get(reverse("console:otp_setup"))
    device = TOTPDevice.objects.get(user__username="yunying", confirmed=False)
    assert laptop.post(reverse("console:otp_setup"), {"token": code_now(device)}).status_code == 200

    assert laptop.get(reverse("admin:mall_product_changelist")).status_code == 200
    assert phone.get(reverse("admin:mall_product_changelist"))["Location"].startswith(reverse("admin:login"))
