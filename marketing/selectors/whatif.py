"""What-if replay (B01): load the last N days of paid baskets and the rule sets for the engine.

Baskets stream from the database in chunks by primary key (two queries per chunk, a few
thousand rows held at a time), so replaying 100,000 orders keeps memory flat. The pure part
is :mod:`marketing.pricing.replay`; this module only fills its inputs and words the result.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from mall.models import Category, Sku
from mall.money import Fen, format_yuan
from marketing.pricing import CartLine, CatalogItem, Scope
from marketing.pricing import Promotion as PromotionSpec
from marketing.pricing.replay import SAVING_EDGES, Basket, Replayer, ReplayTotals, replay, timeless
from marketing.selectors.pricing_rules import descendants, pricing_rules_load
from orders.models import Order, OrderLine, OrderStatus

CHUNK = 2000
NEW_RULE_ID = "whatif:new"
PAID_STATUSES = (
    OrderStatus.PAID,
    OrderStatus.SHIPPED,
    OrderStatus.DELIVERED,
    OrderStatus.COMPLETED,
    OrderStatus.REFUNDING,
    OrderStatus.REFUNDED,
)


@dataclass(frozen=True)
class Catalogue:
    """Every SKU as the engine sees it (category = the category's pk as text), with unit costs."""

    items: Mapping[str, CatalogItem]
    costs: Mapping[str, Fen | None]
    codes: Mapping[int, str]  # sku pk -> code (order lines point at the pk)


def whatif_catalogue() -> Catalogue:
    """One query for the whole catalogue, retired SKUs included (old orders may hold them)."""
    items: dict[str, CatalogItem] = {}
    costs: dict[str, Fen | None] = {}
    codes: dict[int, str] = {}
    rows = Sku.objects.values_list("pk", "code", "price", "cost_price", "product__category_id")
    for pk, code, price, cost, category_id in rows.iterator(chunk_size=5000):
        items[code] = CatalogItem(sku=code, category=str(category_id), price=price)
        costs[code] = cost
        codes[pk] = code
    return Catalogue(items=items, costs=costs, codes=codes)


def whatif_window(*, days: int, now: dt.datetime | None = None) -> tuple[dt.datetime, dt.datetime]:
    """The last ``days`` whole Shanghai days before today (today is not over yet)."""
    now = timezone.localtime(now or timezone.now())
    end = now.replace(hour=0, minute=0, second=0, microsecond=0)
    return end - dt.timedelta(days=days), end


def _paid(since: dt.datetime, until: dt.datetime) -> Q:
    return Q(paid_at__gte=since, paid_at__lt=until, status__in=PAID_STATUSES)


def whatif_order_count(*, since: dt.datetime, until: dt.datetime) -> int:
    return Order.objects.filter(_paid(since, until)).count()


def whatif_baskets(
    *,
    since: dt.datetime,
    until: dt.datetime,
    codes: Mapping[int, str],
    chunk: int = CHUNK,
    on_chunk: Callable[[int], None] | None = None,
) -> Iterator[Basket]:
    """The paid orders of the window as baskets, oldest id first; gifts are left out (the rules
    under test decide the gifts). ``on_chunk`` hears how many orders have been read so far."""
    last, read = 0, 0
    while True:
        heads = list(
            Order.objects.filter(_paid(since, until), pk__gt=last)
            .order_by("pk")
            .values_list("pk", "member__tier")[:chunk]
        )
        if not heads:
            return
        last = heads[-1][0]
        lines: dict[int, dict[str, int]] = {}
        rows = OrderLine.objects.filter(order_id__gte=heads[0][0], order_id__lte=last, is_gift=False)
        for order_id, sku_id, qty in rows.values_list("order_id", "sku_id", "qty"):
            code = codes.get(sku_id)
            if code is not None:
                basket = lines.setdefault(order_id, {})
                basket[code] = basket.get(code, 0) + qty
        for pk, tier in heads:
            bought = lines.get(pk)
            if bought:
                yield Basket(
                    tier=tier or "normal", lines=tuple(CartLine(sku, qty) for sku, qty in sorted(bought.items()))
                )
        read += len(heads)
        if on_chunk is not None:
            on_chunk(read)


def whatif_scope(*, category_ids: Sequence[int], sku_ids: Sequence[int], exclude_sku_ids: Sequence[int]) -> Scope:
    """A promotion form's scope in engine terms (categories with their sub-categories, SKU codes)."""
    parent: dict[int, int | None] = dict(Category.objects.values_list("pk", "parent_id"))
    wanted = set(sku_ids) | set(exclude_sku_ids)
    code_of = dict(Sku.objects.filter(pk__in=wanted).values_list("pk", "code")) if wanted else {}
    categories = descendants(set(category_ids), parent)
    return Scope(
        categories=frozenset(str(pk) for pk in categories) or None,
        skus=frozenset(code_of[pk] for pk in sku_ids if pk in code_of) or None,
        exclude_skus=frozenset(code_of[pk] for pk in exclude_sku_ids if pk in code_of),
    )


def category_scope_by_name(scope: Scope) -> Scope:
    """A scenario file's scope names categories (美妆); the shop's rules speak category pks."""
    if scope.categories is None:
        return scope
    tree = list(Category.objects.values_list("pk", "parent_id", "name"))
    by_name: dict[str, set[int]] = {}
    for pk, _parent, name in tree:
        by_name.setdefault(name, set()).add(pk)
    unknown = sorted(name for name in scope.categories if name not in by_name and not name.isdigit())
    if unknown:
        raise ValueError(f"scope.categories: no category named {', '.join(unknown)}")
    chosen = {pk for name in scope.categories for pk in by_name.get(name, {int(name)} if name.isdigit() else set())}
    parent = {pk: parent_id for pk, parent_id, _name in tree}
    return Scope(
        categories=frozenset(str(pk) for pk in descendants(chosen, parent)),
        skus=scope.skus,
        exclude_skus=scope.exclude_skus,
    )


@dataclass(frozen=True)
class WhatIf:
    """A replay's figures (money in fen) and the window it covered."""

    since: dt.datetime
    until: dt.datetime
    days: int
    totals: ReplayTotals

    def line(self) -> dict[str, Any]:
        """The command's JSON line: money as yuan strings."""
        t = self.totals
        return {
            "orders": t.orders,
            "affected": t.affected,
            "gmv_before": format_yuan(t.gmv_before),
            "gmv_after": format_yuan(t.gmv_after),
            "discount_before": format_yuan(t.discount_before),
            "discount_after": format_yuan(t.discount_after),
            "margin_before": format_yuan(t.margin_before),
            "margin_after": format_yuan(t.margin_after),
        }

    def figures(self) -> dict[str, Any]:
        """Everything the console shows, JSON-safe (fen as integers) for storing with the run."""
        t = self.totals
        return {
            "since": self.since.isoformat(),
            "until": self.until.isoformat(),
            "days": self.days,
            "orders": t.orders,
            "affected": t.affected,
            "skipped": t.skipped,
            "subtotal": t.subtotal,
            "gmv_before": t.gmv_before,
            "gmv_after": t.gmv_after,
            "discount_before": t.discount_before,
            "discount_after": t.discount_after,
            "gifts_before": t.gifts_before,
            "gifts_after": t.gifts_after,
            "margin_before": t.margin_before,
            "margin_after": t.margin_after,
            "average_before": t.average(t.gmv_before),
            "average_after": t.average(t.gmv_after),
            "missing_cost_units": t.missing_cost_units,
            "savings": list(t.savings),
        }


def saving_band_labels() -> list[str]:
    """Labels of the savings bands, in yuan: 少于0, 0–5, 5–10 … 200 以上."""
    labels = [_("让利减少")]
    low = 0
    for edge in SAVING_EDGES:
        labels.append(_("¥%(low)s–%(high)s") % {"low": low // 100, "high": edge // 100})
        low = edge
    labels.append(_("¥%(low)s 以上") % {"low": low // 100})
    return labels


def whatif_replay(
    *,
    candidates: Sequence[PromotionSpec],
    replaces: Sequence[int] = (),
    days: int,
    now: dt.datetime | None = None,
    on_progress: Callable[[int, int], None] | None = None,
) -> WhatIf:
    """Replay the last ``days`` of paid baskets with the shop's running promotions (before) and
    with ``candidates`` added, each replacing the live promotion of ``replaces`` (after)."""
    now = now or timezone.now()
    since, until = whatif_window(days=days, now=now)
    rules = pricing_rules_load(now=now)
    running = [entry for entry in rules.promotions if entry.spec.in_window(now)]
    before = timeless(entry.spec for entry in running)
    after = timeless([*(entry.spec for entry in running if entry.pk not in set(replaces)), *candidates])
    catalogue = whatif_catalogue()
    total = whatif_order_count(since=since, until=until)

    def replayer(promotions: tuple[PromotionSpec, ...]) -> Replayer:
        return Replayer(
            at=now,
            catalog=catalogue.items,
            costs=catalogue.costs,
            promotions=promotions,
            tier_rates=rules.tier_rates,
            policy=rules.policy,
        )

    baskets = whatif_baskets(
        since=since,
        until=until,
        codes=catalogue.codes,
        on_chunk=(lambda done: on_progress(done, total)) if on_progress else None,
    )
    totals = replay(baskets, before=replayer(before), after=replayer(after))
    return WhatIf(since=since, until=until, days=days, totals=totals)
