"""CPU per request, end to end, split by process: the WSGI app, MariaDB and Redis (issue 12).

On the bench box the web workers, MariaDB and Redis share two cores, so a request costs what
all three spend on it. This calls the shop's WSGI application in this process with a prepared
environ (as gunicorn hands it over: no HTTP parsing, no socket) ``BENCH_REQUESTS`` times per
batch, and reads

* this process's CPU (``time.process_time``),
* the CPU of the MariaDB thread serving this process's connection (``/proc/<mariadbd>/task/<tid>/schedstat``:
  one thread per connection, so neighbours' queries stay out of it),
* the CPU of ``redis-server``: a private instance started for the run (``BENCH_OWN_REDIS=0``
  uses ``REDIS_URL``'s server instead, whose total includes every other client's load),

before and after. Batches of the endpoints alternate; the figures are medians (µs per request).
Endpoints: the signed-in ``/api/v1/ping`` and the checkout preview of ``bench-api`` (3 lines,
2 named coupons) for its shopper, for a shopper holding 60 coupons (``preview60``) and for one
whose points ledger has 2,000 entries among nine neighbours' (``preview_ledger``: a daily
check-in for five and a half years; the preview reads the balance, a sum over that ledger).
Runs on ``bench-api``'s shop (``make bench-checkout`` or ``make bench-api`` builds it).
The last line is JSON: ``{endpoint: {"app_us", "mariadb_us", "redis_us", "total_us"}}``.
"""

from __future__ import annotations

import json
import os
import signal
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import bench_env, free_port, schedstat_ns, shopper_token, wsgi_call, wsgi_environ

REQUESTS = int(os.environ.get("BENCH_REQUESTS", "300"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "7"))


def _threads(pid: int) -> list[str]:
    return [f"/proc/{pid}/task/{tid}/schedstat" for tid in os.listdir(f"/proc/{pid}/task")]


def _pid_of(name: str) -> int:
    out = subprocess.run(["pgrep", "-o", "-x", name], capture_output=True, text=True, check=True).stdout
    return int(out.split()[0])


@contextmanager
def _own_redis() -> Iterator[tuple[str, int]]:
    """A private redis-server on a free loopback port (no persistence), stopped afterwards."""
    port = free_port()
    proc = subprocess.Popen(
        ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
    )
    try:
        for _ in range(100):
            try:
                subprocess.run(["redis-cli", "-p", str(port), "ping"], capture_output=True, check=True, timeout=1)
                break
            except (subprocess.CalledProcessError, subprocess.TimeoutExpired):
                time.sleep(0.05)
        yield f"redis://127.0.0.1:{port}/0", proc.pid
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=10)


def _shop() -> dict[str, Any]:
    """Token, SKUs and coupons of bench-api's preview, and a shopper with 60 coupons (made once)."""
    from bench.bench_api import _coupons, named_coupons, preview_templates, stocked_preview_sku_ids
    from members.models import Member

    main = Member.objects.get(openid="bench-shopper")
    skus = stocked_preview_sku_ids()
    templates = preview_templates()
    shop_t, platform_t = templates
    rich = Member.objects.get_or_create(openid="bench-preview-60", defaults={"nickname": "压测", "is_dev": True})[0]
    named = [_coupons(shop_t, rich.pk, 59)[0], _coupons(platform_t, rich.pk, 1)[0]]
    loyal = _long_ledger_shopper()
    return {
        "skus": skus,
        "main": (shopper_token(main), named_coupons(main.pk, templates)),
        "rich": (shopper_token(rich), named),
        "loyal": (shopper_token(loyal), named_coupons(loyal.pk, templates)),
    }


LEDGER_ENTRIES = 2000
LEDGER_NEIGHBOURS = 9  # shoppers checking in the same days: a member's entries lie among theirs


