"""make bench-checkout: checkout preview and order placement in process (issue 12), no wrk.

On a shared 2-core machine wrk's ratios swing 2–4× between runs; this measures the same two
requests as ``bench-api`` (preview: 3 lines, 2 coupons; placement: 64 shoppers in turn, 2 lines
and a coupon each) through Django's test client in this process, on the bench shop
``bench-api`` builds (``DATABASE_URL``, the demo shop seeded, default the local server's
``duoying_bench``). Batches of previews and placements alternate; per-request CPU time of this
process (neighbours' load mostly stays out of it) and wall time are the medians of the batches.
Then one shopper taps "place order" 50 times at once (50 threads, a fresh key each, as the issue
measured ≈ 31 s for them queued on the shopper's row): the wall time until all 50 are placed.
The last line is JSON: ``{"preview_cpu_ms", "preview_wall_ms", "preview_queries",
"place_cpu_ms", "place_wall_ms", "place_queries", "rounds", "one_shopper_50_parallel_s",
"one_shopper_50_placed"}``.
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import time
import uuid
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.bench_api import COUPONS_EACH, prepare
from bench.common import bench_shopper

ROUNDS = int(os.environ.get("BENCH_ROUNDS", "7"))
PREVIEWS_PER_ROUND = 40
PLACEMENTS_PER_ROUND = 15


def main() -> None:
    info = prepare()
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from rest_framework.test import APIClient

    def client_for(token: str) -> APIClient:
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
        return client

    items = [{"sku_id": sku_id, "qty": 1} for sku_id in info["sku_ids"]]
    preview_body = {"items": items, "coupon_ids": info["preview_coupons"]}
    previewer = client_for(str(info["token"]))
    with open(info["shoppers_file"]) as fh:
        shoppers = [line.split() for line in fh if line.strip()]
    os.unlink(info["shoppers_file"])
    placers: list[tuple[APIClient, int, list[str]]] = [
        (client_for(token), int(address), coupons) for token, address, *coupons in shoppers
    ]
    placed = 0

    def preview() -> None:
        response = previewer.post("/api/v1/checkout/preview", preview_body, format="json")
        assert response.status_code == 200, response.content[:300]

    def place() -> None:
        nonlocal placed
        client, address, coupons = placers[placed % len(placers)]
        coupon = coupons[min(placed // len(placers), COUPONS_EACH - 1)]
        placed += 1
        body: dict[str, Any] = {"address_id": address, "items": items[:2], "coupon_ids": [int(coupon)]}
        response = client.post("/api/v1/orders", body, format="json", HTTP_IDEMPOTENCY_KEY=uuid.uuid4().hex)
        assert response.status_code == 201, response.content[:300]

    # Each test client loads the middleware on its first request (WhiteNoise's scan of the static
    # files alone ≈ 65 ms): every placer's client places once before anything is measured, as a
    # server's workers load it once.
    for _placer in placers:
        place()
    queries = {}
    for name, run in (("preview", preview), ("place", place)):
        run()  # warm: rules cached, connections open
        with CaptureQueriesContext(connection) as captured:
            run()
        queries[name] = len(captured.captured_queries)
    cpu: dict[str, list[float]] = {"preview": [], "place": []}
    wall: dict[str, list[float]] = {"preview": [], "place": []}
    for _round in range(ROUNDS):
        for name, run, count in (("preview", preview, PREVIEWS_PER_ROUND), ("place", place, PLACEMENTS_PER_ROUND)):
            started_wall, started_cpu = time.perf_counter(), time.process_time()
            for _ in range(count):
                run()
            wall[name].append((time.perf_counter() - started_wall) * 1000 / count)
            cpu[name].append((time.process_time() - started_cpu) * 1000 / count)
    parallel_s, parallel_placed = _one_shopper_taps(50, items[:2])
    figures = {
        **{f"{name}_cpu_ms": round(statistics.median(values), 2) for name, values in cpu.items()},
        **{f"{name}_wall_ms": round(statistics.median(values), 2) for name, values in wall.items()},
        **{f"{name}_queries": count for name, count in queries.items()},
        "rounds": ROUNDS,
        "one_shopper_50_parallel_s": parallel_s,
        "one_shopper_50_placed": parallel_placed,
    }
    print(json.dumps(figures))


def _one_shopper_taps(taps: int, items: list[dict[str, int]]) -> tuple[float, int]:
    """``taps`` placements of one new shopper at once, each with its own key: (seconds, placed)."""
    from mall.tests.concurrency import run_in_threads
    from members.tests.fixtures import SHOPPER_CONTEXT
    from orders.models import Order
    from orders.services.orders import order_place_or_replay

    member, address_id = bench_shopper(f"bench-taps-{uuid.uuid4().hex[:12]}")
    lines = [(item["sku_id"], item["qty"]) for item in items]

    def tap(_i: int) -> Order:
        return order_place_or_replay(
            context=SHOPPER_CONTEXT, member=member, items=lines, address_id=address_id, idempotency_key=uuid.uuid4().hex
        ).order

    started = time.perf_counter()
    results = run_in_threads(taps, tap)
    seconds = round(time.perf_counter() - started, 2)
    failed = [r for r in results if not isinstance(r, Order)]
    assert not failed, failed[:3]
    return seconds, Order.objects.filter(member=member).count()


if __name__ == "__main__":
    main()
