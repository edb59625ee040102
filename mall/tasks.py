"""Celery tasks of the project package: background sheet jobs (take IDs, safe to run twice)."""

from __future__ import annotations

from celery import shared_task

from mall.services.sheet_jobs import sheet_job_run, sheet_jobs_recover


@shared_task(name="mall.tasks.sheet_job_run_task", ignore_result=True)
def sheet_job_run_task(*, job_id: int) -> str:
    job = sheet_job_run(job_id=job_id)
    return job.status if job is not None else ""


@shared_task(name="mall.tasks.sheet_jobs_recover_task", ignore_result=True)
def sheet_jobs_recover_task() -> int:
    """Beat, every 5 minutes: resume sheet jobs whose worker died, or fail them after 3 runs."""
    outcome = sheet_jobs_recover()
    return outcome["resumed"] + outcome["failed"]
