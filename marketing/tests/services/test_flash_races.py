"""Flash-sale races with real threads against the real database and the real Redis (never fakeredis).

* 2,000 shoppers racing 100 units through the whole purchase path: exactly 100 orders, the
  1,900 others refused at the gate without a query;
* buyers racing through gate and database, with Redis and without it (the embedded default);
* one shopper firing 50 requests at once: at most their limit;
* the expiry task, the sweeper and the shopper's cancel at once: the unit comes back once;
* Redis flushed in the middle of a sale: rebuilt, never oversold, reconciled after.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from django.conf import settings
from django.db import connection

from mall.redis import get_redis
from mall.tests.concurrency import run_in_threads
from marketing.errors import FlashLimitReached, FlashSoldOut
from marketing.models import FlashItem, FlashPurchase
from marketing.services.flash_gate import gate_keys, gate_reconcile, gate_state
from marketing.services.flash_purchase import flash_item_sku_id, flash_purchase
from marketing.tests.flash import counts, first_item, flash_orders, make_slot, shelf_sku
from members.models import Address, Member
from members.selectors.abuse import guard_config
from members.services.abuse import RequestContext
from members.tests.factories import AddressFactory, MemberFactory
from members.tests.fixtures import SHOPPER_CONTEXT, guard_slider_off
from orders.models import Order
from orders.services.orders import order_cancel, order_expire, order_place
from orders.tasks import order_expire_task, order_expiry_sweep_task

pytestmark = [pytest.mark.race, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def real_redis() -> Iterator[Any]:
    """The real Redis server: races never run on fakeredis."""
    if not settings.REDIS_URL:
        if getattr(settings, "REQUIRE_SERVICES", False):
            pytest.fail("REQUIRE_SERVICES=1 but no REDIS_URL")
        pytest.skip("needs a Redis server (REDIS_URL)")
    client = get_redis()
    client.flushdb()
    yield client
    client.flushdb()


@pytest.fixture(params=["gate", "no_gate"])
def mode(request: pytest.FixtureRequest, settings: Any) -> str:
    """With the real Redis gate, and with no Redis at all (guarded database updates only)."""
    if request.param == "gate":
        request.getfixturevalue("real_redis")
    else:
        settings.REDIS_URL = ""
    return str(request.param)


def _shoppers(n: int) -> tuple[list[Member], list[int]]:
    members = Member.objects.bulk_create(
        [Member(openid=f"race-{uuid.uuid4().hex}", nickname=f"买家{i}") for i in range(n)]
    )
    Address.objects.bulk_create(
        [
            Address(
                member=m,
                receiver="张三",
                phone="13800000000",
                province="上海",
                city="上海",
                district="浦东",
                detail="1号",
            )
            for m in members
        ]
    )
    addresses = dict(Address.objects.filter(member__in=members).values_list("member_id", "pk"))
    return members, [addresses[m.pk] for m in members]


# What the purchase endpoint hands the service: its throttles counted the purchase's rates.
PURCHASE_CONTEXT = RequestContext(ip="", rate_counted="purchase")


def _attempt(member: Member, address_id: int, item: FlashItem, key: str | None = None) -> Any:
    return flash_purchase(
        context=PURCHASE_CONTEXT,
        member=member,
        item_id=item.pk,
        qty=1,
        address_id=address_id,
        idempotency_key=key or uuid.uuid4().hex,
    ).order


def test_two_thousand_shoppers_racing_one_hundred_units_get_exactly_one_hundred_orders(real_redis: Any) -> None:
    item = first_item(make_slot(items=[(shelf_sku(stock=100), 100)]))
    members, addresses = _shoppers(2000)
    flash_item_sku_id(item.pk)  # held in memory, as in a warm server process
    guard_config()  # so is the guard's configuration
    assert gate_state(item.pk)["avail"] == "100"
    connection.close()

    results = run_in_threads(2000, lambda i: _attempt(members[i], addresses[i], item))

    placed = [r for r in results if isinstance(r, Order)]
    refused = [r for r in results if isinstance(r, FlashSoldOut)]
    others = [r for r in results if not isinstance(r, Order | FlashSoldOut)]
    assert (len(placed), len(refused), others) == (100, 1900, [])
    assert len({o.member_id for o in placed}) == 100
    assert flash_orders(item).count() == 100
    assert counts(item) == (100, 100, 0, 0)
    assert FlashPurchase.objects.filter(item=item).count() == 100
    assert gate_state(item.pk)["avail"] == "0"
    assert real_redis.zcard(gate_keys(item.pk).inflight) == 0  # every admission settled
    assert gate_reconcile(item_id=item.pk, repair=False).drifted is False


def test_buyers_racing_through_gate_and_database_get_exactly_the_quota(mode: str) -> None:
    item = first_item(make_slot(items=[(shelf_sku(stock=15), 15)]))
    members, addresses = _shoppers(60)
    connection.close()

    results = run_in_threads(60, lambda i: _attempt(members[i], addresses[i], item))

    placed = [r for r in results if isinstance(r, Order)]
    refused = [r for r in results if isinstance(r, FlashSoldOut)]
    assert len(placed) == 15, [r for r in results if not isinstance(r, Order | FlashSoldOut)]
    assert len(refused) == 45
    assert counts(item) == (15, 15, 0, 0)
    if mode == "gate":
        assert gate_state(item.pk)["avail"] == "0"


def test_one_shopper_firing_fifty_requests_at_once_gets_at_most_their_limit(mode: str) -> None:
    item = first_item(make_slot(items=[(shelf_sku(stock=30), 30)], limit=2))
    shopper = MemberFactory.create()
    address = AddressFactory.create(member=shopper)
    guard_slider_off()
    connection.close()

    results = run_in_threads(50, lambda _i: _attempt(shopper, address.pk, item))

    placed = [r for r in results if isinstance(r, Order)]
    refused = [r for r in results if isinstance(r, FlashLimitReached)]
    assert len(placed) == 2, [r for r in results if not isinstance(r, Order | FlashLimitReached)]
    assert len(refused) == 48
    assert counts(item) == (30, 2, 0, 28)
    if mode == "gate":
        assert gate_state(item.pk)["avail"] == "28"


def test_expiry_task_sweeper_and_shopper_cancel_return_the_unit_once(mode: str) -> None:
    item = first_item(make_slot(items=[(shelf_sku(stock=2), 2)]))
    shopper = MemberFactory.create()
    address = AddressFactory.create(member=shopper)
    order = _attempt(shopper, address.pk, item)
    Order.objects.filter(pk=order.pk).update(expires_at=order.expires_at - timedelta(minutes=16))
    connection.close()

    def release(i: int) -> Any:
        return [order_expire_task, order_expiry_sweep_task, order_cancel][i % 3](
            **([{"order_id": order.pk}, {}, {"order_id": order.pk, "reason": "shopper"}][i % 3])
        )

    results = run_in_threads(12, release)

    assert not [r for r in results if isinstance(r, Exception)], results
    assert sum(1 for r in results if r is True or r == 1) == 1, results
    assert counts(item) == (2, 0, 0, 2)
    if mode == "gate":
        assert gate_state(item.pk)["avail"] == "2"
    assert order_expire(order_id=order.pk) is False


def test_redis_flushed_mid_sale_is_rebuilt_and_never_oversold(real_redis: Any) -> None:
    item = first_item(make_slot(items=[(shelf_sku(stock=20), 20)]))
    members, addresses = _shoppers(80)
    flash_item_sku_id(item.pk)
    flushed = threading.Event()
    connection.close()

    def work(i: int) -> Any:
        if i == 0:
            while FlashItem.objects.filter(pk=item.pk, locked__lt=5).exists():
                pass  # wait until the sale is well under way
            real_redis.flushdb()
            flushed.set()
            return "flushed"
        if i > 40:
            flushed.wait(timeout=60)  # half the buyers come after the flush
        return _attempt(members[i], addresses[i], item)

    results = run_in_threads(80, work)

    assert results[0] == "flushed"
    placed = [r for r in results if isinstance(r, Order)]
    assert all(isinstance(r, Order | FlashSoldOut) for r in results[1:]), results
    assert len(placed) == 20  # all sold, none oversold
    assert counts(item) == (20, 20, 0, 0)
    assert FlashPurchase.objects.filter(item=item).count() == 20
    gate_reconcile(item_id=item.pk)
    assert gate_state(item.pk)["avail"] == "0"
    assert gate_reconcile(item_id=item.pk, repair=False).drifted is False


def test_a_shelf_order_and_a_flash_order_race_for_the_same_sku_without_mixing(real_redis: Any) -> None:
    """Flash units were carved out at publication: shelf buyers cannot take them, nor the reverse."""
    sku = shelf_sku(stock=13)
    item = first_item(make_slot(items=[(sku, 10)]))
    members, addresses = _shoppers(30)
    connection.close()

    def work(i: int) -> Any:
        if i % 2:
            return _attempt(members[i], addresses[i], item)
        return order_place(
            context=SHOPPER_CONTEXT,
            member=members[i],
            items=[(sku.pk, 1)],
            address_id=addresses[i],
            idempotency_key=uuid.uuid4().hex,
        )

    results = run_in_threads(30, work)

    orders = [r for r in results if isinstance(r, Order)]
    flash = [o for o in orders if o.deal_kind == "flash"]
    assert len(flash) == 10 and len(orders) - len(flash) == 3
    assert counts(item) == (10, 10, 0, 0)
    assert type(sku).objects.get(pk=sku.pk).stock == 0
