"""Exports of personal data (members; orders with addresses) need their own permission and are
recorded and audited with their row counts."""

from __future__ import annotations

import csv
import io

import pytest
from django.contrib.admin import helpers
from django.contrib.auth.models import Permission
from django.urls import reverse

from mall.errors import PermissionDenied
from mall.models import AuditLog, PersonalDataExport
from mall.services.personal_data import personal_data_export
from members.tests.factories import MemberFactory
from tests.console.factories import OrderFactory

pytestmark = pytest.mark.django_db
ADDRESS = {
    "receiver": "王小明",
    "phone": "13800138000",
    "province": "上海市",
    "city": "上海市",
    "district": "浦东新区",
    "detail": "世纪大道 100 号",
}


def _export(client, changelist: str, action: str, pks: list[int]):
    return client.post(
        reverse(f"admin:{changelist}"), {"action": action, helpers.ACTION_CHECKBOX_NAME: [str(pk) for pk in pks]}
    )


def _csv(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def test_owner_exports_members_with_the_count_recorded_and_audited(owner, console_client):
    members = [MemberFactory(phone=f"1390000000{i}") for i in range(3)]
    client = console_client(owner)
    response = _export(client, "members_member_changelist", "export_members_csv", [m.pk for m in members])

    assert response["Content-Type"].startswith("text/csv")
    rows = _csv(response)
    assert rows[0][:3] == ["会员 ID", "昵称", "手机号"]
    assert sorted(row[2] for row in rows[1:]) == ["13900000000", "13900000001", "13900000002"]
    export = PersonalDataExport.objects.get()
    assert (export.actor, export.dataset, export.row_count) == (owner, "members", 3)
    audit = AuditLog.objects.get(action="export.personal_data")
    assert audit.actor == owner and audit.data["rows"] == 3 and audit.data["dataset"] == "members"


def test_viewing_members_is_not_enough_to_export_them(staff_factory, console_client):
    service = staff_factory("customer_service")  # reads shoppers and their addresses
    client = console_client(service)
    page = client.get(reverse("admin:members_member_changelist"))
    assert page.status_code == 200 and "export_members_csv" not in page.content.decode()
    response = _export(client, "members_member_changelist", "export_members_csv", [MemberFactory().pk])
    assert not response.get("Content-Type", "").startswith("text/csv")
    assert not PersonalDataExport.objects.exists()
    assert not AuditLog.objects.filter(action="export.personal_data").exists()


def test_orders_with_addresses_export_with_their_own_permission(staff_factory, console_client):
    finance = staff_factory("finance")
    orders = [OrderFactory(address=ADDRESS, payable_amount=25_800), OrderFactory(address=ADDRESS)]
    client = console_client(finance)
    refused = _export(client, "orders_order_changelist", "export_orders_csv", [o.pk for o in orders])
    assert not refused.get("Content-Type", "").startswith("text/csv")

    finance.user_permissions.add(Permission.objects.get(codename="export_orders", content_type__app_label="mall"))
    response = _export(console_client(finance), "orders_order_changelist", "export_orders_csv", [o.pk for o in orders])
    rows = _csv(response)
    assert rows[1][0] == orders[0].no
    assert rows[1][3] == "258.00"  # yuan, never fen
    assert rows[1][5:8] == ["王小明", "13800138000", "上海市上海市浦东新区世纪大道 100 号"]
    assert PersonalDataExport.objects.get().row_count == 2
    assert AuditLog.objects.get(action="export.personal_data", actor=finance).data["rows"] == 2


def test_the_service_refuses_without_the_permission(staff_factory):
    operator = staff_factory("operator")
    with pytest.raises(PermissionDenied):
        personal_data_export(actor=operator, dataset="members", header=["手机号"], rows=[["13800138000"]])
    assert not PersonalDataExport.objects.exists()
