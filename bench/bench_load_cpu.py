"""CPU per request under load, split by process (issue 12): what ``bench-api``'s ratios are made of.

``make bench-request-cpu`` calls the app in this process, one request at a time. Under
``bench-api``'s load the workers, MariaDB, Redis and wrk share the box's cores, and a request
may cost its worker more than alone (the checkout preview ≈ 1.4× in one hour of 2026-12-07,
about the same in another; ping neither time): this measures it where the ratios are made.
This serves bench-api's shop and the bare reference app with ``gunicorn.conf.py``'s settings,
drives each endpoint with wrk at bench-api's concurrency, and reads the CPU every process on
the box spent during the run (``/proc/<pid>/stat`` before and after; wrk's from its rusage once
it has exited), by kind: the server under test (the shop's gunicorn, or the bare app's), MariaDB,
Redis, wrk and everything else. Runs of the endpoints alternate for ``BENCH_ROUNDS`` rounds of
``BENCH_SECONDS`` each; the figures are medians, in µs of CPU per request.

Runs on ``bench-api``'s shop (``make bench-api`` or ``make bench-checkout`` builds it). The last
line is JSON: ``{endpoint: {"rps", "server_us", "mariadb_us", "redis_us", "wrk_us", "other_us",
"total_us"}}`` for ``bare``, ``ping`` and ``checkout_preview``, plus ``_run``.
"""

from __future__ import annotations

import json
import os
import resource
import statistics
import sys
from collections import Counter
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import BARE_APP, BARE_PATH, bench_env, gunicorn, server_figures, shopper_token, wrk

ROUNDS = int(os.environ.get("BENCH_ROUNDS", "3"))
SECONDS = int(os.environ.get("BENCH_SECONDS", "6"))
CONNECTIONS = int(os.environ.get("BENCH_CONNECTIONS", "16"))
TICK_US = 1e6 / os.sysconf("SC_CLK_TCK")
KINDS = ("server", "mariadb", "redis", "wrk", "other")


def _kind(command: str, name: str, server_app: str) -> str:
    if "gunicorn" in command:
        return "server" if server_app in command else "other"  # the other app's idle workers
    return {"mariadbd": "mariadb", "redis-server": "redis"}.get(name, "other")


def cpu_by_kind(server_app: str) -> Counter[str]:
    """Clock ticks of user + system CPU every live process has spent, summed by kind."""
    ticks: Counter[str] = Counter()
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            stat = Path(f"/proc/{pid}/stat").read_text()
            command = Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace")
        except OSError:  # gone meanwhile
            continue
        name = stat[stat.index("(") + 1 : stat.rindex(")")]
        fields = stat[stat.rindex(")") + 2 :].split()
        ticks[_kind(command, name, server_app)] += int(fields[11]) + int(fields[12])
    return ticks


def _children_cpu_us() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (usage.ru_utime + usage.ru_stime) * 1e6


def measured_run(
    url: str, server_app: str, *, token: str, method: str, body: dict[str, Any] | None
) -> dict[str, float]:
    """One wrk run against ``url``: requests per second and µs of CPU per request by kind."""
    before, wrk_before = cpu_by_kind(server_app), _children_cpu_us()
    result = wrk(url, token=token, method=method, body=body, connections=CONNECTIONS, seconds=SECONDS)
    after, wrk_after = cpu_by_kind(server_app), _children_cpu_us()
    figures = {"rps": result.rps}
    for kind in KINDS:
        if kind != "wrk":
            figures[f"{kind}_us"] = max(after[kind] - before[kind], 0) * TICK_US / result.requests
    figures["wrk_us"] = (wrk_after - wrk_before) / result.requests
    return figures


def _preview_request() -> tuple[str, dict[str, Any]]:
    """bench-api's checkout preview: its shopper's token and body (3 lines, 2 named coupons)."""
    from bench.bench_api import named_coupons, preview_templates, stocked_preview_sku_ids
    from members.models import Member

    shopper = Member.objects.get(openid="bench-shopper")
    items = [{"sku_id": pk, "qty": 1} for pk in stocked_preview_sku_ids()]
    return shopper_token(shopper), {"items": items, "coupon_ids": named_coupons(shopper.pk, preview_templates())}


def main() -> None:
    os.environ.update({k: v for k, v in bench_env().items() if k not in os.environ})
    import django

    django.setup()
    token, body = _preview_request()
    shop_app = "mall.wsgi"
    runs: dict[str, list[dict[str, float]]] = {"bare": [], "ping": [], "checkout_preview": []}
    with gunicorn(BARE_APP) as bare_base, gunicorn(shop_app) as base:
        endpoints = {
            "bare": (f"{bare_base}{BARE_PATH}", BARE_APP, "GET", None),
            "ping": (f"{base}/api/v1/ping", shop_app, "GET", None),
            "checkout_preview": (f"{base}/api/v1/checkout/preview", shop_app, "POST", body),
        }
        for url, _app, method, payload in endpoints.values():  # warm: caches filled, connections open
            wrk(url, token=token, method=method, body=payload, connections=CONNECTIONS, seconds=2)
        for _round in range(ROUNDS):
            for name, (url, app, method, payload) in endpoints.items():
                runs[name].append(measured_run(url, app, token=token, method=method, body=payload))
    out: dict[str, Any] = {}
    for name, figures in runs.items():
        medians = {part: round(statistics.median(run[part] for run in figures), 1) for part in figures[0]}
        medians["total_us"] = round(sum(medians[f"{kind}_us"] for kind in KINDS), 1)
        out[name] = medians
    out["_run"] = {"rounds": ROUNDS, "seconds": SECONDS, "connections": CONNECTIONS, **server_figures()}
    print(json.dumps(out))


if __name__ == "__main__":
    main()
