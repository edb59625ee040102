"""Rebuild the behaviour rollups of the last N days (each day replaced whole)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from analytics.services.rollups import rollup_recent


class Command(BaseCommand):
    help = "Rebuild the behaviour rollups of the last N days (today included)"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--days", type=int, default=2)

    def handle(self, *args: Any, **options: Any) -> None:
        days = rollup_recent(days=options["days"])
        self.stdout.write(f"rolled up {len(days)} day(s): {days[-1]} … {days[0]}")
