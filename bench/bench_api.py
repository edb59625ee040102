"""make bench-api: product detail, product list and cart preview against a trivial DRF endpoint.

Starts gunicorn (2 workers) on the configured database and cache, loads each endpoint with wrk
at a fixed concurrency and prints one JSON line per endpoint (the last lines of the output).
Goals: product detail ≥ 0.5× the trivial endpoint, cart preview ≥ 0.33×.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import bench_env, gunicorn, manage, wrk

CONNECTIONS = int(os.environ.get("BENCH_CONNECTIONS", "16"))
SECONDS = int(os.environ.get("BENCH_SECONDS", "8"))


def prepare() -> dict[str, object]:
    """Migrates, loads the demo shop and returns a shopper token plus the ids to request."""
    manage("db_create")
    manage("migrate", "--noinput")
    manage("seed_demo")
    os.environ.update({k: v for k, v in bench_env().items() if k not in os.environ})
    import django

    django.setup()
    from rest_framework_simplejwt.tokens import RefreshToken

    from mall.models import Product, Sku
    from members.models import Member

    member, _ = Member.objects.get_or_create(openid="bench-shopper", defaults={"nickname": "bench", "is_dev": True})
    token = RefreshToken()
    token["member_id"] = member.id
    product = Product.objects.filter(is_on_shelf=True).order_by("-sales_count").first()
    skus = list(Sku.objects.filter(is_active=True, stock__gt=10).order_by("id").values_list("id", flat=True)[:3])
    if product is None or len(skus) < 3:
        raise SystemExit("demo shop has no products: run manage.py seed_demo")
    return {"token": str(token.access_token), "product_id": product.id, "sku_ids": skus}


def main() -> None:
    info = prepare()
    token = str(info["token"])
    items = [{"sku_id": sku_id, "qty": 1} for sku_id in info["sku_ids"]]  # type: ignore[attr-defined]
    endpoints = [
        ("product_detail", "GET", f"/api/v1/products/{info['product_id']}", None),
        ("product_list", "GET", "/api/v1/products?sort=sales", None),
        ("cart_preview", "POST", "/api/v1/checkout/preview", {"items": items}),
    ]
    lines = []
    with gunicorn(workers=2) as base:
        wrk(f"{base}/api/v1/ping", token=token, connections=CONNECTIONS, seconds=2)  # warm-up
        for name, method, path, body in endpoints:
            wrk(f"{base}{path}", token=token, method=method, body=body, connections=CONNECTIONS, seconds=2)
            # The baseline is measured around each endpoint (before and after, averaged), so a
            # neighbour's load on this shared machine weighs on both sides of the ratio alike.
            before = wrk(f"{base}/api/v1/ping", token=token, connections=CONNECTIONS, seconds=SECONDS // 2)
            result = wrk(
                f"{base}{path}", token=token, method=method, body=body, connections=CONNECTIONS, seconds=SECONDS
            )
            after = wrk(f"{base}/api/v1/ping", token=token, connections=CONNECTIONS, seconds=SECONDS // 2)
            baseline_rps = (before.rps + after.rps) / 2
            lines.append(
                {
                    "endpoint": name,
                    "rps": round(result.rps, 1),
                    "p50_ms": round(result.p50_ms, 2),
                    "p99_ms": round(result.p99_ms, 2),
                    "baseline_rps": round(baseline_rps, 1),
                    "ratio": round(result.rps / baseline_rps, 3),
                    "non_2xx": result.non_2xx,
                    "connections": CONNECTIONS,
                }
            )
    for line in lines:
        print(json.dumps(line))


if __name__ == "__main__":
    main()
