"""The flash gate across faults (issue 10 §7), on the real MariaDB and a Redis of the test's own.

* A worker killed (SIGKILL) inside a purchase, after its admission: the shopper's same-key
  retry succeeds at once; without a retry the unit goes back to the pool when the lease runs
  out, and reconcile then says what it dropped.
* Redis flushed (or restarted) while a purchase is between its admission and its commit: the
  rebuilt gate counts that shopper's unit once the purchase commits.

The killed worker is a real process (``python -c`` running ``flash_purchase``) held at a
known point — blocked on the shopper's row, which the test locks — so the kill lands after the
admission and before any commit, every time. Waits are bounded waits on conditions.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.db import OperationalError, connection, transaction

from mall.tests.outages import PrivateRedis, wait_until
from marketing.errors import FlashSoldOut
from marketing.models import FlashPurchase
from marketing.services.flash_gate import gate_keys, gate_rebuild, gate_reconcile, gate_state
from marketing.tests.flash import address_of, buy, counts, first_item, make_slot, shelf_sku
from members.models import Member
from members.tests.factories import MemberFactory
from members.tests.fixtures import guard_slider_off

pytestmark = [pytest.mark.race, pytest.mark.django_db(transaction=True)]

# A worker: buys one unit with a given key, says "admitted <db connection id>" once the gate
# let it through, then goes on into the order placement (where the test's lock holds it).
_WORKER = """
import os, sys
import django
django.setup()
from django.db import connection
from marketing.services import flash_gate
from marketing.services.flash_purchase import FlashDeal, flash_purchase
from members.models import Member

flash_gate.LEASE_MS = int(os.environ["LEASE_MS"])
admit = FlashDeal.admit

def admit_and_say(self, **kwargs):
    ticket = admit(self, **kwargs)
    with connection.cursor() as cursor:
        cursor.execute("SELECT CONNECTION_ID()")
        print("admitted", cursor.fetchone()[0], flush=True)
    return ticket

FlashDeal.admit = admit_and_say
from members.services.abuse import RequestContext
member = Member.objects.get(pk=int(os.environ["MEMBER_ID"]))
flash_purchase(member=member, item_id=int(os.environ["ITEM_ID"]), qty=1,
               address_id=int(os.environ["ADDRESS_ID"]), idempotency_key=os.environ["KEY"],
               context=RequestContext(ip=""))
print("placed", flush=True)
"""


@pytest.fixture
def private_redis(tmp_path: Path, settings: Any) -> Iterator[Any]:
    """The gate's Redis is a server of this test's own (flushed and restarted at will)."""
    import redis

    server = PrivateRedis(tmp_path)
    server.start()
    settings.REDIS_URL = server.url
    client = redis.Redis.from_url(server.url, decode_responses=True)
    yield server, client
    client.close()
    server.kill()


class RowLock:
    """The shopper's member row locked from another connection: their placement waits on it."""

    def __init__(self, member_id: int) -> None:
        self.member_id = member_id
        self.held = threading.Event()
        self.release = threading.Event()
        self.thread = threading.Thread(target=self._hold)

    def _hold(self) -> None:
        try:
            with transaction.atomic():
                list(Member.objects.select_for_update().filter(pk=self.member_id).values_list("pk", flat=True))
                self.held.set()
                self.release.wait(timeout=60)
        finally:
            connection.close()

    def __enter__(self) -> RowLock:
        self.thread.start()
        assert self.held.wait(timeout=10)
        return self

    def __exit__(self, *exc: object) -> None:
        self.release.set()
        self.thread.join(timeout=10)


def _worker(*, redis_url: str, member: Member, item: Any, key: str, lease_ms: int) -> subprocess.Popen[str]:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "mall.settings.test",
        "DATABASE_URL": f"mysql://root@127.0.0.1:{connection.settings_dict['PORT'] or 3306}/"
        f"{connection.settings_dict['NAME']}",
        "REDIS_URL": redis_url,
        "LEASE_MS": str(lease_ms),
        "MEMBER_ID": str(member.pk),
        "ITEM_ID": str(item.pk),
        "ADDRESS_ID": str(address_of(member).pk),
        "KEY": key,
    }
    return subprocess.Popen(  # noqa: S603 - this interpreter and a fixed script
        [sys.executable, "-c", _WORKER],
        cwd=settings.BASE_DIR,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )


