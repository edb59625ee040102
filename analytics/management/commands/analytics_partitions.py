"""Add the coming days' partitions of the behaviour events and drop those past retention."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from analytics.services.partitions import partitions_maintain


class Command(BaseCommand):
    help = "Add tomorrow's behaviour-event partitions and drop days past ANALYTICS_RETENTION_DAYS"

    def handle(self, *args: Any, **options: Any) -> None:
        report = partitions_maintain()
        self.stdout.write(
            f"added {len(report.added)} partition(s) {' '.join(report.added)}; "
            f"dropped {len(report.dropped)} {' '.join(report.dropped)}; deleted {report.deleted_rows} row(s)"
        )
