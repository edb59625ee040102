"""Console pages for anti-abuse (F45): the block list and the guard settings, through the
services (normalised, audited, effective at the next request), and who may use them."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from mall.models import AuditLog
from mall.services.staff import staff_create
from members.errors import AccessBlocked
from members.models import BlockEntry, GuardSettings, Member
from members.services.abuse import RequestContext, abuse_check, block_entry_create
from members.tests.factories import MemberFactory

pytestmark = pytest.mark.django_db

BLOCKS = "admin:members_blockentry_changelist"


def test_blocking_a_network_in_the_console_refuses_it_at_once(admin_client: Client, admin_user: User) -> None:
    shopper = MemberFactory.create()
    abuse_check(
        action="claim", member=shopper, context=RequestContext(ip="10.9.8.7")
    )  # the guard holds its configuration

    response = admin_client.post(
        reverse("admin:members_blockentry_add"), {"kind": "ip", "value": "10.9.8.7/24", "note": "刷单团伙"}
    )

    assert response.status_code == 302, response.content.decode()[:2000]
    entry = BlockEntry.objects.get()
    assert (entry.value, entry.note, entry.created_by) == ("10.9.8.0/24", "刷单团伙", admin_user)
    audit = AuditLog.objects.get(action="block_entry.create")
    assert (audit.actor, audit.data["value"]) == (admin_user, "10.9.8.0/24")
    with pytest.raises(AccessBlocked):
        abuse_check(action="claim", member=shopper, context=RequestContext(ip="10.9.8.200"))


def test_the_form_refuses_bad_values_and_duplicates_in_chinese(admin_client: Client, admin_user: User) -> None:
    block_entry_create(actor=admin_user, kind="ip", value="1.2.3.4")
    add = reverse("admin:members_blockentry_add")

    bad = admin_client.post(add, {"kind": "ip", "value": "1.2.3"})
    duplicate = admin_client.post(add, {"kind": "ip", "value": "1.2.3.4/32"})

    assert bad.status_code == 200 and "请填写有效的 IP 地址" in bad.content.decode()
    assert duplicate.status_code == 200 and "已在黑名单中" in duplicate.content.decode()
    assert BlockEntry.objects.count() == 1


def test_editing_and_deleting_an_entry_are_audited(admin_client: Client, admin_user: User) -> None:
    entry = block_entry_create(actor=admin_user, kind="device", value="dev-1")
    change = reverse("admin:members_blockentry_change", args=[entry.pk])

    edited = admin_client.post(change, {"value": "dev-2", "note": "换机"})
    deleted = admin_client.post(reverse("admin:members_blockentry_delete", args=[entry.pk]), {"post": "yes"})

    assert (edited.status_code, deleted.status_code) == (302, 302)
    assert not BlockEntry.objects.exists()
    actions = list(AuditLog.objects.order_by("id").values_list("action", flat=True))
    assert actions == ["block_entry.create", "block_entry.update", "block_entry.delete"]
    assert AuditLog.objects.get(action="block_entry.delete").data["value"] == "dev-2"


def test_bulk_delete_goes_through_the_service(admin_client: Client, admin_user: User) -> None:
    entries = [block_entry_create(actor=admin_user, kind="ip", value=f"10.0.0.{n}") for n in range(3)]
    response = admin_client.post(
        reverse(BLOCKS), {"action": "delete_selected", "_selected_action": [e.pk for e in entries], "post": "yes"}
    )
    assert response.status_code == 302
    assert not BlockEntry.objects.exists()
    assert AuditLog.objects.filter(action="block_entry.delete").count() == 3


def test_guard_settings_page_edits_the_one_row_with_an_audit(admin_client: Client, admin_user: User) -> None:
    listing = admin_client.get(reverse("admin:members_guardsettings_changelist"))
    assert listing.status_code == 302
    page = admin_client.get(listing.headers["Location"])
    assert page.status_code == 200 and "滑块验证" in page.content.decode()

    data = {
        "purchase_captcha": "always",
        "claim_captcha": "risk",
        "reserve_captcha": "off",
        "help_captcha": "risk",
        "order_captcha": "off",
        "other_captcha": "risk",
        "velocity_limit": "4",
        "velocity_window_seconds": "60",
        "accounts_per_ip": "8",
        "accounts_per_ip_window_seconds": "3600",
        "accounts_per_device": "2",
        "accounts_per_device_window_seconds": "86400",
    }
    saved = admin_client.post(listing.headers["Location"], data)
    refused = admin_client.post(listing.headers["Location"], {**data, "velocity_window_seconds": "0"})

    assert saved.status_code == 302
    row = GuardSettings.objects.get()
    assert (row.purchase_captcha, row.velocity_limit, row.updated_by) == ("always", 4, admin_user)
    assert AuditLog.objects.filter(action="guard_settings.update").count() == 1
    assert refused.status_code == 200 and "统计窗口须在 1 秒到 7 天之间" in refused.content.decode()


def test_blocking_shoppers_from_the_list_is_audited(admin_client: Client) -> None:
    shoppers = MemberFactory.create_batch(2)
    response = admin_client.post(
        reverse("admin:members_member_changelist"),
        {"action": "block_members", "_selected_action": [m.pk for m in shoppers]},
    )
    assert response.status_code == 302
    assert Member.objects.filter(is_blocked=True).count() == 2
    assert AuditLog.objects.filter(action="member.update").count() == 2


@pytest.mark.parametrize(("role", "status"), [("operator", 200), ("customer_service", 200), ("finance", 403)])
def test_who_sees_the_block_list(admin_user: User, role: str, status: int, client: Client) -> None:
    staff = staff_create(username=f"u-{role}", password="staff-pass-123", role=role, actor=admin_user)
    client.force_login(staff)
    assert client.get(reverse(BLOCKS)).status_code == status


def test_operators_run_the_guard_and_customer_service_only_reads(admin_user: User) -> None:
    operator = staff_create(username="op", password="staff-pass-123", role="operator", actor=admin_user)
    service = staff_create(username="cs", password="staff-pass-123", role="customer_service", actor=admin_user)
    assert operator.has_perms(["members.add_blockentry", "members.delete_blockentry", "members.change_guardsettings"])
    assert service.has_perm("members.view_blockentry")
    assert not service.has_perm("members.add_blockentry")
