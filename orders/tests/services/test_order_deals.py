"""Orders placed through a marketing tool (the deal seam of ``order_place``).

The tool here is a test one whose quota is the stock of a second, quota-only SKU row, so every
take and release is a real guarded UPDATE on the real database; the flash sale, group buy and
bargain handlers plug into the same seam.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

import pytest
import time_machine
from django.contrib.auth.models import User
from django.db.models import F
from django.utils import timezone

from analytics.models import Event
from mall.models import ShopSettings, Sku
from mall.tests.concurrency import run_in_threads
from marketing.errors import DealInvalid, DealNotFound, DealUnavailable
from marketing.pricing import FlashSale
from marketing.services.deals import (
    DealHandler,
    DealPricing,
    DealRequest,
    deal_handler,
    deal_handler_unregister,
    deal_request_parse,
)
from members.models import Member
from members.tests.factories import AddressFactory, MemberFactory
from members.tests.fixtures import SHOPPER_CONTEXT
from orders.errors import OrderOnHold
from orders.models import Order, OrderStatus
from orders.selectors.checkout import checkout_preview
from orders.services.orders import (
    PaidOutcome,
    order_cancel,
    order_expire,
    order_mark_paid,
    order_place,
    order_place_or_replay,
    order_ship,
)
from orders.tests.conftest import pay, reload
from orders.tests.factories import SkuFactory

DEAL_PRICE = 990


class QuotaDeal(DealHandler):
    """A test tool: 9.90 yuan while the quota row (``Sku`` ``deal.ref``) has units left."""

    kind = "testquota"
    takes_sku_stock = False

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.admitted = 0
        self.undone = 0
        self.paid_orders: list[int] = []
        self.hold = ""

    def specs(self, *, deal: DealRequest, member: Member, sku: Sku, qty: int, at: datetime) -> DealPricing:
        if not Sku.objects.filter(pk=deal.ref).exists():
            raise DealNotFound(details={"ref": deal.ref})
        spec = FlashSale(id=f"testquota:{deal.ref}", sku=sku.code, price=DEAL_PRICE)
        return DealPricing(specs=(spec,), names={spec.id: "测试秒杀"})

    def admit(self, *, deal: DealRequest, member: Member, sku_id: int, qty: int) -> object:
        if deal.params.get("gate") == "closed":
            raise DealUnavailable(details={"gate": "closed"})
        with self.lock:
            self.admitted += 1
        return "ticket"

    def admit_undo(self, *, ticket: object) -> None:
        assert ticket == "ticket"
        with self.lock:
            self.undone += 1

    def take(self, *, deal: DealRequest, order: Order, sku: Sku, qty: int) -> int:
        if not Sku.objects.filter(pk=deal.ref, stock__gte=qty).update(stock=F("stock") - qty):
            raise DealUnavailable(details={"ref": deal.ref})
        if self.hold:
            Order.objects.filter(pk=order.pk).update(ship_hold=self.hold)
        return deal.ref

    def release(self, *, order: Order) -> None:
        qty = sum(line.qty for line in order.lines.all() if not line.is_gift)
        Sku.objects.filter(pk=order.deal_ref or 0).update(stock=F("stock") + qty)

    def paid(self, *, order: Order) -> None:
        with self.lock:
            self.paid_orders.append(order.pk)

    def retake(self, *, order: Order) -> None:
        qty = sum(line.qty for line in order.lines.all() if not line.is_gift)
        if not Sku.objects.filter(pk=order.deal_ref or 0, stock__gte=qty).update(stock=F("stock") - qty):
            raise DealUnavailable()


@pytest.fixture
def tool() -> Iterator[QuotaDeal]:
    deal_handler(QuotaDeal)
    from marketing.services import deals

    handler = deals._handlers[QuotaDeal.kind]
    assert isinstance(handler, QuotaDeal)
    yield handler
    deal_handler_unregister(QuotaDeal.kind)


@pytest.fixture
def quota(db: Any) -> Sku:
    """The tool's quota: 3 units on a row of its own."""
    return SkuFactory.create(stock=3, price=1)


@pytest.fixture
def shelf_sku(db: Any) -> Sku:
    """The product on sale: 59.00 yuan, nothing on the shelf (the deal's units come from the quota)."""
    return SkuFactory.create(price=5900, stock=0)


def _deal(quota: Sku, **params: Any) -> DealRequest:
    return DealRequest(kind=QuotaDeal.kind, ref=quota.pk, params=params)


