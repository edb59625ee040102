"""Celery tasks of orders: take IDs, call a service, safe to run twice.

Placement schedules the expiry sweep for the end of the 10-second window its lock ends in
(once per window and process, eta = the window's end); the same sweep in ``mall.schedules``
runs every minute as the safety net for lost or early ones. ``order_expire_task`` expires one
order (operators and the scale check use it). All go through ``order_expire``, whose row
lock makes the release happen exactly once.
"""

from __future__ import annotations

from celery import shared_task

from orders.services.orders import order_auto_complete_due, order_expire, order_expire_due


@shared_task(name="orders.tasks.order_expire_task", ignore_result=True)
def order_expire_task(*, order_id: int) -> bool:
    """Cancel one order whose 15-minute lock has ended; a paid or already cancelled order is left alone."""
    return order_expire(order_id=order_id)


@shared_task(name="orders.tasks.order_expiry_sweep_task", ignore_result=True)
def order_expiry_sweep_task() -> int:
    """Every minute, and at the end of each window of lock ends placements asked for: expire every due order."""
    return order_expire_due()


@shared_task(name="orders.tasks.order_auto_complete_sweep_task", ignore_result=True)
def order_auto_complete_sweep_task() -> int:
    """Hourly: complete orders shipped longer ago than the shop's auto-complete window."""
    return order_auto_complete_due()


# --- payments (payments engineer: payments_reconcile_task goes here) --------------------


@shared_task(name="orders.tasks.payments_reconcile_task", ignore_result=True)
def payments_reconcile_task(*, older_than_minutes: int = 10) -> str:
    """Every 10 minutes: ask the provider about payments and refunds whose notice is overdue."""
    from orders.services.payments import payments_reconcile

    return payments_reconcile(older_than_minutes=older_than_minutes).line()


@shared_task(name="orders.tasks.refund_submit_task", ignore_result=True)
def refund_submit_task(*, refund_id: int) -> str:
    """After the refund's commit: send it to WeChat Pay (a resend reuses out_refund_no, so it is harmless)."""
    from orders.services.refunds import refund_submit

    return refund_submit(refund_id=refund_id).status


# --- after-sales (P04) ----------------------------------------------------------------------


@shared_task(name="orders.tasks.after_sales_timeouts_task", ignore_result=True)
def after_sales_timeouts_task() -> int:
    """Every 10 minutes: approve requests the merchant left 48 hours, close returns not sent in 7 days,
    and delete photos of forms abandoned for a day."""
    from orders.services.after_sales import after_sale_photos_purge, after_sales_timeouts_due

    moved = after_sales_timeouts_due()
    after_sale_photos_purge()
    return moved
