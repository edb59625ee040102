"""Console lists flag only the exceptional state (已封禁, 已下架, 默认) instead of a red ✗ on
every ordinary row, and shoppers' phone numbers are masked on the shopper pages."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from django.contrib.auth.models import User
from django.test import Client

from members.tests.factories import AddressFactory, MemberFactory
from orders.tests.factories import ProductFactory

pytestmark = pytest.mark.django_db


def test_member_list_masks_phones_and_flags_only_blocked_shoppers(
    owner: User, console_client: Callable[[User], Client]
) -> None:
    MemberFactory.create(nickname="正常会员", phone="13800000443")
    MemberFactory.create(nickname="被封会员", phone="13900000001", is_blocked=True)
    html = console_client(owner).get("/admin/members/member/").content.decode()
    assert "138****0443" in html and "13800000443" not in html
    assert len(re.findall(r"bg-red-100[^>]*>\s*已封禁\s*<", html)) == 1  # the blocked shopper's row only
    assert "icon-no" not in html and "icon-yes" not in html


def test_address_pages_mask_phones_and_flag_the_default(owner: User, console_client: Callable[[User], Client]) -> None:
    member = MemberFactory.create()
    AddressFactory.create(member=member, phone="13712345678", is_default=True)
    AddressFactory.create(member=member, phone="13712340000")
    client = console_client(owner)
    for url in ("/admin/members/address/", f"/admin/members/member/{member.pk}/change/"):
        html = client.get(url).content.decode()
        assert "137****5678" in html and "13712345678" not in html, url
        assert "icon-no" not in html, url


def test_product_list_flags_only_off_shelf_products(owner: User, console_client: Callable[[User], Client]) -> None:
    ProductFactory.create(title="在售面霜", is_on_shelf=True)
    ProductFactory.create(title="下架面霜", is_on_shelf=False)
    html = console_client(owner).get("/admin/mall/product/").content.decode()
    assert len(re.findall(r"bg-orange-100[^>]*>\s*已下架\s*<", html)) == 1
    assert "icon-no" not in html and "icon-yes" not in html
