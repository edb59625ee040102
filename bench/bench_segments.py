"""make bench-segments: five typical segments counted over 100,000 shoppers on MariaDB.

1. Migrates the database (``DATABASE_URL``, default the local MariaDB's ``duoying_bench_segments``).
2. Unless it already holds them, bulk-inserts ``BENCH_SHOPPERS`` shoppers (default 100,000) with
   about 2.5 spending orders each (one line each, in 15 categories under 5 top-level ones),
   default addresses in a few cities, birthdays, points entries and two manual tags on a fifth
   of them; then recomputes the automatic tags and RFM groups (timed: ``tags_s``, ``rfm_s``).
3. Counts five typical segments (each one SQL statement) and prints one JSON line last:
   ``{"shoppers", "orders", "tags_s", "rfm_s", "segments": {name: {"count", "seconds"}}, "max_s"}``.
   Goal: each count ≤ 2 s on this box.
"""

from __future__ import annotations

import json
import os
import random
import sys
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import manage

SHOPPERS = int(os.environ.get("BENCH_SHOPPERS", "100000"))
BATCH = 5_000
CITIES = ["深圳市", "上海市", "北京市", "杭州市", "成都市", "广州市"]
SEED = 14

os.environ.setdefault("DATABASE_URL", "mysql://root@127.0.0.1:3306/duoying_bench_segments")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mall.settings.local")


