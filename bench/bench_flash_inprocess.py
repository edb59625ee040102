"""The flash purchase's CPU per request, end to end, in process (issue 12; no wrk).

wrk's ratios swing between runs on a shared 2-core machine; this calls the project's WSGI
application (all middleware, JWT auth, throttles, the view, the rendering) with prepared
environs in this process and reads, around each batch, this process's CPU time and the
servers' (``/proc/<pid>/task/*/schedstat`` of the processes listening on the ports of
``REDIS_URL`` and ``DATABASE_URL``: nanoseconds on a CPU), so a request's cost includes the work
it makes Redis and MariaDB do (other clients' work on them too: medians of alternating batches).

Requests measured, batches alternating, medians reported:

* ``ping`` — ``GET /api/v1/ping`` with a shopper's JWT (the reference of ``bench-api``);
* ``sold_out`` — ``POST flash/items/{id}/purchase`` on an item whose one unit is sold;
* ``again`` — the shopper who bought that unit taps again (a new key): the gate knows them, so
  the full path runs (a retry may have an order to replay) and answers ``purchase_limit_exceeded``;
* ``win`` — a purchase that gets a unit and an order (a slot of many units, shoppers in turn).

The shop is ``DATABASE_URL`` (its own database: it is migrated, given a staff user, shoppers
and a slot) and ``REDIS_URL``. Set ``BENCH_ONLY=sold_out,ping`` for some of them. The last line
is JSON: per request, ``<name>_app_us`` (this process), ``<name>_redis_us``, ``<name>_db_us``
and ``<name>_total_us``.
"""

from __future__ import annotations

import glob
import json
import os
import statistics
import sys
import time
import uuid
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import (
    bench_env,
    bench_shopper,
    clear_slot_window,
    flash_unit_buy,
    lift_campaign_budgets,
    manage,
    schedstat_ns,
    shopper_token,
    wsgi_call,
    wsgi_environ,
)

ROUNDS = int(os.environ.get("BENCH_ROUNDS", "9"))
BATCH = {"ping": 400, "sold_out": 400, "again": 100, "win": 40}
WIN_SHOPPERS = 50
SLOT_MINUTES = 30

for _name in ("THROTTLE_PURCHASE_IP", "THROTTLE_PURCHASE_SHOPPER"):
    os.environ.setdefault(_name, "100000000/min")


def _listening_pids(port: int) -> list[str]:
    """The processes listening on ``port`` (the servers of ``REDIS_URL`` / ``DATABASE_URL``: other
    servers of the same name on the machine are not this shop's)."""
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            with open(table) as fh:
                rows = fh.read().splitlines()[1:]
        except OSError:
            continue
        for row in rows:
            fields = row.split()
            if fields[3] == "0A" and int(fields[1].rsplit(":", 1)[1], 16) == port:
                inodes.add(f"socket:[{fields[9]}]")
    found = []
    for fd_dir in glob.glob("/proc/[0-9]*/fd"):
        try:
            if any(os.readlink(os.path.join(fd_dir, fd)) in inodes for fd in os.listdir(fd_dir)):
                found.append(fd_dir.split("/")[2])
        except OSError:
            continue
    return found


def _ns(pids: list[str]) -> int:
    return schedstat_ns(path for pid in pids for path in glob.glob(f"/proc/{pid}/task/*/schedstat"))


def setup() -> None:
    os.environ.update({k: v for k, v in bench_env().items() if k not in os.environ})
    import django

    django.setup()


def prepare() -> dict[str, Any]:
    """The shop, or the one ``BENCH_INFO`` names (a JSON file an earlier run wrote): runs of two
    versions of the code can then measure the same items."""
    saved = os.environ.get("BENCH_INFO")
    if saved and os.path.exists(saved):
        setup()
        with open(saved) as fh:
            return dict(json.load(fh))
    manage("db_create")
    manage("migrate", "--noinput")
    setup()
    from django.contrib.auth.models import User
    from django.utils import timezone

    from bench.bench_api import _guard_for_one_address
    from mall.models import Category, Product, Sku
    from marketing.services.flash_sales import (
        FlashItemData,
        FlashSlotData,
        flash_item_add,
        flash_slot_create,
        flash_slot_publish,
    )

    staff = User.objects.filter(username="bench-ops").first() or User.objects.create_superuser(
        username="bench-ops", password=uuid.uuid4().hex, email="bench@example.com"
    )
    _guard_for_one_address(staff)

    clear_slot_window(SLOT_MINUTES + 1)
    lift_campaign_budgets()
    category = Category.objects.get_or_create(name="秒杀专区")[0]
    product = Product.objects.create(category=category, title="压测秒杀商品", min_price=5900)
    sold_sku = Sku.objects.create(product=product, code=f"BENCH-SOLD-{uuid.uuid4().hex[:8]}", price=5900, stock=1)
    win_sku = Sku.objects.create(product=product, code=f"BENCH-WIN-{uuid.uuid4().hex[:8]}", price=5900, stock=1_000_000)
    starts_at = timezone.now() + timedelta(seconds=1)
    slot = flash_slot_create(
        actor=staff,
        data=FlashSlotData(starts_at=starts_at, ends_at=starts_at + timedelta(minutes=SLOT_MINUTES), title="bench"),
    )
    sold = flash_item_add(
        actor=staff, slot_id=slot.pk, data=FlashItemData(sku_id=sold_sku.pk, flash_price=990, quota=1)
    )
    win = flash_item_add(
        actor=staff,
        slot_id=slot.pk,
        data=FlashItemData(sku_id=win_sku.pk, flash_price=990, quota=100_000, per_shopper_limit=100_000),
    )
    flash_slot_publish(actor=staff, slot_id=slot.pk)
    buyer, buyer_address = bench_shopper("bench-sold-buyer")
    flash_unit_buy(buyer, buyer_address, sku_id=sold_sku.pk, item_id=sold.pk, starts_at=starts_at)
    main, main_address = bench_shopper("bench-shopper")
    winners = [bench_shopper(f"bench-win-{i:03d}") for i in range(WIN_SHOPPERS)]
    info = {
        "token": shopper_token(main),
        "address_id": main_address,
        "buyer_token": shopper_token(buyer),
        "buyer_address_id": buyer_address,
        "sold_item": sold.pk,
        "win_item": win.pk,
        "winners": [(shopper_token(member), address_id) for member, address_id in winners],
    }
    if saved:
        with open(saved, "w") as fh:
            json.dump(info, fh)
    return info