def _place(member: Member, sku: Sku, deal: DealRequest, *, key: str | None = None, qty: int = 1) -> Order:
    return _place_or_replay(member, sku, deal, key=key, qty=qty).order


def _place_or_replay(member: Member, sku: Sku, deal: DealRequest, *, key: str | None = None, qty: int = 1) -> Any:
    address = member.addresses.first() or AddressFactory.create(member=member)
    return order_place_or_replay(
        context=SHOPPER_CONTEXT,
        member=member,
        items=[(sku.pk, qty)],
        address_id=address.pk,
        idempotency_key=key or uuid.uuid4().hex,
        deal=deal,
    )


@pytest.mark.django_db
def test_the_preview_prices_the_deal_and_names_it(tool: QuotaDeal, quota: Sku, shelf_sku: Sku, member: Member) -> None:
    ShopSettings.load()
    preview = checkout_preview(member=member, items=[(shelf_sku.pk, 1)], deal=_deal(quota))

    (line,) = preview.quote.lines
    assert line.unit_price == DEAL_PRICE
    assert line.item_rule == {"rule_id": f"testquota:{quota.pk}", "rule_type": "flash_sale", "name": "测试秒杀"}
    # Nothing on the shelf, yet the deal can be previewed: its units come from its own quota.
    assert Sku.objects.get(pk=shelf_sku.pk).stock == 0


@pytest.mark.django_db
def test_placing_takes_from_the_tool_not_the_shelf_and_remembers_the_deal(
    tool: QuotaDeal, quota: Sku, shelf_sku: Sku, member: Member, django_capture_on_commit_callbacks: Any
) -> None:
    ShopSettings.load()
    with django_capture_on_commit_callbacks(execute=True):  # the analytics event is written after commit
        order = _place(member, shelf_sku, _deal(quota), qty=2)

    assert (order.deal_kind, order.deal_ref) == (QuotaDeal.kind, quota.pk)
    assert order.lines.get().unit_price == DEAL_PRICE
    assert Sku.objects.get(pk=quota.pk).stock == 1
    assert Sku.objects.get(pk=shelf_sku.pk).stock == 0
    assert (tool.admitted, tool.undone) == (1, 0)
    placed = Event.objects.get(name="order_placed")
    assert placed.props["deal_kind"] == QuotaDeal.kind
    assert placed.props["deal_ref"] == quota.pk


@pytest.mark.django_db
def test_a_tool_refusing_in_take_leaves_nothing_behind(
    tool: QuotaDeal, quota: Sku, shelf_sku: Sku, member: Member
) -> None:
    ShopSettings.load()
    with pytest.raises(DealUnavailable):
        _place(member, shelf_sku, _deal(quota), qty=4)

    assert not Order.objects.exists()
    assert Sku.objects.get(pk=quota.pk).stock == 3
    assert (tool.admitted, tool.undone) == (1, 1)


@pytest.mark.django_db
def test_a_closed_gate_refuses_before_the_database_but_a_retry_still_gets_its_order(
    tool: QuotaDeal, quota: Sku, shelf_sku: Sku, member: Member
) -> None:
    ShopSettings.load()
    with pytest.raises(DealUnavailable):
        _place(member, shelf_sku, _deal(quota, gate="closed"), key="k1")
    assert not Order.objects.exists()
    assert tool.admitted == 0

    order = _place(member, shelf_sku, _deal(quota), key="k2")
    # The same request again (same key, same body): the order comes back and the second
    # admission is handed back to the tool, so it counts one purchase.
    replay = _place_or_replay(member, shelf_sku, _deal(quota), key="k2")
    assert (replay.created, replay.order.pk) == (False, order.pk)
    assert (tool.admitted, tool.undone) == (2, 1)
    assert Sku.objects.get(pk=quota.pk).stock == 2


class GateClosesAfterOne(QuotaDeal):
    """Admits one purchase per process, like a flash gate with a per-shopper limit of 1."""

    kind = "testgate"

    def admit(self, *, deal: DealRequest, member: Member, sku_id: int, qty: int) -> object:
        with self.lock:
            if self.admitted:
                raise DealUnavailable(details={"limit": 1})
            self.admitted += 1
        return "ticket"


