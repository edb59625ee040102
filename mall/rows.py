"""One model row by primary key without the ORM's SQL compiler, for reads on every request.

``Model.objects.filter(pk=…).first()`` builds and compiles a query each call: for the
shopper's row behind every signed-in API request that was ~0.55 ms of CPU against ~0.08 ms
for the same SELECT written out once (issue 12, measured in process). :func:`row_by_pk` keeps
what the ORM gives — every concrete column, the backend's and the fields' converters (aware
datetimes, booleans, JSON), an instance as ``Model.from_db`` makes it (so ``save()`` updates it) —
and only skips building the statement again. Converters are the backend's stateless ones, so
one plan per model and database alias serves every connection of that alias.

:func:`rows_with_related` does the same for ``select_related`` over one non-null foreign key
filtered by ``IN`` lists: checkout's SKU-with-product read (issue 12) spent ~0.5 ms of CPU per
request compiling the ORM's statement (``get_select``, ``get_related_selections``,
``_order_by_pairs``) against ~0.1 ms for the written-out one.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any, TypeVar, cast

from django.db import connections, models, router
from django.db.backends.base.operations import BaseDatabaseOperations
from django.db.models import signals
from django.db.models.base import ModelState
from django.db.models.fields.files import FileDescriptor, ImageFileDescriptor
from django.db.models.fields.related_descriptors import ForeignKeyDeferredAttribute
from django.db.models.query_utils import DeferredAttribute

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
    return _one(model, alias, _plan(model, alias)[0], [pk])


def _one(model: type[M], alias: str, sql: str, params: list[Any]) -> M | None:
    """The row ``sql`` (every concrete column, in ``_plan``'s order) selects, as an instance, or None."""
    connection = connections[alias]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    return None if row is None else instance_from_row(model, alias, row)


def instance_from_row(model: type[M], alias: str, row: Sequence[Any]) -> M:
    """An instance of ``model`` from a row whose first columns are :func:`model_columns`' (the rest
    is ignored): the columns through their converters, as :func:`row_by_pk` reads it."""
    _sql, names, converters = _plan(model, alias)
    connection = connections[alias]
    values = list(row[: len(names)])
    for i, (field_converters, column) in enumerate(converters):
        for convert in field_converters:
            values[i] = convert(values[i], column, connection)
    return _maker(model)(alias, names, values)


def model_columns(model: type[models.Model], alias: str, table: str) -> list[str]:
    """Every concrete column of ``model`` qualified by ``table`` (an alias in the caller's SQL), in
    the order :func:`instance_from_row` reads them: for a statement that reads more than the row."""
    return _columns(model, alias, table)[0]


def _columns(
    model: type[models.Model], alias: str, table: str, only: frozenset[str] | None = None
) -> tuple[list[str], list[str], list[tuple[list[Converter], Any]]]:
    """The model's concrete columns qualified by ``table`` (``only``: those attnames and the
    primary key), their attnames and converters."""
    connection = connections[alias]
    quote = connection.ops.quote_name
    fields = [f for f in model._meta.concrete_fields if only is None or f.primary_key or f.attname in only]
    columns = [f"{quote(table)}.{quote(str(field.column))}" for field in fields]
    converters = []
    for field in fields:
        column = field.get_col(table)
        converters.append((connection.ops.get_db_converters(column) + field.get_db_converters(connection), column))
    return columns, [field.attname for field in fields], converters


@dataclass(frozen=True)
class _JoinedPlan:
    """A written-out ``select_related`` read: the statement up to its WHERE, the columns to
    filter on, and how a row becomes both instances."""

    sql: str
    fk: Any
    target: type[models.Model]
    names: list[str]
    target_names: list[str]
    converting: list[tuple[int, list[Converter], Any]]  # (position, converters, column)
    where: dict[str, tuple[str, Any]]  # name in ``any_of`` -> (qualified column, field)
    order_by: str


@cache
def _joined_plan(
    model: type[models.Model],
    related: str,
    alias: str,
    only: frozenset[str] | None = None,
    only_related: frozenset[str] | None = None,
) -> _JoinedPlan:
    """``SELECT <model's columns>, <related's columns> FROM model INNER JOIN related`` and how to
    turn a row into both instances (the ORM's ``select_related`` for a non-null foreign key)."""
    fk = model._meta.get_field(related)
    if not isinstance(fk, models.ForeignKey) or fk.null:
        raise TypeError(f"{model.__name__}.{related} is not a non-null foreign key")
    target: type[models.Model] = fk.related_model  # type: ignore[assignment]
    quote = connections[alias].ops.quote_name
    table, target_table = model._meta.db_table, target._meta.db_table
    if only is not None:
        only = only | {fk.attname}  # the join's own column, and what ``sku.product_id`` reads
    columns, names, converters = _columns(model, alias, table, only)
    target_columns, target_names, target_converters = _columns(target, alias, target_table, only_related)
    target_pk = quote(str(target._meta.pk.column))  # type: ignore[union-attr]
    sql = (
        f"SELECT {', '.join(columns + target_columns)} FROM {quote(table)}"  # noqa: S608 - names from metadata
        f" INNER JOIN {quote(target_table)}"
        f" ON ({quote(table)}.{quote(str(fk.column))} = {quote(target_table)}.{target_pk})"
    )
    # only the columns that have converters (JSON, booleans, aware datetimes), by position
    converting = [(i, fns, column) for i, (fns, column) in enumerate(converters + target_converters) if fns]
    where = {}
    for field in model._meta.concrete_fields:
        column = f"{quote(table)}.{quote(str(field.column))}"
        where[field.name] = where[field.attname] = (column, field)
        if field.primary_key:
            where["pk"] = (column, field)
    order_by = f" ORDER BY {quote(table)}.{quote(str(model._meta.pk.column))} ASC"  # type: ignore[union-attr]
    return _JoinedPlan(sql, fk, target, names, target_names, converting, where, order_by)


@dataclass(frozen=True)
class RelatedRead:
    """A written-out ``select_related`` read (:func:`related_read`): its statement and parameters,
    and how the rows it returns become instances, wherever it is sent (alone by
    :func:`rows_with_related`, or in a round trip with other statements)."""

    sql: str
    params: list[Any]
    alias: str
    plan: _JoinedPlan
    model: type[models.Model]

    def instances(self, rows: Sequence[Sequence[Any]]) -> list[Any]:
        """The rows as instances of the model, each with its related row cached as the ORM does."""
        plan, alias = self.plan, self.alias
        connection = connections[alias]
        names, target_names, converting = plan.names, plan.target_names, plan.converting
        split = len(names)
        make, make_target = _maker(self.model), _maker(plan.target)
        cache_name = plan.fk.cache_name
        result: list[Any] = []
        for row in rows:
            values = list(row)
            for i, field_converters, column in converting:
                for convert in field_converters:
                    values[i] = convert(values[i], column, connection)
            instance = make(alias, names, values[:split])
            instance._state.fields_cache[cache_name] = make_target(alias, target_names, values[split:])
            result.append(instance)
        return result


def related_read(
    model: type[models.Model],
    related: str,
    any_of: Mapping[str, Sequence[Any]],
    *,
    only: Collection[str] | None = None,
    only_related: Collection[str] | None = None,
) -> RelatedRead | None:
    """The read :func:`rows_with_related` makes, not sent (None when every list is empty)."""
    alias = router.db_for_read(model) or "default"
    plan = _joined_plan(
        model,
        related,
        alias,
        None if only is None else frozenset(only),
        None if only_related is None else frozenset(only_related),
    )
    connection = connections[alias]
    conditions: list[str] = []
    params: list[Any] = []
    for name, values in any_of.items():
        column, field = plan.where[name]
        wanted = list(dict.fromkeys(values))
        if not wanted:
            continue
        conditions.append(f"{column} IN ({', '.join(['%s'] * len(wanted))})")
        params += [field.get_db_prep_value(value, connection) for value in wanted]
    if not conditions:
        return None
    where = conditions[0] if len(conditions) == 1 else f"({' OR '.join(conditions)})"
    return RelatedRead(f"{plan.sql} WHERE {where}{plan.order_by}", params, alias, plan, model)


def rows_with_related(
    model: type[M],
    related: str,
    any_of: Mapping[str, Sequence[Any]],
    *,
    only: Collection[str] | None = None,
    only_related: Collection[str] | None = None,
) -> list[M]:
    """``model.objects.select_related(related).filter(Q(a__in=…) | Q(b__in=…)).order_by("pk")`` in
    effect (one query; none when every list is empty): the rows whose field (a name in
    ``any_of``) is one of its values, each with its ``related`` row cached as the ORM caches it.
    ``only`` / ``only_related``: read just these attnames (and the keys) of each, as
    ``.only()`` does: any other column is deferred and a read of it loads it (a query)."""
    read = related_read(model, related, any_of, only=only, only_related=only_related)
    if read is None:
        return []
    with connections[read.alias].cursor() as cursor:
        cursor.execute(read.sql, read.params)
        rows = cursor.fetchall()
    return cast(list[M], read.instances(rows))


@cache
def _plain_attributes(model: type[models.Model]) -> bool:
    """Django's own ``__init__`` and ``from_db``, and every column's attribute one that a fresh
    instance may hold in ``__dict__`` directly (what their ``__set__`` does when nothing is cached)."""
    if model.__init__ is not models.Model.__init__:
        return False
    if getattr(model.from_db, "__func__", None) is not models.Model.from_db.__func__:  # type: ignore[attr-defined]
        return False
    for field in model._meta.concrete_fields:
        descriptor = type(inspect.getattr_static(model, field.attname, None))
        if descriptor is ImageFileDescriptor and (field.width_field or field.height_field):  # type: ignore[attr-defined]
            return False  # its __set__ updates the dimension fields
        if descriptor not in _PLAIN_DESCRIPTORS:
            return False
    return True


_PLAIN_DESCRIPTORS = (DeferredAttribute, ForeignKeyDeferredAttribute, FileDescriptor, ImageFileDescriptor)


def _maker(model: type[M]) -> Callable[[str, list[str], list[Any]], M]:
    """``model.from_db`` for a row of every concrete column, or the same instance built without
    ``Model.__init__`` when nothing could tell (Django's own ``from_db`` and ``__init__``, no
    ``pre_init``/``post_init`` receiver for the model): ``__init__`` only sets each attname in
    turn and sends those two signals, and was a quarter of the SKU read's CPU (issue 12)."""
    if not _plain_attributes(model) or signals.pre_init.has_listeners(model) or signals.post_init.has_listeners(model):
        return model.from_db

    def make(alias: str, names: list[str], values: list[Any]) -> M:
        instance = model.__new__(model)
        instance.__dict__.update(zip(names, values, strict=True))
        state = instance._state = ModelState()
        state.adding = False
        state.db = alias
        return instance

    return make


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
    columns = tuple(lookups)
    return _one(model, alias, _where_plan(model, alias, columns), [lookups[name] for name in columns])


@cache
def _insert_plan(model: type[models.Model], alias: str, count: int) -> tuple[str, list[models.Field[Any, Any]]]:
    """``INSERT INTO t (<every concrete column but the auto key>) VALUES (…), … RETURNING key``
    for ``count`` rows, and the fields in column order."""
    connection = connections[alias]
    quote = connection.ops.quote_name
    pk = model._meta.pk
    fields = [field for field in model._meta.concrete_fields if field is not pk or not isinstance(pk, models.AutoField)]
    row = f"({', '.join(['%s'] * len(fields))})"
    sql = (
        f"INSERT INTO {quote(model._meta.db_table)} ({', '.join(quote(str(field.column)) for field in fields)})"  # noqa: S608 - names from model metadata, values bound
        f" VALUES {', '.join([row] * count)} RETURNING {quote(str(pk.column))}"  # type: ignore[union-attr]
    )
    return sql, fields


_UNSET = object()
_FIELDS = models.fields
_INTEGER = (_FIELDS.Field.get_db_prep_save, _FIELDS.IntegerField.get_db_prep_value, _FIELDS.IntegerField.get_prep_value)
_AUTO = (_FIELDS.Field.get_db_prep_save, _FIELDS.AutoFieldMixin.get_db_prep_value, _FIELDS.IntegerField.get_prep_value)
_FOREIGN = (models.ForeignKey.get_db_prep_save, models.ForeignKey.get_db_prep_value, models.ForeignKey.get_prep_value)
_AS_IS: dict[tuple[Any, Any, Any], type] = {
    (_FIELDS.Field.get_db_prep_save, _FIELDS.Field.get_db_prep_value, _FIELDS.CharField.get_prep_value): str,
    (_FIELDS.Field.get_db_prep_save, _FIELDS.Field.get_db_prep_value, _FIELDS.TextField.get_prep_value): str,
    (_FIELDS.Field.get_db_prep_save, _FIELDS.Field.get_db_prep_value, _FIELDS.BooleanField.get_prep_value): bool,
    _INTEGER: int,
    # a datetime goes through the field (made naive in the connection's zone); None is None
    (_FIELDS.Field.get_db_prep_save, _FIELDS.DateTimeField.get_db_prep_value, _FIELDS.DateTimeField.get_prep_value): (
        type(None)
    ),
}


def _methods(field: models.Field[Any, Any]) -> tuple[Any, Any, Any]:
    kind = type(field)
    return kind.get_db_prep_save, kind.get_db_prep_value, kind.get_prep_value


def _as_is(field: models.Field[Any, Any], connection: Any) -> tuple[type | None, bool]:
    """The one Python type whose values Django's own ``pre_save`` and ``get_db_prep_save`` give
    back unchanged for ``field`` (None too), and whether only positive ones do: integers of
    integer fields, text of char and text fields, booleans, the positive ids of a foreign key to
    an integer key (a key refuses 0 on MySQL), of a datetime field only None. Only Django's own
    methods qualify, and only on a backend whose integer adaptation does nothing; anything else
    goes through the field."""
    if type(field).pre_save is not _FIELDS.Field.pre_save:
        return None, False
    if type(connection.ops).adapt_integerfield_value is not BaseDatabaseOperations.adapt_integerfield_value:
        return None, False
    methods = _methods(field)
    if isinstance(field, models.ForeignKey):
        target = _methods(field.target_field)
        return (int, True) if methods == _FOREIGN and target in (_INTEGER, _AUTO) else (None, False)
    return _AS_IS.get(methods), False


@cache
def _plain_values(model: type[models.Model], alias: str) -> list[tuple[str, type | None, bool]]:
    """Per insert column (``_insert_plan``'s order): its attname and :func:`_as_is`."""
    connection = connections[alias]
    _sql, fields = _insert_plan(model, alias, 1)
    return [(str(field.attname), *_as_is(field, connection)) for field in fields]


def _insert_params(objs: Sequence[models.Model], alias: str) -> list[Any]:
    """Every insert column's value of each instance, as ``field.get_db_prep_save(field.pre_save(obj,
    True))`` gives it; a value :func:`_as_is` names is taken as it is (issue 12: ~2 µs a column,
    a hundred columns a placement)."""
    model = type(objs[0])
    connection = connections[alias]
    _sql, fields = _insert_plan(model, alias, 1)
    plain = _plain_values(model, alias)
    params: list[Any] = []
    for obj in objs:
        obj._prepare_related_fields_for_save(operation_name="rows_insert")  # type: ignore[attr-defined]
        values = obj.__dict__
        for field, (attname, kind, positive) in zip(fields, plain, strict=True):
            value: Any = values.get(attname, _UNSET) if kind is not None else _UNSET
            if value is None or (type(value) is kind and (not positive or cast(int, value) > 0)):
                params.append(value)
            else:
                params.append(field.get_db_prep_save(field.pre_save(obj, True), connection))
    return params


def rows_insert(objs: Sequence[M]) -> list[M]:
    """``Model.objects.bulk_create(objs)`` in effect for new instances of one plain model with an
    auto primary key (one statement; every instance gets its id, as MariaDB hands them back),
    the statement written out once per model and row count (issue 12: the ORM's insert compiler
    and ``save()`` path were ~1 ms of a placement's CPU for its order, lines, usage and event).
    Each field's value is what the ORM would write (``pre_save`` fills ``auto_now_add``,
    ``get_db_prep_save`` adapts JSON and datetimes). Like ``bulk_create`` it sends no
    ``pre_save``/``post_save``; :func:`row_create` is the ``create()`` counterpart that falls
    back to the ORM when a receiver listens. A backend that cannot return the keys of a
    multi-row insert gets ``bulk_create`` itself."""
    if not objs:
        return []
    model = type(objs[0])
    alias = router.db_for_write(model) or "default"
    connection = connections[alias]
    if not connection.features.can_return_rows_from_bulk_insert:
        return model.objects.using(alias).bulk_create(objs)  # type: ignore[attr-defined,no-any-return]
    sql, _fields = _insert_plan(model, alias, len(objs))
    params = _insert_params(objs, alias)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        ids = [row[0] for row in cursor.fetchall()]
    for obj, pk in zip(objs, ids, strict=True):
        obj.pk = pk
        obj._state.adding = False
        obj._state.db = alias
    return list(objs)


def row_create(model: type[M], **values: Any) -> M:
    """``model.objects.create(**values)`` in effect for a plain model with an auto primary key:
    through :func:`rows_insert` unless a ``pre_save``/``post_save`` receiver listens for the
    model (then the ORM's own ``create()``, so the receiver runs)."""
    if signals.pre_save.has_listeners(model) or signals.post_save.has_listeners(model):
        return model.objects.create(**values)  # type: ignore[attr-defined,no-any-return]
    return rows_insert([model(**values)])[0]
