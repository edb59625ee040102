"""What-if runs (B01): start a replay from the console and carry it out in a background task.

``whatif_run_start`` validates the tried promotion exactly as the promotion form does, writes
the run and an audit row, and queues the task after commit. ``whatif_run_execute`` claims the
run with a conditional UPDATE (queued → running), so a task delivered twice replays once; it
writes progress per chunk of orders and the figures at the end. Nothing in the shop changes.
"""

from __future__ import annotations

import logging
from dataclasses import asdict, replace
from datetime import datetime, timedelta
from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser, User
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from mall.services.audit import audit_record
from marketing.errors import RulesInvalid, WhatIfDaysInvalid, WhatIfRunNotFound
from marketing.models import WhatIfRun, WhatIfStatus
from marketing.pricing import Promotion as PromotionSpec
from marketing.selectors.whatif import NEW_RULE_ID, whatif_replay, whatif_scope
from marketing.services.promotions import PromotionData, promotion_validate
from marketing.services.rules import promotion_rule_id, promotion_spec_build

logger = logging.getLogger(__name__)

DRAFT_KEYS = ("type", "name", "rules", "category_ids", "sku_ids", "exclude_sku_ids", "per_user_limit")


def _draft(data: PromotionData) -> dict[str, Any]:
    values = asdict(data)
    draft = {key: values[key] for key in DRAFT_KEYS}
    for key in ("category_ids", "sku_ids", "exclude_sku_ids"):
        draft[key] = list(draft[key])
    return draft


def whatif_run_start(
    *, actor: AbstractBaseUser | AnonymousUser, data: PromotionData, replaces: int | None, days: int
) -> WhatIfRun:
    """A queued run of ``data`` (new, or an edit of live promotion ``replaces``) over ``days``."""
    if not 1 <= days <= 366:
        raise WhatIfDaysInvalid()
    promotion_validate(data=data)
    with transaction.atomic():
        run = WhatIfRun.objects.create(
            name=data.name.strip()[:60],
            promotion_id=replaces,
            draft=_draft(data),
            days=days,
            created_by=actor if isinstance(actor, User) else None,
        )
        audit_record(
            actor=actor,
            action="marketing.whatif_run",
            target=run,
            data={"name": run.name, "promotion": replaces, "days": days, "type": data.type},
        )
        run_id = run.pk
        transaction.on_commit(lambda: _enqueue(run_id), robust=True)
    return run


def _enqueue(run_id: int) -> None:
    from marketing.tasks import whatif_run_task  # tasks import the services

    whatif_run_task.delay(run_id=run_id)


def whatif_candidate(run: WhatIfRun, *, now: datetime) -> PromotionSpec:
    """The engine rule a run tries; an edit keeps the live promotion's id so it replaces it."""
    draft = run.draft
    scope = whatif_scope(
        category_ids=draft.get("category_ids") or [],
        sku_ids=draft.get("sku_ids") or [],
        exclude_sku_ids=draft.get("exclude_sku_ids") or [],
    )
    return promotion_spec_build(
        pk=None,
        type=draft["type"],
        rules=draft.get("rules") or {},
        starts_at=now,
        ends_at=now + timedelta(days=1),
        per_user_limit=None,
        scope=scope,
        check_skus=False,
    )


def whatif_run_execute(*, run_id: int) -> WhatIfRun:
    """Replay a queued run once (a second delivery finds it claimed and does nothing)."""
    claimed = WhatIfRun.objects.filter(pk=run_id, status=WhatIfStatus.QUEUED).update(
        status=WhatIfStatus.RUNNING, heartbeat_at=timezone.now()
    )
    run = WhatIfRun.objects.filter(pk=run_id).first()
    if run is None:
        raise WhatIfRunNotFound()
    if not claimed:
        return run
    now = timezone.now()

    def progress(done: int, total: int) -> None:
        WhatIfRun.objects.filter(pk=run_id).update(done=done, total=total, heartbeat_at=timezone.now())

    try:
        candidate = whatif_candidate(run, now=now)
        rule_id = promotion_rule_id(run.promotion_id) if run.promotion_id else NEW_RULE_ID
        result = whatif_replay(
            candidates=[replace(candidate, id=rule_id)],
            replaces=[run.promotion_id] if run.promotion_id else [],
            days=run.days,
            now=now,
            on_progress=progress,
        )
    except RulesInvalid as exc:
        _fail(run_id, str(exc.message))
    except Exception:
        logger.exception("what-if run %s failed", run_id)
        _fail(run_id, _("计算出错，请稍后重试。"))
    else:
        figures = result.figures()
        replayed = figures["orders"] + figures["skipped"]
        WhatIfRun.objects.filter(pk=run_id).update(
            status=WhatIfStatus.DONE, result=figures, done=replayed, total=replayed, finished_at=timezone.now()
        )
    run.refresh_from_db()
    return run


def _fail(run_id: int, message: str) -> None:
    WhatIfRun.objects.filter(pk=run_id).update(
        status=WhatIfStatus.FAILED, error=message[:200], finished_at=timezone.now()
    )


STALE_AFTER = timedelta(minutes=15)
QUEUED_STALE_AFTER = timedelta(hours=1)


def whatif_runs_fail_stale(*, now: datetime | None = None) -> int:
    """Every 10 minutes: a run whose worker died mid-way (no progress for 15 minutes) or that no
    worker ever picked up (queued for an hour) is marked failed with a plain reason, so the
    merchant sees it and starts it again instead of waiting on "计算中" forever. Idempotent."""
    now = now or timezone.now()
    message = _("计算中断（后台任务未完成），请重新模拟。")
    running = WhatIfRun.objects.filter(status=WhatIfStatus.RUNNING, heartbeat_at__lt=now - STALE_AFTER).update(
        status=WhatIfStatus.FAILED, error=message, finished_at=now
    )
    queued = WhatIfRun.objects.filter(status=WhatIfStatus.QUEUED, created_at__lt=now - QUEUED_STALE_AFTER).update(
        status=WhatIfStatus.FAILED, error=message, finished_at=now
    )
    return running + queued
