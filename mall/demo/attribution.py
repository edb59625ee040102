"""Costs and attribution for the demo shop's history (issue 15), so every 营销效果 chart has data.

The history (``mall.demo.shop``, ``mall.demo.tool_history``) is written row by row with a short
pricing record (``{"rule": "满199减30", "amount": …}``). Here each SKU gets a cost price (45–70 %
of its price), the history's pricing records are given the engine's rule ids (the promotion of
that name, the coupon the order used, the flash item, group or bargain it was bought through),
product page views are written as behaviour events and rolled up per day (``ProductDay``, what
the product figures read live), and then every paid order and succeeded refund is
attributed through the same services as payment time, and the rollups are built. A second run
finds the attribution and stops.
"""

from __future__ import annotations

import datetime as dt
import random
from datetime import timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from analytics.models import OrderTouch
from analytics.services.attribution import attribution_backfill, shop_day
from analytics.services.figure_rollups import figures_rollup
from mall.models import Sku
from marketing.models import Coupon, GroupBuyGroup, Promotion
from orders.models import Order, OrderLine

HISTORY_DAYS = 120


def _rule_id(
    order: Order, entry: dict[str, Any], promotions: dict[str, int], coupons: dict[int, int]
) -> dict[str, Any]:
    if "rule_id" in entry:
        return entry
    name = str(entry.get("rule", ""))
    # The history names the tier it reached ("满199减30"): the demo's 满减 promotion lists them all.
    tiered = next((pk for title, pk in promotions.items() if name and name in title), None)
    if tiered is not None:
        rule_id, rule_type = f"promotion:{tiered}", "full_reduction"
    elif order.pk in coupons:
        rule_id, rule_type = f"coupon:{coupons[order.pk]}", "amount_off"
    else:
        return entry
    return {"rule_id": rule_id, "rule_type": rule_type, "name": name, "amount": int(entry.get("amount", 0))}


def _deal_rule(order: Order, line: OrderLine, groups: dict[int, int]) -> dict[str, Any] | None:
    ref = order.deal_ref or 0
    rule_id = {"flash": f"flash:{ref}", "bargain": f"bargain:{ref}"}.get(order.deal_kind)
    if order.deal_kind == "group" and ref in groups:
        rule_id = f"group:{groups[ref]}"
    if rule_id is None:
        return None
    cut = max(0, (line.sku.price - line.unit_price) * line.qty)
    return {"rule_id": rule_id, "rule_type": order.deal_kind, "name": "", "level": "item", "amount": cut}


def _costs(rng: random.Random) -> None:
    skus = list(Sku.objects.filter(cost_price__isnull=True).order_by("pk"))
    for sku in skus:
        sku.cost_price = sku.price * rng.randint(45, 70) // 100 // 10 * 10
    Sku.objects.bulk_update(skus, ["cost_price"])


def _pricing(orders: list[Order]) -> None:
    promotions = dict(Promotion.objects.values_list("name", "pk"))
    coupons = dict(Coupon.objects.filter(order__isnull=False).values_list("order_id", "pk"))
    groups = dict(GroupBuyGroup.objects.values_list("pk", "campaign_id"))
    lines_of: dict[int, list[OrderLine]] = {}
    for line in OrderLine.objects.filter(order__in=orders).select_related("sku").order_by("pk"):
        lines_of.setdefault(line.order_id, []).append(line)
    for order in orders:
        lines = lines_of.get(order.pk, [])
        applied = [_rule_id(order, a, promotions, coupons) for a in order.pricing.get("applied", [])]
        for a in applied:
            a.setdefault("level", "order")
        if order.deal_kind and lines:
            deal = _deal_rule(order, lines[0], groups)
            if deal is not None and deal["amount"] > 0:
                applied.append(deal)
        order.pricing = {**order.pricing, "applied": applied}
        for line in lines:
            line.allocations = [_rule_id(order, a, promotions, coupons) for a in line.allocations or []]
        OrderLine.objects.bulk_update(lines, ["allocations"])
    Order.objects.bulk_update(orders, ["pricing"])


VIEWS_KEY_PREFIX = "demo-views-"
VIEW_DAYS = 30


def _views(rng: random.Random, now: dt.datetime) -> int:
    """Product page views as the mini-program's behaviour events (a few per unit sold, plus browsing
    of what did not sell), rolled up per day into ``ProductDay`` like live traffic."""
    from analytics.models import BehaviourEvent
    from analytics.services.rollups import rollup_day
    from mall.demo.behaviour import PRODUCT
    from mall.models import Product

    sold: dict[int, int] = {}
    for product_id, qty in OrderLine.objects.filter(order__paid_at__isnull=False).values_list("product_id", "qty"):
        sold[product_id] = sold.get(product_id, 0) + qty
    members: list[int | None] = list(Order.objects.values_list("member_id", flat=True).distinct()[:200]) or [None]
    rows: list[BehaviourEvent] = []
    seqs: dict[str, int] = {}
    for product_id in Product.objects.values_list("pk", flat=True):
        count = min(400, sold.get(product_id, 0) * rng.randint(4, 12) + rng.randint(5, 40))
        for _ in range(count):
            at = timezone.localtime(now - timedelta(minutes=rng.randint(1, 60 * 24 * VIEW_DAYS)))
            member_id = rng.choice(members)
            batch = f"{VIEWS_KEY_PREFIX}{product_id}-{at:%Y%m%d}"
            seqs[batch] = seqs.get(batch, -1) + 1
            dwell = rng.randint(5000, 70000)
            rows.append(
                BehaviourEvent(
                    day=at.date(),
                    hour=at.hour,
                    occurred_at=at,
                    name="page_view",
                    anon_id=f"demo-viewer-{member_id or 0}-{rng.randrange(3)}",
                    member_id=member_id,
                    session=batch,
                    page=PRODUCT,
                    product_id=product_id,
                    dwell_ms=dwell,
                    batch_key=batch,
                    seq=seqs[batch],
                )
            )
    BehaviourEvent.objects.bulk_create(rows, batch_size=1000)
    for day in sorted({row.day for row in rows}):
        rollup_day(day=day)  # the day's rollups, from all its events (the behaviour demo's too)
    return len(rows)


def build_attribution(*, seed: int) -> dict[str, int]:
    if OrderTouch.objects.exists():
        return {"attributed_orders": 0}
    rng = random.Random(seed + 15)  # noqa: S311 - demo data, not secrets
    now = timezone.now()
    with transaction.atomic():
        _costs(rng)
        history = list(Order.objects.filter(paid_at__isnull=False, idempotency_key__startswith="seed"))
        _pricing(history)
        views = _views(rng, now)
    done = attribution_backfill()
    today = shop_day(now)
    figures_rollup(start=today - timedelta(days=HISTORY_DAYS), end=today)
    return {"attributed_orders": done["orders"], "attributed_refunds": done["refunds"], "product_views": views}
