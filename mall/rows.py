"""One model row by primary key without the ORM's SQL compiler, for reads on every request.

``Model.objects.filter(pk=…).first()`` builds and compiles a query each call: for the
shopper's row behind every signed-in API request that was ~0.55 ms of CPU against ~0.08 ms
for the same SELECT written out once (issue 12, measured in process). :func:`row_by_pk` keeps
what the ORM gives — every concrete column, the backend's and the fields' converters (aware
datetimes, booleans, JSON), an instance made by ``Model.from_db`` (so ``save()`` updates it) —
and only skips building the statement again. Converters are the backend's stateless ones, so
one plan per model and database alias serves every connection of that alias.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from typing import Any, TypeVar

from django.db import connections, models, router

M = TypeVar("M", bound=models.Model)
Converter = Callable[[Any, Any, Any], Any]


@cache
def _plan(model: type[models.Model], alias: str) -> tuple[str, list[str], list[tuple[list[Converter], Any]]]:
    connection = connections[alias]
    quote = connection.ops.quote_name
    fields = model._meta.concrete_fields
    columns = ", ".join(quote(str(field.column)) for field in fields)
    pk_column = quote(str(model._meta.pk.column))  # type: ignore[union-attr]
    sql = f"SELECT {columns} FROM {quote(model._meta.db_table)} WHERE {pk_column} = %s"  # noqa: S608 - names from model metadata, value bound
    converters = []
    for field in fields:
        column = field.get_col(model._meta.db_table)
        converters.append((connection.ops.get_db_converters(column) + field.get_db_converters(connection), column))
    return sql, [field.attname for field in fields], converters


def row_by_pk(model: type[M], pk: int) -> M | None:
    """``model.objects.filter(pk=pk).first()`` in effect (one query), or ``None``."""
    alias = router.db_for_read(model) or "default"
    sql, names, converters = _plan(model, alias)
    connection = connections[alias]
    with connection.cursor() as cursor:
        cursor.execute(sql, [pk])
        row = cursor.fetchone()
    if row is None:
        return None
    values = list(row)
    for i, (field_converters, column) in enumerate(converters):
        for convert in field_converters:
            values[i] = convert(values[i], column, connection)
    return model.from_db(alias, names, values)


@cache
def _where_plan(model: type[models.Model], alias: str, names: tuple[str, ...]) -> str:
    sql = _plan(model, alias)[0].rsplit(" WHERE ", 1)[0]
    quote = connections[alias].ops.quote_name
    columns = {field.attname: field.column for field in model._meta.concrete_fields}
    where = " AND ".join(f"{quote(str(columns[name]))} = %s" for name in names)
    return f"{sql} WHERE {where} LIMIT 1"


def row_by(model: type[M], **lookups: Any) -> M | None:
    """``model.objects.filter(**lookups).first()`` in effect for equality lookups on concrete
    columns (attnames: ``member_id``, not ``member``) that pick at most one row (a unique key);
    one query, the statement written out once per model and columns (issue 12)."""
    alias = router.db_for_read(model) or "default"
    _sql, names, converters = _plan(model, alias)
    columns = tuple(lookups)
    connection = connections[alias]
    with connection.cursor() as cursor:
        cursor.execute(_where_plan(model, alias, columns), [lookups[name] for name in columns])
        row = cursor.fetchone()
    if row is None:
        return None
    values = list(row)
    for i, (field_converters, column) in enumerate(converters):
        for convert in field_converters:
            values[i] = convert(values[i], column, connection)
    return model.from_db(alias, names, values)
