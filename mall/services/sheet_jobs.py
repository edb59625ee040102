"""Background sheet jobs (P06 point 5): imports and exports of up to 100,000 rows run in a worker
with their progress saved as they go; the console polls it and offers the file when done.

Exactly once: a worker takes a job with one conditional UPDATE (queued → running, or a running
job whose heartbeat stopped), so two deliveries of the same task never run it side by side, and a
finished job is never run again. Imports write in batches, each in one transaction together with
its ``SheetJobBatch`` row: a rerun (a retry, or a resumed job after its worker was killed) skips
the batches already written. Exports change nothing, so a rerun simply writes the file again.

A job whose worker died (no progress for ``STALE_AFTER``) is picked up again by the beat sweep
``sheet_jobs_recover`` and resumed, up to ``MAX_ATTEMPTS`` runs; then it is marked failed with a
plain reason and the merchant submits the file again.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import PurePath
from typing import IO, Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser, User
from django.core.files import File
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from mall.errors import ApplicationError, NotFound, PermissionDenied
from mall.models import SheetJob
from mall.services.audit import audit_record

logger = logging.getLogger(__name__)

Actor = AbstractBaseUser | AnonymousUser | None

STALE_AFTER = timedelta(minutes=10)
MAX_ATTEMPTS = 3
MAX_ERRORS_KEPT = 500

# Who may start a job of a kind, and download its file: the same permission as the inline action.
KIND_PERMISSIONS: dict[str, str] = {
    SheetJob.Kind.MEMBER_IMPORT: "members.add_memberimport",
    SheetJob.Kind.MEMBER_EXPORT: "mall.export_members",
    SheetJob.Kind.COUPON_GRANT: "marketing.grant_coupons",
    SheetJob.Kind.COUPON_TEMPLATE_EXPORT: "marketing.export_coupons",
    SheetJob.Kind.COUPON_EXPORT: "marketing.export_coupons",
    SheetJob.Kind.FINANCE_EXPORT: "orders.view_payment",
}

# The function that does each kind's work, in the app that owns the data.
KIND_RUNNERS: dict[str, str] = {
    SheetJob.Kind.MEMBER_IMPORT: "members.services.member_import_job.member_import_job_run",
    SheetJob.Kind.MEMBER_EXPORT: "members.services.member_export_job.member_export_job_run",
    SheetJob.Kind.COUPON_GRANT: "marketing.services.coupon_sheet_jobs.coupon_grant_job_run",
    SheetJob.Kind.COUPON_TEMPLATE_EXPORT: "marketing.services.coupon_sheet_jobs.coupon_template_export_job_run",
    SheetJob.Kind.COUPON_EXPORT: "marketing.services.coupon_sheet_jobs.coupon_export_job_run",
    SheetJob.Kind.FINANCE_EXPORT: "orders.services.finance_export.finance_export_job_run",
}


class SheetJobFailed(ApplicationError):
    """A job ends as failed with this message (and the rows or batches listed in ``errors``)."""

    code = "sheet_job_failed"

    def __init__(self, message: Any, *, errors: list[dict[str, Any]] | None = None, error_count: int = 0) -> None:
        super().__init__(message, details={"errors": errors or []})
        self.errors = errors or []
        self.error_count = error_count or len(self.errors)


@dataclass
class JobRun:
    """What a runner gets: the job, who started it, and the ways to report progress and results."""

    job: SheetJob
    actor: User | None
    batches_done: set[int] = field(default_factory=set)

    def set_total(self, total: int) -> None:
        self.job.total = total
        SheetJob.objects.filter(pk=self.job.pk).update(total=total, heartbeat_at=timezone.now())

    def progress(self, done: int) -> None:
        """Rows handled so far (saved at once, outside any transaction, so the console sees it)."""
        self.job.done = done
        SheetJob.objects.filter(pk=self.job.pk).update(done=done, heartbeat_at=timezone.now())

    def open_source(self) -> IO[bytes]:
        self.job.source.open("rb")
        return self.job.source.file  # type: ignore[return-value]

    def save_result(self, content: IO[bytes], *, name: str) -> None:
        self.job.result.save(PurePath(name).name, File(content), save=False)
        self.job.result_name = name
        SheetJob.objects.filter(pk=self.job.pk).update(result=self.job.result.name, result_name=name)


def sheet_job_allowed(*, actor: Actor, kind: str) -> bool:
    if actor is None or not getattr(actor, "is_staff", False) or not getattr(actor, "is_active", False):
        return False
    return bool(actor.has_perm(KIND_PERMISSIONS[kind]))  # type: ignore[union-attr]


def sheet_job_create(
    *,
    kind: str,
    actor: Actor,
    params: dict[str, Any] | None = None,
    source: IO[bytes] | None = None,
    source_name: str = "",
    total: int = 0,
    audit_data: dict[str, Any] | None = None,
) -> SheetJob:
    """Queue a job for a worker (after commit), audited with who and what."""
    if kind not in KIND_PERMISSIONS:
        raise NotFound(details={"kind": kind})
    if not sheet_job_allowed(actor=actor, kind=kind):
        raise PermissionDenied(details={"permission": KIND_PERMISSIONS[kind]})
    user = actor if isinstance(actor, User) else None
    with transaction.atomic():
        job = SheetJob(kind=kind, params=params or {}, created_by=user, total=total, source_name=source_name[:255])
        if source is not None:
            job.source.save(PurePath(source_name or "sheet").name, File(source), save=False)
        job.save()
        audit_record(
            actor=actor,
            action="sheet_job.create",
            target=job,
            data={"kind": kind, "file": source_name, "rows": total, **(audit_data or {})},
        )
        transaction.on_commit(lambda: _enqueue(job.pk), robust=True)
    return job


def _enqueue(job_id: int) -> None:
    from mall.tasks import sheet_job_run_task

    sheet_job_run_task.delay(job_id=job_id)


def _claim(job_id: int, now: datetime) -> bool:
    """queued → running, or take over a running job whose worker stopped reporting (one UPDATE)."""
    stale = now - STALE_AFTER
    claimable = Q(status=SheetJob.Status.QUEUED) | Q(status=SheetJob.Status.RUNNING, heartbeat_at__lt=stale)
    return (
        SheetJob.objects.filter(claimable, pk=job_id, attempts__lt=MAX_ATTEMPTS).update(
            status=SheetJob.Status.RUNNING,
            attempts=F("attempts") + 1,
            started_at=now,
            heartbeat_at=now,
        )
        == 1
    )


def sheet_job_run(*, job_id: int, now: datetime | None = None) -> SheetJob | None:
    """Run the job if no one else is running it and it is not finished; returns it as it ends."""
    now = now or timezone.now()
    if not _claim(job_id, now):
        return SheetJob.objects.filter(pk=job_id).first()
    job = SheetJob.objects.select_related("created_by").get(pk=job_id)
    run = JobRun(job=job, actor=job.created_by, batches_done=set(job.batches.values_list("number", flat=True)))
    runner: Callable[[JobRun], str] = import_string(KIND_RUNNERS[job.kind])
    try:
        if not sheet_job_allowed(actor=job.created_by, kind=job.kind):
            raise SheetJobFailed(_("提交人已无权执行该任务。"))
        message = runner(run)
    except SheetJobFailed as exc:
        _finish(job, status=SheetJob.Status.FAILED, message=str(exc.message), errors=exc.errors, count=exc.error_count)
    except ApplicationError as exc:
        _finish(job, status=SheetJob.Status.FAILED, message=str(exc.message))
    except Exception:
        logger.exception("sheet job %s failed", job_id)
        _finish(job, status=SheetJob.Status.FAILED, message=_("任务出错，请稍后重新提交；已写入的批次见下方列表。"))
    else:
        _finish(job, status=SheetJob.Status.DONE, message=message)
    job.refresh_from_db()
    return job


def _finish(
    job: SheetJob, *, status: str, message: str, errors: list[dict[str, Any]] | None = None, count: int = 0
) -> None:
    fields: dict[str, Any] = {"status": status, "message": message[:500], "finished_at": timezone.now()}
    if errors is not None:
        fields["errors"] = errors[:MAX_ERRORS_KEPT]
        fields["error_count"] = count
    if status == SheetJob.Status.DONE:
        fields["done"] = max(job.done, job.total)
    SheetJob.objects.filter(pk=job.pk, status=SheetJob.Status.RUNNING).update(**fields)


def sheet_jobs_recover(*, now: datetime | None = None) -> dict[str, int]:
    """Beat: jobs whose worker died are queued again (resumed) or, after ``MAX_ATTEMPTS``, failed."""
    now = now or timezone.now()
    stale = now - STALE_AFTER
    lost = Q(status=SheetJob.Status.RUNNING, heartbeat_at__lt=stale) | Q(
        status=SheetJob.Status.QUEUED, created_at__lt=stale
    )
    failed = SheetJob.objects.filter(lost, attempts__gte=MAX_ATTEMPTS).update(
        status=SheetJob.Status.FAILED,
        finished_at=now,
        message=_("任务多次中断，已停止：已写入的批次保留，请把其余行重新提交。"),
    )
    resumed = list(SheetJob.objects.filter(lost, attempts__lt=MAX_ATTEMPTS).values_list("pk", flat=True))
    for job_id in resumed:
        _enqueue(job_id)
    return {"resumed": len(resumed), "failed": failed}


def sheet_job_get_for_user(*, actor: Actor, job_id: int) -> SheetJob:
    """The job if this staff member may see it: their own, or any job for the owner (superuser)."""
    job = SheetJob.objects.select_related("created_by").filter(pk=job_id).first()
    if job is None or actor is None or not getattr(actor, "is_staff", False):
        raise NotFound(details={"job_id": job_id})
    if not getattr(actor, "is_superuser", False) and job.created_by_id != getattr(actor, "pk", None):
        raise NotFound(details={"job_id": job_id})
    return job


def sheet_job_download(*, actor: Actor, job_id: int) -> SheetJob:
    """The job whose file this staff member may take now (still holding the kind's permission);
    each download is audited: a file of phones or money leaving the console."""
    job = sheet_job_get_for_user(actor=actor, job_id=job_id)
    if not sheet_job_allowed(actor=actor, kind=job.kind):
        raise PermissionDenied(details={"permission": KIND_PERMISSIONS[job.kind]})
    if job.status != SheetJob.Status.DONE or not job.result:
        raise NotFound(details={"job_id": job_id})
    audit_record(actor=actor, action="sheet_job.download", target=job, data={"kind": job.kind, "rows": job.total})
    return job
