"""make bench-api: the shopper's request path against a bare DRF endpoint, in one run (issue 12).

Starts two gunicorn servers with the same settings (``gunicorn.conf.py``, overridable with
``GUNICORN_WORKERS`` / ``GUNICORN_THREADS`` / ``GUNICORN_WORKER_CLASS``): the shop
(``mall.wsgi``) and the reference app (``bench/bare_app.py``: a DRF ``APIView`` answering
``{"ok": true}`` with no middleware, authentication, throttles or database). Loads each endpoint
with wrk at a fixed concurrency and prints one JSON line per endpoint, then a summary line last.

Endpoints (a shopper's JWT): ``ping``; ``home`` (the cached first screen); ``product_detail``
(cached); ``checkout_preview`` (3 lines, 2 coupons); ``order_place`` (64 distinct shoppers,
2 lines + a coupon each order, reported as orders/s); ``flash_sold_out`` (a flash purchase
once the slot is sold out). Each endpoint is loaded ``BENCH_ROUNDS`` times (3), each run
right after a run of the bare endpoint, so a neighbour's load on a shared machine weighs on
both sides of a pair alike; a line's ``ratio_bare`` is the median of its paired ratios (all of
them in ``ratios``; one run per endpoint swung 2–4× between runs), next to ``ratio_ping`` (its
median rps over ping's). Placements spend a different share of each shopper's coupons per round.
Goals (issue 12): ping ≥ 0.5, home and product detail ≥ 0.4, checkout preview ≥ 0.2,
flash sold-out ≥ 0.5, order placement ≥ 0.05.
"""

from __future__ import annotations

import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import uuid
from datetime import timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import (
    BARE_APP,
    BARE_PATH,
    LoadResult,
    bench_env,
    bench_shopper,
    clear_slot_window,
    duration_ms,
    flash_unit_buy,
    gunicorn,
    lift_campaign_budgets,
    manage,
    server_figures,
    shopper_token,
    wrk,
)

CONNECTIONS = int(os.environ.get("BENCH_CONNECTIONS", "16"))
SECONDS = int(os.environ.get("BENCH_SECONDS", "6"))
# Each endpoint is loaded ROUNDS times, each run right after a run of the bare endpoint; a line
# reports the median of those paired ratios (one run per endpoint swung 2–4× on this machine).
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "3"))
SHOPPERS = int(os.environ.get("BENCH_SHOPPERS", "64"))
# Shared out over the rounds (80 each): enough that the supply never caps the rate (at 60, 20 a
# round, 64 shoppers ran out after 1,280 orders and the rest were 409s: placements measured 213/s
# whatever the server did). A line's "statuses" show any refusal.
COUPONS_EACH = int(os.environ.get("BENCH_COUPONS_EACH", "240"))
QUICK = os.environ.get("BENCH_QUICK") == "1"  # the smoke test: tiny runs, the same code path
# BENCH_ONLY=checkout_preview,order_place: measure only these (ping always, for ratio_ping) while
# working on one endpoint; goals_met then speaks for the measured ones and the line says "only".
ONLY = frozenset(filter(None, os.environ.get("BENCH_ONLY", "").replace(" ", "").split(",")))
SOLD_OUT_SLOT_MINUTES = 30  # how long the sold-out item's slot stays open
GOALS = {
    "ping": 0.5,
    "home": 0.4,
    "product_detail": 0.4,
    "checkout_preview": 0.2,
    "order_place": 0.05,
    "flash_sold_out": 0.5,
}

# Every bench shopper comes from 127.0.0.1: per-IP limits (and the order limit per shopper,
# 20 a minute, which 64 shoppers placing as fast as they can reach at once) would refuse them.
for _name in ("THROTTLE_ORDER_SHOPPER", "THROTTLE_ORDER_IP", "THROTTLE_PURCHASE_IP", "THROTTLE_PURCHASE_SHOPPER"):
    os.environ.setdefault(_name, "100000000/min")