def _kill_after_admission(worker: subprocess.Popen[str]) -> None:
    """Wait for the worker's admission, SIGKILL it, and drop its database session with it."""
    assert worker.stdout is not None
    line = worker.stdout.readline().split()
    assert line[:1] == ["admitted"], line
    worker.send_signal(signal.SIGKILL)
    worker.wait(timeout=10)
    try:
        with connection.cursor() as cursor:
            cursor.execute(f"KILL {int(line[1])}")  # a session waiting on a lock outlives its client
    except OperationalError as exc:
        if exc.args[0] != 1094:  # "unknown thread": the server already dropped it
            raise
    wait_until(lambda: not _session_alive(int(line[1])), what="the killed worker's session gone")


def _session_alive(connection_id: int) -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE ID = %s", [connection_id])
        return bool(cursor.fetchone()[0])


def _redis_ms(client: Any) -> int:
    seconds, micros = client.time()
    return int(seconds) * 1000 + int(micros) // 1000


@pytest.fixture
def sale(private_redis: Any) -> Any:
    item = first_item(make_slot(items=[(shelf_sku(), 1)], limit=1))
    assert gate_rebuild(item.pk)
    return item


def test_a_killed_workers_shopper_retries_with_the_same_key_and_gets_the_unit(private_redis: Any, sale: Any) -> None:
    server, client = private_redis
    victim = MemberFactory.create()
    address_of(victim)  # written before the row is locked
    with RowLock(victim.pk):
        worker = _worker(redis_url=server.url, member=victim, item=sale, key="tap-1", lease_ms=60_000)
        _kill_after_admission(worker)
        assert client.zcard(gate_keys(sale.pk).inflight) == 1  # the dead request's unit, in flight
        assert gate_state(sale.pk)["avail"] == "0"

    result = buy(victim, sale, key="tap-1")  # at once, long before the lease would run out

    assert result.created
    assert counts(sale) == (1, 1, 0, 0)
    assert gate_state(sale.pk)["avail"] == "0"
    assert client.hget(gate_keys(sale.pk).buyers, str(victim.pk)) == "1"
    assert client.zcard(gate_keys(sale.pk).inflight) == 0
    assert client.hlen(gate_keys(sale.pk).leases) == 0
    assert gate_reconcile(item_id=sale.pk, repair=False).drifted is False


def test_a_killed_workers_unit_returns_when_its_lease_runs_out_and_reconcile_says_so(
    private_redis: Any, sale: Any
) -> None:
    server, client = private_redis
    victim, other = MemberFactory.create(), MemberFactory.create()
    address_of(victim)  # written before the row is locked
    with RowLock(victim.pk):
        worker = _worker(redis_url=server.url, member=victim, item=sale, key="tap-1", lease_ms=300)
        _kill_after_admission(worker)
    inflight = gate_keys(sale.pk).inflight
    [(_entry, lease_ends)] = client.zrange(inflight, 0, -1, withscores=True)
    wait_until(lambda: _redis_ms(client) > lease_ends, timeout=5, what="the lease to run out")

    report = gate_reconcile(item_id=sale.pk, repair=False)
    assert (report.stale_admissions, report.redis_avail, report.expected_avail, report.drifted) == (1, 0, 1, True)
    assert report.buyers_fixed == {victim.pk: (1, 0)}
    assert "1 lost admissions dropped" in report.line()

    assert buy(other, sale).created  # the next admission hands the dead one's unit back first
    assert client.zcard(inflight) == 0
    assert client.hget(gate_keys(sale.pk).buyers, str(victim.pk)) == "0"
    assert counts(sale) == (1, 1, 0, 0)
    assert gate_reconcile(item_id=sale.pk).line().endswith("ok")
    assert FlashPurchase.objects.get(item=sale).member_id == other.pk


