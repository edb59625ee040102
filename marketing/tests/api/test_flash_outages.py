"""The flash purchase while Redis or MariaDB is down (issue 10 §7): answered, never a 500.

Redis is the test's own ``redis-server`` (killed and started again, empty, like a crash);
MariaDB is reached through a proxy the test cuts — the shared servers are never touched.

* Redis down: the sale goes on by the database (the gate's guarded UPDATE), throttles count
  in the process, the guard keeps its block lists, the slider answers 503 with Retry-After;
* Redis back (empty): the gate is rebuilt with each shopper's units;
* MariaDB down: 503 ``service_unavailable`` with Retry-After, nothing taken; the same-key
  retry after it is back places the order.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.contrib.auth.models import User
from django.db import connection
from django.utils import timezone
from rest_framework.test import APIClient

from mall.api.exception_handler import outage_of
from mall.api.throttling import FixedWindowRateThrottle
from mall.cache import local_windows
from mall.tests.outages import FaultProxy, PrivateRedis
from marketing.services.flash_gate import gate_keys, gate_rebuild, gate_state
from marketing.tests.flash import address_of, counts, first_item, flash_orders, make_slot, shelf_sku
from members.models import BlockKind, Member
from members.services.abuse import GuardSettingsData, block_entry_create, guard_settings_update
from members.tests.fixtures import client_for
from members.tests.services.test_captcha import solve


@pytest.fixture
def private_redis(tmp_path: Path, settings: Any) -> Iterator[PrivateRedis]:
    """The app's Redis (gate, throttles, cache) is a server this test may kill."""
    server = PrivateRedis(tmp_path)
    server.start()
    settings.REDIS_URL = server.url
    settings.CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": server.url,
            "OPTIONS": {"CLIENT_CLASS": "django_redis.client.DefaultClient", "SOCKET_CONNECT_TIMEOUT": 1.0},
            "KEY_PREFIX": "duoying",
        }
    }
    local_windows.clear()
    yield server
    server.kill()
    local_windows.clear()


@pytest.fixture
def guard(staff: User) -> Callable[..., None]:
    def set_to(**fields: Any) -> None:
        guard_settings_update(actor=staff, data=GuardSettingsData(**fields))

    return set_to


def _purchase(client: APIClient, member: Member, item: Any, key: str, **headers: Any) -> Any:
    address_id = getattr(member, "address_id_for_test", None) or address_of(member).pk
    return client.post(
        f"/api/v1/flash/items/{item.pk}/purchase",
        {"address_id": address_id},
        format="json",
        HTTP_IDEMPOTENCY_KEY=key,
        **headers,
    )


def _unavailable(response: Any) -> None:
    assert response.status_code == 503, response.content
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert (body["code"], body["details"]["retry_after"]) == ("service_unavailable", 3)
    assert body["message"] == "服务暂时繁忙，请稍后再试。"
    assert response["Retry-After"] == "3"


@pytest.mark.django_db
def test_with_redis_down_the_sale_goes_on_by_the_database_and_redis_back_rebuilds_the_gate(
    private_redis: PrivateRedis, member: Member, other_member: Member, guard: Callable[..., None]
) -> None:
    guard(purchase_captcha="risk")
    item = first_item(make_slot(items=[(shelf_sku(), 2)], limit=1))
    third = Member.objects.create(openid="outage-third", nickname="小刚")
    clients = {m.pk: client_for(m) for m in (member, other_member, third)}
    assert gate_rebuild(item.pk)  # what publishing does after commit
    assert gate_state(item.pk)["avail"] == "2"

    private_redis.kill()
    placed = _purchase(clients[member.pk], member, item, "r1")
    assert placed.status_code == 201, placed.content
    assert _purchase(clients[member.pk], member, item, "r1").status_code == 200  # the same key replays
    second = _purchase(clients[member.pk], member, item, "r2")
    assert (second.status_code, second.json()["code"]) == (409, "purchase_limit_exceeded")
    assert _purchase(clients[other_member.pk], other_member, item, "o1").status_code == 201
    sold_out = _purchase(clients[third.pk], third, item, "t1")
    assert (sold_out.status_code, sold_out.json()["code"]) == (409, "flash_sold_out")
    assert counts(item) == (2, 2, 0, 0)

    private_redis.start()  # back, and empty (no persistence): the next attempt rebuilds the gate
    refused = _purchase(clients[third.pk], third, item, "t2")
    assert (refused.status_code, refused.json()["code"]) == (409, "flash_sold_out")
    assert gate_state(item.pk)["avail"] == "0"
    client = private_redis_client(private_redis)
    assert client.hget(gate_keys(item.pk).buyers, str(member.pk)) == "1"
    assert client.hget(gate_keys(item.pk).buyers, str(other_member.pk)) == "1"
    assert flash_orders(item).count() == 2


