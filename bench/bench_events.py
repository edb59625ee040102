"""make bench-events: behaviour events from HTTP batch to table, and the dashboards over millions of rows.

1. Uses its own database: the one named by ``DATABASE_URL`` (default the local MariaDB) with
   ``_bench_events`` appended, created and migrated here, so no shop's events are touched; Redis
   from ``REDIS_URL`` (default the local Redis's db 0) on its own stream key.
2. Ingest: gunicorn (``BENCH_WORKERS`` × ``BENCH_THREADS``, default 2 × 4) takes
   ``POST /api/v1/events/batch`` with 50 events each from wrk (``BENCH_CONNECTIONS`` connections,
   ``BENCH_SECONDS`` seconds, anonymous devices rotating) while ``BENCH_DRAINS`` drain processes
   (default 2) move the queue into the table. The figure is rows landed per second, from the
   first request to the last row in the table (``events_per_s``; goal ≥ 5,000).
3. Scale: ``BENCH_EVENTS_ROWS`` raw events (default 10,000,000) over ``BENCH_DAYS`` days (30) are
   loaded with LOAD DATA (a tab-separated file per million rows), every day is rolled up, and
   every dashboard selector of the 行为分析 page is timed over the whole period (best of 3;
   goal ≤ 500 ms each).
4. Prints one JSON line last: ``{"events_per_s", "http_events_per_s", "requests", "non_2xx",
   "rows_loaded", "load_s", "rollup_s", "dashboard_ms": {…}, "dashboard_max_ms"}``.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.common import PYTHON, gunicorn  # noqa: E402

ROWS = int(os.environ.get("BENCH_EVENTS_ROWS", "10000000"))
DAYS = int(os.environ.get("BENCH_DAYS", "30"))
SECONDS = int(os.environ.get("BENCH_SECONDS", "15"))
CONNECTIONS = int(os.environ.get("BENCH_CONNECTIONS", "16"))
WORKERS = int(os.environ.get("BENCH_WORKERS", "2"))
THREADS = int(os.environ.get("BENCH_THREADS", "4"))
DRAINS = int(os.environ.get("BENCH_DRAINS", "2"))
CHUNK = 1_000_000

_base = urlsplit(os.environ.get("DATABASE_URL", "mysql://root@127.0.0.1:3306/duoying"))
os.environ["DATABASE_URL"] = urlunsplit(_base._replace(path=f"{_base.path.rstrip('/')}_bench_events"))
os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/0")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mall.settings.local")
os.environ["ANALYTICS_STREAM"] = "bench:analytics:events"
os.environ["THROTTLE_EVENTS_IP"] = "100000000/min"
os.environ["THROTTLE_EVENTS_SHOPPER"] = "100000000/min"
os.environ["THROTTLE_IP"] = "100000000/min"

PAGES = (
    "pages/home/index",
    "pages/category/index",
    "pages/product/index",
    "pages/cart/index",
    "package-order/checkout/index",
    "package-flash/index/index",
    "package-social/group/index",
)

# wrk: a batch of 50 events per request, the device id rotating so every batch is another shopper's
WRK_LUA = """
local counter = 0
local events = {}
for i = 1, 50 do
  events[i] = '{"name":"page_view","session":"bench-s","props":{"page":"pages/product/index","product_id":'
    .. (i % 40 + 1) .. ',"dwell_ms":' .. (i * 97) .. ',"tool":"flash","campaign_id":3}}'
end
local payload = table.concat(events, ",")
request = function()
  counter = counter + 1
  local body = '{"anon_id":"bench-device-' .. (counter % 5000) .. '","events":[' .. payload .. ']}'
  return wrk.format("POST", "/api/v1/events/batch", {["Content-Type"] = "application/json"}, body)
end
"""


def manage(*args: str) -> str:
    env = dict(os.environ, DJANGO_DEBUG="0", LOG_LEVEL="WARNING")
    return subprocess.run(
        [PYTHON, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    ).stdout


def setup_django() -> None:
    import django

    django.setup()


DRAIN_LOOP = """
import os, sys, time, django
django.setup()
from analytics.services.ingest import events_drain
stop = sys.argv[1]
while not os.path.exists(stop):
    if not events_drain(consumer=f"bench-{os.getpid()}", chunk=100, max_entries=400):
        time.sleep(0.05)
