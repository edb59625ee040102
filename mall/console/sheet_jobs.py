"""表格任务: background imports and exports (P06 point 5) — the list of one's jobs, a job's page
with a progress bar that polls a small JSON endpoint, its rows in error or failed batches, and the
download link when done (permission-checked and audited; files never sit under /media/)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from mall.console.display import mask_phone
from mall.errors import ApplicationError
from mall.errors import PermissionDenied as ServicePermissionDenied
from mall.models import SheetJob
from mall.selectors.sheet_jobs import sheet_jobs_for_user
from mall.services.sheet_jobs import sheet_job_allowed, sheet_job_download, sheet_job_get_for_user


def _job_or_404(request: HttpRequest, job_id: int) -> SheetJob:
    try:
        return sheet_job_get_for_user(actor=request.user, job_id=job_id)
    except ApplicationError as exc:
        raise Http404 from exc


def job_state(request: HttpRequest, job: SheetJob) -> dict[str, Any]:
    """What the progress bar shows (the JSON endpoint and the first render share it)."""
    download = ""
    if job.status == SheetJob.Status.DONE and job.result and sheet_job_allowed(actor=request.user, kind=job.kind):
        download = reverse("console:sheet_job_download", args=[job.pk])
    if not job.total and job.done:
        progress_text = _("已读取 %(done)d 行") % {"done": job.done}
    elif job.total:
        progress_text = _("%(done)d / %(total)d 行") % {"done": min(job.done, job.total), "total": job.total}
    else:
        progress_text = ""
    return {
        "id": job.pk,
        "status": job.status,
        "status_label": str(job.get_status_display()),
        "done": job.done,
        "total": job.total,
        "percent": job.percent,
        "progress_text": progress_text,
        "message": job.message,
        "finished": job.status in (SheetJob.Status.DONE, SheetJob.Status.FAILED),
        "download": download,
    }


def sheet_jobs_view(request: HttpRequest) -> HttpResponse:
    jobs = list(sheet_jobs_for_user(actor=request.user))
    rows = [{"job": job, "state": job_state(request, job)} for job in jobs]
    context = {**admin.site.each_context(request), "title": _("表格任务"), "rows": rows}
    return TemplateResponse(request, "admin/console/sheet_jobs.html", context)


def sheet_job_view(request: HttpRequest, job_id: int) -> HttpResponse:
    job = _job_or_404(request, job_id)
    batches = list(job.batches.only("number", "first_line", "last_line", "rows", "applied", "created_at"))
    context = {
        **admin.site.each_context(request),
        "title": _("表格任务：%(kind)s") % {"kind": job.get_kind_display()},
        "job": job,
        "state": job_state(request, job),
        # Phones masked like everywhere in the console; the line number finds the row in the file.
        "errors": [{**error, "phone": mask_phone(error.get("phone"))} for error in job.errors],
        "more_errors": max(0, job.error_count - len(job.errors)),
        "batches": batches,
        "progress_url": reverse("console:sheet_job_progress", args=[job.pk]),
    }
    return TemplateResponse(request, "admin/console/sheet_job.html", context)


def sheet_job_progress_view(request: HttpRequest, job_id: int) -> JsonResponse:
    job = _job_or_404(request, job_id)
    return JsonResponse(job_state(request, job))


def sheet_job_download_view(request: HttpRequest, job_id: int) -> FileResponse:
    try:
        job = sheet_job_download(actor=request.user, job_id=job_id)
    except ServicePermissionDenied as exc:
        from django.core.exceptions import PermissionDenied

        raise PermissionDenied from exc
    except ApplicationError as exc:
        raise Http404 from exc
    stamp = timezone.localtime(job.finished_at or job.created_at).strftime("%Y%m%d-%H%M")
    name = job.result_name or f"sheet-job-{job.pk}-{stamp}"
    return FileResponse(job.result.open("rb"), as_attachment=True, filename=name)