def test_a_flush_while_a_purchase_is_in_flight_leaves_every_shopper_counted(private_redis: Any) -> None:
    _server, client = private_redis
    item = first_item(make_slot(items=[(shelf_sku(), 3)], limit=1))
    assert gate_rebuild(item.pk)
    slow, quick, late = MemberFactory.create(), MemberFactory.create(), MemberFactory.create()
    outcome: dict[str, Any] = {}

    def slow_purchase() -> None:
        try:
            outcome["slow"] = buy(slow, item, key="slow-1")
        except Exception as exc:  # the test reads it
            outcome["slow"] = exc
        finally:
            connection.close()

    address_of(slow)
    with RowLock(slow.pk):
        thread = threading.Thread(target=slow_purchase)
        thread.start()
        wait_until(lambda: client.zcard(gate_keys(item.pk).inflight) == 1, what="the slow purchase admitted")
        client.flushall()  # the test's own server: as after a restart, every gate is gone
        assert buy(quick, item).created  # cold gate: rebuilt from a database without the slow unit
        assert gate_state(item.pk)["avail"] == "2"
    thread.join(timeout=30)

    assert outcome["slow"].created
    assert gate_state(item.pk)["avail"] == "1"  # the slow purchase, counted when it committed
    buyers = client.hgetall(gate_keys(item.pk).buyers)
    assert (buyers[str(slow.pk)], buyers[str(quick.pk)]) == ("1", "1")
    assert gate_reconcile(item_id=item.pk, repair=False).drifted is False
    assert buy(late, item).created
    with pytest.raises(FlashSoldOut):
        buy(MemberFactory.create(), item)
    assert counts(item) == (3, 3, 0, 0)


def test_a_restart_with_a_purchase_taken_the_database_way_is_counted_by_the_rebuild(private_redis: Any) -> None:
    server, client = private_redis
    item = first_item(make_slot(items=[(shelf_sku(), 2)], limit=1))
    assert gate_rebuild(item.pk)
    shopper = MemberFactory.create()
    server.kill()
    assert buy(shopper, item, key=uuid.uuid4().hex).created  # Redis away: the guarded UPDATE decides
    server.start()
    client.ping()
    with pytest.raises(Exception) as refused:
        buy(shopper, item)
    assert getattr(refused.value, "code", "") == "purchase_limit_exceeded"
    assert client.hget(gate_keys(item.pk).buyers, str(shopper.pk)) == "1"  # rebuilt from the database
    assert gate_state(item.pk)["avail"] == "1"
    assert gate_reconcile(item_id=item.pk, repair=False).drifted is False


def test_reconcile_with_redis_down_says_so_instead_of_failing(private_redis: Any, sale: Any) -> None:
    from io import StringIO

    from django.core.management import call_command

    server, _client = private_redis
    server.kill()
    out = StringIO()
    call_command("flash_reconcile", "--item", str(sale.pk), stdout=out)
    assert f"item {sale.pk}: skipped (Redis unreachable (ConnectionError))" in out.getvalue()


def test_double_taps_with_one_key_racing_other_shoppers_get_one_order_and_an_exact_gate(private_redis: Any) -> None:
    """Twenty taps of one shopper with one key replace each other's admissions while twenty
    other shoppers race them for five units: one order for the tapper, never more than the
    quota, and the gate's counts come out exact."""
    from mall.tests.concurrency import run_in_threads
    from orders.models import Order

    _server, client = private_redis
    guard_slider_off()  # twenty taps of one shopper: the race, not the velocity slider, is measured
    item = first_item(make_slot(items=[(shelf_sku(), 5)], limit=1))
    assert gate_rebuild(item.pk)
    tapper = MemberFactory.create()
    others = [MemberFactory.create() for _ in range(20)]
    for shopper in [tapper, *others]:
        address_of(shopper)
    connection.close()

    def attempt(i: int) -> Any:
        if i < 20:
            return buy(tapper, item, key="double-tap").order
        return buy(others[i - 20], item).order

    results = run_in_threads(40, attempt)

    placed = {r.pk for r in results if isinstance(r, Order)}
    unexpected = [r for r in results if not isinstance(r, Order | FlashSoldOut)]
    assert unexpected == []
    tapper_orders = {r.pk for r in results[:20] if isinstance(r, Order)}
    assert len(tapper_orders) <= 1  # every tap that got through got the same order
    assert len(placed) == counts(item)[1] <= 5
    assert FlashPurchase.objects.filter(item=item, member=tapper).count() == len(tapper_orders)
    assert client.zcard(gate_keys(item.pk).inflight) == 0
    assert client.hlen(gate_keys(item.pk).leases) == 0
    assert int(gate_state(item.pk)["avail"]) == counts(item)[3]
    # a shopper the gate never admitted (every tap after the last unit) has no entry: none bought
    assert int(client.hget(gate_keys(item.pk).buyers, str(tapper.pk)) or 0) == len(tapper_orders)
    assert gate_reconcile(item_id=item.pk, repair=False).drifted is False
