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


# --- group buy (F03) and bargain (F05) -----------------------------------------------------


@shared_task(name="marketing.tasks.group_expire_task", ignore_result=True)
def group_expire_task(*, group_id: int) -> str:
    """At a group's deadline: complete it (虚拟成团) or fail it and refund its members."""
    from marketing.services.group_buys import group_expire

    return group_expire(group_id=group_id)


@shared_task(name="marketing.tasks.group_settle_task", ignore_result=True)
def group_settle_task(*, group_id: int) -> int:
    """After a payment reached a failed group: refund it (and anything else left of the group)."""
    from marketing.services.group_buys import group_settle

    return group_settle(group_id=group_id)


@shared_task(name="marketing.tasks.group_expiry_sweep_task", ignore_result=True)
def group_expiry_sweep_task() -> int:
    """Every minute: decide due groups the per-group tasks missed and settle unsettled failures."""
    from marketing.services.group_buys import group_expire_due

    return group_expire_due()


@shared_task(name="marketing.tasks.bargain_expire_task", ignore_result=True)
def bargain_expire_task(*, bargain_id: int) -> bool:
    """At a bargain's deadline: close it for helps and buying (an unpaid order keeps its chance)."""
    from marketing.services.bargains import bargain_expire

    return bargain_expire(bargain_id=bargain_id)


@shared_task(name="marketing.tasks.bargain_expiry_sweep_task", ignore_result=True)
def bargain_expiry_sweep_task() -> int:
    """Every minute: close the bargains whose deadline passed."""
    from marketing.services.bargains import bargain_expire_due

    return bargain_expire_due()
