"""Celery tasks of marketing: take IDs (or nothing), call a service, safe to run twice."""

from __future__ import annotations

from celery import shared_task

from marketing.services.coupons import coupons_expire_due, coupons_expiry_remind_due
from marketing.services.distribution import commissions_release_due
from marketing.services.invites import invite_reward_issue, invite_rewards_issue_due
from marketing.services.whatif import whatif_run_execute, whatif_runs_fail_stale


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


@shared_task(name="marketing.tasks.invite_reward_issue_task", ignore_result=True)
def invite_reward_issue_task(*, reward_id: int) -> int:
    """After a block of invitees is rewarded (F04): issue its coupons; idempotent."""
    return invite_reward_issue(reward_id=reward_id)


@shared_task(name="marketing.tasks.invite_rewards_issue_sweep_task", ignore_result=True)
def invite_rewards_issue_sweep_task() -> int:
    """Every 10 minutes: coupons of rewards whose after-commit task never ran (F04)."""
    return invite_rewards_issue_due()


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


@shared_task(name="marketing.tasks.teams_settle_task", ignore_result=True)
def teams_settle_task() -> int:
    """Every 5 minutes: split reached teams whose after-sales wait is over, end short teams (each once)."""
    from marketing.services.teams import teams_settle_due

    run = teams_settle_due()
    return run.settled + run.failed


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


# --- flash sales --------------------------------------------------------------------------


@shared_task(name="marketing.tasks.flash_slot_end_task", ignore_result=True)
def flash_slot_end_task(*, slot_id: int) -> bool:
    """At a slot's end: leftovers back to the shelf (a task that fires early does nothing)."""
    from marketing.services.flash_sales import flash_slot_end

    return flash_slot_end(slot_id=slot_id)


@shared_task(name="marketing.tasks.flash_slots_end_sweep_task", ignore_result=True)
def flash_slots_end_sweep_task() -> int:
    """Every minute: end the slots whose end task was lost or is late."""
    from marketing.services.flash_sales import flash_slots_end_due

    return flash_slots_end_due()


@shared_task(name="marketing.tasks.campaigns_budget_sweep_task", ignore_result=True)
def campaigns_budget_sweep_task() -> int:
    """Every minute (B02): pause live campaigns whose budget is spent or refused an order."""
    from marketing.services.campaigns import campaigns_budget_sweep

    return campaigns_budget_sweep()


@shared_task(name="marketing.tasks.flash_reservations_notify_task", ignore_result=True)
def flash_reservations_notify_task(*, item_id: int, units: int) -> int:
    """After a restock: tell the earliest reservers (each at most once)."""
    from marketing.services.flash_sales import flash_reservations_notify

    return flash_reservations_notify(item_id=item_id, units=units)


@shared_task(name="marketing.tasks.pages_schedule_task", ignore_result=True)
def pages_schedule_task() -> int:
    """Every minute: campaign pages whose scheduled publish or unpublish time has come (once each)."""
    from marketing.services.pages import pages_schedule_run

    return pages_schedule_run()


@shared_task(name="marketing.tasks.flash_gate_reconcile_task", ignore_result=True)
def flash_gate_reconcile_task() -> int:
    """Every five minutes: compare the running items' Redis gates with the database and repair."""
    from marketing.services.flash_gate import gate_reconcile
    from marketing.services.flash_sales import flash_items_running

    return sum(gate_reconcile(item_id=item_id).repaired for item_id in flash_items_running())


@shared_task(name="marketing.tasks.lifecycle_run_task", ignore_result=True)
def lifecycle_run_task() -> list[dict[str, object]]:
    """Daily at 10:00 shop time: the lifecycle journeys (F17–F19); exactly once per occasion."""
    from marketing.services.journeys.runner import lifecycle_run

    return [outcome.as_json() for outcome in lifecycle_run()]


@shared_task(name="marketing.tasks.whatif_run_task", ignore_result=True)
def whatif_run_task(*, run_id: int) -> str:
    """After a merchant asks for a what-if replay (B01): run it once; a redelivery does nothing."""
    return whatif_run_execute(run_id=run_id).status


@shared_task(name="marketing.tasks.whatif_runs_fail_stale_task", ignore_result=True)
def whatif_runs_fail_stale_task() -> int:
    """Every 10 minutes: what-if runs whose worker died are marked failed (B01); idempotent."""
    return whatif_runs_fail_stale()


@shared_task(name="marketing.tasks.campaigns_anomaly_watch_task", ignore_result=True)
def campaigns_anomaly_watch_task() -> int:
    """Every minute (F31): judge the minute that just ended; a surge pauses its campaign."""
    from marketing.services.campaign_anomaly import campaigns_anomaly_watch

    return len(campaigns_anomaly_watch())


@shared_task(name="marketing.tasks.live_rooms_sync_task", ignore_result=True)
def live_rooms_sync_task() -> int:
    """Every 5 minutes (F24): mirror WeChat's live rooms; overlapping runs are refused, reruns rewrite the same rows."""
    from marketing.errors import LiveSyncBusy
    from marketing.services.live import live_rooms_sync

    try:
        return live_rooms_sync().rooms
    except LiveSyncBusy:
        return 0


@shared_task(name="marketing.tasks.live_reminders_task", ignore_result=True)
def live_reminders_task() -> int:
    """Every minute (F24): remind followers of rooms starting soon; each follow is claimed once."""
    from marketing.services.live import live_reminders_send

    return live_reminders_send()
