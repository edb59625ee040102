"""Generate today's 智能建议 (F39); prints one JSON line per kind with its counts."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from analytics.services.suggestions import suggestions_generate


class Command(BaseCommand):
    help = "Generate today's suggestions from the rollups (exactly once per kind, subject and day)"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--now", help="ISO moment to generate for (default: now)")

    def handle(self, *args: Any, **options: Any) -> None:
        now = timezone.now()
        if options.get("now"):
            try:
                now = dt.datetime.fromisoformat(options["now"])
            except ValueError as exc:
                raise CommandError(f"--now must be an ISO date-time: {exc}") from exc
            if timezone.is_naive(now):
                now = timezone.make_aware(now)
        for kind, counts in suggestions_generate(now=now).items():
            self.stdout.write(json.dumps({"kind": kind, **counts}))
