"""Large member sheets (P06 point 5) run as background jobs: the console hands an upload over the
inline limit to a job, the job checks the whole file first (one bad row → nothing staged, every bad
row listed), stages it in batches each written once, reports progress, and a second delivery or a
resumed run after a killed worker never stages a row twice."""

from __future__ import annotations

import io
import threading
from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.contrib.auth.models import Permission, User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from mall.models import AuditLog, SheetJob, SheetJobBatch
from mall.services import sheet_jobs
from mall.services.sheet_jobs import sheet_job_create, sheet_job_run, sheet_jobs_recover
from mall.services.sheets import xlsx_bytes
from members.models import Member, MemberImport
from members.services import member_import_job
from members.tests.factories import MemberFactory

pytestmark = pytest.mark.django_db

HEADER = ["手机号", "姓名", "生日", "会员等级", "积分", "标签", "累计消费(元)"]
UPLOAD_URL = "admin:members_memberimport_upload"


@pytest.fixture(autouse=True)
def _job_files(settings: Any, tmp_path: Any) -> Iterator[None]:
    settings.SHEET_JOBS_ROOT = tmp_path
    settings.SHEET_INLINE_MAX_ROWS = 3
    yield


def _rows(count: int, start: int = 0) -> list[list[Any]]:
    return [[f"139{start + n:08d}", f"会员{n}", "", "白银会员", n, "老客", "10.00"] for n in range(count)]


def _csv(rows: list[list[Any]]) -> bytes:
    lines = [",".join(HEADER)] + [",".join(str(v) for v in row) for row in rows]
    return ("\ufeff" + "\n".join(lines) + "\n").encode("utf-8")


def _importer() -> User:
    user = User.objects.create_user("importer", password="pw-1234567", is_staff=True)
    user.user_permissions.add(*Permission.objects.filter(codename__in=["add_memberimport", "view_memberimport"]))
    return user


def _job(user: User, rows: list[list[Any]], *, dry_run: bool = False, name: str = "members.csv") -> SheetJob:
    content = _csv(rows) if name.endswith(".csv") else xlsx_bytes(HEADER, rows)
    return sheet_job_create(
        kind=SheetJob.Kind.MEMBER_IMPORT,
        actor=user,
        params={"dry_run": dry_run},
        source=io.BytesIO(content),
        source_name=name,
    )


def test_console_hands_a_large_sheet_to_a_job_that_stages_it_in_batches(
    monkeypatch: pytest.MonkeyPatch, django_capture_on_commit_callbacks: Any
) -> None:
    monkeypatch.setattr(member_import_job, "BATCH_ROWS", 4)
    user = _importer()
    client = Client()
    client.force_login(user)
    existing = MemberFactory.create(phone="13900000002")
    queued: list[int] = []
    monkeypatch.setattr(sheet_jobs, "_enqueue", queued.append)
    sheet = SimpleUploadedFile("members.xlsx", xlsx_bytes(HEADER, _rows(10)))

    with translation.override("zh-hans"), django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse(UPLOAD_URL), {"sheet": sheet}, follow=True)

    job = SheetJob.objects.get()
    assert queued == [job.pk]  # enqueued after commit, by id
    assert response.redirect_chain[-1][0] == reverse("console:sheet_job", args=[job.pk])
    assert "已转为后台任务" in response.content.decode()
    assert MemberImport.objects.count() == 0  # nothing before the worker runs

    finished = sheet_job_run(job_id=job.pk)

    assert finished is not None and finished.status == SheetJob.Status.DONE
    assert (finished.done, finished.total, finished.percent) == (10, 10, 100)
    assert MemberImport.objects.count() == 10
    assert list(SheetJobBatch.objects.filter(job=job).values_list("number", "first_line", "last_line", "rows")) == [
        (1, 2, 5, 4),
        (2, 6, 9, 4),
        (3, 10, 11, 2),
    ]
    applied = MemberImport.objects.get(phone="13900000002")
    assert applied.state == MemberImport.State.MATCHED and applied.member == existing
    assert "已导入 10 位会员，其中 1 位已匹配到现有会员" in finished.message
    assert AuditLog.objects.filter(action="member_import.upload", data__rows=10, data__job=job.pk).exists()
    assert AuditLog.objects.filter(action="sheet_job.create", target_id=str(job.pk), actor=user).exists()

    with translation.override("zh-hans"):
        page = client.get(reverse("console:sheet_job", args=[job.pk])).content.decode()
        progress = client.get(reverse("console:sheet_job_progress", args=[job.pk])).json()
    assert "已写入的批次" in page and "10–11" in page
    assert progress["percent"] == 100 and progress["status_label"] == "已完成" and progress["finished"] is True


def test_one_bad_row_fails_the_whole_file_with_every_bad_row_listed() -> None:
    user = _importer()
    rows = _rows(6)
    rows[1][0] = "12345"
    rows[4][4] = "-3"
    rows[5][0] = rows[0][0]

    job = sheet_job_run(job_id=_job(user, rows).pk)

    assert job is not None and job.status == SheetJob.Status.FAILED
    assert MemberImport.objects.count() == 0 and not SheetJobBatch.objects.exists()
    assert [(e["line"], e["message"]) for e in job.errors] == [
        (3, "手机号应为 11 位大陆手机号。"),
        (6, "积分余额应为不小于 0 的整数。"),
        (7, "与第 2 行手机号重复。"),
    ]
    assert job.error_count == 3 and "整份表格未导入" in job.message