def private_redis_client(server: PrivateRedis) -> Any:
    import redis

    return redis.Redis.from_url(server.url, decode_responses=True)


@pytest.mark.django_db
def test_with_redis_down_throttles_count_in_the_process_and_block_lists_still_refuse(
    private_redis: PrivateRedis,
    monkeypatch: pytest.MonkeyPatch,
    member: Member,
    staff: User,
    guard: Callable[..., None],
) -> None:
    guard(purchase_captcha="off")
    block_entry_create(actor=staff, kind=BlockKind.IP, value="10.66.0.0/16")
    item = first_item(make_slot(items=[(shelf_sku(), 5)], limit=1))
    rates = {**FixedWindowRateThrottle.THROTTLE_RATES, "purchase.shopper": "3/min"}
    monkeypatch.setattr(FixedWindowRateThrottle, "THROTTLE_RATES", rates)
    with time_machine.travel(timezone.now().replace(second=1, microsecond=0), tick=False):
        client = client_for(member)
        private_redis.kill()
        blocked = _purchase(client, member, item, "b", REMOTE_ADDR="10.66.3.4")
        assert (blocked.status_code, blocked.json()["code"]) == (403, "access_blocked")
        statuses = [_purchase(client, member, item, f"k{n}").status_code for n in range(3)]
    assert statuses == [201, 409, 429]  # the blocked try counted too: 3/min per shopper, in this process
    assert counts(item) == (5, 1, 0, 4)


@pytest.mark.django_db
def test_with_redis_down_the_slider_answers_503_and_nothing_is_spent(
    private_redis: PrivateRedis, member: Member, guard: Callable[..., None]
) -> None:
    guard(purchase_captcha="always")
    item = first_item(make_slot(items=[(shelf_sku(), 2)]))
    client = client_for(member)
    solved = solve(member, "purchase")  # a genuine pass, won while Redis was up
    private_redis.kill()
    required = _purchase(client, member, item, "a")
    assert (required.status_code, required.json()["code"]) == (403, "captcha_required")
    _unavailable(client.post("/api/v1/captcha", {"action": "purchase"}, format="json"))
    _unavailable(_purchase(client, member, item, "a", HTTP_X_CAPTCHA_PASS=solved))
    assert counts(item) == (2, 0, 0, 2)


@pytest.fixture
def db_proxy(transactional_db: Any) -> Iterator[FaultProxy]:
    """This thread's database connection goes through a proxy the test can cut."""
    proxy = FaultProxy(int(connection.settings_dict["PORT"] or 3306))
    original = (connection.settings_dict["HOST"], connection.settings_dict["PORT"])
    connection.close()
    connection.settings_dict["HOST"], connection.settings_dict["PORT"] = "127.0.0.1", proxy.port
    yield proxy
    proxy.restore()
    connection.close()
    connection.settings_dict["HOST"], connection.settings_dict["PORT"] = original
    proxy.close()


