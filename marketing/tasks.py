"""Celery tasks of marketing: take IDs (or nothing), call a service, safe to run twice."""

from __future__ import annotations

from celery import shared_task

from marketing.services.coupons import coupons_expire_due, coupons_expiry_remind_due
from marketing.services.distribution import commissions_release_due


@shared_task(name="marketing.tasks.coupons_expire_task", ignore_result=True)
def coupons_expire_task() -> int:
    """Hourly: mark unused coupons past their window as expired (quotes already ignore them)."""
    return coupons_expire_due()


@shared_task(name="marketing.tasks.coupons_expiry_remind_task", ignore_result=True)
def coupons_expiry_remind_task() -> int:
    """Hourly: tell shoppers once about coupons expiring within a day (F48)."""
    return coupons_expiry_remind_due()


@shared_task(name="marketing.tasks.commissions_release_task", ignore_result=True)
def commissions_release_task() -> int:
    """Hourly: commission whose after-sales window has closed becomes available (F06); idempotent."""
    return commissions_release_due()