# wrk's Lua for placements: rotate through the shoppers (a line each: token, address id, coupon
# ids); each placement spends the shopper's next coupon and a fresh Idempotency-Key.
PLACE_LUA = r"""
local shoppers = {}
local threads = {}
local next_id = 0

function setup(thread)
  thread:set("id", next_id)
  next_id = next_id + 1
  table.insert(threads, thread)
end

function init(args)
  for line in io.lines(args[1]) do
    local parts = {}
    for word in line:gmatch("%S+") do table.insert(parts, word) end
    local coupons = {}
    for i = 3, #parts do table.insert(coupons, parts[i]) end
    table.insert(shoppers, {token = parts[1], address = parts[2], coupons = coupons, used = 0})
  end
  counter = 0
  statuses = {}
  nthreads = tonumber(args[2])
  prefix = args[3]
  items = args[4]
end

function request()
  counter = counter + 1
  local s = shoppers[((counter - 1) * nthreads + id) % #shoppers + 1]
  s.used = s.used + 1
  local coupon = s.coupons[math.min(s.used, #s.coupons)]
  local headers = {}
  headers["Authorization"] = "Bearer " .. s.token
  headers["Content-Type"] = "application/json"
  headers["Idempotency-Key"] = prefix .. "-" .. id .. "-" .. counter
  local body = '{"address_id": ' .. s.address .. ', "items": ' .. items .. ', "coupon_ids": [' .. coupon .. ']}'
  return wrk.format("POST", "/api/v1/orders", headers, body)
end

function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end

function done(summary, latency, requests)
  local total = {}
  for _, thread in ipairs(threads) do
    for k, v in pairs(thread:get("statuses")) do total[tostring(k)] = (total[tostring(k)] or 0) + v end
  end
  local parts = {}
  for k, v in pairs(total) do table.insert(parts, string.format('"%s": %d', k, v)) end
  io.write("STATUSES {" .. table.concat(parts, ", ") .. "}\n")
end
"""


def _guard_for_one_address(staff: Any) -> None:
    """Raise the guard's "accounts per IP" signal (every bench shopper is 127.0.0.1) and its
    velocity signal (one bench shopper taps the sold-out item thousands of times a second)."""
    from members.models import GuardSettings
    from members.services.abuse import GuardSettingsData, guard_settings_update

    row = GuardSettings.load()
    current = {name: getattr(row, name) for name in GuardSettingsData.__dataclass_fields__}
    current.update(accounts_per_ip=1_000_000, velocity_limit=1_000_000)
    guard_settings_update(actor=staff, data=GuardSettingsData(**current))


# The preview's two coupons, a shop one and a platform one that stack: their templates by name.
COUPON_TEMPLATES = (("压测店铺券", "shop"), ("压测平台券", "platform"))


def preview_sku_ids() -> list[int]:
    """The three SKUs the preview and the placements buy: the first sellable ones in stock."""
    from mall.models import Sku

    return list(
        Sku.objects.filter(is_active=True, stock__gt=10, product__is_on_shelf=True)
        .order_by("id")
        .values_list("id", flat=True)[:3]
    )


def stocked_preview_sku_ids() -> list[int]:
    """:func:`preview_sku_ids` on a shop a bench has stocked (``make bench-checkout`` or
    ``make bench-api`` did): the in-process benches read it, they do not build it."""
    from mall.models import Sku

    skus = preview_sku_ids()
    assert not Sku.objects.filter(pk__in=skus, stock__lt=1000).exists(), "run make bench-checkout first"
    return skus


def preview_templates() -> tuple[Any, Any]:
    """The preview's shop and platform coupon templates, as bench-api's shop holds them."""
    from marketing.models import CouponTemplate

    shop, platform = (CouponTemplate.objects.get(name=name) for name, _group in COUPON_TEMPLATES)
    return shop, platform


def named_coupons(member_id: int, templates: tuple[Any, Any]) -> list[int]:
    """The two coupons a preview names for the shopper: one unused of each template."""
    return [_coupons(template, member_id, 1)[0] for template in templates]


