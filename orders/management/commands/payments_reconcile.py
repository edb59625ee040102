"""``manage.py payments_reconcile [--older-than-minutes 10]``: catch up on lost payment notices."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from orders.services.payments import payments_reconcile


class Command(BaseCommand):
    help = "Query the payment provider for pending payments and refunds whose notice is overdue."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--older-than-minutes",
            type=int,
            default=10,
            help="Only look at payments and refunds created at least this many minutes ago (default 10).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        summary = payments_reconcile(older_than_minutes=max(0, options["older_than_minutes"]))
        self.stdout.write(summary.line())
