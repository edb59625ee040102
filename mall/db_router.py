"""Reporting reads on a replica: the ``replica`` database alias and the router that guards it.

When ``DATABASE_REPLICA_URL`` is set (settings), Django has a second alias, ``replica``: a
MariaDB replicating from the primary (``DATABASE_URL``). Only queries that ask for it go
there — reporting selectors write ``.using(reporting_alias())`` on their querysets (or open
``connections[reporting_alias()]`` for raw SQL). Without the setting ``reporting_alias()`` is
``"default"``, so the same code runs unchanged on one database.

What goes to the replica, and what never does:

* **Reporting reads only** — figures a person looks at where a few seconds of replication lag
  do not matter (the console's dashboard, analytics reports, exports of history). Never a read
  that decides a write (stock, quota, a balance, "is this order paid?"): those stay on
  ``default`` inside their transaction, as every service does.
* **Writes always go to ``default``** (:meth:`PrimaryReplicaRouter.db_for_write`), even for an
  object that was read from the replica; the replica's connection is also opened read-only,
  so a write sent there by hand fails loudly instead of diverging from the primary.
* **Ordinary reads stay on ``default``**: the router sends nothing to the replica by itself,
  so a shopper never misses the row they have just written.
* **Migrations never run on the replica** (:meth:`PrimaryReplicaRouter.allow_migrate`): it gets
  the schema from the primary through replication.

For data engineers — a new report selector::

    from mall.db_router import reporting_alias

    def sales_by_day(...):
        return Order.objects.using(reporting_alias()).filter(...).aggregate(...)

    # raw SQL
    with connections[reporting_alias()].cursor() as cursor:
        cursor.execute("SELECT ...")
"""

from __future__ import annotations

from typing import Any, TypeVar

from django.db import connections
from django.db.models import Model, QuerySet

DEFAULT = "default"
REPLICA = "replica"

M = TypeVar("M", bound=Model)


def replica_configured() -> bool:
    return REPLICA in connections.settings


def reporting_alias() -> str:
    """The alias reporting reads use: ``replica`` when configured, else the primary."""
    return REPLICA if replica_configured() else DEFAULT


def reporting(queryset: QuerySet[M]) -> QuerySet[M]:
    """``queryset`` read from the reporting database (see :func:`reporting_alias`)."""
    return queryset.using(reporting_alias())


class PrimaryReplicaRouter:
    """Writes and migrations on ``default``; reads on ``default`` unless a query asked for the replica."""

    def db_for_read(self, model: type[Model], **hints: Any) -> str | None:
        # A related object of a row read from the replica is read from the replica too
        # (one consistent snapshot for a report); anything else stays on the primary.
        instance = hints.get("instance")
        if instance is not None and getattr(instance._state, "db", None) == REPLICA and replica_configured():
            return REPLICA
        return DEFAULT

    def db_for_write(self, model: type[Model], **hints: Any) -> str:
        return DEFAULT

    def allow_relation(self, obj1: Model, obj2: Model, **hints: Any) -> bool | None:
        # Both aliases hold the same data: relations between their rows are fine.
        if {obj1._state.db, obj2._state.db} <= {DEFAULT, REPLICA}:
            return True
        return None

    def allow_migrate(self, db: str, app_label: str, model_name: str | None = None, **hints: Any) -> bool | None:
        return db != REPLICA