def _coupon_templates(staff: Any) -> tuple[Any, Any]:
    """A shop coupon and a platform coupon that stack (¥1 off each, no threshold)."""
    from marketing.models import CouponTemplate
    from marketing.services.coupons import CouponTemplateData, coupon_template_create

    found = []
    for name, group in COUPON_TEMPLATES:
        template = CouponTemplate.objects.filter(name=name).first() or coupon_template_create(
            actor=staff,
            data=CouponTemplateData(
                name=name, kind="amount_off", group=group, off=100, valid_days=30, per_user_limit=100_000
            ),
        )
        found.append(template)
    return found[0], found[1]


def _coupons(template: Any, member_id: int, count: int) -> list[int]:
    """``count`` unused coupons of ``template`` for the shopper (rows made directly: a bench shop)."""
    from django.db.models import Max
    from django.utils import timezone

    from marketing.models import Coupon

    now = timezone.now()
    valid_from, valid_until = template.validity_for(now)
    have = Coupon.objects.filter(template=template, member_id=member_id)
    unused = list(have.filter(status="unused", order__isnull=True).order_by("pk").values_list("pk", flat=True))
    if len(unused) < count:
        top = have.aggregate(top=Max("seq"))["top"] or 0
        Coupon.objects.bulk_create(
            [
                Coupon(
                    template=template,
                    member_id=member_id,
                    seq=top + i + 1,
                    valid_from=valid_from,
                    valid_until=valid_until,
                )
                for i in range(count - len(unused))
            ]
        )
        unused = list(have.filter(status="unused", order__isnull=True).order_by("pk").values_list("pk", flat=True))
    return unused[:count]


def _sold_out_flash_item(staff: Any, buyer: Any, address_id: int) -> int:
    """A live flash slot whose one unit is already sold (the bench shop's other slots end now)."""
    from django.utils import timezone

    from mall.models import Category, Product, Sku
    from marketing.services.flash_sales import (
        FlashItemData,
        FlashSlotData,
        flash_item_add,
        flash_slot_create,
        flash_slot_publish,
    )

    # The sold-out slot runs for the next 30 minutes: every slot meeting them (the demo shop's,
    # an earlier run's of this bench or of bench-flash) ends first, slots may not overlap.
    clear_slot_window(SOLD_OUT_SLOT_MINUTES + 1)
    lift_campaign_budgets()
    category = Category.objects.get_or_create(name="秒杀专区")[0]
    product = Product.objects.create(category=category, title="压测售罄商品", min_price=5900)
    sku = Sku.objects.create(product=product, code=f"BENCH-SOLD-{uuid.uuid4().hex[:8]}", price=5900, stock=1)
    starts_at = timezone.now() + timedelta(seconds=1)
    slot = flash_slot_create(
        actor=staff,
        data=FlashSlotData(
            starts_at=starts_at, ends_at=starts_at + timedelta(minutes=SOLD_OUT_SLOT_MINUTES), title="bench-sold-out"
        ),
    )
    item = flash_item_add(actor=staff, slot_id=slot.pk, data=FlashItemData(sku_id=sku.pk, flash_price=990, quota=1))
    flash_slot_publish(actor=staff, slot_id=slot.pk)
    flash_unit_buy(buyer, address_id, sku_id=sku.pk, item_id=item.pk, starts_at=starts_at)
    return int(item.pk)