@pytest.mark.django_db
def test_a_retry_refused_by_the_gate_gets_the_order_its_first_try_made(
    quota: Sku, shelf_sku: Sku, member: Member
) -> None:
    ShopSettings.load()
    deal_handler(GateClosesAfterOne)
    try:
        deal = DealRequest(kind=GateClosesAfterOne.kind, ref=quota.pk)
        order = _place(member, shelf_sku, deal, key="same")
        replay = _place_or_replay(member, shelf_sku, deal, key="same")
        assert (replay.created, replay.order.pk) == (False, order.pk)
        with pytest.raises(DealUnavailable):
            _place(member, shelf_sku, deal, key="another")
    finally:
        deal_handler_unregister(GateClosesAfterOne.kind)
    assert Order.objects.count() == 1


@pytest.mark.django_db
def test_a_deal_buys_one_explicit_line(tool: QuotaDeal, quota: Sku, shelf_sku: Sku, member: Member) -> None:
    ShopSettings.load()
    other = SkuFactory.create(stock=5)
    address = AddressFactory.create(member=member)
    for items in (None, [(shelf_sku.pk, 1), (other.pk, 1)]):
        with pytest.raises(DealInvalid):
            order_place(
                context=SHOPPER_CONTEXT,
                member=member,
                items=items,
                address_id=address.pk,
                idempotency_key=uuid.uuid4().hex,
                deal=_deal(quota),
            )
    assert not Order.objects.exists()


@pytest.mark.django_db
def test_the_deal_request_is_parsed_strictly(tool: QuotaDeal) -> None:
    assert deal_request_parse(None) is None
    parsed = deal_request_parse({"kind": QuotaDeal.kind, "ref": 7, "params": {"group_id": 3}})
    assert parsed == DealRequest(kind=QuotaDeal.kind, ref=7, params={"group_id": 3})
    for raw in (
        {"kind": "nope", "ref": 1},
        {"kind": QuotaDeal.kind, "ref": 0},
        {"kind": QuotaDeal.kind, "ref": True},
        {"kind": QuotaDeal.kind, "ref": "7"},
        {"kind": QuotaDeal.kind, "ref": 1, "params": ["x"]},
    ):
        with pytest.raises(DealInvalid):
            deal_request_parse(raw)


@pytest.mark.django_db
def test_the_same_key_with_another_deal_is_refused(tool: QuotaDeal, quota: Sku, shelf_sku: Sku, member: Member) -> None:
    from orders.errors import IdempotencyKeyReused

    ShopSettings.load()
    _place(member, shelf_sku, _deal(quota), key="k")
    other_quota = SkuFactory.create(stock=3)
    with pytest.raises(IdempotencyKeyReused):
        _place(member, shelf_sku, _deal(other_quota), key="k")


@pytest.mark.django_db
def test_cancelling_gives_the_units_back_to_the_tool_once(
    tool: QuotaDeal, quota: Sku, shelf_sku: Sku, member: Member
) -> None:
    ShopSettings.load()
    order = _place(member, shelf_sku, _deal(quota), qty=2)
    assert order_cancel(order_id=order.pk, reason="shopper") is True
    assert order_cancel(order_id=order.pk, reason="shopper") is False
    assert Sku.objects.get(pk=quota.pk).stock == 3
    assert Sku.objects.get(pk=shelf_sku.pk).stock == 0


@pytest.mark.django_db
def test_payment_tells_the_tool_and_a_hold_stops_shipping_until_cleared(
    tool: QuotaDeal, quota: Sku, shelf_sku: Sku, member: Member
) -> None:
    ShopSettings.load()
    tool.hold = "group_forming"
    staff = User.objects.create_superuser(username="kefu", password="x", email="k@example.com")
    order = pay(_place(member, shelf_sku, _deal(quota)))
    assert tool.paid_orders == [order.pk]
    assert order.ship_hold == "group_forming"
    with pytest.raises(OrderOnHold):
        order_ship(order_id=order.pk, carrier="顺丰", tracking_no="SF1", actor=staff)

    Order.objects.filter(pk=order.pk).update(ship_hold="")
    assert order_ship(order_id=order.pk, carrier="顺丰", tracking_no="SF1", actor=staff).status == OrderStatus.SHIPPED


