"""Celery tasks of the project package: background sheet jobs and staff alerts to the duty
roster (take IDs, safe to run twice)."""

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


@shared_task(name="mall.tasks.staff_alert_notify_task", ignore_result=True)
def staff_alert_notify_task(*, kind: str, ref_id: int) -> int:
    """Tell the staff on duty about one alert (each destination once, however often this runs)."""
    from mall.services.staff_alerts import staff_alert_notify

    return len(staff_alert_notify(kind=kind, ref_id=ref_id))


@shared_task(name="mall.tasks.staff_alerts_sweep_task", ignore_result=True)
def staff_alerts_sweep_task() -> int:
    """Beat, every minute: send what a lost or failed task left, retry refusals a few times."""
    from mall.services.staff_alerts import staff_alerts_sweep

    return staff_alerts_sweep()["tried"]