def test_with_mariadb_down_the_purchase_answers_503_and_the_same_key_retry_places_the_order(
    db_proxy: FaultProxy, redis_client: Any, member: Member
) -> None:
    if connection.vendor != "mysql":
        pytest.skip("the proxy stands in front of MariaDB")
    item = first_item(make_slot(items=[(shelf_sku(), 1)]))
    client = client_for(member)
    member.address_id_for_test = address_of(member).pk  # type: ignore[attr-defined]  # no query while cut

    db_proxy.cut()
    for _attempt in range(3):  # the open connection dies, then new ones are refused
        _unavailable(_purchase(client, member, item, "same-key"))
    assert gate_state(item.pk)["avail"] == "1"  # nothing admitted stays taken
    assert redis_client.zcard(gate_keys(item.pk).inflight) == 0

    db_proxy.restore()
    placed = _purchase(client, member, item, "same-key")
    assert placed.status_code == 201, placed.content
    assert _purchase(client, member, item, "same-key").status_code == 200
    assert counts(item) == (1, 1, 0, 0)
    assert gate_state(item.pk)["avail"] == "0"


@pytest.mark.django_db
def test_with_redis_down_risk_signals_count_in_the_process_and_still_ask_for_the_slider(
    private_redis: PrivateRedis, member: Member, guard: Callable[..., None]
) -> None:
    guard(purchase_captcha="risk", velocity_limit=2)
    item = first_item(make_slot(items=[(shelf_sku(), 5)], limit=1))
    with time_machine.travel(timezone.now().replace(second=1, microsecond=0), tick=False):  # one velocity window
        client = client_for(member)
        private_redis.kill()
        first, second, third = (_purchase(client, member, item, f"v{n}") for n in range(3))
    assert first.status_code == 201
    assert (second.status_code, second.json()["code"]) == (409, "purchase_limit_exceeded")
    assert (third.status_code, third.json()["code"]) == (403, "captcha_required")  # velocity 3 > 2
    assert counts(item) == (5, 1, 0, 4)


def test_mariadb_lost_after_the_admission_hands_the_unit_back_and_the_same_key_retry_buys_it(
    db_proxy: FaultProxy, redis_client: Any, member: Member
) -> None:
    """The purchase is admitted, then waits on the shopper's row (locked through the proxy too)
    when the database goes away: it fails, gives its admission back, and the retry buys."""
    import threading

    from django.db import transaction

    from mall.tests.outages import wait_until
    from marketing.tests.flash import buy

    if connection.vendor != "mysql":
        pytest.skip("the proxy stands in front of MariaDB")
    item = first_item(make_slot(items=[(shelf_sku(), 1)]))
    assert gate_rebuild(item.pk)
    address_of(member)
    locked, release = threading.Event(), threading.Event()
    outcome: dict[str, Any] = {}

    def hold_row() -> None:
        try:
            with transaction.atomic():
                list(Member.objects.select_for_update().filter(pk=member.pk).values_list("pk", flat=True))
                locked.set()
                release.wait(timeout=30)
        except Exception as exc:  # the cut ends this transaction too
            outcome["lock"] = exc
        finally:
            connection.close()

    def purchase() -> None:
        try:
            outcome["purchase"] = buy(member, item, key="same-key")
        except Exception as exc:  # the test reads it
            outcome["purchase"] = exc
        finally:
            connection.close()

    holder = threading.Thread(target=hold_row)
    holder.start()
    assert locked.wait(timeout=10)
    buyer = threading.Thread(target=purchase)
    buyer.start()
    wait_until(lambda: redis_client.zcard(gate_keys(item.pk).inflight) == 1, what="the purchase admitted")
    db_proxy.cut()
    buyer.join(timeout=30)
    release.set()
    holder.join(timeout=30)

    assert outage_of(outcome["purchase"]) == "database", outcome["purchase"]
    assert redis_client.zcard(gate_keys(item.pk).inflight) == 0  # handed back on the way out
    assert gate_state(item.pk)["avail"] == "1"
    db_proxy.restore()
    connection.close()  # this thread's own connection died in the cut too (a request would start afresh)
    assert buy(member, item, key="same-key").created
    assert counts(item) == (1, 1, 0, 0)
    assert gate_state(item.pk)["avail"] == "0"
