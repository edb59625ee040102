"""The console page that adds a staff member in a role, through staff_create."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.urls import reverse

from mall.models import AuditLog

pytestmark = pytest.mark.django_db

URL = "/console/staff/new/"


def _post(client, **overrides):
    data = {
        "username": "xiaoli",
        "role": "customer_service",
        "email": "li@example.com",
        "password": "service-pass-1",
        "password_again": "service-pass-1",
    }
    return client.post(URL, {**data, **overrides})


def test_owner_adds_a_customer_service_account(owner, console_client):
    client = console_client(owner)
    assert reverse("console:staff_create") == URL
    page = client.get(URL)
    assert page.status_code == 200
    assert "新增员工" in page.content.decode()

    response = _post(client)

    user = User.objects.get(username="xiaoli")
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:auth_user_change", args=[user.pk])
    assert list(user.groups.values_list("name", flat=True)) == ["customer_service"]
    assert user.is_staff and not user.is_superuser and user.email == "li@example.com"
    assert AuditLog.objects.filter(action="staff.create", actor=owner, target_id=str(user.pk)).exists()
    # the new account can sign in to the console and sees its role on the home page
    assert "角色：客服" in console_client(user).get(reverse("admin:index")).content.decode()


def test_form_errors_are_shown_and_nothing_is_created(owner, console_client):
    client = console_client(owner)
    User.objects.create_user(username="XiaoLi", password="x-pass-12345", is_staff=True)
    users_before = sorted(User.objects.values_list("username", flat=True))

    taken = _post(client)
    mismatch = _post(client, username="other", password_again="different-pass")

    assert taken.status_code == mismatch.status_code == 200
    assert "该用户名已被使用。" in taken.content.decode()
    assert "两次输入的密码不一致。" in mismatch.content.decode()
    assert sorted(User.objects.values_list("username", flat=True)) == users_before
    assert not AuditLog.objects.filter(action="staff.create").exists()


def test_only_staff_allowed_to_add_users_reach_the_page(staff_factory, console_client, client):
    assert console_client(staff_factory("operator")).get(URL).status_code == 403
    assert _post(console_client(staff_factory("finance"))).status_code == 403
    anonymous = client.get(URL)
    assert anonymous.status_code == 302 and anonymous["Location"].startswith(reverse("admin:login"))
    assert not User.objects.filter(username="xiaoli").exists()


def test_the_user_admin_sends_new_accounts_through_the_role_page(owner, staff_factory, console_client):
    staff_factory("operator")
    client = console_client(owner)

    add = client.get(reverse("admin:auth_user_add"))
    users = client.get(reverse("admin:auth_user_changelist")).content.decode()

    assert add.status_code == 302 and add["Location"] == URL
    assert "operator1" in users and "运营" in users  # each account's role is listed
