"""Every periodic task of the project, defined in code in one place (read by settings)."""

from datetime import timedelta

from celery.schedules import crontab

BEAT_SCHEDULE: dict[str, dict[str, object]] = {
    "orders-release-expired-locks": {
        "task": "orders.tasks.order_expiry_sweep_task",
        "schedule": timedelta(minutes=1),
    },
    "orders-auto-complete-delivered": {
        "task": "orders.tasks.order_auto_complete_sweep_task",
        "schedule": timedelta(hours=1),
    },
    "orders-after-sales-timeouts": {
        "task": "orders.tasks.after_sales_timeouts_task",
        "schedule": timedelta(minutes=10),
    },
    "payments-reconcile-stale": {
        "task": "orders.tasks.payments_reconcile_task",
        "schedule": timedelta(minutes=10),
    },
    "marketing-expire-coupons": {
        "task": "marketing.tasks.coupons_expire_task",
        "schedule": timedelta(hours=1),
    },
    "marketing-remind-expiring-coupons": {
        "task": "marketing.tasks.coupons_expiry_remind_task",
        "schedule": timedelta(hours=1),
    },
    "marketing-release-commissions": {
        "task": "marketing.tasks.commissions_release_task",
        "schedule": timedelta(hours=1),
    },
    "marketing-group-buy-deadlines": {
        "task": "marketing.tasks.group_expiry_sweep_task",
        "schedule": timedelta(minutes=1),
    },
    # Team split (F22): split the reward of reached teams whose after-sales wait is over, end short teams.
    "marketing-team-settlement": {
        "task": "marketing.tasks.teams_settle_task",
        "schedule": timedelta(minutes=5),
    },
    "marketing-bargain-deadlines": {
        "task": "marketing.tasks.bargain_expiry_sweep_task",
        "schedule": timedelta(minutes=1),
    },
    "marketing-flash-end-slots": {
        "task": "marketing.tasks.flash_slots_end_sweep_task",
        "schedule": timedelta(minutes=1),
    },
    "marketing-pages-schedule": {
        "task": "marketing.tasks.pages_schedule_task",
        "schedule": timedelta(minutes=1),
    },
    "marketing-campaign-budgets": {
        "task": "marketing.tasks.campaigns_budget_sweep_task",
        "schedule": timedelta(minutes=1),
    },
    "marketing-campaign-anomaly-watch": {
        "task": "marketing.tasks.campaigns_anomaly_watch_task",
        "schedule": timedelta(minutes=1),
    },
    # Live selling (F24): mirror WeChat's rooms; remind followers once before a room starts.
    "marketing-live-rooms-sync": {
        "task": "marketing.tasks.live_rooms_sync_task",
        "schedule": timedelta(minutes=5),
    },
    "marketing-live-reminders": {
        "task": "marketing.tasks.live_reminders_task",
        "schedule": timedelta(minutes=1),
    },
    "marketing-flash-reconcile-gates": {
        "task": "marketing.tasks.flash_gate_reconcile_task",
        "schedule": timedelta(minutes=5),
    },
    "marketing-issue-invite-rewards": {
        "task": "marketing.tasks.invite_rewards_issue_sweep_task",
        "schedule": timedelta(minutes=10),
    },
    "marketing-whatif-stale-runs": {
        "task": "marketing.tasks.whatif_runs_fail_stale_task",
        "schedule": timedelta(minutes=10),
    },
    "mall-sheet-jobs-recover": {
        "task": "mall.tasks.sheet_jobs_recover_task",
        "schedule": timedelta(minutes=5),
    },
    "members-release-held-pushes": {
        "task": "members.tasks.messages_release_held_task",
        "schedule": timedelta(minutes=5),
    },
    "analytics-drain-events": {
        "task": "analytics.tasks.events_drain_task",
        "schedule": timedelta(seconds=10),
    },
    "analytics-behaviour-rollups": {
        "task": "analytics.tasks.behaviour_rollup_task",
        "schedule": timedelta(minutes=10),
    },
    "analytics-maintain-partitions": {
        "task": "analytics.tasks.event_partitions_task",
        "schedule": timedelta(hours=6),
    },
    "members-recompute-tags": {
        "task": "members.tasks.tags_recompute_task",
        "schedule": timedelta(days=1),
    },
    "members-layer-snapshot": {
        "task": "members.tasks.layer_snapshot_task",
        "schedule": timedelta(days=1),
    },
    "members-tiers-monthly-evaluation": {
        "task": "members.tasks.tiers_evaluate_task",
        "schedule": timedelta(hours=1),
    },
    "members-points-expiry": {
        "task": "members.tasks.points_expiry_task",
        "schedule": timedelta(hours=6),
    },
    # Check-in reminder (F20) in the shop's evening, before the shop day ends.
    "members-checkin-reminder": {
        "task": "members.tasks.checkin_remind_task",
        "schedule": crontab(hour=19, minute=30),
    },
    # Lifecycle journeys (F17–F19) once a day in the shop's morning (CELERY_TIMEZONE is the shop's).
    "marketing-lifecycle-journeys": {
        "task": "marketing.tasks.lifecycle_run_task",
        "schedule": crontab(hour=10, minute=0),
    },
    "analytics-roll-up-attribution": {
        "task": "analytics.tasks.attribution_rollup_task",
        "schedule": timedelta(minutes=10),
    },
    "analytics-suggestions": {
        "task": "analytics.tasks.suggestions_generate_task",
        "schedule": crontab(hour=3, minute=30),
    },
}
