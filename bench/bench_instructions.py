"""Instructions per quote and per request, counted by valgrind: the figures a neighbour cannot move.

The timed benches on a shared 2-CPU machine swing by ±15–25 % between runs (the bare endpoint
gave 1,880–3,700 req/s on one day), which hides a change worth a few per cent. This counts the
instructions the CPU retires (valgrind's cachegrind, ``I refs``) for the same work, so a change
can be judged to a tenth of a per cent. Instructions are not time: a path with more distinct
code and data also loses more to branch mispredictions and cache misses (fresh carts with 50
promotions retire 1.24× the instructions of those with none and take ≈ 1.29–1.34× the CPU time), so
the timed benches stay the goals; this is the yardstick for changes between their runs.

Each figure is the difference of two runs of one worker process that do the same start-up and
warm-up and then ``SMALL`` or ``LARGE`` units of work, divided by ``LARGE - SMALL``, so start-up
cancels out. Hash seeds are fixed. Units:

* ``pricing_0`` / ``pricing_50``: ``bench_pricing_inprocess``'s 20-line cart with 0 or 50
  promotions, priced again and again with every step run (``price_afresh``: ``quote`` would
  hand out its kept quote); ``fresh_0`` / ``fresh_50``: its carts whose quantities change on
  every quote (257 of them, in turn, through ``quote``);
* ``ping`` / ``preview``: the WSGI app in process, bench-api's signed-in ``/api/v1/ping`` and its
  checkout preview (3 lines, 2 coupons) on bench-api's shop (``make bench-api`` or ``make
  bench-checkout`` builds it; without it these are left out). They read, never write: the
  shopper's coupons are the ones the shop already holds, so runs count the same work.
  A request's figure includes the periodic work of the process (cache entries rebuilt as
  their time-outs pass on valgrind's slow clock), so it depends on the run's length: compare
  runs made with the same ``BENCH_IR_REQUESTS`` (50 requests gave 3.0 M for a preview that
  1,000 give as 5.0 M).

Branches are simulated too (``--branch-sim=yes``, valgrind's simple predictor): a mispredicted
branch costs a core some 15 cycles, and most of them are CPython's interpreter dispatching the
next bytecode, so they count the Python work done where the instructions also count the C
work under it. The timed ratio follows them more closely (2026-12-07, third session: the
50-promotion quote retires 1.22× the instructions and mispredicts 1.30× the branches, fresh
carts 1.32×, against 1.30–1.31× and 1.33–1.35× the CPU time on that host).

The last line printed is JSON: instructions per unit (thousands), the ratios
``pricing_ratio_50_vs_0``, ``fresh_ratio_50_vs_0`` and ``preview_vs_ping``, and the pricing
kinds' mispredicted branches per quote (``*_mispredicts_k``) with their ratios
(``*_mispredict_ratio_50_vs_0``).
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

SMALL = int(os.environ.get("BENCH_IR_SMALL", "0"))
PRICING_LARGE = int(os.environ.get("BENCH_IR_PRICING", "514"))  # quotes (two passes over the fresh carts)
REQUEST_LARGE = int(os.environ.get("BENCH_IR_REQUESTS", "1000"))
PRICING_KINDS = ("pricing_0", "pricing_50", "fresh_0", "fresh_50")
REQUEST_KINDS = ("ping", "preview")
_REFS = re.compile(r"I\s+refs:\s+([\d,]+)")
_MISPREDICTS = re.compile(r"Mispredicts:\s+([\d,]+)")


def instructions(kind: str, units: int) -> tuple[int, int]:
    """Instructions and mispredicted branches of one worker process doing ``units`` of ``kind``
    after its warm-up."""
    env = {**os.environ, "PYTHONHASHSEED": "0"}
    done = subprocess.run(
        [
            "valgrind",
            "--tool=cachegrind",
            "--cache-sim=no",
            "--branch-sim=yes",
            "--cachegrind-out-file=/dev/null",
            sys.executable,
            __file__,
            "--worker",
            kind,
            str(units),
        ],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"{kind} × {units} failed:\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}")
    return count_of(_REFS, done.stderr), count_of(_MISPREDICTS, done.stderr)


def count_of(pattern: re.Pattern[str], report: str) -> int:
    """The total ``pattern`` finds in a cachegrind report (its figures carry thousands commas)."""
    found = pattern.search(report)
    if found is None:
        raise RuntimeError(f"no {pattern.pattern!r} in valgrind's report:\n{report[-1000:]}")
    return int(found.group(1).replace(",", ""))


def per_unit(kind: str, large: int) -> tuple[float, float]:
    """Instructions and mispredicted branches per unit of ``kind``: two runs, ``SMALL`` and
    ``large`` units."""
    with ThreadPoolExecutor(max_workers=2) as pool:
        small_run = pool.submit(instructions, kind, SMALL)
        large_run = pool.submit(instructions, kind, large)
        (small_refs, small_missed), (large_refs, large_missed) = small_run.result(), large_run.result()
        return (large_refs - small_refs) / (large - SMALL), (large_missed - small_missed) / (large - SMALL)


# --- the worker: one kind of work, in this process ---------------------------------------


def _pricing_worker(kind: str, units: int) -> None:
    from dataclasses import replace

    from bench import bench_pricing_inprocess as shop
    from marketing.pricing import quote
    from marketing.pricing.applicator import price_afresh

    promotions = shop.shop_promotions() if kind.endswith("_50") else ()
    first = shop.request(promotions)
    requests = [replace(first, cart=lines) for lines in shop.fresh_carts()] if kind.startswith("fresh") else [first]
    # the cart priced again runs every step (a kept quote would count only its look-up);
    # fresh carts go through ``quote``, key and all, as the API's do
    priced = quote if kind.startswith("fresh") else price_afresh
    for request in requests:  # warm-up: rule book compiled, rankings kept
        priced(request)
    for n in range(units):
        priced(requests[n % len(requests)])


def _request_worker(kind: str, units: int) -> None:
    from bench.common import bench_env, shopper_token, wsgi_call, wsgi_environ

    os.environ.update(bench_env())
    import django

    django.setup()
    from bench.bench_api import COUPON_TEMPLATES, preview_sku_ids
    from mall.wsgi import application
    from marketing.models import Coupon
    from members.models import Member

    shopper = Member.objects.get(openid="bench-shopper")
    token = shopper_token(shopper)
    if kind == "ping":
        make = lambda: wsgi_environ("GET", "/api/v1/ping", token)  # noqa: E731 - a fresh environ per call
    else:
        held = Coupon.objects.filter(member=shopper, status="unused").order_by("id")
        coupons = [
            held.filter(template__name=name).values_list("id", flat=True).first() for name, _g in COUPON_TEMPLATES
        ]
        items = [{"sku_id": pk, "qty": 1} for pk in preview_sku_ids()]
        body = json.dumps({"items": items, "coupon_ids": coupons}).encode()
        make = lambda: wsgi_environ("POST", "/api/v1/checkout/preview", token, body)  # noqa: E731
    for _ in range(50):  # warm-up: rules cached, connections open
        status, answer = wsgi_call(application, make())
        if not status.startswith("200"):
            raise SystemExit(f"{kind}: {status} {answer[:300]!r}")
    for _ in range(units):
        wsgi_call(application, make())


def _bench_shop_ready() -> bool:
    """Whether bench-api's shop is in the database (its shopper holds both coupons)."""
    from bench.common import bench_env

    os.environ.update(bench_env())
    import django

    django.setup()
    from django.db import DatabaseError

    from bench.bench_api import COUPON_TEMPLATES
    from marketing.models import Coupon

    try:
        held = Coupon.objects.filter(member__openid="bench-shopper", status="unused")
        return all(held.filter(template__name=name).exists() for name, _group in COUPON_TEMPLATES)
    except DatabaseError:
        return False


