"""Day partitions on MariaDB: days ahead are added, days past retention dropped with their rows."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, time, timedelta

import pytest
from django.db import connection
from django.test import override_settings

from analytics.models import BehaviourEvent
from analytics.services.partitions import CATCH_ALL, partition_name, partitions_list, partitions_maintain
from analytics.tests.factories import make_event

D = date(2026, 11, 20)
mariadb = pytest.mark.skipif(connection.vendor != "mysql", reason="RANGE partitions are MariaDB/MySQL's")


@pytest.fixture
def catch_all_only(transactional_db: None) -> Iterator[None]:
    """The table as the migration leaves it: one catch-all partition (DDL commits, hence transactional_db)."""
    table = connection.ops.quote_name(BehaviourEvent._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"ALTER TABLE {table} REMOVE PARTITIONING")
        cursor.execute(
            f"ALTER TABLE {table} PARTITION BY RANGE (TO_DAYS(day)) (PARTITION pmax VALUES LESS THAN MAXVALUE)"
        )
    yield


@mariadb
@override_settings(ANALYTICS_RETENTION_DAYS=3, ANALYTICS_PARTITIONS_AHEAD=2)
def test_partitions_are_added_ahead_and_dropped_past_retention(catch_all_only: None) -> None:
    assert partitions_list() == [CATCH_ALL]
    report = partitions_maintain(today=D)
    assert report.added == [partition_name(D + timedelta(days=n)) for n in range(3)]
    assert partitions_list() == ["p20261120", "p20261121", "p20261122", CATCH_ALL]

    for offset in (-30, 0, 1, 2, 10):  # -30: older than any partition (held by the first); 10: in pmax
        make_event("page_view", day=D + timedelta(days=offset), at=time(9), page="pages/home/index")

    report = partitions_maintain(today=D + timedelta(days=4))  # keeps days from D+1 on
    assert report.dropped == ["p20261120"]
    assert report.added == ["p20261123", "p20261124", "p20261125", "p20261126"]
    assert partitions_list() == [f"p202611{day}" for day in range(21, 27)] + [CATCH_ALL]
    assert sorted((d - D).days for d in BehaviourEvent.objects.values_list("day", flat=True)) == [1, 2, 10]

    # maintained twice: nothing more to do
    again = partitions_maintain(today=D + timedelta(days=4))
    assert (again.added, again.dropped) == ([], [])
    # the queries prune to the day's partition
    with connection.cursor() as cursor:
        cursor.execute(
            "EXPLAIN PARTITIONS SELECT COUNT(*) FROM analytics_behaviourevent WHERE day = %s",
            [D + timedelta(days=2)],
        )
        columns = [c[0] for c in cursor.description]
        assert cursor.fetchone()[columns.index("partitions")] == "p20261122"


@mariadb
def test_the_management_command_maintains(catch_all_only: None) -> None:
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("analytics_partitions", stdout=out)
    assert len(partitions_list()) == 1 + 1 + 3  # today, three days ahead, pmax
    assert "pmax" not in out.getvalue()


@pytest.mark.skipif(connection.vendor == "mysql", reason="the SQLite way: old days deleted")
@pytest.mark.django_db
@override_settings(ANALYTICS_RETENTION_DAYS=3)
def test_without_partitions_old_days_are_deleted() -> None:
    for offset in (-5, -3, -2, 0):
        make_event("page_view", day=D + timedelta(days=offset), at=time(9), page="pages/home/index")
    assert partitions_maintain(today=D).deleted_rows == 1
    assert BehaviourEvent.objects.count() == 3
