"""Members from the old shop (P06): the sheet into the staging table (all or nothing, per-row
errors, dry run), applied once to the shopper who binds the exact phone — raced."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from django.contrib.auth.models import Permission, User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import translation

from mall.console.sheets import xlsx_bytes
from mall.models import AuditLog
from members.errors import MemberImportInvalid
from members.models import GrowthEntry, Member, MemberImport, MemberTag, PointsEntry, Tag
from members.selectors.points import points_balance
from members.services.member_import import MemberSheetRow, member_import_apply, member_import_create
from members.services.profile import member_phone_bind
from members.tests.factories import MemberFactory

pytestmark = pytest.mark.django_db

HEADER = ["手机号", "姓名", "生日", "会员等级", "积分", "标签", "累计消费(元)"]
UPLOAD_URL = "admin:members_memberimport_upload"


def _row(line: int, phone: str, **values: str) -> MemberSheetRow:
    return MemberSheetRow(line=line, phone=phone, **values)


def _upload(client: Client, rows: list[list[Any]], *, dry_run: bool = False, name: str = "members.xlsx") -> Any:
    content = xlsx_bytes(HEADER, rows) if name.endswith(".xlsx") else _csv(rows)
    data: dict[str, Any] = {"sheet": SimpleUploadedFile(name, content)}
    if dry_run:
        data["dry_run"] = "on"
    with translation.override("zh-hans"):
        return client.post(reverse(UPLOAD_URL), data, follow=True)


def _csv(rows: list[list[Any]]) -> bytes:
    lines = [",".join(HEADER)] + [",".join(str(v) for v in row) for row in rows]
    return ("\ufeff" + "\n".join(lines) + "\n").encode("utf-8")


def test_console_upload_stages_rows_and_lists_them_waiting(admin_client: Client, admin_user: User) -> None:
    response = _upload(
        admin_client,
        [
            ["13800000001", "张三", "1990-05-01", "黄金会员", 1200, "老客, VIP", "1280.50"],
            ["138 0000 0002", "李四", "", "", "", "", ""],
        ],
    )

    assert response.status_code == 200
    rows = list(MemberImport.objects.order_by("phone"))
    assert [(r.phone, r.name, r.tier, r.points, r.tags, r.total_spend) for r in rows] == [
        ("13800000001", "张三", "gold", 1200, ["老客", "VIP"], 128050),
        ("13800000002", "李四", "", 0, [], 0),
    ]
    assert rows[0].birthday == date(1990, 5, 1)
    assert all(r.state == MemberImport.State.PENDING and r.imported_by == admin_user for r in rows)
    assert AuditLog.objects.filter(action="member_import.upload", data__rows=2, actor=admin_user).exists()
    with translation.override("zh-hans"):
        listing = admin_client.get(reverse("admin:members_memberimport_changelist"), {"state": "pending"})
    html = listing.content.decode()
    assert "138****0001" in html and "138****0002" in html
    assert "13800000001" not in html
    assert "1,280.50" in html or "1280.50" in html


def test_bad_rows_are_reported_by_line_and_nothing_is_staged(admin_client: Client) -> None:
    Tag.objects.create(name="高消费", kind=Tag.Kind.AUTO)
    response = _upload(
        admin_client,
        [
            ["13800000001", "好", "", "", 5, "", ""],
            ["12345", "坏手机", "", "", "", "", ""],
            ["13800000003", "坏等级", "", "王者", "", "", ""],
            ["13800000004", "坏积分", "", "", "-5", "", ""],
            ["13800000005", "坏金额", "", "", "", "", "一百"],
            ["13800000006", "坏生日", "1990-13-01", "", "", "", ""],
            ["13800000007", "自动标签", "", "", "", "高消费", ""],
            ["13800000001", "重复", "", "", "", "", ""],
        ],
        name="members.csv",
    )

    html = response.content.decode()
    assert "会员表中有错误，没有导入任何会员。" in html
    for line in range(3, 10):
        assert f"<td>{line}</td>" in html
    assert "与第 2 行手机号重复。" in html
    assert "“高消费”是自动标签，不能导入。" in html
    assert not MemberImport.objects.exists()
    assert not AuditLog.objects.filter(action="member_import.upload").exists()


def test_dry_run_checks_without_saving(admin_client: Client) -> None:
    response = _upload(admin_client, [["13800000001", "张三", "", "白银", 10, "", ""]], dry_run=True)

    assert "检查通过：1 行均可导入。" in response.content.decode()
    assert not MemberImport.objects.exists()


def test_a_phone_waits_once_and_is_never_imported_again_after_matching() -> None:
    member_import_create(rows=[_row(2, "13800000001", points="10")], actor=None)
    with pytest.raises(MemberImportInvalid) as waiting:
        member_import_create(rows=[_row(2, "13800000001")], actor=None)
    assert waiting.value.details["rows"][0]["line"] == 2

    member = MemberFactory.create(phone="13800000001")
    member_import_apply(member_id=member.pk, phone="13800000001")
    with pytest.raises(MemberImportInvalid):
        member_import_create(rows=[_row(2, "13800000001", points="10")], actor=None)
    assert points_balance(member_id=member.pk) == 10


def test_upload_needs_the_import_permission(client: Client) -> None:
    staff = User.objects.create_user("cs", password="pw-1234567", is_staff=True)
    staff.user_permissions.add(Permission.objects.get(codename="view_memberimport"))
    client.force_login(staff)

    assert client.get(reverse(UPLOAD_URL)).status_code == 403
    assert client.get(reverse("admin:members_memberimport_changelist")).status_code == 200


def test_binding_the_phone_applies_points_tier_tags_birthday_and_spend_once(
    django_capture_on_commit_callbacks: Any,
) -> None:
    Tag.objects.create(name="老客", kind=Tag.Kind.MANUAL)
    member_import_create(
        rows=[
            _row(
                2,
                "13800000001",
                name="张三",
                birthday="1990-05-01",
                tier="黄金会员",
                points="1200",
                tags="老客,新标签",
                total_spend="1280.50",
            )
        ],
        actor=None,
    )
    member = MemberFactory.create(nickname="", tier=Member.Tier.SILVER)

    with django_capture_on_commit_callbacks(execute=True):
        member_phone_bind(member=member, phone="13800000001", source="wechat")
    with django_capture_on_commit_callbacks(execute=True):
        member_phone_bind(member=member, phone="13900000000", source="profile")
    with django_capture_on_commit_callbacks(execute=True):
        member_phone_bind(member=member, phone="13800000001", source="profile")

    member.refresh_from_db()
    assert (member.tier, member.birthday, member.nickname) == ("gold", date(1990, 5, 1), "张三")
    entries = list(PointsEntry.objects.filter(member=member))
    assert [(e.delta, e.reason, e.get_reason_display()) for e in entries] == [(1200, "migrate", "迁移")]
    assert set(MemberTag.objects.filter(member=member).values_list("tag__name", flat=True)) == {"老客", "新标签"}
    assert Tag.objects.get(name="新标签").kind == Tag.Kind.MANUAL
    growth = GrowthEntry.objects.get(member=member)
    assert (growth.source, growth.amount, growth.orders) == ("import", 128050, 0)
    row = MemberImport.objects.get()
    assert (row.state, row.member_id, row.pending_phone) == ("matched", member.pk, None)
    assert row.matched_at is not None
    assert AuditLog.objects.filter(action="member_import.apply").count() == 1


def test_tier_is_a_floor_and_birthday_is_kept(django_capture_on_commit_callbacks: Any) -> None:
    member_import_create(rows=[_row(2, "13800000001", tier="白银", birthday="1990-05-01")], actor=None)
    member = MemberFactory.create(tier=Member.Tier.DIAMOND, birthday=date(1985, 1, 2))

    with django_capture_on_commit_callbacks(execute=True):
        member_phone_bind(member=member, phone="13800000001", source="wechat")

    member.refresh_from_db()
    assert (member.tier, member.birthday) == ("diamond", date(1985, 1, 2))
    assert MemberImport.objects.get().state == "matched"


def test_only_the_exact_phone_matches_and_a_wrong_member_gets_nothing() -> None:
    member_import_create(rows=[_row(2, "13800000001", points="50")], actor=None)
    other = MemberFactory.create(phone="13800000002")

    assert member_import_apply(member_id=other.pk, phone="13800000002") is None
    # A binding moment for a number the member no longer holds applies nothing.
    assert member_import_apply(member_id=other.pk, phone="13800000001") is None
    assert not PointsEntry.objects.exists()
    assert MemberImport.objects.get().state == "pending"


def test_a_phone_already_bound_at_import_applies_at_once_unless_ambiguous() -> None:
    owner = MemberFactory.create(phone="13800000001")
    MemberFactory.create(phone="13800000002")
    MemberFactory.create(phone="13800000002")

    rows = member_import_create(
        rows=[_row(2, "13800000001", points="30"), _row(3, "13800000002", points="40")], actor=None
    )

    assert [(r.phone, r.state) for r in rows] == [("13800000001", "matched"), ("13800000002", "pending")]
    assert points_balance(member_id=owner.pk) == 30
    assert PointsEntry.objects.count() == 1


def _run_in_threads(functions: list[Callable[[], object]]) -> tuple[list[object], list[BaseException]]:
    barrier = threading.Barrier(len(functions))
    results: list[object] = []
    errors: list[BaseException] = []

    def run(function: Callable[[], object]) -> None:
        try:
            barrier.wait()
            results.append(function())
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(function,)) for function in functions]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results, errors


@pytest.mark.race
@pytest.mark.django_db(transaction=True)
def test_concurrent_bindings_of_the_same_phone_by_the_same_member_apply_once() -> None:
    member_import_create(rows=[_row(2, "13800000001", points="100", total_spend="10")], actor=None)
    member = MemberFactory.create()

    _results, errors = _run_in_threads(
        [lambda: member_phone_bind(member=member, phone="13800000001", source="wechat") for _ in range(4)]
        + [lambda: member_import_apply(member_id=member.pk, phone="13800000001") for _ in range(4)]
    )

    assert errors == []
    assert points_balance(member_id=member.pk) == 100
    assert PointsEntry.objects.count() == 1
    assert GrowthEntry.objects.count() == 1
    assert MemberImport.objects.get().member_id == member.pk
    assert AuditLog.objects.filter(action="member_import.apply").count() == 1


@pytest.mark.race
@pytest.mark.django_db(transaction=True)
def test_two_members_binding_the_same_phone_at_once_get_it_applied_once() -> None:
    member_import_create(rows=[_row(2, "13800000001", points="100", tags="老客")], actor=None)
    first, second = MemberFactory.create(), MemberFactory.create()

    _results, errors = _run_in_threads(
        [
            lambda: member_phone_bind(member=first, phone="13800000001", source="wechat"),
            lambda: member_phone_bind(member=second, phone="13800000001", source="wechat"),
        ]
        * 3
    )

    assert errors == []
    row = MemberImport.objects.get()
    assert row.state == "matched" and row.member_id in (first.pk, second.pk)
    assert PointsEntry.objects.count() == 1
    assert PointsEntry.objects.get().member_id == row.member_id
    assert MemberTag.objects.count() == 1
