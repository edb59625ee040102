"""Flash-sale scenarios built through the real services (slots published like a merchant would).

Windows are set around the real clock unless a test passes ``now``: the Redis gate judges a
slot open by Redis server time, which frozen Python time does not move.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from django.contrib.auth.models import User
from django.utils import timezone

from mall.models import Category, Product, ShopSettings, Sku
from marketing.models import FlashItem, FlashSlot, FlashSlotKind
from marketing.services.flash_purchase import flash_purchase
from members.models import Address, Member
from members.tests.factories import AddressFactory
from members.tests.fixtures import SHOPPER_CONTEXT
from orders.models import Order
from orders.services.orders import PlaceResult

FLASH_PRICE = 990


def staff_user() -> User:
    return User.objects.filter(username="flash-ops").first() or User.objects.create_superuser(
        username="flash-ops", password="x", email="flash@example.com"
    )


def shelf_sku(*, stock: int = 500, price: int = 5900, code: str | None = None) -> Sku:
    category = Category.objects.get_or_create(name="秒杀专区")[0]
    code = code or f"FL-{uuid.uuid4().hex[:8]}"
    product = Product.objects.create(category=category, title=f"面霜 {code}", min_price=price)
    return Sku.objects.create(product=product, code=code, price=price, stock=stock)


def make_slot(
    *,
    items: Sequence[tuple[Sku, int]],
    starts_in: timedelta = timedelta(minutes=-1),
    minutes: int = 60,
    limit: int = 1,
    per_order: int = 1,
    price: int = FLASH_PRICE,
    kind: str = FlashSlotKind.SLOT,
    publish: bool = True,
    now: datetime | None = None,
    title: str = "",
    free_shipping: bool = False,
) -> FlashSlot:
    """A slot (default: started a minute ago, an hour long) with ``(sku, quota)`` items, published."""
    from marketing.services.flash_sales import (
        FlashItemData,
        FlashSlotData,
        flash_item_add,
        flash_slot_create,
        flash_slot_publish,
    )

    staff = staff_user()
    ShopSettings.load()
    starts_at = (now or timezone.now()) + starts_in
    slot = flash_slot_create(
        actor=staff,
        data=FlashSlotData(starts_at=starts_at, ends_at=starts_at + timedelta(minutes=minutes), kind=kind, title=title),
    )
    for position, (sku, quota) in enumerate(items):
        flash_item_add(
            actor=staff,
            slot_id=slot.pk,
            data=FlashItemData(
                sku_id=sku.pk,
                flash_price=price,
                quota=quota,
                per_shopper_limit=limit,
                per_order_limit=per_order,
                sort_order=position,
                free_shipping=free_shipping,
            ),
        )
    if publish:
        flash_slot_publish(actor=staff, slot_id=slot.pk, now=now)
    return FlashSlot.objects.get(pk=slot.pk)


def first_item(slot: FlashSlot) -> FlashItem:
    return FlashItem.objects.filter(slot=slot).order_by("sort_order", "id").first()  # type: ignore[return-value]


def address_of(member: Member) -> Address:
    return member.addresses.first() or AddressFactory.create(member=member)


def buy(member: Member, item: FlashItem, *, qty: int = 1, key: str | None = None, **kwargs: Any) -> PlaceResult:
    return flash_purchase(
        context=SHOPPER_CONTEXT,
        member=member,
        item_id=item.pk,
        qty=qty,
        address_id=address_of(member).pk,
        idempotency_key=key or uuid.uuid4().hex,
        **kwargs,
    )


def counts(item: FlashItem) -> tuple[int, int, int, int]:
    """(quota, locked, sold, available) as the database has them now."""
    fresh = FlashItem.objects.get(pk=item.pk)
    return fresh.quota, fresh.locked, fresh.sold, fresh.available


def flash_orders(item: FlashItem) -> Any:
    return Order.objects.filter(deal_kind="flash", deal_ref=item.pk)
