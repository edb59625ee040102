"""The console pages for shoppers: list with balances, no WeChat secrets, audited adjustments."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import Permission, User
from django.test import Client
from django.urls import reverse

from mall.models import AuditLog
from members.models import Member, PointsEntry
from members.selectors.points import points_balance
from members.services.points import points_grant
from members.tests.factories import AddressFactory, MemberFactory

pytestmark = pytest.mark.django_db

ADJUST_URL = "admin:members_member_adjust_points"


def test_member_list_shows_balances_and_stays_flat_in_queries(
    admin_client: Client, django_assert_max_num_queries: Any
) -> None:
    members = MemberFactory.create_batch(12)
    for m in members:
        points_grant(member_id=m.pk, delta=m.pk * 10, reason=PointsEntry.Reason.GRANT, ref="seed")

    with django_assert_max_num_queries(12):
        response = admin_client.get(reverse("admin:members_member_changelist"))

    assert response.status_code == 200
    rows = {m.pk: m.points_balance for m in response.context["cl"].result_list}
    assert rows == {m.pk: m.pk * 10 for m in members}


def test_member_list_search_and_filters(admin_client: Client) -> None:
    wanted = MemberFactory.create(nickname="独一无二", tier=Member.Tier.GOLD)
    MemberFactory.create(nickname="别人", is_blocked=True)
    url = reverse("admin:members_member_changelist")

    by_name = admin_client.get(url, {"q": "独一无二"}).context["cl"].result_list
    by_tier = admin_client.get(url, {"tier__exact": "gold"}).context["cl"].result_list
    blocked = admin_client.get(url, {"is_blocked__exact": "1"}).context["cl"].result_list

    assert [m.pk for m in by_name] == [wanted.pk]
    assert [m.pk for m in by_tier] == [wanted.pk]
    assert [m.nickname for m in blocked] == ["别人"]


def test_change_page_hides_session_key_and_keeps_openid_read_only(admin_client: Client) -> None:
    member = MemberFactory.create(session_key="TOP-SECRET-KEY")
    AddressFactory.create(member=member, detail="内联地址 7 号")

    response = admin_client.get(reverse("admin:members_member_change", args=[member.pk]))

    html = response.content.decode()
    assert response.status_code == 200
    assert "TOP-SECRET-KEY" not in html
    assert 'name="openid"' not in html
    assert 'name="session_key"' not in html
    assert member.openid in html  # shown read-only for support
    assert "内联地址 7 号" in html


def test_staff_changes_tier_through_the_service_with_an_audit_row(admin_client: Client, admin_user: User) -> None:
    member = MemberFactory.create()

    response = admin_client.post(
        reverse("admin:members_member_change", args=[member.pk]),
        {
            "tier": "silver",
            "is_blocked": "on",
            "addresses-TOTAL_FORMS": "0",
            "addresses-INITIAL_FORMS": "0",
            "addresses-MIN_NUM_FORMS": "0",
            "addresses-MAX_NUM_FORMS": "0",
        },
    )

    assert response.status_code == 302
    member.refresh_from_db()
    assert (member.tier, member.is_blocked) == ("silver", True)
    audit = AuditLog.objects.get(action="member.update")
    assert audit.actor == admin_user
    assert audit.data == {"tier": ["normal", "silver"], "is_blocked": [False, True]}


def test_points_adjustment_dialog_grants_once_and_audits(admin_client: Client, admin_user: User) -> None:
    member = MemberFactory.create()
    url = reverse(ADJUST_URL, args=[member.pk])
    dialog = admin_client.get(url)
    ref = dialog.context["form"].fields["ref"].initial
    data = {"delta": "300", "note": "客诉补偿", "ref": ref, "_form_submitted": "on"}

    first = admin_client.post(url, data)
    double_submit = admin_client.post(url, data)

    assert dialog.status_code == 200
    assert first.status_code == 200
    assert first.headers["HX-Redirect"] == reverse("admin:members_member_change", args=[member.pk])
    assert double_submit.status_code == 200
    entry = PointsEntry.objects.get(member=member)
    assert (entry.delta, entry.reason, entry.note) == (300, "adjust", "客诉补偿")
    audit = AuditLog.objects.get(action="points.adjust")
    assert audit.actor == admin_user
    assert audit.target_id == str(member.pk)


def test_points_adjustment_refuses_zero_and_overdraw(admin_client: Client) -> None:
    member = MemberFactory.create()
    url = reverse(ADJUST_URL, args=[member.pk])

    zero = admin_client.post(url, {"delta": "0", "note": "x", "ref": "r1", "_form_submitted": "on"})
    overdraw = admin_client.post(url, {"delta": "-5", "note": "x", "ref": "r2", "_form_submitted": "on"})

    assert zero.status_code == 200 and "HX-Redirect" not in zero.headers  # the dialog again, with the error
    assert overdraw.headers["HX-Redirect"]
    assert points_balance(member_id=member.pk) == 0
    assert not AuditLog.objects.exclude(action="staff.login").exists()  # signing in is audited (P05)


def test_points_adjustment_needs_its_own_permission(client: Client) -> None:
    member = MemberFactory.create()
    staff = User.objects.create_user("cs", password="pw-1234567", is_staff=True)
    staff.user_permissions.add(*Permission.objects.filter(codename__in=["view_member", "change_member"]))
    client.force_login(staff)

    response = client.post(
        reverse(ADJUST_URL, args=[member.pk]), {"delta": "100", "note": "x", "ref": "r", "_form_submitted": "on"}
    )

    assert response.status_code == 403
    assert not PointsEntry.objects.exists()


def test_ledger_and_addresses_are_read_only_in_the_console(admin_client: Client) -> None:
    member = MemberFactory.create()
    entry = points_grant(member_id=member.pk, delta=5, reason=PointsEntry.Reason.GRANT, ref="g")
    address = AddressFactory.create(member=member, phone="13611112222")

    listing = admin_client.get(reverse("admin:members_pointsentry_changelist"))
    addresses = admin_client.get(reverse("admin:members_address_changelist"), {"q": "13611112222"})
    add = admin_client.get(reverse("admin:members_pointsentry_add"))
    delete = admin_client.post(reverse("admin:members_pointsentry_delete", args=[entry.pk]), {"post": "yes"})

    assert listing.status_code == 200
    assert [a.pk for a in addresses.context["cl"].result_list] == [address.pk]
    assert add.status_code == 403
    assert delete.status_code == 403
    assert PointsEntry.objects.filter(pk=entry.pk).exists()