def _long_ledger_shopper() -> Any:
    """A shopper with ``LEDGER_ENTRIES`` daily check-in entries of 5 points, each day's written
    among ``LEDGER_NEIGHBOURS`` other shoppers' (as in a shop's table, where one member's rows
    are spread over its pages); made once, rows directly."""
    from members.models import Member, PointsEntry

    def shopper(openid: str) -> Member:
        return Member.objects.get_or_create(openid=openid, defaults={"nickname": "老会员", "is_dev": True})[0]

    loyal = shopper("bench-preview-ledger")
    everyone = [loyal] + [shopper(f"bench-preview-ledger-{i}") for i in range(LEDGER_NEIGHBOURS)]
    have = PointsEntry.objects.filter(member=loyal).count()
    PointsEntry.objects.bulk_create(
        [
            PointsEntry(member=who, delta=5, reason=PointsEntry.Reason.CHECKIN, ref=f"bench-checkin:{day}")
            for day in range(have, LEDGER_ENTRIES)
            for who in everyone
        ],
        batch_size=1000,
        ignore_conflicts=True,  # a neighbour's day already written by a run stopped half-way
    )
    return loyal


def _environ(method: str, path: str, token: str, body: bytes = b"") -> Callable[[], dict[str, Any]]:
    """A fresh environ per call (its input stream is read once)."""
    return lambda: wsgi_environ(method, path, token, body)


def main() -> None:
    env = bench_env()
    own = os.environ.get("BENCH_OWN_REDIS", "1") != "0"
    with _own_redis() if own else _null_redis(env) as (redis_url, redis_pid):
        env["REDIS_URL"] = redis_url
        os.environ.update(env)
        import django

        django.setup()
        from django.db import connection

        from mall.wsgi import application

        shop = _shop()
        items = [{"sku_id": pk, "qty": 1} for pk in shop["skus"]]
        endpoints: dict[str, Callable[[], dict[str, Any]]] = {"ping": _environ("GET", "/api/v1/ping", shop["main"][0])}
        for name, who in (("preview", "main"), ("preview60", "rich"), ("preview_ledger", "loyal")):
            token, coupons = shop[who]
            body = json.dumps({"items": items, "coupon_ids": coupons}).encode()
            endpoints[name] = _environ("POST", "/api/v1/checkout/preview", token, body)

        statuses: list[str] = []

        def call(make: Callable[[], dict[str, Any]]) -> bytes:
            status, body = wsgi_call(application, make())
            statuses.append(status)
            return body

        for name, make in endpoints.items():
            for _ in range(20):  # warm: rules cached, connections open, code paths compiled
                call(make)
            assert statuses[-1].startswith("200"), (name, statuses[-1], call(make)[:300])
        with connection.cursor() as cursor:
            cursor.execute("SELECT TID FROM information_schema.PROCESSLIST WHERE ID = CONNECTION_ID()")
            tid = cursor.fetchone()[0]
        mariadb_thread = [f"/proc/{_pid_of('mariadbd')}/task/{tid}/schedstat"]
        redis_threads = _threads(redis_pid)

        figures: dict[str, dict[str, list[float]]] = {
            name: {"app_us": [], "mariadb_us": [], "redis_us": []} for name in endpoints
        }
        for _round in range(ROUNDS):
            for name, make in endpoints.items():
                statuses.clear()
                db0, rd0, cpu0 = schedstat_ns(mariadb_thread), schedstat_ns(redis_threads), time.process_time()
                for _ in range(REQUESTS):
                    call(make)
                cpu1, db1, rd1 = time.process_time(), schedstat_ns(mariadb_thread), schedstat_ns(redis_threads)
                assert all(s.startswith("200") for s in statuses), (name, set(statuses))
                figures[name]["app_us"].append((cpu1 - cpu0) * 1e6 / REQUESTS)
                figures[name]["mariadb_us"].append((db1 - db0) / 1000 / REQUESTS)
                figures[name]["redis_us"].append((rd1 - rd0) / 1000 / REQUESTS)
        out: dict[str, dict[str, float]] = {}
        for name, parts in figures.items():
            medians = {part: round(statistics.median(values), 1) for part, values in parts.items()}
            medians["total_us"] = round(sum(medians.values()), 1)
            out[name] = medians
        out["_run"] = {"requests": REQUESTS, "rounds": ROUNDS, "own_redis": own}  # type: ignore[dict-item]
        print(json.dumps(out))


@contextmanager
def _null_redis(env: dict[str, str]) -> Iterator[tuple[str, int]]:
    yield env.get("REDIS_URL", ""), _pid_of("redis-server")


if __name__ == "__main__":
    main()
