"""Coupon sheets as background jobs (P06 point 5): a large grant list goes to a job that grants in
batches (each shopper at most once, even when the job is delivered twice or resumed), with the
full per-row report as its download; template and issued-coupon exports over the inline limit
are written by a job and round-trip back into a grant."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.contrib.auth.models import Permission, User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation
from openpyxl import load_workbook

from mall.models import AuditLog, SheetJob, SheetJobBatch
from mall.services import sheet_jobs
from mall.services.sheet_jobs import sheet_job_run, sheet_jobs_recover
from mall.services.sheets import xlsx_bytes
from marketing.models import Coupon, CouponGrant, CouponGrantMember, CouponTemplate
from marketing.services import coupon_sheet_jobs
from marketing.services.coupon_sheet_jobs import coupon_grant_job_create
from members.tests.factories import MemberFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _job_files(settings: Any, tmp_path: Any) -> Iterator[None]:
    settings.SHEET_JOBS_ROOT = tmp_path
    settings.SHEET_INLINE_MAX_ROWS = 3
    yield


def _download(client: Client, job: SheetJob) -> bytes:
    response = client.get(reverse("console:sheet_job_download", args=[job.pk]))
    assert response.status_code == 200
    return b"".join(response.streaming_content)  # type: ignore[attr-defined]


def test_a_large_grant_list_runs_as_a_job_with_a_per_row_report(
    admin_client: Client,
    admin_user: User,
    make_template: Callable[..., CouponTemplate],
    monkeypatch: pytest.MonkeyPatch,
    django_capture_on_commit_callbacks: Any,
) -> None:
    monkeypatch.setattr(coupon_sheet_jobs, "GRANT_BATCH", 2)
    monkeypatch.setattr(sheet_jobs, "_enqueue", lambda job_id: None)
    template = make_template(total_quantity=4)
    members = [MemberFactory.create(phone=f"1380000000{n}") for n in range(5)]
    rows: list[list[Any]] = [[m.phone] for m in members] + [[members[0].pk], ["abc"]]
    sheet = SimpleUploadedFile("list.xlsx", xlsx_bytes(["手机号"], rows))

    with translation.override("zh-hans"), django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            reverse("admin:marketing_coupontemplate_grant", args=[template.pk]), {"sheet": sheet, "ref": "r1"}
        )
    job = SheetJob.objects.get(kind=SheetJob.Kind.COUPON_GRANT)
    assert response["Location"] == reverse("console:sheet_job", args=[job.pk])

    with translation.override("zh-hans"):
        done = sheet_job_run(job_id=job.pk)

    assert done is not None
    assert done.status == SheetJob.Status.DONE, done.message
    grant = CouponGrant.objects.get(ref=f"sheet-job-{job.pk}")
    assert (grant.rows, grant.granted, grant.skipped) == (7, 4, 3)
    assert Coupon.objects.filter(template=template).count() == 4
    assert SheetJobBatch.objects.filter(job=job).count() == 4
    assert {entry["outcome"] for entry in grant.report} == {"sold_out", "duplicate", "invalid"}
    with translation.override("zh-hans"):
        report = list(csv.reader(io.StringIO(_download(admin_client, done).decode("utf-8-sig"))))
    assert report[0] == ["行号", "手机号或会员 ID", "会员 ID", "结果"]
    assert [row[3] for row in report[1:]] == [
        "已发放", "已发放", "已发放", "已发放", "优惠券已发完", "重复的行（本次已发给该会员）", "应填写手机号或会员 ID"
    ]  # fmt: skip
    assert AuditLog.objects.filter(action="coupon.grant", data__granted=4, data__job=job.pk).exists()
    assert AuditLog.objects.filter(action="sheet_job.download", target_id=str(job.pk)).exists()


class _WorkerKilled(BaseException):
    pass


def test_a_grant_resumed_after_a_killed_worker_gives_no_shopper_a_second_coupon(
    admin_user: User, make_template: Callable[..., CouponTemplate], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(coupon_sheet_jobs, "GRANT_BATCH", 2)
    monkeypatch.setattr(sheet_jobs, "_enqueue", lambda job_id: None)
    template = make_template()
    members = [MemberFactory.create() for _n in range(6)]
    content = xlsx_bytes(["会员 ID"], [[m.pk] for m in members])
    job = coupon_grant_job_create(
        actor=admin_user, template_id=template.pk, source=io.BytesIO(content), source_name="ids.xlsx"
    )
    real = coupon_sheet_jobs.grant_rows
    calls = {"n": 0}

    def dies_in_the_second_batch(**kwargs: Any) -> Any:
        calls["n"] += 1
        if calls["n"] == 2:
            raise _WorkerKilled
        return real(**kwargs)

    monkeypatch.setattr(coupon_sheet_jobs, "grant_rows", dies_in_the_second_batch)
    with pytest.raises(_WorkerKilled):
        sheet_job_run(job_id=job.pk)
    assert Coupon.objects.count() == 2  # batch 1 only; batch 2 rolled back with its marker

    monkeypatch.setattr(coupon_sheet_jobs, "grant_rows", real)
    with time_machine.travel(timezone.now() + sheet_jobs.STALE_AFTER + timedelta(minutes=1)):
        sheet_jobs_recover()
        resumed = sheet_job_run(job_id=job.pk)
    again = sheet_job_run(job_id=job.pk)  # a late second delivery

    assert resumed is not None and resumed.status == SheetJob.Status.DONE and again is not None
    assert sorted(Coupon.objects.values_list("member_id", flat=True)) == sorted(m.pk for m in members)
    assert CouponGrantMember.objects.count() == 6
    assert CouponGrant.objects.get().granted == 6


def test_large_exports_run_as_jobs_and_round_trip_into_a_grant(
    admin_client: Client,
    admin_user: User,
    make_template: Callable[..., CouponTemplate],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(sheet_jobs, "_enqueue", lambda job_id: None)
    monkeypatch.setattr(coupon_sheet_jobs, "EXPORT_CHUNK", 2)
    templates = [make_template(name=f"券{n}") for n in range(4)]
    members = [MemberFactory.create() for _n in range(5)]
    content = xlsx_bytes(["会员 ID"], [[m.pk] for m in members])
    grant_job = coupon_grant_job_create(
        actor=admin_user, template_id=templates[0].pk, source=io.BytesIO(content), source_name="ids.xlsx"
    )
    sheet_job_run(job_id=grant_job.pk)

    with translation.override("zh-hans"):
        response = admin_client.post(
            reverse("admin:marketing_coupon_changelist"),
            {"action": "export_coupons_xlsx", "_selected_action": list(Coupon.objects.values_list("pk", flat=True))},
        )
        job = SheetJob.objects.get(kind=SheetJob.Kind.COUPON_EXPORT)
        assert response["Location"] == reverse("console:sheet_job", args=[job.pk])
        assert sheet_job_run(job_id=job.pk).done == 5  # type: ignore[union-attr]
        rows = [
            list(r)
            for r in load_workbook(io.BytesIO(_download(admin_client, job))).worksheets[0].iter_rows(values_only=True)
        ]
        admin_client.post(
            reverse("admin:marketing_coupontemplate_changelist"),
            {"action": "export_templates_csv", "_selected_action": [t.pk for t in templates]},
        )
        template_job = SheetJob.objects.get(kind=SheetJob.Kind.COUPON_TEMPLATE_EXPORT)
        sheet_job_run(job_id=template_job.pk)
        template_rows = list(csv.reader(io.StringIO(_download(admin_client, template_job).decode("utf-8-sig"))))

    assert rows[0][:3] == ["优惠券 ID", "模板", "会员 ID"] and len(rows) == 6
    assert sorted(r[2] for r in rows[1:]) == sorted(m.pk for m in members)
    assert [r[1] for r in template_rows[1:]] == ["券0", "券1", "券2", "券3"]
    assert AuditLog.objects.filter(action="export.coupons", data__rows=5, data__job=job.pk).exists()

    # The exported coupons sheet (会员 ID column) goes back in as a grant of another template.
    again = coupon_grant_job_create(
        actor=admin_user,
        template_id=templates[1].pk,
        source=io.BytesIO(xlsx_bytes(rows[0], rows[1:])),
        source_name="coupons.xlsx",
    )
    sheet_job_run(job_id=again.pk)
    assert Coupon.objects.filter(template=templates[1]).count() == 5


def test_exporters_only_and_only_the_submitter_downloads(
    admin_user: User, make_template: Callable[..., CouponTemplate], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sheet_jobs, "_enqueue", lambda job_id: None)
    operator = User.objects.create_user("op", password="pw-1234567", is_staff=True)
    operator.user_permissions.add(Permission.objects.get(codename="export_coupons"))
    other = User.objects.create_user("op2", password="pw-1234567", is_staff=True)
    other.user_permissions.add(Permission.objects.get(codename="export_coupons"))
    nobody = User.objects.create_user("cs", password="pw-1234567", is_staff=True)
    template = make_template()
    with pytest.raises(sheet_jobs.PermissionDenied):
        coupon_sheet_jobs.coupon_export_job_create(
            actor=nobody, kind=SheetJob.Kind.COUPON_TEMPLATE_EXPORT, ids=[template.pk], fmt="csv"
        )
    job = coupon_sheet_jobs.coupon_export_job_create(
        actor=operator, kind=SheetJob.Kind.COUPON_TEMPLATE_EXPORT, ids=[template.pk], fmt="csv"
    )
    sheet_job_run(job_id=job.pk)
    url = reverse("console:sheet_job_download", args=[job.pk])
    for user, status in ((operator, 200), (other, 404), (nobody, 404), (admin_user, 200)):
        client = Client()
        client.force_login(user)
        assert client.get(url).status_code == status, user.username
    operator.user_permissions.clear()
    client = Client()
    client.force_login(operator)
    assert client.get(url).status_code == 403
