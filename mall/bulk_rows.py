"""Many rows in one statement, without building a model instance per row.

Django's ``bulk_create`` compiles every value of every row through the field machinery, which
costs more than the database itself for tens of thousands of small rows (the lifecycle
journeys write a send, a coupon and a message per shopper). :func:`rows_insert` writes plain
tuples as one multi-row ``INSERT`` per chunk on MariaDB/MySQL — ``IGNORE`` for "once" keys,
``ON DUPLICATE KEY UPDATE`` to fill columns of rows just written, ``RETURNING id`` (MariaDB)
for the new ids — and falls back to ``bulk_create`` on the other backends. Values go through
the field's ``get_db_prep_value`` once per column type, so datetimes are stored as Django
stores them.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import connection, models

CHUNK = 1000


def rows_insert(
    model: type[models.Model],
    fields: Sequence[str],
    rows: Sequence[Sequence[Any]],
    *,
    ignore: bool = False,
    returning: bool = False,
    update: Sequence[str] = (),
) -> list[int]:
    """Insert ``rows`` (tuples in ``fields`` order); returns the new ids when ``returning``."""
    if not rows:
        return []
    if connection.vendor != "mysql" or (returning and not connection.features.can_return_rows_from_bulk_insert):
        return _orm_insert(model, fields, rows, ignore=ignore, returning=returning, update=update)
    opts = model._meta
    meta = [opts.get_field(name) for name in fields]
    quote = connection.ops.quote_name
    columns = ", ".join(quote(_column(model, name)) for name in fields)
    one = "(" + ", ".join(["%s"] * len(fields)) + ")"
    preps = [_Prep(field) for field in meta]
    ids: list[int] = []
    with connection.cursor() as cursor:
        for start in range(0, len(rows), CHUNK):
            chunk = rows[start : start + CHUNK]
            params: list[Any] = []
            for row in chunk:
                params += [prep(value) for prep, value in zip(preps, row, strict=True)]
            sql = f"INSERT {'IGNORE ' if ignore else ''}INTO {quote(opts.db_table)} ({columns}) VALUES "  # noqa: S608 - names from model metadata, values bound
            sql += ", ".join([one] * len(chunk))
            if update:
                sql += " ON DUPLICATE KEY UPDATE " + ", ".join(
                    f"{quote(_column(model, name))} = VALUES({quote(_column(model, name))})" for name in update
                )
            if returning:
                sql += f" RETURNING {quote(_column(model, opts.pk.name))}"
            cursor.execute(sql, params)
            if returning:
                ids += [row[0] for row in cursor.fetchall()]
    return ids


class _Prep:
    """A column's value as the database takes it, each distinct value prepared once (a run
    writes the same few datetimes and kinds into thousands of rows)."""

    def __init__(self, field: Any) -> None:
        self.field = field
        self.seen: dict[Any, Any] = {}

    def __call__(self, value: Any) -> Any:
        if value is None or type(value) is int:
            return value
        try:
            return self.seen[value]
        except KeyError:
            prepared = self.seen[value] = self.field.get_db_prep_value(value, connection, prepared=False)
            return prepared
        except TypeError:  # unhashable (JSON)
            return self.field.get_db_prep_value(value, connection, prepared=False)


def _column(model: type[models.Model], name: str) -> str:
    field = model._meta.get_field(name)
    column = getattr(field, "column", None)
    if not isinstance(column, str):
        raise ValueError(f"{model.__name__}.{name} is not a column")
    return column


def _orm_insert(
    model: type[models.Model],
    fields: Sequence[str],
    rows: Sequence[Sequence[Any]],
    *,
    ignore: bool,
    returning: bool,
    update: Sequence[str],
) -> list[int]:
    objs = [model(**dict(zip(fields, row, strict=True))) for row in rows]
    if update:
        model._default_manager.bulk_update(objs, [name for name in update])
        return []
    created = model._default_manager.bulk_create(objs, ignore_conflicts=ignore)
    return [obj.pk for obj in created] if returning else []
