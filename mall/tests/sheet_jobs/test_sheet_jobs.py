"""The background sheet-job machinery (P06 point 5): streamed sheet reading and writing, the
inline-or-job routing of uploads, the list of one's jobs in one query, a queued job whose message
was lost is sent again, and a job is never claimed by two workers."""

from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
import time_machine
from django.contrib.auth.models import Permission, User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation
from openpyxl import load_workbook

from mall.console.sheets import runs_as_job
from mall.models import SheetJob
from mall.selectors.sheet_jobs import sheet_jobs_for_user
from mall.services import sheet_jobs
from mall.services.sheets import SheetWriter, csv_bytes, iter_sheet_rows, xlsx_bytes


@pytest.fixture(autouse=True)
def _job_files(settings: Any, tmp_path: Any) -> Iterator[None]:
    settings.SHEET_JOBS_ROOT = tmp_path
    yield


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_a_written_sheet_reads_back_row_by_row(fmt: str) -> None:
    with SheetWriter(fmt, titles=["会员"]) as writer:
        writer.append(["手机号", "姓名", "金额"])
        for n in range(250):
            writer.append([f"1380000{n:04d}", f"顾客{n}", Decimal("12.50")])
        content = writer.finish()
    rows = list(iter_sheet_rows(content, name=f"x.{fmt}"))
    assert rows[0] == ["手机号", "姓名", "金额"]
    assert rows[1] == ["13800000000", "顾客0", "12.5" if fmt == "xlsx" else "12.50"]
    assert len(rows) == 251
    if fmt == "xlsx":
        content.seek(0)
        assert load_workbook(content)["会员"]["C2"].number_format == "0.00"  # money Excel can sum


def test_small_sheets_stay_inline_and_large_ones_become_jobs(settings: Any) -> None:
    settings.SHEET_INLINE_MAX_ROWS = 3
    rows = [[f"1380000000{n}"] for n in range(3)]
    assert not runs_as_job(SimpleUploadedFile("a.csv", csv_bytes(["手机号"], rows)))
    assert runs_as_job(SimpleUploadedFile("a.csv", csv_bytes(["手机号"], [*rows, ["13800000009"]])))
    assert runs_as_job(SimpleUploadedFile("a.xlsx", xlsx_bytes(["手机号"], [*rows, ["13800000009"]])))
    upload = SimpleUploadedFile("a.xlsx", xlsx_bytes(["手机号"], rows))
    assert not runs_as_job(upload)
    assert upload.read(2) == b"PK"  # rewound for the inline reader
    big = SimpleUploadedFile("b.csv", b"x" * (2 * 1024 * 1024 + 1))
    assert runs_as_job(big)


def _importer(name: str) -> User:
    user = User.objects.create_user(name, password="pw-1234567", is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="add_memberimport"))
    return user


def _job(user: User) -> SheetJob:
    return sheet_jobs.sheet_job_create(
        kind=SheetJob.Kind.MEMBER_IMPORT,
        actor=user,
        source=io.BytesIO(csv_bytes(["手机号"], [["13800000001"]])),
        source_name="a.csv",
    )


@pytest.mark.django_db
def test_each_staff_member_lists_their_own_jobs_in_one_query(
    admin_user: User, django_assert_num_queries: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sheet_jobs, "_enqueue", lambda job_id: None)
    alice, bob = _importer("alice"), _importer("bob")
    mine = [_job(alice) for _n in range(3)]
    theirs = _job(bob)
    with django_assert_num_queries(1):
        assert [job.pk for job in sheet_jobs_for_user(actor=alice)] == [j.pk for j in reversed(mine)]
    with django_assert_num_queries(1):
        assert len(list(sheet_jobs_for_user(actor=admin_user))) == 4  # the owner sees every job
    client = Client()
    client.force_login(alice)
    with translation.override("zh-hans"):
        page = client.get(reverse("console:sheet_jobs")).content.decode()
    assert f'data-job="{mine[0].pk}"' in page and f'data-job="{theirs.pk}"' not in page
    assert "会员导入" in page and "排队中" in page


@pytest.mark.django_db
def test_a_queued_job_whose_message_was_lost_is_sent_again(monkeypatch: pytest.MonkeyPatch) -> None:
    sent: list[int] = []
    monkeypatch.setattr(sheet_jobs, "_enqueue", sent.append)
    job = _job(_importer("carol"))
    assert sheet_jobs.sheet_jobs_recover() == {"resumed": 0, "failed": 0}  # not late yet
    with time_machine.travel(timezone.now() + sheet_jobs.STALE_AFTER + timedelta(minutes=1)):
        assert sheet_jobs.sheet_jobs_recover() == {"resumed": 1, "failed": 0}
    assert sent == [job.pk]
    done = sheet_jobs.sheet_job_run(job_id=job.pk)
    assert done is not None and done.status == SheetJob.Status.DONE and done.attempts == 1


@pytest.mark.django_db
def test_the_recovery_job_is_scheduled_and_described() -> None:
    from mall.schedules import BEAT_SCHEDULE
    from mall.selectors.schedules import JOB_TEXTS

    assert BEAT_SCHEDULE["mall-sheet-jobs-recover"]["task"] == "mall.tasks.sheet_jobs_recover_task"
    with translation.override("zh-hans"):
        assert str(JOB_TEXTS["mall-sheet-jobs-recover"][0]) == "续跑中断的表格任务"
