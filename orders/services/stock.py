"""Stock reservation: guarded conditional UPDATEs in SKU-id order, never read-then-write.

Reserving takes each SKU row's lock in ascending id order, so two orders sharing SKUs can
never deadlock; the WHERE ``stock >= n`` guard (and the CHECK constraint behind it) means stock
cannot go negative however many shoppers race. Callers run inside their own transaction so a
refusal part-way rolls back what was already taken.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from django.db import transaction
from django.db.models import F

from mall.models import Product, Sku
from orders.errors import StockInsufficient


def _merged(items: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    """Sum quantities per SKU and sort by SKU id (the one lock order of the project)."""
    totals: dict[int, int] = defaultdict(int)
    for sku_id, qty in items:
        totals[sku_id] += qty
    return sorted((sku_id, qty) for sku_id, qty in totals.items() if qty > 0)


@transaction.atomic
def stock_reserve(*, items: Iterable[tuple[int, int]]) -> None:
    """Take ``qty`` units of each SKU or nothing at all (raises ``stock_insufficient``)."""
    for sku_id, qty in _merged(items):
        updated = Sku.objects.filter(pk=sku_id, stock__gte=qty).update(stock=F("stock") - qty)
        if not updated:
            available = Sku.objects.filter(pk=sku_id).values_list("stock", flat=True).first() or 0
            raise StockInsufficient(details={"sku_id": sku_id, "requested": qty, "available": available})


@transaction.atomic
def stock_release(*, items: Iterable[tuple[int, int]]) -> None:
    """Give reserved units back; callers guarantee each reservation is released once."""
    for sku_id, qty in _merged(items):
        Sku.objects.filter(pk=sku_id).update(stock=F("stock") + qty)


@transaction.atomic
def sales_count_add(*, items: Iterable[tuple[int, int, int]]) -> None:
    """Count paid units on SKUs and their products (``(sku_id, product_id, qty)``), in id order."""
    items = list(items)
    for sku_id, qty in _merged((sku_id, qty) for sku_id, _product_id, qty in items):
        Sku.objects.filter(pk=sku_id).update(sales_count=F("sales_count") + qty)
    for product_id, qty in _merged((product_id, qty) for _sku_id, product_id, qty in items):
        Product.objects.filter(pk=product_id).update(sales_count=F("sales_count") + qty)
