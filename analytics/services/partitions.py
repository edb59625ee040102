"""Day partitions of the raw behaviour events and their retention (``ANALYTICS_RETENTION_DAYS``).

MariaDB/MySQL: the table is ``PARTITION BY RANGE (TO_DAYS(day))`` with one partition per day,
named ``pYYYYMMDD`` (holding that day and, for the oldest, anything earlier) and a catch-all
``pmax``, so an insert never fails for want of a partition. ``partitions_maintain`` (beat job
``analytics-maintain-partitions``, command ``analytics_partitions``) splits today and the next
``ANALYTICS_PARTITIONS_AHEAD`` days out of ``pmax`` and drops every partition whose days are all
older than the retention: dropping a partition is instant, unlike deleting millions of rows.
Elsewhere (SQLite) the old days are deleted.

The statements run outside any transaction (DDL commits implicitly on MariaDB).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.conf import settings
from django.db import connection
from django.utils import timezone

from analytics.models import BehaviourEvent

CATCH_ALL = "pmax"


@dataclass(frozen=True)
class PartitionReport:
    added: list[str] = field(default_factory=list)
    dropped: list[str] = field(default_factory=list)
    deleted_rows: int = 0


def partition_name(day: date) -> str:
    return f"p{day:%Y%m%d}"


def partition_day(name: str) -> date | None:
    if len(name) != 9 or not name[1:].isdigit():
        return None
    return date(int(name[1:5]), int(name[5:7]), int(name[7:9]))


def partitions_list() -> list[str]:
    """The table's partitions in order (empty when it is not partitioned)."""
    if connection.vendor != "mysql":
        return []
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT PARTITION_NAME FROM information_schema.PARTITIONS WHERE TABLE_SCHEMA = DATABASE() "
            "AND TABLE_NAME = %s AND PARTITION_NAME IS NOT NULL ORDER BY PARTITION_ORDINAL_POSITION",
            [BehaviourEvent._meta.db_table],
        )
        return [row[0] for row in cursor.fetchall()]


def partitions_maintain(*, today: date | None = None) -> PartitionReport:
    today = today or timezone.localdate()
    cutoff = today - timedelta(days=settings.ANALYTICS_RETENTION_DAYS)
    if connection.vendor != "mysql":
        deleted, _ = BehaviourEvent.objects.filter(day__lt=cutoff).delete()
        return PartitionReport(deleted_rows=deleted)
    table = connection.ops.quote_name(BehaviourEvent._meta.db_table)
    existing = partitions_list()
    if not existing:
        partitioning_enable()
        existing = [CATCH_ALL]
    days = [d for d in (partition_day(name) for name in existing) if d is not None]
    first = max(days) + timedelta(days=1) if days else today
    wanted = [
        first + timedelta(days=n)
        for n in range((today + timedelta(days=settings.ANALYTICS_PARTITIONS_AHEAD) - first).days + 1)
    ]
    with connection.cursor() as cursor:
        if wanted:
            parts = ", ".join(
                f"PARTITION {partition_name(d)} VALUES LESS THAN (TO_DAYS('{d + timedelta(days=1):%Y-%m-%d}'))"
                for d in wanted
            )
            cursor.execute(
                f"ALTER TABLE {table} REORGANIZE PARTITION {CATCH_ALL} INTO "
                f"({parts}, PARTITION {CATCH_ALL} VALUES LESS THAN MAXVALUE)"
            )
        # keep at least one day partition: the oldest also holds anything earlier than itself
        old = [name for name in existing if (d := partition_day(name)) is not None and d < cutoff]
        if old:
            cursor.execute(f"ALTER TABLE {table} DROP PARTITION {', '.join(old)}")
    return PartitionReport(added=[partition_name(d) for d in wanted], dropped=old)


def partitioning_enable() -> None:
    """Partition the (unpartitioned) table: primary key (id, day), one catch-all partition."""
    table = connection.ops.quote_name(BehaviourEvent._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"ALTER TABLE {table} DROP PRIMARY KEY, ADD PRIMARY KEY (id, day)")
        cursor.execute(
            f"ALTER TABLE {table} PARTITION BY RANGE (TO_DAYS(day)) (PARTITION {CATCH_ALL} VALUES LESS THAN MAXVALUE)"
        )
