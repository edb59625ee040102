"""make bench-api: the shopper's request path against a bare DRF endpoint, in one run (issue 12).

Starts two gunicorn servers with the same settings (``gunicorn.conf.py``, overridable with
``GUNICORN_WORKERS`` / ``GUNICORN_THREADS`` / ``GUNICORN_WORKER_CLASS``): the shop
(``mall.wsgi``) and the reference app (``bench/bare_app.py``: a DRF ``APIView`` answering
``{"ok": true}`` with no middleware, authentication, throttles or database). Loads each endpoint
with wrk at a fixed concurrency and prints one JSON line per endpoint, then a summary line last.

Endpoints (a shopper's JWT): ``ping``; ``home`` (the cached first screen); ``product_detail``
(cached); ``checkout_preview`` (3 lines, 2 coupons); ``order_place`` (64 distinct shoppers,
2 lines + a coupon each order, reported as orders/s); ``flash_sold_out`` (a flash purchase
once the slot is sold out). Each line has ``ratio_bare`` (to the bare endpoint) next to
``ratio_ping`` (to the authenticated ping); the bare endpoint and ping are measured at the
start and at the end of the run and averaged, so a neighbour's load on a shared machine
weighs on both sides of a ratio alike. Goals (issue 12): ping ≥ 0.5, home and product
detail ≥ 0.4, checkout preview ≥ 0.2, flash sold-out ≥ 0.5, order placement ≥ 0.05.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tempfile
import time
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
    clear_slot_window,
    duration_ms,
    gunicorn,
    lift_campaign_budgets,
    manage,
    server_figures,
    wrk,
)

CONNECTIONS = int(os.environ.get("BENCH_CONNECTIONS", "16"))
SECONDS = int(os.environ.get("BENCH_SECONDS", "8"))
SHOPPERS = int(os.environ.get("BENCH_SHOPPERS", "64"))
COUPONS_EACH = int(os.environ.get("BENCH_COUPONS_EACH", "60"))
QUICK = os.environ.get("BENCH_QUICK") == "1"  # the smoke test: tiny runs, the same code path
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


def _coupon_templates(staff: Any) -> tuple[Any, Any]:
    """A shop coupon and a platform coupon that stack (¥1 off each, no threshold)."""
    from marketing.models import CouponTemplate
    from marketing.services.coupons import CouponTemplateData, coupon_template_create

    found = []
    for name, group in (("压测店铺券", "shop"), ("压测平台券", "platform")):
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
    from marketing.services.deals import DealRequest
    from marketing.services.flash_sales import (
        FlashItemData,
        FlashSlotData,
        flash_item_add,
        flash_slot_create,
        flash_slot_publish,
    )
    from members.services.abuse import RequestContext
    from orders.services.orders import order_place

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
    time.sleep(max(0.0, starts_at.timestamp() - time.time()) + 0.2)
    order_place(
        member=buyer,
        items=[(sku.pk, 1)],
        address_id=address_id,
        idempotency_key=f"bench-sold-{uuid.uuid4().hex[:8]}",
        deal=DealRequest(kind="flash", ref=item.pk),
        context=RequestContext(ip="127.0.0.1"),
    )
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
    from rest_framework_simplejwt.tokens import AccessToken

    from mall.models import Product, Sku
    from members.models import Address, Member

    staff = User.objects.filter(username="bench-ops").first() or User.objects.create_superuser(
        username="bench-ops", password=uuid.uuid4().hex, email="bench@example.com"
    )
    _guard_for_one_address(staff)
    product = Product.objects.filter(is_on_shelf=True).order_by("-sales_count").first()
    skus = list(
        Sku.objects.filter(is_active=True, stock__gt=10, product__is_on_shelf=True)
        .order_by("id")
        .values_list("id", flat=True)[:3]
    )
    if product is None or len(skus) < 3:
        raise SystemExit("demo shop has no products: run manage.py seed_demo")
    Sku.objects.filter(pk__in=skus).update(stock=10**7)  # placements must not run the bench shop dry
    shop_coupon, platform_coupon = _coupon_templates(staff)

    def shopper(openid: str) -> tuple[Member, int]:
        member = Member.objects.get_or_create(openid=openid, defaults={"nickname": "压测", "is_dev": True})[0]
        address = Address.objects.filter(member=member).first() or Address.objects.create(
            member=member, receiver="压测者", phone="13800000000", province="上海", city="上海", detail="1 号"
        )
        return member, address.pk

    def token(member: Member) -> str:
        access = AccessToken()
        access["member_id"] = member.pk
        return str(access)

    main, main_address = shopper("bench-shopper")
    preview_coupons = [_coupons(shop_coupon, main.pk, 1)[0], _coupons(platform_coupon, main.pk, 1)[0]]
    lines = []
    for i in range(SHOPPERS):
        member, address_id = shopper(f"bench-place-{i:03d}")
        coupons = _coupons(shop_coupon, member.pk, COUPONS_EACH)
        lines.append(" ".join([token(member), str(address_id), *map(str, coupons)]))
    with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as fh:
        fh.write("\n".join(lines) + "\n")
    return {
        "token": token(main),
        "product_id": product.pk,
        "sku_ids": skus,
        "preview_coupons": preview_coupons,
        "shoppers_file": fh.name,
        # another shopper bought the one unit: the bench shopper meets the sold-out answer
        "flash_item": _sold_out_flash_item(staff, *shopper("bench-sold-buyer")),
        "address_id": main_address,
    }


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


def main() -> None:
    info = prepare()
    token = str(info["token"])
    seconds = 1 if QUICK else SECONDS
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
    lines: list[dict[str, Any]] = []
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

            load(f"{bare_base}{BARE_PATH}")  # warm-up
            load(f"{base}/api/v1/ping")
            bare = [load(f"{bare_base}{BARE_PATH}").rps]
            # The shopper's authenticated ping (the same token as every endpoint), measured at the
            # start and at the end: its own line reports their mean, the very figure the summary
            # calls ping_rps and every ratio_ping divides by (so ping's ratio_ping is 1).
            ping_runs = [load(f"{base}/api/v1/ping")]
            results: dict[str, Any] = {}
            for name, method, path, body in endpoints:
                if name == "ping":
                    continue
                load(f"{base}{path}", method, body)  # warm: caches filled, connections open
                result = load(f"{base}{path}", method, body)
                results[name] = {
                    "rps": round(result.rps, 1),
                    "p50_ms": round(result.p50_ms, 2),
                    "p99_ms": round(result.p99_ms, 2),
                    "non_2xx": result.non_2xx,
                }
            placed = place_orders(
                base, shoppers_file=info["shoppers_file"], items=[items3[0], items3[1]], seconds=seconds
            )
            orders = placed["statuses"].get("201", 0)
            results["order_place"] = {
                "rps": round(orders / seconds, 1),
                "orders_per_s": round(orders / seconds, 1),
                "requests_per_s": round(placed["rps"], 1),
                "p99_ms": round(placed["p99_ms"], 2),
                "statuses": placed["statuses"],
            }
            bare.append(load(f"{bare_base}{BARE_PATH}").rps)
            ping_runs.append(load(f"{base}/api/v1/ping"))
    finally:
        os.unlink(info["shoppers_file"])
        clear_slot_window(SOLD_OUT_SLOT_MINUTES + 1)  # the sold-out slot ends: bench-flash (or this bench) can run next
    bare_rps = sum(bare) / len(bare)
    ping_rps = sum(run.rps for run in ping_runs) / len(ping_runs)
    results["ping"] = {
        "rps": round(ping_rps, 1),
        "p50_ms": round(max(run.p50_ms for run in ping_runs), 2),
        "p99_ms": round(max(run.p99_ms for run in ping_runs), 2),
        "non_2xx": sum(run.non_2xx for run in ping_runs),
    }
    for name in GOALS:
        row = results[name]
        lines.append(
            {
                "endpoint": name,
                **row,
                "bare_rps": round(bare_rps, 1),
                "ratio_bare": round(row["rps"] / bare_rps, 3),
                "ping_rps": round(ping_rps, 1),
                "ratio_ping": round(row["rps"] / ping_rps, 3),
                "goal_ratio_bare": GOALS[name],
                "connections": CONNECTIONS,
            }
        )
    for line in lines:
        print(json.dumps(line, ensure_ascii=False))
    print(
        json.dumps(
            {
                "bare_rps": round(bare_rps, 1),
                "ping_rps": round(ping_rps, 1),
                **{f"{line['endpoint']}_ratio_bare": line["ratio_bare"] for line in lines},
                **{f"{line['endpoint']}_ratio_ping": line["ratio_ping"] for line in lines},
                "orders_per_s": results["order_place"]["orders_per_s"],
                "goals_met": all(line["ratio_bare"] >= line["goal_ratio_bare"] for line in lines),
                **figures,
                "connections": CONNECTIONS,
            }
        )
    )


if __name__ == "__main__":
    main()
