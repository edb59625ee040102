"""make bench-lifecycle: the three lifecycle journeys over 100,000 shoppers on MariaDB.

1. A fresh database ``<DATABASE_URL name>_lifecycle_bench`` (dropped and made again) gets 50
   products (20 consumables), 100,000 shoppers (60 % with a birthday, 20 % with a subscription
   grant) and 1–3 paid orders each over the last 120 days, inserted in bulk.
2. A separate process runs ``lifecycle_run`` for all three journeys (so its peak memory is the
   run's, not the loader's) and prints ``{"members", "seconds", "peak_rss_mb", "queries"}`` with
   what each journey counted. Goal: ≤ 60 s and ≤ 300 MB.

``BENCH_MEMBERS`` changes the number of shoppers; ``--run`` measures again without reloading
(the journeys then find every occasion reached: a rerun costs only the selection).
"""

from __future__ import annotations

import json
import os
import random
import resource
import subprocess
import sys
import time
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.common import database_recreate_and_migrate, django_setup, own_database_url  # noqa: E402

MEMBERS = int(os.environ.get("BENCH_MEMBERS", "100000"))
CHUNK = 5000


def load() -> None:
    """Drop and make the bench database, migrate, insert the shop in bulk."""
    database_recreate_and_migrate()
    _shop()


def _shop() -> None:
    from django.utils import timezone

    from mall.models import Category, Product, Sku
    from marketing.models import CouponChannel, CouponKind, CouponTemplate, Journey, JourneyKind
    from marketing.services.journeys.runner import journeys_ensure
    from members.models import Member, SubscribeCredit, SubscribeTemplate
    from orders.models import Order, OrderLine, OrderStatus

    rng = random.Random(13)
    now = timezone.now()
    categories = [Category.objects.create(name=f"分类{i}") for i in range(5)]
    products = []
    for i in range(50):
        consumable = i < 20
        products.append(
            Product.objects.create(
                category=categories[i % 5],
                title=f"商品{i}",
                min_price=5900,
                is_consumable=consumable,
                replenish_cycle_days=30 + (i % 4) * 10 if consumable else None,
                sales_count=rng.randint(0, 500),
            )
        )
    skus = [Sku.objects.create(product=p, code=f"B{p.pk:04d}", price=5900, stock=100000) for p in products]
    common = {"channel": CouponChannel.SYSTEM, "valid_days": 7}
    templates = {
        JourneyKind.DORMANT: CouponTemplate.objects.create(
            name="回归礼", kind=CouponKind.NO_THRESHOLD, off=3000, **common
        ),
        JourneyKind.BIRTHDAY: CouponTemplate.objects.create(
            name="生日券", kind=CouponKind.AMOUNT_OFF, threshold=10000, off=5000, **common
        ),
        JourneyKind.REPLENISH: CouponTemplate.objects.create(
            name="复购9折", kind=CouponKind.RATE_OFF, rate=Decimal("0.9"), **common
        ),
    }
    journeys_ensure()
    for kind, template in templates.items():
        Journey.objects.filter(kind=kind).update(is_enabled=True, coupon_template=template)
    for message_kind in ("journey_dormant", "journey_birthday", "journey_replenish"):
        SubscribeTemplate.objects.create(
            kind=message_kind, template_id=f"TPL-{message_kind}", fields={"thing1": "title"}
        )

    order_seq = 0
    for start in range(0, MEMBERS, CHUNK):
        size = min(CHUNK, MEMBERS - start)
        members = Member.objects.bulk_create(
            [
                Member(
                    openid=f"bench-{start + i}",
                    invite_code=f"B{start + i:07d}",
                    nickname=f"顾客{start + i}",
                    birthday=date(1990, 1, 1) + timedelta(days=rng.randint(0, 365 * 20))
                    if rng.random() < 0.6
                    else None,
                )
                for i in range(size)
            ]
        )
        credits = [
            SubscribeCredit(member_id=m.pk, template_id=f"TPL-journey_{kind}", credits=1, accepted_total=1)
            for m in members
            if rng.random() < 0.2
            for kind in ("dormant", "birthday", "replenish")
        ]
        SubscribeCredit.objects.bulk_create(credits, batch_size=2000)
        orders, picks = [], []
        for m in members:
            for _n in range(rng.randint(1, 3)):
                order_seq += 1
                paid = now - timedelta(days=rng.uniform(0, 120))
                orders.append(
                    Order(
                        no=f"BENCH{order_seq:012d}",
                        member_id=m.pk,
                        idempotency_key=f"bench-{order_seq}",
                        status=OrderStatus.COMPLETED,
                        goods_amount=5900,
                        payable_amount=5900,
                        expires_at=paid,
                        paid_at=paid,
                    )
                )
                picks.append(rng.sample(range(50), rng.randint(1, 2)))
        Order.objects.bulk_create(orders, batch_size=2000)
        lines = [
            OrderLine(
                order_id=o.pk,
                sku_id=skus[i].pk,
                product_id=products[i].pk,
                title=products[i].title,
                unit_price=5900,
                qty=1,
                item_amount=5900,
                paid_amount=5900,
            )
            for o, chosen in zip(orders, picks, strict=True)
            for i in chosen
        ]
        OrderLine.objects.bulk_create(lines, batch_size=2000)


def run() -> None:
    """The measured part, in its own process."""
    from django.db import connection

    from marketing.services.journeys.runner import lifecycle_run

    queries = 0

    def count(execute, sql, params, many, context):  # type: ignore[no-untyped-def]
        nonlocal queries
        queries += 1
        return execute(sql, params, many, context)

    started = time.perf_counter()
    with connection.execute_wrapper(count):
        outcomes = lifecycle_run()
    seconds = time.perf_counter() - started
    from members.models import Member

    print(
        json.dumps(
            {
                "members": Member.objects.count(),
                "seconds": round(seconds, 1),
                "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
                "queries": queries,
                "journeys": [outcome.as_json() for outcome in outcomes],
            },
            ensure_ascii=False,
        )
    )


def main() -> None:
    url = own_database_url("lifecycle_bench", "bench-lifecycle")
    if sys.argv[1:] == ["--run"]:
        django_setup(url)
        run()
        return
    django_setup(url)
    started = time.perf_counter()
    load()
    print(json.dumps({"loaded_members": MEMBERS, "load_seconds": round(time.perf_counter() - started, 1)}))
    sys.stdout.flush()
    out = subprocess.run([sys.executable, __file__, "--run"], check=True, stdout=subprocess.PIPE, text=True, cwd=ROOT)
    print(out.stdout.strip().splitlines()[-1])


if __name__ == "__main__":
    main()