def main() -> None:
    info = prepare()
    from mall.wsgi import application

    only = set(filter(None, os.environ.get("BENCH_ONLY", "").split(","))) or set(BATCH)

    seen: dict[str, tuple[str, bytes]] = {}

    def call(env: dict[str, Any], name: str, expect: str) -> None:
        status_line, body = wsgi_call(application, env)
        if not status_line.startswith(expect):
            raise SystemExit(f"{name}: {status_line} {body[:300]!r}")
        seen[name] = (status_line, body)

    token = str(info["token"])
    sold_path = f"/api/v1/flash/items/{info['sold_item']}/purchase"
    win_path = f"/api/v1/flash/items/{info['win_item']}/purchase"
    sold_body = json.dumps({"address_id": info["address_id"]}).encode()
    buyer_body = json.dumps({"address_id": info["buyer_address_id"]}).encode()
    counter = 0

    def ping() -> None:
        call(wsgi_environ("GET", "/api/v1/ping", token), "ping", "200")

    def sold_out() -> None:
        nonlocal counter
        counter += 1
        env = wsgi_environ("POST", sold_path, token, sold_body, HTTP_IDEMPOTENCY_KEY=f"k-{counter}")
        call(env, "sold_out", "409")

    def again() -> None:
        nonlocal counter
        counter += 1
        env = wsgi_environ("POST", sold_path, str(info["buyer_token"]), buyer_body, HTTP_IDEMPOTENCY_KEY=f"k-{counter}")
        call(env, "again", "409")

    def win() -> None:
        nonlocal counter
        counter += 1
        win_token, address = info["winners"][counter % len(info["winners"])]
        body = json.dumps({"address_id": address}).encode()
        env = wsgi_environ("POST", win_path, win_token, body, HTTP_IDEMPOTENCY_KEY=uuid.uuid4().hex)
        call(env, "win", "201")

    runs: dict[str, Callable[[], None]] = {"ping": ping, "sold_out": sold_out, "again": again, "win": win}
    runs = {name: run for name, run in runs.items() if name in only}
    for run in runs.values():  # warm: connections open, scripts loaded, caches filled
        for _ in range(20):
            run()
    profile = os.environ.get("BENCH_PROFILE")
    if profile:  # a cProfile of one request kind instead of the figures
        import cProfile
        import pstats

        with cProfile.Profile() as prof:
            for _ in range(2000):
                runs[profile]()
        pstats.Stats(prof).sort_stats("cumulative").print_stats(70)
        return
    from urllib.parse import urlparse

    redis_pids = _listening_pids(urlparse(os.environ["REDIS_URL"]).port or 6379)
    db_pids = _listening_pids(urlparse(os.environ["DATABASE_URL"]).port or 3306)
    figures: dict[str, dict[str, list[float]]] = {name: {"app": [], "redis": [], "db": []} for name in runs}
    for _round in range(ROUNDS):
        for name, run in runs.items():
            count = BATCH[name]
            redis0, db0, cpu0 = _ns(redis_pids), _ns(db_pids), time.process_time()
            for _ in range(count):
                run()
            cpu1, redis1, db1 = time.process_time(), _ns(redis_pids), _ns(db_pids)
            figures[name]["app"].append((cpu1 - cpu0) / count * 1e6)
            figures[name]["redis"].append((redis1 - redis0) / count / 1e3)
            figures[name]["db"].append((db1 - db0) / count / 1e3)
    out: dict[str, float] = {}
    for name, parts in figures.items():
        for part, values in parts.items():
            out[f"{name}_{part}_us"] = round(statistics.median(values), 1)
        out[f"{name}_total_us"] = round(sum(out[f"{name}_{part}_us"] for part in parts), 1)
    for name, (status_line, body) in seen.items():
        print(name, status_line, body[:160].decode(errors="replace"))
    print(json.dumps(out))


if __name__ == "__main__":
    main()
