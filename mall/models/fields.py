"""The one declaration of an identifier column: compared exactly, byte for byte.

openids, order / refund / trade numbers, transaction ids, invite and promoter codes, share
tokens, idempotency keys and device ids are identifiers: "P2612…", "p2612…" and "P2612… " are
three different values. MySQL/MariaDB's default collations (``utf8mb4_unicode_ci``,
``utf8mb4_general_ci``) ignore case and trailing spaces, so a lookup or a unique index on such a
column would treat them as one. An ``IdentifierField`` asks each backend for a collation that
is exact for both (MariaDB ``utf8mb4_nopad_bin``; MySQL 8 ``utf8mb4_0900_bin``); SQLite's and
PostgreSQL's defaults are already exact. The collation is chosen when the schema is written, so
one migration serves every backend. Any new identifier column should be an ``IdentifierField``.

The case-insensitive lookups (``iexact``, ``icontains``, …; the console's search boxes use
``icontains``) stay case-insensitive on MySQL/MariaDB by comparing upper-cased values, since
there ``LIKE`` follows the column's collation.
"""

from __future__ import annotations

from typing import Any

from django.db import models
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import lookups
from django.db.models.sql.compiler import SQLCompiler

# PAD SPACE collations (MariaDB's and MySQL 5.7's utf8mb4_bin) still ignore trailing spaces.
MARIADB_IDENTIFIER_COLLATION = "utf8mb4_nopad_bin"
MYSQL_IDENTIFIER_COLLATION = "utf8mb4_0900_bin"


def identifier_collation(connection: BaseDatabaseWrapper) -> str | None:
    """The backend's exact (case- and trailing-space-sensitive) collation; None = its default is exact."""
    if connection.vendor != "mysql":
        return None
    if getattr(connection, "mysql_is_mariadb", False):
        return MARIADB_IDENTIFIER_COLLATION
    return MYSQL_IDENTIFIER_COLLATION


class IdentifierField(models.CharField):
    """A CharField whose column compares exactly on every backend (see the module docstring)."""

    description = "Identifier (exact comparison)"

    def db_parameters(self, connection: BaseDatabaseWrapper) -> dict[str, Any]:
        params = super().db_parameters(connection)
        if self.db_collation is None:
            params["collation"] = identifier_collation(connection)
        return params


class _UpperOnMySQL:
    """On MySQL ``LIKE`` follows the column's binary collation: compare upper-cased values."""

    def as_mysql(self, compiler: SQLCompiler, connection: BaseDatabaseWrapper) -> tuple[str, list[Any]]:
        lookup: Any = self
        if not lookup.rhs_is_direct_value():
            return lookup.as_sql(compiler, connection)
        lhs_sql, lhs_params = lookup.process_lhs(compiler, connection)
        rhs_sql, rhs_params = lookup.process_rhs(compiler, connection)
        return f"UPPER({lhs_sql}) LIKE UPPER({rhs_sql})", [*lhs_params, *rhs_params]


@IdentifierField.register_lookup
class IdentifierIExact(_UpperOnMySQL, lookups.IExact):
    pass


@IdentifierField.register_lookup
class IdentifierIContains(_UpperOnMySQL, lookups.IContains):
    pass


@IdentifierField.register_lookup
class IdentifierIStartsWith(_UpperOnMySQL, lookups.IStartsWith):
    pass


@IdentifierField.register_lookup
class IdentifierIEndsWith(_UpperOnMySQL, lookups.IEndsWith):
    pass