@pytest.mark.django_db
def test_a_late_payment_takes_the_tools_unit_again_or_is_refunded(
    tool: QuotaDeal, quota: Sku, shelf_sku: Sku, member: Member
) -> None:
    ShopSettings.load()
    revived = _place(member, shelf_sku, _deal(quota))
    lost = _place(member, shelf_sku, _deal(quota))
    later = timezone.now() + timedelta(minutes=16)
    with time_machine.travel(later):
        assert order_expire(order_id=revived.pk) and order_expire(order_id=lost.pk)
        assert Sku.objects.get(pk=quota.pk).stock == 3

        outcome = order_mark_paid(
            order_id=revived.pk, amount=revived.payable_amount, transaction_id="T1", paid_at=later, provider="sandbox"
        )
        assert outcome == PaidOutcome.REVIVED
        assert Sku.objects.get(pk=quota.pk).stock == 2

        Sku.objects.filter(pk=quota.pk).update(stock=0)  # the rest sold meanwhile
        outcome = order_mark_paid(
            order_id=lost.pk, amount=lost.payable_amount, transaction_id="T2", paid_at=later, provider="sandbox"
        )
    assert outcome == PaidOutcome.REFUND_NEEDED
    assert tool.paid_orders == [revived.pk]
    assert reload(lost).needs_attention is True


@pytest.mark.race
@pytest.mark.django_db(transaction=True)
def test_twenty_shoppers_racing_for_a_quota_of_three_get_three_orders() -> None:
    ShopSettings.load()
    deal_handler(QuotaDeal)
    try:
        quota = SkuFactory.create(stock=3, price=1)
        sku = SkuFactory.create(stock=0)
        buyers = MemberFactory.create_batch(20)
        for m in buyers:
            AddressFactory.create(member=m)

        results = run_in_threads(20, lambda i: _place(buyers[i], sku, _deal(quota)))
    finally:
        deal_handler_unregister(QuotaDeal.kind)

    placed = [r for r in results if isinstance(r, Order)]
    refused = [r for r in results if isinstance(r, DealUnavailable)]
    assert len(placed) == 3, [r for r in results if not isinstance(r, Order | DealUnavailable)]
    assert len(refused) == 17
    assert Sku.objects.get(pk=quota.pk).stock == 0
    assert Order.objects.filter(deal_kind=QuotaDeal.kind).count() == 3


@pytest.mark.race
@pytest.mark.django_db(transaction=True)
def test_expiry_task_sweeper_and_shopper_cancelling_at_once_return_the_units_once() -> None:
    ShopSettings.load()
    deal_handler(QuotaDeal)
    try:
        quota = SkuFactory.create(stock=3, price=1)
        sku = SkuFactory.create(stock=0)
        member = MemberFactory.create()
        order = _place(member, sku, _deal(quota), qty=2)
        assert Sku.objects.get(pk=quota.pk).stock == 1
        later = timezone.now() + timedelta(minutes=16)

        def release(i: int) -> bool:
            if i % 2:
                return order_expire(order_id=order.pk, now=later)
            return order_cancel(order_id=order.pk, reason="shopper")

        results = run_in_threads(8, release)
    finally:
        deal_handler_unregister(QuotaDeal.kind)

    assert results.count(True) == 1, results
    assert Sku.objects.get(pk=quota.pk).stock == 3


@pytest.mark.django_db
def test_the_api_previews_and_places_a_deal_and_refuses_an_unknown_kind(
    tool: QuotaDeal, quota: Sku, shelf_sku: Sku, member: Member, member_client: Any
) -> None:
    ShopSettings.load()
    address = AddressFactory.create(member=member)
    body = {
        "items": [{"sku_id": shelf_sku.pk, "qty": 1}],
        "address_id": address.pk,
        "deal": {"kind": QuotaDeal.kind, "ref": quota.pk},
    }
    preview = member_client.post("/api/v1/checkout/preview", body, format="json")
    assert preview.status_code == 200, preview.json()
    assert preview.json()["payable_amount"] == DEAL_PRICE + ShopSettings.load().shipping_flat_fee

    placed = member_client.post("/api/v1/orders", body, format="json", HTTP_IDEMPOTENCY_KEY="api-1")
    assert placed.status_code == 201, placed.json()
    assert (placed.json()["deal_kind"], placed.json()["deal_ref"]) == (QuotaDeal.kind, quota.pk)

    unknown = member_client.post(
        "/api/v1/checkout/preview", {**body, "deal": {"kind": "nope", "ref": 1}}, format="json"
    )
    assert unknown.status_code == 400
    assert unknown.json()["code"] == "deal_invalid"
    gone = member_client.post(
        "/api/v1/checkout/preview", {**body, "deal": {"kind": QuotaDeal.kind, "ref": 10**9}}, format="json"
    )
    assert (gone.status_code, gone.json()["code"]) == (404, "deal_not_found")