def prepare() -> dict[str, Any]:
    """Migrates, loads the demo shop and returns tokens and the ids to request."""
    manage("db_create")
    manage("migrate", "--noinput")
    manage("seed_demo")
    os.environ.update({k: v for k, v in bench_env().items() if k not in os.environ})
    import django

    django.setup()
    from django.contrib.auth.models import User
    from django.db.models import Q

    from mall.models import Product, Sku

    staff = User.objects.filter(username="bench-ops").first() or User.objects.create_superuser(
        username="bench-ops", password=uuid.uuid4().hex, email="bench@example.com"
    )
    _guard_for_one_address(staff)
    product = Product.objects.filter(is_on_shelf=True).order_by("-sales_count").first()
    skus = preview_sku_ids()
    if product is None or len(skus) < 3:
        raise SystemExit("demo shop has no products: run manage.py seed_demo")
    # Placements must not run the bench shop dry, its free gifts included: a gift out of stock
    # changes what every later placement does (fewer lines, a refusal) halfway through a run.
    from marketing.selectors.checkout_pricing import checkout_rules

    Sku.objects.filter(Q(pk__in=skus) | Q(code__in=checkout_rules().gift_codes())).update(stock=10**7)
    shop_coupon, platform_coupon = _coupon_templates(staff)

    main, main_address = bench_shopper("bench-shopper")
    preview_coupons = named_coupons(main.pk, (shop_coupon, platform_coupon))
    lines = []
    for i in range(SHOPPERS):
        member, address_id = bench_shopper(f"bench-place-{i:03d}")
        coupons = _coupons(shop_coupon, member.pk, COUPONS_EACH)
        lines.append(" ".join([shopper_token(member), str(address_id), *map(str, coupons)]))
    with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as fh:
        fh.write("\n".join(lines) + "\n")
    return {
        "token": shopper_token(main),
        "product_id": product.pk,
        "sku_ids": skus,
        "preview_coupons": preview_coupons,
        "shoppers_file": fh.name,
        # another shopper bought the one unit: the bench shopper meets the sold-out answer
        "flash_item": _sold_out_flash_item(staff, *bench_shopper("bench-sold-buyer")),
        "address_id": main_address,
    }


def _measured(name: str) -> bool:
    return not ONLY or name == "ping" or name in ONLY


def place_orders(base: str, *, shoppers_file: str, items: list[dict[str, int]], seconds: int) -> dict[str, Any]:
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as fh:
        fh.write(PLACE_LUA)
        script = fh.name
    try:
        args = [shoppers_file, "2", uuid.uuid4().hex[:12], json.dumps(items)]
        cmd = ["wrk", "-t2", f"-c{min(CONNECTIONS * 4, SHOPPERS)}", f"-d{seconds}s", "--latency", "-s", script]
        out = subprocess.run([*cmd, base, "--", *args], capture_output=True, text=True, check=True).stdout
    finally:
        os.unlink(script)
    statuses = json.loads(re.search(r"STATUSES (\{.*\})", out).group(1))  # type: ignore[union-attr]
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    p99 = re.search(r"\s99%\s+(\S+)", out).group(1)  # type: ignore[union-attr]
    return {"rps": rps, "statuses": statuses, "p99_ms": duration_ms(p99)}


def _round_shoppers(shoppers_file: str, round_no: int, rounds: int) -> str:
    """A copy of the shoppers file whose coupon ids are this round's share (no coupon spent twice)."""
    with open(shoppers_file) as fh:
        rows = [line.split() for line in fh if line.strip()]
    with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as out:
        for token, address, *coupons in rows:
            share = len(coupons) // rounds
            out.write(" ".join([token, address, *coupons[round_no * share : (round_no + 1) * share]]) + "\n")
    return out.name


