"""Typed reads from decoded JSON objects, each failure a one-line error naming the field's path
(``cart[0].qty: must be a positive integer``). Used by the scenario reader."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from decimal import Decimal
from typing import Any, TypeVar

from mall.money import Fen, MoneyFormatError, parse_rate, parse_yuan

T = TypeVar("T")


class ScenarioError(ValueError):
    """A scenario file that cannot be read; the message starts with the field's path."""


class Fields:
    """Typed reads from one JSON object; ``close`` refuses keys nobody read (typos)."""

    def __init__(self, data: object, path: str) -> None:
        if not isinstance(data, dict):
            raise ScenarioError(f"{path or 'scenario'}: must be an object")
        self.data: dict[str, Any] = data
        self.path = path
        self.read: set[str] = set()

    def where(self, key: str) -> str:
        return f"{self.path}.{key}" if self.path else key

    def fail(self, key: str, problem: str) -> ScenarioError:
        return ScenarioError(f"{self.where(key)}: {problem}")

    def has(self, key: str) -> bool:
        self.read.add(key)
        return self.data.get(key) is not None

    def raw(self, key: str, required: bool) -> Any:
        self.read.add(key)
        value = self.data.get(key)
        if value is None and required:
            raise self.fail(key, "is required")
        return value

    def text(self, key: str) -> str:
        value = self.raw(key, True)
        if not isinstance(value, str) or not value.strip():
            raise self.fail(key, "must be a non-empty string")
        return value

    def money(self, key: str, *, positive: bool = False) -> Fen:
        value = self.raw(key, True)
        try:
            fen = parse_yuan(value)
        except MoneyFormatError as exc:
            raise self.fail(key, str(exc)) from None
        if fen < 0 or (positive and fen == 0):
            raise self.fail(key, "must be more than 0" if positive else "must not be negative")
        return fen

    def rate(self, key: str) -> Decimal:
        value = self.raw(key, True)
        if not isinstance(value, str | int) or isinstance(value, bool):
            raise self.fail(key, "must be a rate string like '0.8'")
        try:
            return parse_rate(str(value))
        except MoneyFormatError as exc:
            raise self.fail(key, str(exc)) from None

    def integer(self, key: str, *, minimum: int, default: int | None = None) -> int:
        value = self.raw(key, default is None)
        if value is None:
            return default if default is not None else minimum
        if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
            kind = "a positive integer" if minimum == 1 else f"an integer >= {minimum}"
            raise self.fail(key, f"must be {kind}")
        return value

    def flag(self, key: str, default: bool = False) -> bool:
        value = self.raw(key, False)
        if value is None:
            return default
        if not isinstance(value, bool):
            raise self.fail(key, "must be true or false")
        return value

    def moment(self, key: str) -> datetime | None:
        value = self.raw(key, False)
        if value is None:
            return None
        try:
            moment = datetime.fromisoformat(value) if isinstance(value, str) else None
        except ValueError:
            moment = None
        if moment is None or moment.tzinfo is None:
            raise self.fail(key, "must be an ISO 8601 date-time with a UTC offset, e.g. 2026-06-18T10:00:00+08:00")
        return moment

    def items(self, key: str, parse: Callable[[Any, str], T], *, required: bool = False) -> list[T]:
        value = self.raw(key, required)
        if value is None:
            return []
        if not isinstance(value, list):
            raise self.fail(key, "must be a list")
        return [parse(item, f"{self.where(key)}[{i}]") for i, item in enumerate(value)]

    def strings(self, key: str) -> list[str]:
        def one(item: Any, where: str) -> str:
            if not isinstance(item, str) or not item:
                raise ScenarioError(f"{where}: must be a non-empty string")
            return item

        return self.items(key, one)

    def close(self, kind: str = "") -> None:
        for key in self.data:
            if key not in self.read:
                raise self.fail(key, f"unknown field for {kind}" if kind else "unknown field")
