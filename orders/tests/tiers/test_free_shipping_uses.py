"""F14: 钻石's two free-shipping uses a month are spent atomically at placement and given back on cancel."""

from __future__ import annotations

import uuid

import pytest

from mall.models import ShopSettings
from mall.tests.concurrency import run_in_threads
from members.models import FreeShippingUse, Member
from members.services.tiers import free_shipping_uses_left
from members.tests.factories import AddressFactory, MemberFactory
from members.tests.fixtures import SHOPPER_CONTEXT, guard_slider_off
from orders.models import Order
from orders.services.orders import order_cancel, order_place
from orders.tests.factories import SkuFactory

pytestmark = [pytest.mark.race, pytest.mark.django_db(transaction=True)]


def _shop() -> None:
    shop = ShopSettings.load()
    shop.shipping_flat_fee, shop.free_shipping_threshold = 800, 9900
    shop.save()


def test_eight_concurrent_orders_of_a_diamond_get_exactly_two_free_shipments() -> None:
    _shop()
    guard_slider_off()
    sku = SkuFactory.create(price=1000, stock=100)  # ¥10: below the ¥99 threshold, shipping costs ¥8
    member = MemberFactory.create(tier="diamond")
    address = AddressFactory.create(member=member)

    def place(_i: int) -> Order:
        return order_place(
            context=SHOPPER_CONTEXT,
            member=member,
            items=[(sku.pk, 1)],
            address_id=address.pk,
            idempotency_key=uuid.uuid4().hex,
        )

    results = run_in_threads(8, place)

    orders = [r for r in results if isinstance(r, Order)]
    assert len(orders) == 8, [r for r in results if not isinstance(r, Order)]
    fees = sorted(o.shipping_fee for o in orders)
    assert fees == [0, 0] + [800] * 6
    uses = FreeShippingUse.objects.filter(member=member)
    assert sorted(uses.values_list("slot", flat=True)) == [1, 2]
    assert {u.order.shipping_fee for u in uses} == {0}
    assert free_shipping_uses_left(member=member) == 0

    # Cancelling a free one gives its use back; the next order ships free again.
    free_order = next(o for o in orders if o.shipping_fee == 0)
    assert order_cancel(order_id=free_order.pk, reason="shopper")
    assert free_shipping_uses_left(member=member) == 1
    again = place(0)
    assert again.shipping_fee == 0
    assert again.pricing["shipping"]["rules"][0]["kind"] == "tier"
    assert free_shipping_uses_left(member=member) == 0


def test_a_normal_shopper_has_no_uses_and_pays_shipping() -> None:
    _shop()
    sku = SkuFactory.create(price=1000, stock=10)
    member: Member = MemberFactory.create()
    address = AddressFactory.create(member=member)
    order = order_place(
        context=SHOPPER_CONTEXT, member=member, items=[(sku.pk, 1)], address_id=address.pk, idempotency_key="k1"
    )
    assert order.shipping_fee == 800
    assert not FreeShippingUse.objects.exists()
