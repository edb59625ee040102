"""Demo holdout uplift (B03): two segment campaigns with a 50% holdout over the demo shoppers,
so the 对照组效果 pages show one campaign that clearly worked and one that did not.

- 老客回购礼 (points and a message, three weeks ago): treated shoppers came back — about six in
  ten placed an order of two or three items in the 14-day window — while the holdout only shows
  the shop's usual history: significant.
- 新品上架通知 (a message, two and a half weeks ago): both groups bought a little, at the same
  rate: the interval crosses zero, "不显著".

- The global holdout is on at 5% since 30 days ago (switched on after the two campaigns), so
  对照组效果 has its "全局对照组" line: about one shopper in twenty gets no marketing push.

The campaigns run through the real services (snapshot, holdout, delivery); only the start is
moved back and the window's orders are written with ``bulk_create``, like the demo history.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from mall.demo.shop import backdating
from mall.demo.tiers import growth_from_history
from mall.models import ShopSettings, Sku
from mall.services.shop import shop_settings_update
from members.models import CampaignMember, Member, Segment, SegmentCampaign
from members.services.campaigns import (
    CampaignData,
    segment_campaign_create,
    segment_campaign_deliver,
    segment_campaign_start,
)
from members.services.segments import segment_save
from orders.models import Order, OrderLine, OrderStatus, Payment
from orders.services.numbers import order_no_at
from orders.services.stock import sales_count_add

SEGMENT_NAME = "全部顾客（对照实验）"
WORKED = "老客回购礼"
FLAT = "新品上架通知"
ALL_TIERS = [choice.value for choice in Member.Tier]
SERIAL_BASE = 800_000
GLOBAL_HOLDOUT_PERCENT = 5
GLOBAL_HOLDOUT_DAYS = 30


def _campaign(staff: User | None, segment: Segment, name: str, days_ago: int, **fields: object) -> SegmentCampaign:
    data = CampaignData(name=name, segment_id=segment.pk, holdout_percent=50, window_days=14, **fields)  # type: ignore[arg-type]
    campaign = segment_campaign_create(actor=staff, data=data)
    segment_campaign_start(actor=staff, campaign_id=campaign.pk)
    segment_campaign_deliver(campaign_id=campaign.pk)
    started = timezone.now() - timedelta(days=days_ago)
    SegmentCampaign.objects.filter(pk=campaign.pk).update(started_at=started)
    campaign.started_at = started
    return campaign


def _orders(
    rng: random.Random,
    campaign: SegmentCampaign,
    chance: dict[bool, float],
    skus: list[Sku],
    serial: int,
    quantities: tuple[int, ...] = (1, 1, 2),
) -> list[tuple[Order, Sku, int]]:
    """One order in the window for each shopper drawn with ``chance[is_holdout]``."""
    start = campaign.started_at
    assert start is not None  # noqa: S101 - started just above
    rows = CampaignMember.objects.filter(campaign=campaign).order_by("member_id")
    made: list[tuple[Order, Sku, int]] = []
    for member_id, held in rows.values_list("member_id", "is_holdout"):
        if rng.random() >= chance[held]:
            continue
        sku = rng.choice(skus)
        qty = rng.choice(quantities)
        paid_at: datetime = start + timedelta(days=rng.uniform(0.5, 13), minutes=rng.randint(0, 600))
        amount = sku.price * qty
        serial += 1
        no = order_no_at(at=paid_at - timedelta(minutes=2), serial=serial)  # numbered when placed
        order = Order(
            no=no,
            member_id=member_id,
            status=OrderStatus.COMPLETED,
            goods_amount=amount,
            payable_amount=amount,
            pricing={"source": "seed_demo", "applied": []},
            idempotency_key=f"seed-uplift-{no}",
            created_at=paid_at - timedelta(minutes=2),
            expires_at=paid_at + timedelta(minutes=13),
            paid_at=paid_at,
            shipped_at=paid_at + timedelta(hours=8),
            delivered_at=paid_at + timedelta(days=2),
            completed_at=paid_at + timedelta(days=4),
        )
        made.append((order, sku, qty))
    return made


@transaction.atomic
def build_uplift(*, seed: int) -> dict[str, int]:
    counts = {"uplift campaigns": 0, "uplift orders": 0, "global holdout": 0}
    if SegmentCampaign.objects.filter(name=WORKED).exists():
        return counts
    skus = list(Sku.objects.filter(is_active=True, price__gte=8_000).select_related("product").order_by("pk")[:20])
    if not skus or not Member.objects.exists():
        return counts
    rng = random.Random(seed + 16)  # noqa: S311 - demo data must be reproducible, not secret
    staff = User.objects.filter(is_superuser=True).order_by("pk").first()
    segment = Segment.objects.filter(name=SEGMENT_NAME).first() or segment_save(
        actor=staff,
        name=SEGMENT_NAME,
        rules={"op": "all", "conditions": [{"field": "tier", "operator": "in", "value": ALL_TIERS}]},
    )
    come_back = {"message_title": "老朋友，回购送积分", "message_body": "积分已到账，回来逛逛。", "points": 200}
    worked = _campaign(staff, segment, WORKED, 21, **come_back)
    flat = _campaign(staff, segment, FLAT, 17, message_title="新品上架", message_body="本季新品已上架。")
    made = _orders(rng, worked, {False: 0.6, True: 0.05}, skus, SERIAL_BASE, quantities=(2, 3, 3))
    made += _orders(rng, flat, {False: 0.08, True: 0.08}, skus, SERIAL_BASE + len(made) + 1)
    with backdating(Order):
        Order.objects.bulk_create([order for order, _sku, _qty in made], batch_size=500)
    ids = dict(Order.objects.filter(no__in=[order.no for order, _s, _q in made]).values_list("no", "pk"))
    OrderLine.objects.bulk_create(
        [
            OrderLine(
                order_id=ids[order.no],
                sku_id=sku.pk,
                product_id=sku.product_id,
                title=sku.product.title,
                specs=sku.specs,
                unit_price=sku.price,
                qty=qty,
                item_amount=sku.price * qty,
                paid_amount=sku.price * qty,
            )
            for order, sku, qty in made
        ],
        batch_size=500,
    )
    with backdating(Payment):  # every paid order has its payment, as in the rest of the history
        Payment.objects.bulk_create(
            [
                Payment(
                    order_id=ids[order.no],
                    provider="sandbox",
                    out_trade_no=order.no,
                    transaction_id=f"SEED{order.no}",
                    amount=order.payable_amount,
                    status=Payment.Status.SUCCEEDED,
                    created_at=order.created_at,
                    paid_at=order.paid_at,
                )
                for order, _sku, _qty in made
            ],
            batch_size=500,
        )
    sales_count_add(items=[(sku.pk, sku.product_id, qty) for _order, sku, qty in made])  # "已售" stays true
    growth_from_history()  # the completed orders count towards tiers, like the rest of the history
    counts.update({"uplift campaigns": 2, "uplift orders": len(made)})
    if not ShopSettings.load().global_holdout_enabled:
        shop_settings_update(actor=staff, global_holdout_enabled=True, global_holdout_percent=GLOBAL_HOLDOUT_PERCENT)
        ShopSettings.objects.update(global_holdout_since=timezone.now() - timedelta(days=GLOBAL_HOLDOUT_DAYS))
        counts["global holdout"] = 1
    return counts
