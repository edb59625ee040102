"""The audit log and the home page's 最近操作 name actions and objects and show readable changes."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.utils import translation

from mall.models import AuditLog
from mall.selectors.audit import audit_action_label, audit_describe
from mall.services.audit import audit_record
from mall.services.shop import shop_settings_update
from members.tests.factories import MemberFactory
from orders.tests.factories import ProductFactory


@pytest.fixture(autouse=True)
def _chinese() -> Iterator[None]:
    """These read the active language; another test's request may have left English active."""
    with translation.override("zh-hans"):
        yield


pytestmark = pytest.mark.django_db


def test_action_labels_are_chinese() -> None:
    assert audit_action_label("promoter.approve") == "审核通过推广员"
    assert audit_action_label("product.create") == "新建商品"
    assert audit_action_label("order.phone_reveal") == "查看订单手机号"


def test_rows_name_their_object_and_spell_out_changes(owner: User, django_assert_max_num_queries: Any) -> None:
    product = ProductFactory.create(title="玻尿酸精华")
    member = MemberFactory.create(nickname="小美")
    audit_record(
        actor=owner, action="product.update", target=product, data={"title": {"from": "旧名", "to": "玻尿酸精华"}}
    )
    audit_record(actor=owner, action="points.adjust", target=member, data={"member_id": member.pk, "delta": 50})
    shop_settings_update(actor=owner, shipping_flat_fee=600)
    rows = list(AuditLog.objects.order_by("id"))
    with django_assert_max_num_queries(8):
        views = audit_describe(rows)
    product_row, points_row, shop_row = views
    assert (product_row.action_label, product_row.target_label) == ("修改商品", "商品「玻尿酸精华」")
    assert product_row.changes_text == "标题：旧名 → 玻尿酸精华"
    assert points_row.changes_text == "会员：小美；变动：50"
    assert "¥8.00 → ¥6.00" in shop_row.changes_text  # fen stored, yuan shown
    for view in views:
        assert "{" not in view.changes_text and "\\u" not in view.changes_text


def test_audit_log_page_and_home_show_names(owner: User, console_client: Callable[[User], Client]) -> None:
    product = ProductFactory.create(title="玻尿酸精华")
    audit_record(actor=owner, action="product.shelf_off", target=product, data={})
    client = console_client(owner)
    page = client.get("/admin/mall/auditlog/").content.decode()
    home = client.get("/admin/").content.decode()
    for html in (page, home):
        assert "下架商品" in html and "商品「玻尿酸精华」" in html
        assert "product.shelf_off" not in html and "mall.product#" not in html


def test_audit_log_filters_by_named_kind(owner: User, console_client: Callable[[User], Client]) -> None:
    product = ProductFactory.create(title="玻尿酸精华")
    member = MemberFactory.create(nickname="小美")
    audit_record(actor=owner, action="product.shelf_off", target=product, data={})
    audit_record(actor=owner, action="points.adjust", target=member, data={"delta": 5})
    client = console_client(owner)
    page = client.get("/admin/mall/auditlog/").content.decode()
    assert '<a href="?target=mall.product" title="商品"' in page
    assert '<a href="?target=members.member" title="会员"' in page
    assert ">mall.product<" not in page and ">members.member<" not in page
    filtered = client.get("/admin/mall/auditlog/", {"target": "members.member"}).content.decode()
    assert "调整积分" in filtered and "下架商品" not in filtered
