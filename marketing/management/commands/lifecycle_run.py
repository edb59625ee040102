"""manage.py lifecycle_run [--journey dormant|birthday|replenish] [--now ISO] [--dry-run]

Runs the lifecycle journeys once (as beat does daily) and prints one JSON line per journey:
``{"journey", "eligible", "sent", "skipped": {reason: n}, "granted"}``.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from marketing.models import JourneyKind
from marketing.services.journeys.runner import lifecycle_run


class Command(BaseCommand):
    help = "运行生命周期旅程（沉睡召回、生日福利、复购提醒），每个旅程输出一行 JSON。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--journey", choices=list(JourneyKind.values), help="只运行这一个旅程")
        parser.add_argument("--now", help="以这个时间运行（ISO 8601，如 2026-12-06T10:00:00+08:00）")
        parser.add_argument("--dry-run", action="store_true", help="只统计，不发券不发消息")

    def handle(self, *args: Any, **options: Any) -> None:
        now = timezone.now()
        if options["now"]:
            try:
                now = datetime.fromisoformat(options["now"])
            except ValueError as exc:
                raise CommandError(f"--now must be ISO 8601, not {options['now']!r}") from exc
            if timezone.is_naive(now):
                now = timezone.make_aware(now)
        kinds = [options["journey"]] if options["journey"] else None
        for outcome in lifecycle_run(kinds=kinds, now=now, dry_run=options["dry_run"]):
            self.stdout.write(json.dumps(outcome.as_json(), ensure_ascii=False))
