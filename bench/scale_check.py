"""make scale-check: two of everything on loopback, a flash sale through nginx while pieces die.

1. Prepares like ``make bench-flash`` (migrations, ``BENCH_BUYERS`` shoppers with tokens and
   addresses, default 2,000) on ``DATABASE_URL`` and ``REDIS_URL``; collects static files.
2. Starts, on free loopback ports with every file in a temporary directory (no root needed):
   two gunicorn instances (``-c gunicorn.conf.py`` when the repository has one), nginx in front
   of them with the shipped ``deploy/nginx/locations.conf`` (failover, static files, body
   limit), two Celery workers and one beat — all on the one MariaDB and one Redis (the broker
   is ``CELERY_BROKER_URL``, default the Redis), on a queue of this run's own.
3. Publishes a ``BENCH_UNITS`` slot (default 100) and runs the race through nginx (wrk, a Lua
   script rotating every shopper's token and a fresh Idempotency-Key per tap); once
   ``SCALE_KILL_AT`` units (default 20) are sold — mid-sale — it SIGKILLs one gunicorn instance
   (master and workers) and one Celery worker, which systemd would restart: so it restarts
   the worker.
4. Checks the sale: sold == units, oversold 0, no lost unit (the gate's available + locked +
   sold == quota, and every order has its purchase).
5. Time-travels the 15-minute locks (the orders' ``expires_at`` set in the past), then sends
   each order's expiry task twice and the every-minute sweep four times to the two workers (the
   beat sends its own sweeps too): every lock must be released exactly once — one
   ``order_cancelled`` record per order, ``locked`` back to 0, the database and the gate both
   back to the full quota.
6. Prints one JSON line last; exits 1 when a check failed. Everything started is stopped at
   the end, also on failure (process groups; the run's queue is purged).
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
import uuid
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager, suppress
from datetime import timedelta
from functools import partial
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.bench_flash import UNITS, Run, open_slot, prepare, run_wrk
from bench.common import ROOT, bench_env, free_port, manage
from bench.nginx import nginx_config

BUYERS = int(os.environ.get("BENCH_BUYERS", "2000"))
SECONDS = int(os.environ.get("SCALE_SECONDS", "15"))
KILL_AT = int(os.environ.get("SCALE_KILL_AT", str(max(1, UNITS // 5))))
WEB_WORKERS = os.environ.get("SCALE_WEB_WORKERS", "")
BIN = Path(sys.executable).parent
QUEUE = f"scale-check-{uuid.uuid4().hex[:8]}"
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
# This process sends tasks too (the expiry tasks below): same queue as the web instances.
os.environ["CELERY_QUEUE"] = QUEUE


def _env() -> dict[str, str]:
    env = bench_env()
    env["CELERY_QUEUE"] = QUEUE
    env["TRUSTED_PROXY_COUNT"] = "1"  # nginx is the proxy in front, as in production
    env["PYTHONUNBUFFERED"] = "1"
    return env


class Processes:
    """Everything this run starts, each in its own process group; stopped in reverse order."""

    def __init__(self, logs: Path) -> None:
        self.logs = logs
        self.started: list[tuple[str, subprocess.Popen[bytes]]] = []

    def start(self, name: str, cmd: list[str]) -> subprocess.Popen[bytes]:
        with (self.logs / f"{name}.log").open("ab") as log:
            proc = subprocess.Popen(
                cmd, cwd=ROOT, env=_env(), stdout=log, stderr=subprocess.STDOUT, start_new_session=True
            )
        self.started.append((name, proc))
        return proc

    def kill(self, proc: subprocess.Popen[bytes]) -> None:
        """SIGKILL the whole group (a gunicorn master and its workers die together)."""
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)

    def stop_all(self) -> None:
        for _name, proc in reversed(self.started):
            if proc.poll() is None:
                try:
                    os.killpg(proc.pid, signal.SIGTERM)
                except ProcessLookupError:
                    continue
        deadline = time.monotonic() + 30
        for _name, proc in reversed(self.started):
            try:
                proc.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                with suppress(ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=10)

    def tail(self, name: str) -> str:
        path = self.logs / f"{name}.log"
        return path.read_text(errors="replace")[-3000:] if path.exists() else ""


def _wait(check: Callable[[], bool], *, seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if check():
                return
        except OSError:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"timed out after {seconds:.0f}s waiting for {what}")


def _healthy(url: str) -> bool:
    with urllib.request.urlopen(f"{url}/healthz", timeout=2) as response:
        return bool(response.status == 200)


def start_web(procs: Processes, name: str, port: int) -> subprocess.Popen[bytes]:
    cmd = [str(BIN / "gunicorn")]
    if (ROOT / "gunicorn.conf.py").exists():
        cmd += ["-c", str(ROOT / "gunicorn.conf.py")]
    else:
        cmd += ["--workers", WEB_WORKERS or "2", "--backlog", "4096"]
    if WEB_WORKERS and (ROOT / "gunicorn.conf.py").exists():
        cmd += ["--workers", WEB_WORKERS]
    cmd += ["--bind", f"127.0.0.1:{port}", "--log-level", "warning", "mall.wsgi"]
    return procs.start(name, cmd)


def start_worker(procs: Processes, name: str) -> subprocess.Popen[bytes]:
    return procs.start(
        name,
        [
            str(BIN / "celery"),
            "-A",
            "mall",
            "worker",
            "--hostname",
            f"{name}-{QUEUE}@%h",
            "--queues",
            QUEUE,
            "--pool",
            "threads",
            "--concurrency",
            "2",
            "--loglevel",
            "WARNING",
            "--without-gossip",
            "--without-mingle",
        ],
    )


def _two_workers() -> bool:
    from mall.celery import app

    names = [f"worker{i}-{QUEUE}@{os.uname().nodename}" for i in (1, 2)]
    return len(app.control.ping(destination=names, timeout=1.0)) == 2


def _failovers(access_log: Path) -> tuple[int, int]:
    """(requests nginx passed to a second instance, 5xx answered to shoppers) from the access log."""
    passed_on = errors = 0
    if not access_log.exists():
        return 0, 0
    for line in access_log.read_text(errors="replace").splitlines():
        status, _method, addrs, _ups = ([*line.split(" ", 3), "", "", ""])[:4]
        if "," in addrs:
            passed_on += 1
        if status.startswith("5"):
            errors += 1
    return passed_on, errors


def _sold(item_id: int) -> int:
    from django.db import connection

    from marketing.models import FlashItem

    item = FlashItem.objects.get(pk=item_id)
    connection.close()
    return item.locked + item.sold


def race(
    base: str, *, procs: Processes, victims: dict[str, subprocess.Popen[bytes]], info: dict[str, Any], buyers_file: str
) -> tuple[Run, int, float]:
    """wrk through nginx for the whole window; the kills happen once KILL_AT units are sold."""
    purchase_path = f"/api/v1/flash/items/{info['item_id']}/purchase"
    result: dict[str, Any] = {}

    def load() -> None:
        try:
            result["run"] = run_wrk(base, path=purchase_path, method="POST", buyers_file=buyers_file, seconds=SECONDS)
        except BaseException as exc:  # reported by the main thread
            result["error"] = exc

    wait = info["starts_at"] - time.time() - 1.0
    if wait > 0:
        time.sleep(wait)
    loader = threading.Thread(target=load, daemon=True)
    loader.start()
    sold_at_kill, killed_after = 0, 0.0
    deadline = info["starts_at"] + SECONDS
    while time.time() < deadline:
        sold_at_kill = _sold(info["item_id"])
        if sold_at_kill >= KILL_AT:
            break
        time.sleep(0.05)
    killed_after = max(0.0, time.time() - info["starts_at"])
    procs.kill(victims["web"])
    procs.kill(victims["worker"])
    loader.join(timeout=SECONDS + 60)
    if "error" in result:
        raise RuntimeError(f"wrk failed: {result['error']}")
    if "run" not in result:
        raise RuntimeError("wrk did not finish")
    return result["run"], sold_at_kill, killed_after


def sale_figures(item_id: int) -> dict[str, int]:
    from django.db import connection

    from marketing.models import FlashItem, FlashPurchase
    from marketing.models.flash_sales import FlashPurchaseStatus
    from marketing.services.flash_gate import gate_reconcile, gate_state
    from orders.models import Order

    connection.close()
    item = FlashItem.objects.get(pk=item_id)
    orders = Order.objects.filter(deal_kind="flash", deal_ref=item.pk).count()
    active = FlashPurchase.objects.filter(item=item).exclude(status=FlashPurchaseStatus.RELEASED)
    report = gate_reconcile(item_id=item.pk, repair=False)
    gate_avail = int(gate_state(item.pk).get("avail", -1))
    return {
        "orders": orders,
        "purchase_units": sum(active.values_list("qty", flat=True)),
        "quota": item.quota,
        "locked": item.locked,
        "paid": item.sold,
        "db_available": item.available,
        "gate_available": gate_avail,
        "gate_in_flight": report.in_flight,
        "gate_drifted": int(report.drifted),
    }


def release_locks(item_id: int, *, procs: Processes) -> dict[str, int]:
    """The 15-minute locks end now (time travel); expiry tasks twice each and sweeps, on two workers."""
    from amqp.exceptions import ChannelError
    from django.db import connection
    from django.utils import timezone

    from analytics.models import Event
    from mall.celery import app
    from marketing.models import FlashItem, FlashPurchase
    from marketing.models.flash_sales import FlashPurchaseStatus
    from marketing.services.flash_gate import gate_state
    from orders.models import Order, OrderStatus
    from orders.tasks import order_expire_task, order_expiry_sweep_task

    orders = Order.objects.filter(deal_kind="flash", deal_ref=item_id)
    numbers = list(orders.values_list("no", flat=True))
    ids = list(orders.values_list("pk", flat=True))
    orders.filter(status=OrderStatus.PENDING_PAYMENT).update(expires_at=timezone.now() - timedelta(seconds=1))
    connection.close()
    for _ in range(2):
        order_expiry_sweep_task.apply_async(queue=QUEUE)
        for order_id in ids:
            order_expire_task.apply_async(kwargs={"order_id": order_id}, queue=QUEUE)
        order_expiry_sweep_task.apply_async(queue=QUEUE)

    client = app.connection_for_write()
    try:

        def drained() -> bool:
            pending = Order.objects.filter(pk__in=ids, status=OrderStatus.PENDING_PAYMENT).exists()
            connection.close()
            if pending:
                return False
            with client.channel() as channel:
                try:
                    waiting = channel.queue_declare(QUEUE, passive=True).message_count
                except ChannelError:  # kombu's Redis transport: an empty queue is no queue
                    waiting = 0
            if waiting:
                return False
            active = app.control.inspect(timeout=1.0).active() or {}
            return not any(tasks for name, tasks in active.items() if QUEUE in name)

        _wait(drained, seconds=120, what="the workers to release every lock")
    finally:
        client.release()
    records = list(
        Event.objects.filter(name="order_cancelled", props__no__in=numbers).values_list("props__no", flat=True)
    )
    per_order = {no: records.count(no) for no in numbers}
    item = FlashItem.objects.get(pk=item_id)
    released = FlashPurchase.objects.filter(item=item, status=FlashPurchaseStatus.RELEASED).count()
    gate_avail = int(gate_state(item_id).get("avail", -1))
    connection.close()
    return {
        "locks": len(numbers),
        "released_once": sum(1 for n in per_order.values() if n == 1),
        "released_twice": sum(1 for n in per_order.values() if n > 1),
        "unreleased": sum(1 for n in per_order.values() if n == 0),
        "purchases_released": released,
        "locked_after": item.locked,
        "db_available_after": item.available,
        "gate_available_after": gate_avail,
        "quota": item.quota,
    }


def purge_queue() -> None:
    """This run's queue and its unacknowledged leftovers (a killed worker's) leave the broker."""
    from mall.celery import app

    with app.connection_for_write() as conn, conn.channel() as channel:
        try:
            channel.queue_purge(QUEUE)
            channel.queue_delete(QUEUE)
        except Exception:  # noqa: S110 - absent already
            pass
    broker = str(app.conf.broker_url)
    if broker.startswith("redis"):
        import redis

        client = redis.Redis.from_url(broker)
        for tag, raw in client.hscan_iter("unacked"):
            try:
                routing_key = json.loads(raw)[2]
            except (ValueError, IndexError):
                continue
            if routing_key == QUEUE:
                client.hdel("unacked", tag)
                client.zrem("unacked_index", tag)


@contextmanager
def stack(procs: Processes) -> Iterator[None]:
    try:
        yield
    finally:
        procs.stop_all()
        try:
            purge_queue()
        except Exception as exc:
            print(f"scale-check: could not purge queue {QUEUE}: {exc}", file=sys.stderr)


def _expire_earlier_benches_orders() -> None:
    """Expire the unpaid orders of earlier runs on this database whose locks have ended
    (bench-api places thousands and runs no worker). The check's expiry sweeps expire every due
    order, not only its own: a backlog kept them busy past the wait for its own locks."""
    from django.db import connection

    from orders.services.orders import order_expire_due

    order_expire_due()
    connection.close()


def main() -> int:
    if not shutil.which("wrk"):
        raise SystemExit("wrk is required: apt-get install wrk (make scale-check installs it)")
    if not Path(NGINX).exists():
        raise SystemExit("nginx is required: apt-get install nginx (make scale-check installs it)")
    # A SIGTERM (timeout, CI cancelling) unwinds like Ctrl-C: everything started is stopped.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    prepared = prepare()
    _expire_earlier_benches_orders()
    manage("collectstatic", "--noinput")
    buyers_file = prepared["buyers_file"]
    tmp = Path(tempfile.mkdtemp(prefix="duoying-scale-"))
    procs = Processes(tmp)
    ok = False
    try:
        with ExitStack() as exits:
            exits.enter_context(stack(procs))
            web_ports = [free_port(), free_port()]
            webs = [start_web(procs, f"web{i + 1}", port) for i, port in enumerate(web_ports)]
            for port in web_ports:
                _wait(partial(_healthy, f"http://127.0.0.1:{port}"), seconds=60, what=f"gunicorn on {port}")
            nginx_port = free_port()
            conf = nginx_config(tmp, port=nginx_port, upstreams=web_ports)
            subprocess.run(
                [NGINX, "-t", "-q", "-p", str(tmp), "-e", str(tmp / "nginx-error.log"), "-c", str(conf)], check=True
            )
            procs.start("nginx", [NGINX, "-p", str(tmp), "-e", str(tmp / "nginx-error.log"), "-c", str(conf)])
            base = f"http://127.0.0.1:{nginx_port}"
            _wait(partial(_healthy, base), seconds=20, what="nginx")
            with urllib.request.urlopen(f"{base}/static/admin/css/base.css", timeout=2) as response:
                static_ok = (
                    response.status == 200 and "Server" in response.headers and "nginx" in response.headers["Server"]
                )
            workers = [start_worker(procs, "worker1"), start_worker(procs, "worker2")]
            procs.start(
                "beat",
                [
                    str(BIN / "celery"),
                    "-A",
                    "mall",
                    "beat",
                    "--loglevel",
                    "WARNING",
                    "--schedule",
                    str(tmp / "beat-schedule"),
                ],
            )
            _wait(_two_workers, seconds=60, what="two Celery workers")
            ping = run_wrk(f"{base}/api/v1/ping", path="/api/v1/ping", method="GET", buyers_file=buyers_file, seconds=3)
            info = open_slot(prepared["staff_id"])
            sale, sold_at_kill, killed_after = race(
                base, procs=procs, victims={"web": webs[0], "worker": workers[0]}, info=info, buyers_file=buyers_file
            )
            # systemd's Restart=always brings the worker back; the web instance stays dead (nginx routes around it).
            start_worker(procs, "worker1")
            _wait(_two_workers, seconds=60, what="the restarted worker")
            figures = sale_figures(info["item_id"])
            released = release_locks(info["item_id"], procs=procs)
            from django.contrib.auth.models import User

            from marketing.services.flash_sales import flash_slot_finish

            flash_slot_finish(actor=User.objects.get(username="bench-ops"), slot_id=info["slot_id"])
            passed_on, errors_5xx_nginx = _failovers(tmp / "nginx-access.log")
    finally:
        os.unlink(buyers_file)
        if "figures" not in locals():
            for name in ("web1", "web2", "nginx", "worker1", "worker2", "beat"):
                text = procs.tail(name)
                if text.strip():
                    print(f"--- {name} ---\n{text}", file=sys.stderr)
            error_log = tmp / "nginx-error.log"
            if error_log.exists():
                print("--- nginx error log ---\n" + error_log.read_text(errors="replace")[-3000:], file=sys.stderr)
        shutil.rmtree(tmp, ignore_errors=True)

    units = UNITS
    sold = figures["orders"]
    lost = figures["quota"] - (max(figures["gate_available"], 0) + figures["locked"] + figures["paid"])
    checks = {
        "sold_equals_units": sold == units,
        "oversold_zero": sold <= units and figures["locked"] + figures["paid"] <= figures["quota"],
        "no_lost_unit": lost == 0 and figures["purchase_units"] == figures["locked"] + figures["paid"] == sold,
        "every_lock_released_once": released["released_once"] == released["locks"] == sold
        and released["purchases_released"] == sold
        and released["locked_after"] == 0
        and released["db_available_after"] == released["quota"]
        and released["gate_available_after"] == released["quota"],
        "static_from_nginx": static_ok,
        "killed_mid_sale": 0 < sold_at_kill < units,
    }
    ok = all(checks.values())
    print(
        json.dumps(
            {
                "detail": "scale-check",
                "statuses": sale.statuses,
                "socket_errors": sale.socket_errors,
                "requests": sale.requests,
                "killed_after_s": round(killed_after, 2),
                "passed_to_other_instance": passed_on,
                "ping_rps_through_nginx": round(ping.rps, 1),
                "sale": figures,
                "release": released,
                "checks": checks,
            }
        )
    )
    print(
        json.dumps(
            {
                "buyers": BUYERS,
                "units": units,
                "sold": sold,
                "oversold": max(0, sold - units),
                "lost_units": lost,
                "available": figures["gate_available"],
                "locked": figures["locked"],
                "paid": figures["paid"],
                "quota": figures["quota"],
                "web_instances": 2,
                "workers": 2,
                "killed": ["gunicorn web1 (SIGKILL)", "celery worker1 (SIGKILL)"],
                "sold_at_kill": sold_at_kill,
                "locks": released["locks"],
                "locks_released_once": released["released_once"],
                "locks_released_twice": released["released_twice"],
                "locks_unreleased": released["unreleased"],
                "errors_5xx": sale.count(low=500, high=599),
                "rps": round(sale.rps, 1),
                "p99_ms": round(sale.p99_ms, 2),
                "slowest_ms": round(sale.max_ms, 2),
                "ok": ok,
            }
        )
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
