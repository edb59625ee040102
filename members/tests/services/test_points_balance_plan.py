"""The points balance is read from the (member, delta) index alone, never row by row (issue 12).

Every checkout preview and placement sums the shopper's ledger. Read through the unique key
(member, reason, ref), each entry cost a row lookup: a 2,000-entry ledger spread among other
shoppers' rows cost a preview ≈ 1.26 ms more of MariaDB's CPU (`make bench-request-cpu`'s
``preview_ledger``), ≈ 0.28 ms once the sum reads ``points_member_balance_idx`` alone. These
tests ask the database's own planner, on whichever backend the suite runs.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from marketing.selectors.pricing_fetch import _shopper_state_sql
from members.models import Member, PointsEntry
from members.selectors.points import points_balance
from members.tests.factories import MemberFactory
from orders.models import OrderStatus

pytestmark = pytest.mark.django_db

INDEX = "points_member_balance_idx"


def _ledger() -> Member:
    """A shopper whose check-ins lie among two neighbours' (as a shop's table holds them)."""
    loyal, *neighbours = MemberFactory.create_batch(3)
    PointsEntry.objects.bulk_create(
        PointsEntry(member=who, delta=5, reason=PointsEntry.Reason.CHECKIN, ref=f"checkin:{day}")
        for day in range(60)
        for who in (loyal, *neighbours)
    )
    return loyal


def _ledger_plan(sql: str, params: list[Any]) -> list[str]:
    """How the planner reads ``members_pointsentry`` for ``sql``: one description per access."""
    table = PointsEntry._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "mysql":
            cursor.execute(f"EXPLAIN {sql}", params)
            names = [column[0] for column in cursor.description]
            rows = [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
            return [f"key={row['key']} extra={row['Extra']}" for row in rows if row["table"] in ("p", table)]
        cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
        return [row[-1] for row in cursor.fetchall() if f" {table} " in f" {row[-1]} " or " p " in f" {row[-1]} "]


def _reads_the_index_alone(plan: list[str]) -> bool:
    if connection.vendor == "mysql":
        return plan == [f"key={INDEX} extra=Using index"]
    return len(plan) == 1 and f"COVERING INDEX {INDEX}" in plan[0]


def test_the_quote_sums_the_ledger_from_its_index() -> None:
    loyal = _ledger()
    plan = _ledger_plan(_shopper_state_sql(), [OrderStatus.CANCELLED.value, loyal.pk])
    assert _reads_the_index_alone(plan), plan


def test_the_balance_read_sums_the_ledger_from_its_index() -> None:
    loyal = _ledger()
    with CaptureQueriesContext(connection) as queries:
        assert points_balance(member_id=loyal.pk) == 300
    (query,) = queries.captured_queries
    plan = _ledger_plan(query["sql"], [])
    assert _reads_the_index_alone(plan), plan
