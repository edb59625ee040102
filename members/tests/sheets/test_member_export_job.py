"""Members out (P06 point 2) as a background job: over the inline limit the export action queues a
job (recorded as a personal-data export with its rows and audited when queued), the file is
written chunk by chunk with a fixed number of queries per chunk, phones masked unless the role
may see them, and the file goes back into the members import as it is (round trip)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse
from django.utils import translation

from mall.models import AuditLog, PersonalDataExport, SheetJob
from mall.services import sheet_jobs
from mall.services.sheet_jobs import sheet_job_create, sheet_job_run
from members.models import Member, MemberImport, PointsEntry
from members.services import member_export_job
from members.services.points import points_grant
from members.tests.factories import MemberFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _job_files(settings: Any, tmp_path: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    settings.SHEET_JOBS_ROOT = tmp_path
    settings.SHEET_INLINE_MAX_ROWS = 2
    monkeypatch.setattr(sheet_jobs, "_enqueue", lambda job_id: None)
    yield


def _staff(role: str) -> tuple[User, Client]:
    from mall.services.staff import staff_create

    owner = User.objects.filter(is_superuser=True).first() or User.objects.create_superuser("boss", "b@e.com", "x")
    user = owner if role == "owner" else staff_create(username=role, password="staff-pass-123", role=role, actor=owner)
    client = Client()
    client.force_login(user)
    return user, client


def _export(client: Client) -> SheetJob:
    with translation.override("zh-hans"):
        response = client.post(
            reverse("admin:members_member_changelist"),
            {"action": "export_members_csv", "_selected_action": list(Member.objects.values_list("pk", flat=True))},
        )
    job = SheetJob.objects.filter(kind=SheetJob.Kind.MEMBER_EXPORT).latest("pk")
    assert response["Location"] == reverse("console:sheet_job", args=[job.pk])
    return job


def _rows(client: Client, job: SheetJob) -> list[list[str]]:
    body = b"".join(client.get(reverse("console:sheet_job_download", args=[job.pk])).streaming_content)  # type: ignore[attr-defined]
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))


def test_owner_exports_members_by_job_and_the_file_goes_back_in_as_an_import(
    django_assert_max_num_queries: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(member_export_job, "CHUNK", 2)
    members = [MemberFactory.create(phone=f"1370000000{n}", nickname=f"老客{n}") for n in range(5)]
    points_grant(member_id=members[0].pk, delta=300, reason=PointsEntry.Reason.ADJUST, ref="t", note="")
    owner, client = _staff("owner")

    job = _export(client)
    assert job.total == 5
    export = PersonalDataExport.objects.get()
    assert (export.actor, export.dataset, export.row_count) == (owner, "members", 5)
    assert AuditLog.objects.filter(action="export.personal_data", data__rows=5, data__job=job.pk).exists()

    with translation.override("zh-hans"), django_assert_max_num_queries(30):  # 3 chunks, fixed per chunk
        done = sheet_job_run(job_id=job.pk)
    assert done is not None and done.status == SheetJob.Status.DONE and done.message == "已导出 5 位会员。"
    rows = _rows(client, done)
    assert rows[0][:3] == ["会员 ID", "昵称", "手机号"]
    assert [r[2] for r in rows[1:]] == [m.phone for m in members]  # the owner sees phones
    assert rows[1][5] == "300"

    # Round trip: the exported sheet is a members import as it is; each row matches its shopper.
    Member.objects.filter(pk__in=[m.pk for m in members]).update(nickname="")
    source = io.BytesIO(b"".join(client.get(reverse("console:sheet_job_download", args=[job.pk])).streaming_content))  # type: ignore[attr-defined]
    imported = sheet_job_create(
        kind=SheetJob.Kind.MEMBER_IMPORT, actor=owner, source=source, source_name="members.csv", params={}
    )
    result = sheet_job_run(job_id=imported.pk)
    assert result is not None
    assert result.status == SheetJob.Status.DONE, result.errors
    matched = {row.phone: row.member_id for row in MemberImport.objects.all()}
    assert matched == {m.phone: m.pk for m in members}
    assert sorted(Member.objects.values_list("nickname", flat=True)) == [f"老客{n}" for n in range(5)]


def test_operator_export_masks_phones_and_customer_service_may_not_export() -> None:
    MemberFactory.create_batch(3, phone="13600000001")
    _staff("owner")
    from django.contrib.auth.models import Permission

    operator, client = _staff("operator")
    operator.user_permissions.add(Permission.objects.get(codename="export_members"))
    job = _export(client)
    sheet_job_run(job_id=job.pk)
    assert {row[2] for row in _rows(client, job)[1:]} == {"136****0001"}

    service, _service_client = _staff("customer_service")
    with pytest.raises(sheet_jobs.PermissionDenied):
        member_export_job.member_export_job_create(actor=service, member_ids=[1], fmt="csv")
    assert not PersonalDataExport.objects.filter(actor=service).exists()
