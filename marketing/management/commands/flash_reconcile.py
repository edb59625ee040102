"""``manage.py flash_reconcile [--item ID …] [--dry-run]``: the flash gates in Redis against the database.

For each running item (or those named) it prints what Redis holds, what the database says it
should hold (available units minus admissions still in flight; each shopper's units) and what
it repaired: a gate missing after a Redis restart is rebuilt, a drifted count or rule is set
right with deltas, lost admissions are dropped. Safe during a sale (the item row is locked
for the comparison). Exit status 0; with ``--dry-run`` 1 when drift was found.
"""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from mall.redis import get_redis
from marketing.services.flash_gate import gate_reconcile
from marketing.services.flash_sales import flash_items_running


class Command(BaseCommand):
    help = "Compare the flash-sale gates in Redis with the database and repair them."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--item", type=int, action="append", dest="items", help="flash item id (repeatable)")
        parser.add_argument("--dry-run", action="store_true", help="only report; exit 1 if anything drifted")

    def handle(self, *args: Any, **options: Any) -> None:
        if get_redis() is None:
            self.stdout.write("no REDIS_URL: the gate is the database's guarded updates, nothing to reconcile")
            return
        item_ids = options["items"] or flash_items_running()
        if not item_ids:
            self.stdout.write("no running flash items")
            return
        repair = not options["dry_run"]
        drifted = repaired = 0
        for item_id in item_ids:
            report = gate_reconcile(item_id=item_id, repair=repair)
            drifted += report.drifted
            repaired += report.repaired
            self.stdout.write(report.line())
        self.stdout.write(f"{len(item_ids)} items checked, {drifted} drifted, {repaired} repaired")
        if drifted and not repair:
            raise CommandError("drift found (dry run)", returncode=1)