def test_a_dry_run_checks_the_file_and_stages_nothing() -> None:
    job = sheet_job_run(job_id=_job(_importer(), _rows(5), dry_run=True).pk)

    assert job is not None and job.status == SheetJob.Status.DONE
    assert job.message == "检查通过：共 5 行，可以导入。"
    assert MemberImport.objects.count() == 0


def test_a_second_delivery_of_a_finished_job_changes_nothing() -> None:
    job = _job(_importer(), _rows(5))
    first = sheet_job_run(job_id=job.pk)
    second = sheet_job_run(job_id=job.pk)

    assert first is not None and second is not None
    assert second.status == SheetJob.Status.DONE and second.attempts == 1
    assert MemberImport.objects.count() == 5
    assert AuditLog.objects.filter(action="member_import.upload").count() == 1


class _WorkerKilled(BaseException):
    """Stands for SIGKILL: nothing in the job catches it, the job stays 进行中 with its heartbeat."""


def test_a_killed_worker_is_resumed_by_the_sweep_without_staging_a_batch_twice(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(member_import_job, "BATCH_ROWS", 3)
    job = _job(_importer(), _rows(8))
    real_apply = member_import_job._apply_batch
    calls = {"n": 0}

    def dies_after_two_batches(batch: Any) -> int:
        calls["n"] += 1
        if calls["n"] == 3:
            raise _WorkerKilled
        return real_apply(batch)

    monkeypatch.setattr(member_import_job, "_apply_batch", dies_after_two_batches)
    with pytest.raises(_WorkerKilled):
        sheet_job_run(job_id=job.pk)
    job.refresh_from_db()
    assert job.status == SheetJob.Status.RUNNING and SheetJobBatch.objects.filter(job=job).count() == 3
    # A second delivery while the first worker may still be alive is refused.
    assert sheet_job_run(job_id=job.pk).attempts == 1  # type: ignore[union-attr]

    queued: list[int] = []
    monkeypatch.setattr(sheet_jobs, "_enqueue", queued.append)
    with time_machine.travel(timezone.now() + sheet_jobs.STALE_AFTER + timedelta(minutes=1)):
        assert sheet_jobs_recover() == {"resumed": 1, "failed": 0}
        resumed = sheet_job_run(job_id=queued[0])

    assert resumed is not None and resumed.status == SheetJob.Status.DONE and resumed.attempts == 2
    assert MemberImport.objects.count() == 8
    assert sorted(MemberImport.objects.values_list("phone", flat=True)) == sorted(r[0] for r in _rows(8))
    assert list(SheetJobBatch.objects.filter(job=job).values_list("number", flat=True)) == [1, 2, 3]


def test_a_job_that_keeps_dying_is_marked_failed_plainly() -> None:
    job = _job(_importer(), _rows(4))
    SheetJob.objects.filter(pk=job.pk).update(
        status=SheetJob.Status.RUNNING, attempts=sheet_jobs.MAX_ATTEMPTS, heartbeat_at=timezone.now()
    )
    with time_machine.travel(timezone.now() + sheet_jobs.STALE_AFTER + timedelta(minutes=1)):
        assert sheet_jobs_recover() == {"resumed": 0, "failed": 1}
        assert sheet_job_run(job_id=job.pk).status == SheetJob.Status.FAILED  # type: ignore[union-attr]
    job.refresh_from_db()
    assert "多次中断" in job.message and MemberImport.objects.count() == 0


def test_only_importers_start_member_import_jobs_and_see_their_own(client: Client) -> None:
    reader = User.objects.create_user("reader", password="pw-1234567", is_staff=True)
    reader.user_permissions.add(Permission.objects.get(codename="view_memberimport"))
    with pytest.raises(sheet_jobs.PermissionDenied):
        _job(reader, _rows(2))
    job = _job(_importer(), _rows(2))
    client.force_login(reader)
    assert client.get(reverse("console:sheet_job", args=[job.pk])).status_code == 404
    assert client.get(reverse("console:sheet_job_progress", args=[job.pk])).status_code == 404
    assert job.pk not in [row["job"].pk for row in client.get(reverse("console:sheet_jobs")).context["rows"]]


def _in_threads(functions: list[Callable[[], object]]) -> list[object]:
    barrier = threading.Barrier(len(functions))
    results: list[object] = []

    def run(fn: Callable[[], object]) -> None:
        try:
            barrier.wait()
            results.append(fn())
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(fn,)) for fn in functions]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


@pytest.mark.race
@pytest.mark.django_db(transaction=True)
def test_two_workers_delivered_the_same_job_at_once_stage_each_row_once(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(member_import_job, "BATCH_ROWS", 5)
    job = _job(_importer(), _rows(30))

    _in_threads([lambda: sheet_job_run(job_id=job.pk) for _n in range(6)])

    job.refresh_from_db()
    assert job.status == SheetJob.Status.DONE and job.attempts == 1
    assert MemberImport.objects.count() == 30
    assert SheetJobBatch.objects.filter(job=job).count() == 6
    assert Member.objects.count() == 0
