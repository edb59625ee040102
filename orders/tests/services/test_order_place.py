"""order_place: one transaction, snapshots, stock reservation, idempotency, points, the expiry task."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.conf import settings

from analytics.models import Event
from mall.models import ShopSettings, Sku
from members.models import Address, Member, PointsEntry
from members.selectors.points import points_balance
from members.tests.fixtures import SHOPPER_CONTEXT
from orders.errors import (
    AddressNotFound,
    IdempotencyKeyRequired,
    IdempotencyKeyReused,
    SkuUnavailable,
    StockInsufficient,
)
from orders.models import CartItem, Order, OrderStatus
from orders.services.cart import cart_item_add
from orders.services.numbers import order_no_new
from orders.services.orders import EXPIRY_WINDOW_SECONDS, _expiry_sweeps, order_place, order_place_or_replay
from orders.tasks import order_expiry_sweep_task
from orders.tests.conftest import grant_points
from orders.tests.factories import SkuFactory

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")


def test_place_snapshots_lines_address_and_prices(member: Member, address: Address, shop: ShopSettings) -> None:
    cream = SkuFactory.create(price=5900, stock=10, specs={"规格": "50ml"})
    moment = datetime(2026, 3, 8, 20, 15, 30, tzinfo=SHANGHAI)
    with time_machine.travel(moment, tick=False):
        order = order_place(
            context=SHOPPER_CONTEXT, member=member, items=[(cream.pk, 1)], address_id=address.pk, idempotency_key="k1"
        )

    assert order.status == OrderStatus.PENDING_PAYMENT
    assert (order.goods_amount, order.shipping_fee, order.payable_amount) == (5900, 800, 6700)
    assert order.expires_at == moment + timedelta(minutes=settings.ORDER_LOCK_MINUTES)
    assert re.fullmatch(r"260308201530\d{8}", order.no)
    assert order.address == address.snapshot()
    line = order.lines.get()
    assert (line.title, line.specs, line.unit_price, line.qty, line.item_amount, line.paid_amount) == (
        cream.product.title,
        {"规格": "50ml"},
        5900,
        1,
        5900,
        5900,
    )
    # Later catalogue and address edits leave the order alone.
    cream.product.title = "改名了"
    cream.product.save()
    Sku.objects.filter(pk=cream.pk).update(price=1)
    Address.objects.filter(pk=address.pk).update(detail="别处")
    stored = Order.objects.get(pk=order.pk)
    assert stored.lines.get().title != "改名了" and stored.lines.get().unit_price == 5900
    assert stored.address["detail"] == address.detail


def test_place_reserves_stock_but_counts_sales_only_at_payment(
    member: Member, address: Address, sku: Sku, place: Callable[..., Order]
) -> None:
    place(member, [(sku, 3)])
    stored = Sku.objects.select_related("product").get(pk=sku.pk)
    assert stored.stock == 7
    assert (stored.sales_count, stored.product.sales_count) == (0, 0)


def test_place_records_an_analytics_event_after_commit(
    place: Callable[..., Order], member: Member, address: Address, sku: Sku, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks() as callbacks:
        placed_order = place(member, [(sku, 2)])
    assert not Event.objects.filter(name="order_placed").exists()  # not while the shopper's row is locked
    for callback in callbacks:
        callback()
    event = Event.objects.get(name="order_placed")
    assert event.member_id == placed_order.member_id
    assert event.props["no"] == placed_order.no and event.props["payable_amount"] == 11800


def test_place_from_cart_takes_the_selected_rows_out_of_the_cart(
    member: Member, address: Address, place: Callable[..., Order]
) -> None:
    bought, kept = SkuFactory.create(), SkuFactory.create()
    cart_item_add(member=member, sku_id=bought.pk, qty=2)
    row = cart_item_add(member=member, sku_id=kept.pk, qty=1)
    CartItem.objects.filter(pk=row.pk).update(selected=False)

    order = place(member, None)

    assert [(line.sku_id, line.qty) for line in order.lines.all()] == [(bought.pk, 2)]
    assert list(CartItem.objects.filter(member=member).values_list("sku_id", "qty")) == [(kept.pk, 1)]


def test_buy_now_subtracts_from_a_larger_cart_row(
    member: Member, address: Address, place: Callable[..., Order]
) -> None:
    sku = SkuFactory.create()
    cart_item_add(member=member, sku_id=sku.pk, qty=5)
    place(member, [(sku, 2)])
    assert CartItem.objects.get(member=member, sku=sku).qty == 3


def test_same_key_returns_the_same_order_without_a_second_reservation(
    member: Member, address: Address, sku: Sku, shop: ShopSettings
) -> None:
    kwargs = {"member": member, "items": [(sku.pk, 2)], "address_id": address.pk, "idempotency_key": "same"}
    first = order_place_or_replay(context=SHOPPER_CONTEXT, **kwargs)  # type: ignore[arg-type]
    again = order_place_or_replay(context=SHOPPER_CONTEXT, **kwargs)  # type: ignore[arg-type]
    assert (first.created, again.created) == (True, False)
    assert again.order.pk == first.order.pk
    assert Order.objects.count() == 1
    assert Sku.objects.get(pk=sku.pk).stock == 8


@pytest.mark.parametrize("change", ["address_deleted", "sku_off_sale", "cart_emptied"])
def test_a_retry_gets_its_order_whatever_changed_since(
    change: str, member: Member, address: Address, sku: Sku, shop: ShopSettings
) -> None:
    """No replay read up front (issue 12): a retry whose request would now be refused before the
    shopper's lock (address gone, SKU off sale) or under it (the cart rows taken) still gets
    its order, and one for a different request is still refused as a reused key."""
    from_cart = change == "cart_emptied"
    if from_cart:
        cart_item_add(member=member, sku_id=sku.pk, qty=1)
    kwargs: dict[str, Any] = {
        "member": member,
        "items": None if from_cart else [(sku.pk, 1)],
        "address_id": address.pk,
        "idempotency_key": "retry",
    }
    first = order_place_or_replay(context=SHOPPER_CONTEXT, **kwargs)
    if change == "address_deleted":
        Address.objects.filter(pk=address.pk).delete()
    elif change == "sku_off_sale":
        Sku.objects.filter(pk=sku.pk).update(is_active=False)
    again = order_place_or_replay(context=SHOPPER_CONTEXT, **kwargs)
    assert (again.created, again.order.pk) == (False, first.order.pk)
    with pytest.raises(IdempotencyKeyReused):
        order_place_or_replay(context=SHOPPER_CONTEXT, **{**kwargs, "remark": "another"})
    assert Order.objects.count() == 1


def test_same_key_for_a_different_request_is_refused(
    member: Member, address: Address, sku: Sku, shop: ShopSettings
) -> None:
    order_place(context=SHOPPER_CONTEXT, member=member, items=[(sku.pk, 1)], address_id=address.pk, idempotency_key="k")
    with pytest.raises(IdempotencyKeyReused):
        order_place(
            context=SHOPPER_CONTEXT, member=member, items=[(sku.pk, 2)], address_id=address.pk, idempotency_key="k"
        )
    assert Order.objects.count() == 1


def test_keys_are_per_shopper(member: Member, other_member: Member, sku: Sku, place: Callable[..., Order]) -> None:
    mine, theirs = place(member, [(sku, 1)], key="k"), place(other_member, [(sku, 1)], key="k")
    assert mine.pk != theirs.pk


@pytest.mark.parametrize("key", ["", "   ", "x" * 65])
def test_a_missing_or_oversized_key_is_refused(member: Member, address: Address, sku: Sku, key: str) -> None:
    with pytest.raises(IdempotencyKeyRequired):
        order_place(
            context=SHOPPER_CONTEXT, member=member, items=[(sku.pk, 1)], address_id=address.pk, idempotency_key=key
        )


def test_stock_shortage_names_the_sku_and_writes_nothing(member: Member, address: Address, shop: ShopSettings) -> None:
    plenty, scarce = SkuFactory.create(stock=10), SkuFactory.create(stock=1)
    cart_item_add(member=member, sku_id=plenty.pk, qty=1)
    with pytest.raises(StockInsufficient) as exc:
        order_place(
            context=SHOPPER_CONTEXT,
            member=member,
            items=[(plenty.pk, 2), (scarce.pk, 2)],
            address_id=address.pk,
            idempotency_key="k",
        )
    assert (exc.value.status, exc.value.details) == (409, {"sku_id": scarce.pk, "requested": 2, "available": 1})
    assert Sku.objects.get(pk=plenty.pk).stock == 10  # the first reservation was rolled back too
    assert not Order.objects.exists()
    assert CartItem.objects.filter(member=member).count() == 1
    assert not Event.objects.filter(name="order_placed").exists()


def test_one_statement_reservation_names_the_short_sku_and_gives_back_the_rest(
    member: Member, address: Address, shop: ShopSettings
) -> None:
    """All SKUs are taken by one UPDATE: when one is short, the rows it did take are rolled
    back before the shortfall is read, so the error names the short SKU (not the first SKU
    whose stock the partial update left below its quantity)."""
    first, short, last = SkuFactory.create(stock=3), SkuFactory.create(stock=1), SkuFactory.create(stock=2)
    with pytest.raises(StockInsufficient) as exc:
        order_place(
            context=SHOPPER_CONTEXT,
            member=member,
            items=[(last.pk, 2), (first.pk, 2), (short.pk, 2)],
            address_id=address.pk,
            idempotency_key="k",
        )
    assert exc.value.details == {"sku_id": short.pk, "requested": 2, "available": 1}
    assert dict(Sku.objects.filter(pk__in=[first.pk, short.pk, last.pk]).values_list("pk", "stock")) == {
        first.pk: 3,
        short.pk: 1,
        last.pk: 2,
    }
    order = order_place(
        context=SHOPPER_CONTEXT,
        member=member,
        items=[(last.pk, 2), (first.pk, 1), (first.pk, 1), (short.pk, 1)],
        address_id=address.pk,
        idempotency_key="k2",
    )
    assert sorted(order.lines.values_list("sku_id", "qty")) == sorted([(first.pk, 2), (short.pk, 1), (last.pk, 2)])
    assert list(
        Sku.objects.filter(pk__in=[first.pk, short.pk, last.pk]).order_by("pk").values_list("stock", flat=True)
    ) == [1, 0, 0]


def test_an_off_shelf_sku_is_refused(member: Member, address: Address, shop: ShopSettings) -> None:
    sku = SkuFactory.create(product__is_on_shelf=False)
    with pytest.raises(SkuUnavailable):
        order_place(
            context=SHOPPER_CONTEXT, member=member, items=[(sku.pk, 1)], address_id=address.pk, idempotency_key="k"
        )


def test_another_shoppers_address_is_refused(
    member: Member, other_address: Address, sku: Sku, shop: ShopSettings
) -> None:
    with pytest.raises(AddressNotFound):
        order_place(
            context=SHOPPER_CONTEXT,
            member=member,
            items=[(sku.pk, 1)],
            address_id=other_address.pk,
            idempotency_key="k",
        )
    assert not Order.objects.exists()
    assert Sku.objects.get(pk=sku.pk).stock == 10


def test_points_are_spent_through_the_ledger(member: Member, address: Address, place: Callable[..., Order]) -> None:
    grant_points(member, 2000)
    order = place(member, [(SkuFactory.create(price=9900), 1)], points=1500)
    assert (order.points_used, order.points_discount, order.payable_amount) == (1500, 1500, 8400)
    entry = PointsEntry.objects.get(member=member, reason=PointsEntry.Reason.ORDER_REDEEM)
    assert (entry.delta, entry.ref) == (-1500, order.no)
    assert points_balance(member_id=member.pk) == 500
    assert order.lines.get().paid_amount == 8400


def test_expiry_sweep_is_scheduled_after_commit_once_per_window_of_lock_ends(
    django_capture_on_commit_callbacks,  # type: ignore[no-untyped-def]
    member: Member,
    address: Address,
    sku: Sku,
    place: Callable[..., Order],
) -> None:
    """One sweep at the end of the window the lock ends in (issue 12: not a task per order)."""
    _expiry_sweeps.clear()
    start = datetime(2026, 3, 1, 9, 0, 1, tzinfo=SHANGHAI)
    with mock.patch("orders.tasks.order_expiry_sweep_task.apply_async") as apply_async:
        with time_machine.travel(start, tick=False):
            with django_capture_on_commit_callbacks(execute=False) as callbacks:
                order = place(member, [(sku, 1)])
            apply_async.assert_not_called()  # nothing is enqueued before the commit
            for callback in callbacks:
                callback()
        window_end = order.expires_at + timedelta(seconds=EXPIRY_WINDOW_SECONDS - 1)
        apply_async.assert_called_once_with(eta=window_end)
        with (
            time_machine.travel(start + timedelta(seconds=8), tick=False),
            django_capture_on_commit_callbacks(execute=True),
        ):
            same_window = place(member, [(sku, 1)])
        assert same_window.expires_at < window_end
        apply_async.assert_called_once()  # the window's sweep expires this one too
        with (
            time_machine.travel(start + timedelta(seconds=10), tick=False),
            django_capture_on_commit_callbacks(execute=True),
        ):
            place(member, [(sku, 1)])
        apply_async.assert_called_with(eta=window_end + timedelta(seconds=EXPIRY_WINDOW_SECONDS))
    with time_machine.travel(window_end, tick=False):
        assert order_expiry_sweep_task() == 2  # the first two orders; the third's lock runs on
        assert order_expiry_sweep_task() == 0


def test_order_numbers_are_unique_and_sort_by_time() -> None:
    early = datetime(2026, 1, 1, 9, 0, 0, tzinfo=SHANGHAI)
    with time_machine.travel(early, tick=False):
        first = [order_no_new() for _ in range(200)]
    with time_machine.travel(early + timedelta(seconds=1), tick=False):
        later = order_no_new()
    assert len(set(first)) == 200
    assert all(len(no) == 20 and no.isdigit() for no in first)
    assert max(first) < later


def test_a_broker_outage_does_not_fail_a_committed_order(
    django_capture_on_commit_callbacks,  # type: ignore[no-untyped-def]
    member: Member,
    address: Address,
    sku: Sku,
    place: Callable[..., Order],
) -> None:
    _expiry_sweeps.clear()
    broken = mock.patch("orders.tasks.order_expiry_sweep_task.apply_async", side_effect=ConnectionError("broker down"))
    with time_machine.travel(datetime(2026, 3, 1, 9, 0, 1, tzinfo=SHANGHAI), tick=False):
        with broken, django_capture_on_commit_callbacks(execute=True):
            order = place(member, [(sku, 1)])
        assert Order.objects.get(pk=order.pk).status == OrderStatus.PENDING_PAYMENT  # the sweeper will expire it
        again = mock.patch("orders.tasks.order_expiry_sweep_task.apply_async")
        with again as apply_async, django_capture_on_commit_callbacks(execute=True):
            place(member, [(sku, 1)])
        apply_async.assert_called_once()  # the window's sweep is asked for again
