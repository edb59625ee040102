"""Small builders for engine tests and the invariants every quote must satisfy."""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path
from typing import Any

from mall.money import parse_yuan
from marketing.pricing import CartLine, CatalogItem, PricingRequest, Quote, ShopperInfo

CST = timezone(timedelta(hours=8))
AT = datetime(2026, 6, 18, 10, 0, tzinfo=CST)
SCENARIOS = Path(__file__).resolve().parents[3] / "tests" / "scenarios"


def yuan(text: str) -> int:
    return parse_yuan(text)


def rate(text: str) -> Decimal:
    return Decimal(text)


def make_request(
    items: Iterable[tuple[str, str, str, int]],
    *,
    extra_catalog: Iterable[tuple[str, str, str]] = (),
    **kwargs: Any,
) -> PricingRequest:
    """``items`` = (sku, category, list price in yuan, qty); the rest goes to PricingRequest."""
    items = list(items)
    catalog = {sku: CatalogItem(sku=sku, category=cat, price=yuan(price)) for sku, cat, price, _ in items}
    for sku, cat, price in extra_catalog:
        catalog[sku] = CatalogItem(sku=sku, category=cat, price=yuan(price))
    kwargs.setdefault("at", AT)
    kwargs.setdefault("shopper", ShopperInfo())
    return PricingRequest(catalog=catalog, cart=tuple(CartLine(sku, qty) for sku, _, _, qty in items), **kwargs)


def check_invariants(q: Quote) -> None:
    """What every quote promises, whatever the rules: nothing below 0, lines add up, every
    applied amount is exactly what its allocations put on lines."""
    assert q.payable >= 0
    assert sum(line.paid for line in q.lines) == q.payable
    per_rule: dict[str, int] = {}
    for line in q.lines:
        assert line.paid >= 0
        assert line.list_price * line.qty - sum(a.amount for a in line.allocations) == line.paid
        if line.unit_ranges:  # a stepped line: consecutive units, each range at its own price
            ranges = line.unit_ranges
            assert sum(r.qty for r in ranges) == line.qty
            assert all(a.last + 1 == b.first for a, b in itertools.pairwise(ranges))
            assert line.line_price == sum(r.unit_price * r.qty for r in ranges)
            assert line.unit_price == min(r.unit_price for r in ranges)
        else:
            assert line.line_price == line.unit_price * line.qty
        assert all(a.amount > 0 for a in line.allocations)
        if line.is_gift:
            assert line.paid == 0
        for a in line.allocations:
            per_rule[a.rule_id] = per_rule.get(a.rule_id, 0) + a.amount
    for applied in q.applied:
        assert per_rule.get(applied.rule_id, 0) == applied.amount, applied
    assert q.subtotal == sum(line.list_price * line.qty for line in q.lines if not line.is_gift)
    assert q.points_earned == q.payable // 100
    assert q.points_used <= q.points_max
