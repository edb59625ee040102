"""The members sheet out (P06): tier, points, tags, spend and last order; the phone masked unless
the role may see phone numbers; audited with the row count; and back in through the members
import (round trip)."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.admin import helpers
from django.contrib.auth.models import Permission, User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from mall.models import AuditLog, PersonalDataExport
from members.models import GrowthEntry, Member, MemberImport, MemberTag, PointsEntry, Tag
from members.services.points import points_grant
from members.tests.factories import MemberFactory
from tests.console.factories import order_at

pytestmark = pytest.mark.django_db


def _export(client: Client, pks: list[int]) -> list[list[str]]:
    with translation.override("zh-hans"):
        response = client.post(
            reverse("admin:members_member_changelist"),
            {"action": "export_members_csv", helpers.ACTION_CHECKBOX_NAME: [str(pk) for pk in pks]},
        )
    assert response["Content-Type"].startswith("text/csv")
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def _shopper(phone: str, *, points: int, tags: list[str], spend: int) -> Member:
    member = MemberFactory.create(phone=phone, tier=Member.Tier.GOLD, birthday=dt.date(1990, 5, 1))
    if points:
        points_grant(member_id=member.pk, delta=points, reason=PointsEntry.Reason.GRANT, ref=f"seed-{phone}")
    for name in tags:
        MemberTag.objects.create(member=member, tag=Tag.objects.get_or_create(name=name)[0])
    if spend:
        GrowthEntry.objects.create(
            member=member, source="order", source_id=f"O-{phone}", amount=spend, orders=1, occurred_at=timezone.now()
        )
    return member


def test_owner_exports_figures_and_full_phones_audited_with_the_count(
    owner: User, console_client: Callable[[User], Client]
) -> None:
    member = _shopper("13900000001", points=120, tags=["老客", "VIP"], spend=128050)
    paid = timezone.make_aware(dt.datetime(2026, 11, 3, 14, 5))
    order_at(paid - dt.timedelta(minutes=5), paid_at=paid, member=member)

    rows = _export(console_client(owner), [member.pk])

    header = "会员 ID,昵称,手机号,生日,会员等级,积分,标签,累计消费(元),最近下单,已封禁,注册时间"
    assert rows[0] == header.split(",")
    assert rows[1][2:9] == ["13900000001", "1990-05-01", "黄金会员", "120", "老客,VIP", "1280.50", "2026-11-03 14:05"]
    assert PersonalDataExport.objects.get().row_count == 1
    audit = AuditLog.objects.get(action="export.personal_data")
    assert (audit.actor, audit.data["rows"], audit.data["dataset"]) == (owner, 1, "members")


def test_a_role_without_phone_reveal_gets_masked_phones(
    staff_factory: Callable[[str], User], console_client: Callable[[User], Client]
) -> None:
    operator = staff_factory("operator")
    operator.user_permissions.add(Permission.objects.get(codename="export_members"))
    member = _shopper("13900000002", points=5, tags=[], spend=0)

    rows = _export(console_client(operator), [member.pk])

    assert rows[1][2] == "139****0002"
    assert "13900000002" not in "".join(",".join(r) for r in rows)
    assert AuditLog.objects.filter(action="export.personal_data", actor=operator, data__rows=1).exists()


def test_exported_members_import_back_unchanged(owner: User, console_client: Callable[[User], Client]) -> None:
    members = [
        _shopper("13900000003", points=300, tags=["老客"], spend=5000),
        _shopper("13900000004", points=0, tags=[], spend=0),
    ]
    client = console_client(owner)
    rows = _export(client, [m.pk for m in members])
    # The shop the sheet goes to does not know these shoppers yet.
    Member.objects.filter(pk__in=[m.pk for m in members]).delete()

    sheet = io.StringIO()
    csv.writer(sheet).writerows(rows)
    upload = SimpleUploadedFile("members.csv", ("\ufeff" + sheet.getvalue()).encode("utf-8"))
    with translation.override("zh-hans"):
        client.post(reverse("admin:members_memberimport_upload"), {"sheet": upload})

    staged = {row.phone: row for row in MemberImport.objects.all()}
    assert set(staged) == {"13900000003", "13900000004"}
    first = staged["13900000003"]
    assert (first.tier, first.points, first.tags, first.total_spend, first.birthday) == (
        "gold",
        300,
        ["老客"],
        5000,
        dt.date(1990, 5, 1),
    )
    assert first.name == rows[1][1]
    assert all(row.state == "pending" for row in staged.values())


def test_a_masked_sheet_cannot_be_imported(
    staff_factory: Callable[[str], User], owner: User, console_client: Callable[[User], Client]
) -> None:
    operator = staff_factory("operator")
    operator.user_permissions.add(Permission.objects.get(codename="export_members"))
    rows = _export(console_client(operator), [_shopper("13900000005", points=1, tags=[], spend=0).pk])
    sheet = io.StringIO()
    csv.writer(sheet).writerows(rows)
    upload = SimpleUploadedFile("members.csv", sheet.getvalue().encode("utf-8"))

    with translation.override("zh-hans"):
        response: Any = console_client(owner).post(reverse("admin:members_memberimport_upload"), {"sheet": upload})

    assert "手机号应为 11 位大陆手机号。" in response.content.decode()
    assert not MemberImport.objects.exists()