events_drain(consumer=f"bench-{os.getpid()}", chunk=100)
"""


def row_count() -> int:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM analytics_behaviourevent")
        return int(cursor.fetchone()[0])


def ingest() -> dict[str, Any]:
    from django.db import connection

    from mall.redis import get_redis

    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE TABLE analytics_behaviourevent")
    get_redis().delete(os.environ["ANALYTICS_STREAM"])
    workdir = Path(tempfile.mkdtemp(prefix="bench-events-"))
    stop = workdir / "stop"
    script = workdir / "post.lua"
    script.write_text(WRK_LUA)
    env = dict(os.environ, DJANGO_DEBUG="0", LOG_LEVEL="WARNING")
    drains = [subprocess.Popen([PYTHON, "-c", DRAIN_LOOP, str(stop)], cwd=ROOT, env=env) for _ in range(DRAINS)]
    try:
        with gunicorn(workers=WORKERS, threads=THREADS) as base:
            started = time.monotonic()
            out = subprocess.run(
                ["wrk", "-t2", f"-c{CONNECTIONS}", f"-d{SECONDS}s", "-s", str(script), base],
                capture_output=True,
                text=True,
                check=True,
            ).stdout
            http_s = time.monotonic() - started
        requests = int(out.split(" requests in")[0].split()[-1])
        non_2xx = int(out.split("Non-2xx or 3xx responses:")[1].split()[0]) if "Non-2xx" in out else 0
        expected = (requests - non_2xx) * 50
        while row_count() < expected and time.monotonic() - started < SECONDS + 120:
            time.sleep(0.2)
        landed_s = time.monotonic() - started
        rows = row_count()
    finally:
        stop.touch()
        for proc in drains:
            proc.wait(timeout=60)
        shutil.rmtree(workdir, ignore_errors=True)
    return {
        "events_per_s": round(rows / landed_s),
        "http_events_per_s": round(expected / http_s),
        "requests": requests,
        "non_2xx": non_2xx,
        "rows_landed": rows,
        "rows_expected": expected,
    }


def load(rows: int, today: date) -> float:
    """LOAD DATA of ``rows`` generated events: sessions home → products → cart → checkout → pay."""
    import MySQLdb
    from django.conf import settings
    from django.db import connection

    from analytics.services.partitions import partitions_maintain

    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE TABLE analytics_behaviourevent")
    partitions_maintain(today=today)  # the day partitions of the retention window
    rng = random.Random(7)
    tz = ZoneInfo("Asia/Shanghai")
    db = settings.DATABASES["default"]
    conn = MySQLdb.connect(
        host=db["HOST"] or "127.0.0.1",
        port=int(db["PORT"] or 3306),
        user=db["USER"],
        password=db["PASSWORD"],
        database=db["NAME"],
        local_infile=1,
        charset="utf8mb4",
    )
    started = time.monotonic()
    written = 0
    session = 0
    path = Path(tempfile.mkdtemp(prefix="bench-load-")) / "events.tsv"
    try:
        while written < rows:
            lines: list[str] = []
            while len(lines) < CHUNK and written + len(lines) < rows:
                session += 1
                day = today - timedelta(days=rng.randrange(DAYS))
                hour = rng.choices(
                    range(24), weights=[1, 1, 1, 1, 1, 1, 2, 3, 4, 5, 6, 6, 8, 7, 6, 6, 6, 7, 8, 10, 12, 12, 8, 4]
                )[0]
                moment = datetime(day.year, day.month, day.day, hour, rng.randrange(60), tzinfo=tz)
                anon = f"bench-{rng.randrange(200_000)}"
                tool, campaign = rng.choice((("", "\\N"), ("", "\\N"), ("flash", "3"), ("group_buy", "5")))
                steps = ["pages/home/index"] + [rng.choice(PAGES[1:]) for _ in range(rng.randrange(1, 6))]
                names = ["page_view"] * len(steps)
                if rng.random() < 0.3:
                    steps += ["pages/cart/index", "package-order/checkout/index"]
                    names += ["add_to_cart", "checkout_start"]
                    if rng.random() < 0.5:
                        steps.append("package-order/checkout/index")
                        names.append("pay")
                    else:
                        steps.append("package-order/checkout/index")
                        names.append("checkout_leave")
                for seq, (page, name) in enumerate(zip(steps, names, strict=True)):
                    at = moment + timedelta(seconds=seq * 20)
                    reason = (
                        rng.choice(("price", "sold_out", "coupon_unusable", "other"))
                        if name == "checkout_leave"
                        else ""
                    )
                    product = str(rng.randrange(1, 200)) if page == "pages/product/index" else "\\N"
                    lines.append(
                        "\t".join(
                            (
                                day.isoformat(),
                                at.astimezone(ZoneInfo("UTC")).strftime("%Y-%m-%d %H:%M:%S"),
                                name,
                                anon,
                                "\\N",
                                f"s{session}",
                                page,
                                product,
                                tool,
                                campaign,
                                str(rng.randrange(500, 60_000)) if name == "page_view" else "\\N",
                                reason,
                                str(at.hour),
                                "{}",
                                f"b{session}",
                                str(seq),
                            )
                        )
                    )
            path.write_text("\n".join(lines) + "\n")
            cursor = conn.cursor()
            cursor.execute(
                f"LOAD DATA LOCAL INFILE '{path}' INTO TABLE analytics_behaviourevent "
                "(day, occurred_at, name, anon_id, member_id, session, page, product_id, tool, campaign_id, "
                "dwell_ms, reason, hour, props, batch_key, seq)"
            )
            conn.commit()
            written += len(lines)
    finally:
        conn.close()
        shutil.rmtree(path.parent, ignore_errors=True)
    return time.monotonic() - started


def dashboards(today: date) -> dict[str, float]:
    from analytics.console.behaviour import behaviour_context
    from analytics.selectors import behaviour as selectors

    first = today - timedelta(days=DAYS - 1)
    span = {"day_from": first, "day_to": today}
    calls = {
        "page_dwell": lambda: selectors.page_dwell(**span),
        "top_click_paths": lambda: selectors.top_click_paths(**span),
        "funnels": lambda: selectors.funnels(**span),
        "leave_reasons": lambda: selectors.leave_reasons(**span),
        "hourly_events": lambda: selectors.hourly_events(**span),
        "daily_visitors": lambda: selectors.daily_visitors(**span),
        "product_traffic": lambda: selectors.product_traffic(first, today),
        "whole_page": lambda: behaviour_context(days=DAYS, today=today),
    }
    timings = {}
    for name, call in calls.items():
        best = float("inf")
        for _ in range(3):
            started = time.perf_counter()
            call()
            best = min(best, time.perf_counter() - started)
        timings[name] = round(best * 1000, 1)
    return timings


def main() -> None:
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is required: apt-get install wrk")
    manage("db_create")
    manage("migrate", "--noinput")
    setup_django()
    from django.utils import timezone

    from analytics.services.rollups import rollup_day

    result: dict[str, Any] = ingest()
    print(json.dumps({"stage": "ingest", **result}), flush=True)
    today = timezone.localdate()
    result["load_s"] = round(load(ROWS, today), 1)
    result["rows_loaded"] = row_count()
    print(json.dumps({"stage": "load", "rows": result["rows_loaded"], "load_s": result["load_s"]}), flush=True)
    started = time.monotonic()
    for offset in range(DAYS):
        rollup_day(day=today - timedelta(days=offset))
    result["rollup_s"] = round(time.monotonic() - started, 1)
    result["dashboard_ms"] = dashboards(today)
    result["dashboard_max_ms"] = max(result["dashboard_ms"].values())
    print(json.dumps(result))


if __name__ == "__main__":
    main()
