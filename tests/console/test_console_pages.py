"""The pages around the console: ``/`` leads to it, a favicon exists, and a refusal is a
console-styled 403 in Chinese with a way back (not Django's bare English page)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.contrib.auth.models import User
from django.contrib.staticfiles import finders
from django.core.exceptions import PermissionDenied
from django.test import Client, RequestFactory

from mall.console.pages import permission_denied

pytestmark = pytest.mark.django_db


def test_root_leads_to_the_console(client: Client) -> None:
    response = client.get("/")
    assert (response.status_code, response["Location"]) == (302, "/admin/")


def test_favicon_is_served(client: Client) -> None:
    response = client.get("/favicon.ico")
    assert response.status_code == 302
    assert response["Location"].endswith("console/favicon.ico")
    assert finders.find("console/favicon.ico") and finders.find("console/favicon.svg")


def test_console_pages_link_the_favicon(owner: User, console_client: Callable[[User], Client]) -> None:
    html = console_client(owner).get("/admin/").content.decode()
    assert "console/favicon.svg" in html


def test_forbidden_page_is_console_styled_with_a_way_back(
    staff_factory: Callable[[str], User], console_client: Callable[[User], Client]
) -> None:
    response = console_client(staff_factory("operator")).get("/admin/auth/user/")
    html = response.content.decode()
    assert response.status_code == 403
    assert "没有访问权限" in html and "你的账号（运营）不能打开这个页面" in html
    assert 'data-testid="forbidden-home"' in html and 'href="/admin/"' in html
    assert "多营商城 · 商家后台" in html  # inside the console's frame
    assert "Forbidden" not in html


def test_forbidden_page_for_a_non_staff_user_is_standalone(rf: RequestFactory) -> None:
    request = rf.get("/somewhere/")
    request.user = User.objects.create_user(username="shopper", password="x")
    response = permission_denied(request, PermissionDenied())
    html = response.content.decode()
    assert response.status_code == 403
    assert "没有访问权限" in html and 'href="/admin/"' in html
    assert "商家后台" not in html  # no console frame for someone who is not staff
