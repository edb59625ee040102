"""make bench-whatif: replay 100,000 paid orders through the pricing engine (B01) on MariaDB.

1. A fresh database ``<DATABASE_URL name>_whatif_bench`` (dropped and made again) gets 300
   SKUs in 10 categories (popularity skewed like a real shop's), 20,000 shoppers in four tiers,
   two live promotions (满减 over the whole shop, 9折 on two categories) and 100,000 paid
   orders of 1–4 lines over the last 30 days, inserted in bulk.
2. A separate process (so its peak memory is the replay's, not the loader's) replays the 30
   days with a new whole-shop 满299减60 added — the worst case: it can touch every basket — and
   prints ``{"orders", "seconds", "cpu_seconds", "peak_rss_mb", "queries", …}`` last. Goal: ≤ 60 s,
   flat memory. ``cpu_seconds`` and ``load_average`` tell a busy machine's queueing from the work.

``BENCH_ORDERS`` changes the number of orders; ``--run`` measures again without reloading.
"""

from __future__ import annotations

import json
import os
import random
import resource
import subprocess
import sys
import time
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.common import database_recreate_and_migrate, django_setup, own_database_url  # noqa: E402

ORDERS = int(os.environ.get("BENCH_ORDERS", "100000"))
MEMBERS = max(ORDERS // 5, 1)
SKUS = 300
CHUNK = 5000


def load() -> None:
    """Drop and make the bench database, migrate, insert the shop in bulk."""
    database_recreate_and_migrate()
    _shop()


def _shop() -> None:
    from django.contrib.auth.models import User
    from django.utils import timezone

    from mall.models import Category, Product, Sku
    from marketing.services.promotions import PromotionData, promotion_create
    from members.models import Member
    from orders.models import Order, OrderLine, OrderStatus

    rng = random.Random(17)
    now = timezone.now()
    categories = [Category.objects.create(name=f"分类{i}") for i in range(10)]
    products = Product.objects.bulk_create(
        [Product(category=categories[i % 10], title=f"商品{i}", min_price=0) for i in range(SKUS)]
    )
    skus = Sku.objects.bulk_create(
        [
            Sku(product=p, code=f"W{i:04d}", price=(price := rng.randint(10, 400) * 100), cost_price=price * 6 // 10)
            for i, p in enumerate(products)
        ]
    )
    owner = User.objects.create_superuser(  # a throwaway bench database
        username="bench",
        password="x",  # noqa: S106
        email="bench@example.com",
    )
    common = {"starts_at": now - timedelta(days=60), "ends_at": now + timedelta(days=60)}
    promotion_create(
        actor=owner,
        data=PromotionData(
            type="full_reduction",
            name="满199减20",
            rules={"tiers": [{"threshold": "199.00", "off": "20.00"}]},
            starts_at=common["starts_at"],
            ends_at=common["ends_at"],
        ),
    )
    promotion_create(
        actor=owner,
        data=PromotionData(
            type="limited_discount",
            name="9折",
            rules={"rate": "0.9"},
            category_ids=(categories[1].pk, categories[2].pk),
            starts_at=common["starts_at"],
            ends_at=common["ends_at"],
        ),
    )
    tiers = ["normal"] * 6 + ["silver"] * 2 + ["gold", "diamond"]
    member_ids: list[int] = []
    for start in range(0, MEMBERS, CHUNK):
        made = Member.objects.bulk_create(
            [
                Member(openid=f"whatif-{i}", invite_code=f"W{i:07d}", nickname=f"顾客{i}", tier=rng.choice(tiers))
                for i in range(start, min(start + CHUNK, MEMBERS))
            ]
        )
        member_ids.extend(m.pk for m in made)
    weights = [1 / (i + 1) for i in range(SKUS)]
    seq = 0
    for start in range(0, ORDERS, CHUNK):
        size = min(CHUNK, ORDERS - start)
        orders, picks = [], []
        for _n in range(size):
            seq += 1
            at = now - timedelta(days=rng.uniform(1, 30))
            chosen = {rng.choices(range(SKUS), weights)[0] for _l in range(rng.randint(1, 4))}
            picks.append([(i, rng.choice((1, 1, 1, 2, 3))) for i in chosen])
            orders.append(
                Order(
                    no=f"WI{seq:012d}",
                    member_id=rng.choice(member_ids),
                    idempotency_key=f"whatif-{seq}",
                    status=OrderStatus.COMPLETED,
                    expires_at=at,
                    paid_at=at,
                )
            )
        Order.objects.bulk_create(orders, batch_size=2000)
        lines = [
            OrderLine(
                order_id=o.pk,
                sku_id=skus[i].pk,
                product_id=products[i].pk,
                title=products[i].title,
                unit_price=skus[i].price,
                qty=qty,
                item_amount=skus[i].price * qty,
                paid_amount=skus[i].price * qty,
            )
            for o, chosen in zip(orders, picks, strict=True)
            for i, qty in chosen
        ]
        OrderLine.objects.bulk_create(lines, batch_size=2000)


def run() -> None:
    """The measured part, in its own process."""
    from django.db import connection

    from marketing.pricing import FullReduction, ReductionTier
    from marketing.selectors.whatif import whatif_replay

    queries = 0

    def count(execute, sql, params, many, context):  # type: ignore[no-untyped-def]
        nonlocal queries
        queries += 1
        return execute(sql, params, many, context)

    candidate = FullReduction(id="whatif:new", tiers=(ReductionTier(29900, 6000),))
    usage = resource.getrusage(resource.RUSAGE_SELF)
    cpu_started = usage.ru_utime + usage.ru_stime
    started = time.perf_counter()
    with connection.execute_wrapper(count):
        result = whatif_replay(candidates=[candidate], days=31)
    seconds = time.perf_counter() - started
    usage = resource.getrusage(resource.RUSAGE_SELF)
    cpu_seconds = usage.ru_utime + usage.ru_stime - cpu_started
    print(
        json.dumps(
            {
                **result.line(),
                "bench": "whatif",
                "seconds": round(seconds, 1),
                # CPU time of this process: on a shared, busy machine wall time mostly measures the queue
                "cpu_seconds": round(cpu_seconds, 1),
                "load_average": round(os.getloadavg()[0], 1),
                "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
                "queries": queries,
                "goal_seconds": 60,
                "per_order_ms": round(seconds * 1000 / max(result.totals.orders, 1), 3),
                "margin_rate_after": str(
                    (Decimal(result.totals.margin_after) / max(result.totals.gmv_after, 1)).quantize(Decimal("0.001"))
                ),
            },
            ensure_ascii=False,
        )
    )


def main() -> None:
    url = own_database_url("whatif_bench", "bench-whatif")
    if sys.argv[1:] == ["--run"]:
        django_setup(url)
        run()
        return
    django_setup(url)
    started = time.perf_counter()
    load()
    print(json.dumps({"loaded_orders": ORDERS, "load_seconds": round(time.perf_counter() - started, 1)}))
    sys.stdout.flush()
    out = subprocess.run([sys.executable, __file__, "--run"], check=True, stdout=subprocess.PIPE, text=True, cwd=ROOT)
    print(out.stdout.strip().splitlines()[-1])


if __name__ == "__main__":
    main()
