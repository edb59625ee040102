"""make bench-pricing: the pricing engine in-process, then through the cart-quote endpoint.

1. ``bench_pricing_inprocess.py`` (pure engine: a 20-line cart, 0 vs 50 promotions, 10 coupons;
   the ``fresh_`` figures price the same products with quantities that change every quote).
2. The cart-quote endpoint in-process (Django test client, a throwaway SQLite database unless
   DATABASE_URL is set): quotes/s for a 20-line cart with 0 and with 50 active promotions and 10
   coupons in the wallet, and the query count for a 1-line and a 50-line cart.
The last line printed is JSON with every figure; goals (issue 12): ratio_50_vs_0 ≤ 1.3 and the same
query count for 1 and 50 lines.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
SECONDS = float(os.environ.get("BENCH_SECONDS", "4"))


def in_process() -> dict[str, float]:
    out = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "bench_pricing_inprocess.py"), "--seconds", str(SECONDS)],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    ).stdout
    return json.loads(out.strip().splitlines()[-1])


def _setup_django() -> None:
    if "DATABASE_URL" not in os.environ:
        os.environ["DATABASE_URL"] = f"sqlite:///{tempfile.mkdtemp(prefix='bench-pricing-')}/db.sqlite3"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mall.settings.local")
    os.environ["THROTTLE_SHOPPER"] = os.environ["THROTTLE_IP"] = "100000000/min"
    os.environ["LOG_LEVEL"] = "WARNING"
    import django

    django.setup()
    from django.core.management import call_command

    call_command("db_create")
    call_command("migrate", verbosity=0, interactive=False)


# the bench's promotions by kind (full reduction, limited discount, 第二件), numbered
_PROMOTION_NAMES = ("满减{}", "限时{}", "第二件{}")


def _shop() -> tuple[object, list[int], list[int]]:
    """50 SKUs over 5 categories, a shopper with points and 10 coupons; returns (member, sku ids, promo ids).
    A database that already holds them (an earlier run against the same ``DATABASE_URL``) is
    used as it is: each piece is found by its code or name, so a rerun prices the same shop."""
    from django.contrib.auth.models import User
    from django.utils import timezone

    from mall.models import Category, Product, Sku
    from marketing.models import Coupon, Promotion
    from marketing.services.coupons import CouponTemplateData, coupon_claim, coupon_template_create
    from marketing.services.promotions import PromotionData, promotion_create, promotion_set_active
    from members.models import Member, PointsEntry
    from members.services.abuse import RequestContext
    from members.services.points import points_grant

    now = timezone.now()
    staff, _ = User.objects.get_or_create(username="bench-staff", defaults={"is_staff": True, "is_superuser": True})
    categories = [Category.objects.get_or_create(name=f"基准{i}")[0] for i in range(5)]
    sku_ids = []
    for i in range(50):
        sku = Sku.objects.filter(code=f"BENCH-{i:03d}").first()
        if sku is None:
            product = Product.objects.create(category=categories[i % 5], title=f"基准商品{i}", min_price=1990 + 137 * i)
            sku = Sku.objects.create(product=product, code=f"BENCH-{i:03d}", price=1990 + 137 * i, stock=10**6)
        sku_ids.append(sku.pk)
    member, _ = Member.objects.get_or_create(openid="bench-pricing", defaults={"nickname": "bench"})
    points_grant(member_id=member.pk, delta=5000, reason=PointsEntry.Reason.GRANT, ref="bench")
    for i in range(10):
        if Coupon.objects.filter(member=member, template__name=f"基准券{i}", valid_until__gt=now).exists():
            continue
        group = ("shop", "category", "platform")[i % 3]
        template = coupon_template_create(
            actor=staff,
            data=CouponTemplateData(
                name=f"基准券{i}",
                kind="amount_off",
                group=group,
                threshold=5000 + 1000 * i,
                off=500 + 100 * i,
                valid_days=30,
                per_user_limit=1,
                category_ids=(categories[i % 5].pk,) if group == "category" else (),
            ),
        )
        coupon_claim(context=RequestContext(ip=""), member=member, template_id=template.pk)
    promo_ids = []
    for i in range(50):
        name = _PROMOTION_NAMES[i % 3].format(i)
        held = Promotion.objects.filter(name=name, ends_at__gt=now + timedelta(days=1)).first()
        if held is not None:  # running for a day more; resumed if a run stopped with it paused
            if not held.is_active:
                promotion_set_active(actor=staff, promotion_id=held.pk, is_active=True)
            promo_ids.append(held.pk)
            continue
        kind = i % 3
        if kind == 0:
            data = PromotionData(
                type="full_reduction",
                name=_PROMOTION_NAMES[0].format(i),
                starts_at=now - timedelta(days=1),
                ends_at=now + timedelta(days=30),
                rules={"tiers": [{"threshold": f"{100 + i}.00", "off": f"{5 + i % 10}.00"}]},
                category_ids=(categories[i % 5].pk,),
            )
        elif kind == 1:
            data = PromotionData(
                type="limited_discount",
                name=_PROMOTION_NAMES[1].format(i),
                starts_at=now - timedelta(days=1),
                ends_at=now + timedelta(days=30),
                rules={"rate": f"0.{80 + i % 15}"},
                sku_ids=(sku_ids[i],),
            )
        else:
            data = PromotionData(
                type="nth_item",
                name=_PROMOTION_NAMES[2].format(i),
                starts_at=now - timedelta(days=1),
                ends_at=now + timedelta(days=30),
                rules={"n": 2, "rate": "0.5"},
                category_ids=(categories[i % 5].pk,),
            )
        promo_ids.append(promotion_create(actor=staff, data=data).pk)
    return member, sku_ids, promo_ids


def _rate(client: object, body: dict, seconds: float) -> float:
    done, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        response = client.post("/api/v1/cart/quote", body, format="json")  # type: ignore[attr-defined]
        assert response.status_code == 200, response.content[:300]
        done += 1
    return done / (time.perf_counter() - start)


def through_endpoint() -> dict[str, float | int]:
    _setup_django()
    from django.contrib.auth.models import User
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from rest_framework.test import APIClient
    from rest_framework_simplejwt.tokens import RefreshToken

    from marketing.services.promotions import promotion_set_active

    member, sku_ids, promo_ids = _shop()
    token = RefreshToken()
    token["member_id"] = member.pk  # type: ignore[attr-defined]
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token.access_token}")
    cart20 = {"items": [{"sku_id": pk, "qty": 1 + i % 3} for i, pk in enumerate(sku_ids[:20])]}
    _rate(client, cart20, 0.5)  # warm caches
    with_50 = _rate(client, cart20, SECONDS)
    staff = User.objects.get(username="bench-staff")
    for pk in promo_ids:
        promotion_set_active(actor=staff, promotion_id=pk, is_active=False)
    _rate(client, cart20, 0.5)
    with_0 = _rate(client, cart20, SECONDS)
    for pk in promo_ids:
        promotion_set_active(actor=staff, promotion_id=pk, is_active=True)
    counts = {}
    for n in (1, 50):
        body = {"items": [{"sku_id": pk, "qty": 1} for pk in sku_ids[:n]]}
        client.post("/api/v1/cart/quote", body, format="json")  # warm the rule cache
        with CaptureQueriesContext(connection) as ctx:
            response = client.post("/api/v1/cart/quote", body, format="json")
        assert response.status_code == 200, response.content[:300]
        counts[n] = len(ctx.captured_queries)
    return {
        "endpoint_quotes_per_s_0": round(with_0, 1),
        "endpoint_quotes_per_s_50": round(with_50, 1),
        "endpoint_ratio_50_vs_0": round(with_0 / with_50, 3),
        "queries_1_line": counts[1],
        "queries_50_lines": counts[50],
    }


def main() -> None:
    engine = in_process()
    print(json.dumps({"stage": "in_process", **engine}))
    endpoint = through_endpoint()
    print(json.dumps({"stage": "endpoint", **endpoint}))
    print(json.dumps({**engine, **endpoint}))


if __name__ == "__main__":
    main()