def populate() -> dict[str, Any]:
    """The shop's rows through ``bulk_create`` in batches (explicit ids, so lines can point at orders;
    model defaults fill any column added later)."""
    from django.db import connection, transaction
    from django.db.models import F

    from mall.models import Category, Product, Sku
    from members.models import Address, Member, MemberTag, PointsEntry, Tag
    from orders.models import Order, OrderLine

    rng = random.Random(SEED)
    now = datetime.now(tz=UTC)
    with transaction.atomic():
        tops = [Category.objects.create(name=f"bench-{name}") for name in ("美妆", "食品", "服饰", "家居", "数码")]
        subs = [Category.objects.create(name=f"{top.name}-{i}", parent=top) for top in tops for i in range(3)]
        skus = []
        for i, category in enumerate(subs * 4):
            product = Product.objects.create(category=category, title=f"bench 商品 {i}", min_price=9900)
            skus.append(Sku.objects.create(product=product, code=f"BENCH-SEG-{i:04d}", specs={}, price=9900, stock=10))
        tags = [Tag.objects.create(name=name) for name in ("bench-直播粉丝", "bench-社群")]
    first_member = (Member.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1
    first_order = (Order.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1
    order_id = first_order
    for start in range(0, SHOPPERS, BATCH):
        members, addresses, orders, lines, points, member_tags = [], [], [], [], [], []
        for i in range(start, min(start + BATCH, SHOPPERS)):
            pk = first_member + i
            members.append(
                Member(
                    pk=pk,
                    openid=f"bench_seg_{pk}",
                    invite_code=f"BS{pk:010d}",
                    nickname=f"会员{pk}",
                    phone=f"1{rng.randint(3_000_000_000, 9_999_999_999)}",
                    birthday=date(rng.randint(1960, 2005), rng.randint(1, 12), rng.randint(1, 28)),
                    tier=rng.choices(["normal", "silver", "gold", "diamond"], [70, 18, 9, 3])[0],
                )
            )
            addresses.append(
                Address(member_id=pk, receiver="收货人", phone="13800138000", province="省",
                        city=rng.choice(CITIES), district="区", detail="路 1 号", is_default=True)
            )  # fmt: skip
            for _ in range(rng.choice([0, 0, 1, 1, 2, 3, 4, 5, 8])):
                paid = now - timedelta(days=rng.random() * 720)
                sku = rng.choice(skus)
                amount = rng.randint(20, 800) * 100
                discount = rng.choice([0, 0, 1000, 2000])
                status = rng.choices(["completed", "paid", "refunded"], [85, 10, 5])[0]
                orders.append(
                    Order(pk=order_id, no=f"BS{order_id:012d}", member_id=pk, status=status,
                          goods_amount=amount + discount, discount_amount=discount, payable_amount=amount,
                          idempotency_key=f"bench-{order_id}", expires_at=paid, paid_at=paid)
                )  # fmt: skip
                lines.append(
                    OrderLine(order_id=order_id, sku_id=sku.pk, product_id=sku.product_id, title="bench",
                              unit_price=amount, qty=1, item_amount=amount, paid_amount=amount)
                )  # fmt: skip
                order_id += 1
            if rng.random() < 0.3:
                points.append(PointsEntry(member_id=pk, delta=rng.randint(1, 3000), reason="grant", ref=f"bench-{pk}"))
            if rng.random() < 0.2:
                member_tags.append(MemberTag(member_id=pk, tag=rng.choice(tags)))
        with transaction.atomic():
            Member.objects.bulk_create(members)
            Address.objects.bulk_create(addresses)
            Order.objects.bulk_create(orders, batch_size=BATCH)
            OrderLine.objects.bulk_create(lines, batch_size=BATCH)
            PointsEntry.objects.bulk_create(points)
            MemberTag.objects.bulk_create(member_tags)
    # created_at is auto_now_add: spread the sign-ups over 900 days, orders placed when paid.
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE members_member SET created_at = created_at - INTERVAL MOD(id * 7919, 900) DAY "
            "WHERE id >= %s AND openid LIKE 'bench_seg_%%'",
            [first_member],
        )
    Order.objects.filter(pk__gte=first_order).update(created_at=F("paid_at"))
    return {"beauty": tops[0].pk, "skincare": subs[0].pk, "tag": tags[0].pk}


def main() -> None:
    manage("db_create")
    manage("migrate", "--noinput")
    import django

    django.setup()
    from mall.models import Category
    from members.models import Member, Tag
    from members.selectors.segments import segment_count
    from members.services.tags import rfm_recompute, tags_recompute
    from orders.models import Order

    if Member.objects.filter(openid__startswith="bench_seg_").count() < SHOPPERS:
        started = time.perf_counter()
        refs = populate()
        print(json.dumps({"populated_s": round(time.perf_counter() - started, 1)}), flush=True)
    else:
        refs = {
            "beauty": Category.objects.get(name="bench-美妆").pk,
            "skincare": Category.objects.get(name="bench-美妆-0").pk,
            "tag": Tag.objects.get(name="bench-直播粉丝").pk,
        }
    started = time.perf_counter()
    tags_recompute()
    tags_s = time.perf_counter() - started
    started = time.perf_counter()
    rfm_recompute()
    rfm_s = time.perf_counter() - started
    segments: dict[str, dict[str, Any]] = {
        "30天未消费且买过护肤": {
            "op": "all",
            "conditions": [
                {"field": "days_since_last_order", "operator": "gte", "value": 30},
                {"field": "bought_category", "operator": "yes", "value": refs["skincare"]},
            ],
        },
        "一年消费满千元且3单以上": {
            "op": "all",
            "conditions": [
                {"field": "spend", "operator": "gte", "value": 100_000, "days": 365},
                {"field": "order_count", "operator": "gte", "value": 3, "days": 365},
            ],
        },
        "直播粉丝中的金卡钻卡": {
            "op": "all",
            "conditions": [
                {"field": "tag", "operator": "has", "value": refs["tag"]},
                {"field": "tier", "operator": "in", "value": ["gold", "diamond"]},
            ],
        },
        "重要客户或积分多": {
            "op": "any",
            "conditions": [
                {"field": "rfm_group", "operator": "in", "value": ["important_value", "important_keep"]},
                {"field": "points_balance", "operator": "gte", "value": 2000},
            ],
        },
        "深圳12月生日近90天未买美妆": {
            "op": "all",
            "conditions": [
                {"field": "city", "operator": "in", "value": ["深圳市"]},
                {"field": "birthday_month", "operator": "in", "value": [12]},
                {"op": "none", "conditions": [
                    {"field": "bought_category", "operator": "yes", "value": refs["beauty"], "days": 90},
                ]},
            ],
        },
    }  # fmt: skip
    results: dict[str, dict[str, Any]] = {}
    for name, rules in segments.items():
        started = time.perf_counter()
        count = segment_count(rules)
        results[name] = {"count": count, "seconds": round(time.perf_counter() - started, 3)}
    print(
        json.dumps(
            {
                "shoppers": Member.objects.count(),
                "orders": Order.objects.count(),
                "tags_s": round(tags_s, 2),
                "rfm_s": round(rfm_s, 2),
                "segments": results,
                "max_s": max(r["seconds"] for r in results.values()),
            },
            ensure_ascii=False,
        )
    )


if __name__ == "__main__":
    main()