def main() -> None:
    info = prepare()
    token = str(info["token"])
    seconds = 1 if QUICK else SECONDS
    rounds = 1 if QUICK else ROUNDS
    items3 = [{"sku_id": sku_id, "qty": 1} for sku_id in info["sku_ids"]]
    endpoints: list[tuple[str, str, str, dict[str, Any] | None]] = [
        ("ping", "GET", "/api/v1/ping", None),
        ("home", "GET", "/api/v1/home", None),
        ("product_detail", "GET", f"/api/v1/products/{info['product_id']}", None),
        (
            "checkout_preview",
            "POST",
            "/api/v1/checkout/preview",
            {"items": items3, "coupon_ids": info["preview_coupons"]},
        ),
        (
            "flash_sold_out",
            "POST",
            f"/api/v1/flash/items/{info['flash_item']}/purchase",
            {"address_id": info["address_id"]},
        ),
    ]
    endpoints = [entry for entry in endpoints if _measured(entry[0])]
    results: dict[str, dict[str, Any]] = {}
    figures = server_figures()
    try:
        with gunicorn(BARE_APP) as bare_base, gunicorn() as base:

            def load(url: str, method: str = "GET", body: dict[str, Any] | None = None) -> LoadResult:
                return wrk(
                    url,
                    token=token,
                    method=method,
                    body=body,
                    connections=CONNECTIONS,
                    seconds=seconds,
                    idempotent="/purchase" in url,
                )

            def bare() -> float:
                return load(f"{bare_base}{BARE_PATH}").rps

            bare()  # warm-up
            for name, method, path, body in endpoints:
                load(f"{base}{path}", method, body)  # warm: caches filled, connections open
                runs: list[LoadResult] = []
                bare_runs: list[float] = []
                for _round in range(rounds):  # each run next to its own bare run: a pair shares the load
                    bare_runs.append(bare())
                    runs.append(load(f"{base}{path}", method, body))
                ratios = [run.rps / bare_rps for run, bare_rps in zip(runs, bare_runs, strict=True)]
                results[name] = {
                    "rps": round(statistics.median([run.rps for run in runs]), 1),
                    "p50_ms": round(statistics.median([run.p50_ms for run in runs]), 2),
                    "p99_ms": round(max(run.p99_ms for run in runs), 2),
                    "non_2xx": sum(run.non_2xx for run in runs),
                    "bare_rps": round(statistics.median(bare_runs), 1),
                    "ratio_bare": round(statistics.median(ratios), 3),
                    "ratios": [round(ratio, 3) for ratio in ratios],
                    "bare_runs": [round(rps, 1) for rps in bare_runs],
                }
            place_runs: list[dict[str, Any]] = []
            place_bare: list[float] = []
            for round_no in range(rounds if _measured("order_place") else 0):
                shoppers_file = _round_shoppers(info["shoppers_file"], round_no, rounds)
                try:
                    place_bare.append(bare())
                    place_runs.append(
                        place_orders(base, shoppers_file=shoppers_file, items=[items3[0], items3[1]], seconds=seconds)
                    )
                finally:
                    os.unlink(shoppers_file)
            per_s = [run["statuses"].get("201", 0) / seconds for run in place_runs]
            statuses: dict[str, int] = {}
            for run in place_runs:
                for code, count in run["statuses"].items():
                    statuses[code] = statuses.get(code, 0) + count
            place_ratios = [orders / bare_rps for orders, bare_rps in zip(per_s, place_bare, strict=True)]
            if place_runs:
                results["order_place"] = {
                    "rps": round(statistics.median(per_s), 1),
                    "orders_per_s": round(statistics.median(per_s), 1),
                    "requests_per_s": round(statistics.median([run["rps"] for run in place_runs]), 1),
                    "p99_ms": round(max(run["p99_ms"] for run in place_runs), 2),
                    "statuses": statuses,
                    "bare_rps": round(statistics.median(place_bare), 1),
                    "ratio_bare": round(statistics.median(place_ratios), 3),
                    "ratios": [round(ratio, 3) for ratio in place_ratios],
                    "bare_runs": [round(rps, 1) for rps in place_bare],
                }
    finally:
        os.unlink(info["shoppers_file"])
        clear_slot_window(SOLD_OUT_SLOT_MINUTES + 1)  # the sold-out slot ends: bench-flash (or this bench) can run next
    ping_rps = results["ping"]["rps"]
    lines = [
        {
            "endpoint": name,
            **results[name],
            "ping_rps": ping_rps,
            "ratio_ping": round(results[name]["rps"] / ping_rps, 3),
            "goal_ratio_bare": GOALS[name],
            "connections": CONNECTIONS,
        }
        for name in GOALS
        if name in results
    ]
    for line in lines:
        print(json.dumps(line, ensure_ascii=False))
    print(
        json.dumps(
            {
                "bare_rps": round(statistics.median([line["bare_rps"] for line in lines]), 1),
                "ping_rps": ping_rps,
                **{f"{line['endpoint']}_ratio_bare": line["ratio_bare"] for line in lines},
                **{f"{line['endpoint']}_ratio_ping": line["ratio_ping"] for line in lines},
                **({"orders_per_s": results["order_place"]["orders_per_s"]} if "order_place" in results else {}),
                "goals_met": all(line["ratio_bare"] >= line["goal_ratio_bare"] for line in lines),
                "rounds": rounds,
                **({"only": sorted(ONLY)} if ONLY else {}),
                **figures,
                "connections": CONNECTIONS,
            }
        )
    )


if __name__ == "__main__":
    main()