def main() -> None:
    if len(sys.argv) == 4 and sys.argv[1] == "--worker":
        kind, units = sys.argv[2], int(sys.argv[3])
        (_pricing_worker if kind in PRICING_KINDS else _request_worker)(kind, units)
        return
    measured = {kind: per_unit(kind, PRICING_LARGE) for kind in PRICING_KINDS}
    counts: dict[str, float] = {kind: refs for kind, (refs, _missed) in measured.items()}
    missed = {kind: misses for kind, (_refs, misses) in measured.items()}
    out: dict[str, Any] = {f"{kind}_k": round(counts[kind] / 1000, 1) for kind in PRICING_KINDS}
    out["pricing_ratio_50_vs_0"] = round(counts["pricing_50"] / counts["pricing_0"], 4)
    out["fresh_ratio_50_vs_0"] = round(counts["fresh_50"] / counts["fresh_0"], 4)
    out.update({f"{kind}_mispredicts_k": round(missed[kind] / 1000, 2) for kind in PRICING_KINDS})
    for name, (none, fifty) in {"pricing": ("pricing_0", "pricing_50"), "fresh": ("fresh_0", "fresh_50")}.items():
        out[f"{name}_mispredict_ratio_50_vs_0"] = round(missed[fifty] / missed[none], 4)
    if _bench_shop_ready():
        for kind in REQUEST_KINDS:
            counts[kind] = per_unit(kind, REQUEST_LARGE)[0]
            out[f"{kind}_k"] = round(counts[kind] / 1000, 1)
        out["preview_vs_ping"] = round(counts["preview"] / counts["ping"], 3)
    else:
        print("bench-api's shop is not in this database: ping and preview left out (make bench-checkout builds it)")
    print(json.dumps(out))


if __name__ == "__main__":
    main()
