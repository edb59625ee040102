"""Cart services: add (increments, capped), change, remove, and the one-query cart view."""

from __future__ import annotations

import pytest

from mall.models import Sku
from members.models import Member
from members.tests.factories import MemberFactory
from orders.errors import CartItemNotFound, InvalidQuantity, SkuNotFound, SkuUnavailable, StockInsufficient
from orders.models import CartItem
from orders.selectors.cart import MAX_QTY_PER_LINE, cart_for_member
from orders.services.cart import cart_item_add, cart_item_remove, cart_item_update
from orders.tests.factories import SkuFactory

pytestmark = pytest.mark.django_db


def test_add_creates_a_selected_row(member: Member, sku: Sku) -> None:
    item = cart_item_add(member=member, sku_id=sku.pk, qty=2)
    assert (item.member_id, item.sku_id, item.qty, item.selected) == (member.pk, sku.pk, 2, True)


def test_add_again_increments_the_same_row(member: Member, sku: Sku) -> None:
    cart_item_add(member=member, sku_id=sku.pk, qty=2)
    item = cart_item_add(member=member, sku_id=sku.pk, qty=3)
    assert item.qty == 5
    assert CartItem.objects.filter(member=member).count() == 1


def test_add_is_capped_by_stock(member: Member) -> None:
    scarce = SkuFactory.create(stock=3)
    cart_item_add(member=member, sku_id=scarce.pk, qty=2)
    item = cart_item_add(member=member, sku_id=scarce.pk, qty=2)
    assert item.qty == 3


def test_add_is_capped_at_99_per_line(member: Member) -> None:
    plenty = SkuFactory.create(stock=1000)
    cart_item_add(member=member, sku_id=plenty.pk, qty=90)
    item = cart_item_add(member=member, sku_id=plenty.pk, qty=20)
    assert item.qty == MAX_QTY_PER_LINE == 99


@pytest.mark.parametrize("change", [{"is_active": False}, {"product_on_shelf": False}])
def test_add_refuses_inactive_or_off_shelf_skus(member: Member, change: dict[str, bool]) -> None:
    sku = SkuFactory.create(is_active=change.get("is_active", True))
    if "product_on_shelf" in change:
        sku.product.is_on_shelf = False
        sku.product.save()
    with pytest.raises(SkuUnavailable) as exc:
        cart_item_add(member=member, sku_id=sku.pk, qty=1)
    assert exc.value.code == "sku_unavailable"
    assert not CartItem.objects.exists()


def test_add_refuses_unknown_sku_and_sold_out_sku(member: Member) -> None:
    with pytest.raises(SkuNotFound):
        cart_item_add(member=member, sku_id=987654, qty=1)
    sold_out = SkuFactory.create(stock=0)
    with pytest.raises(StockInsufficient) as exc:
        cart_item_add(member=member, sku_id=sold_out.pk, qty=1)
    assert exc.value.details["sku_id"] == sold_out.pk
    assert not CartItem.objects.exists()


def test_add_refuses_zero_quantity(member: Member, sku: Sku) -> None:
    with pytest.raises(InvalidQuantity):
        cart_item_add(member=member, sku_id=sku.pk, qty=0)


def test_update_sets_quantity_capped_and_selection(member: Member, sku: Sku) -> None:
    item = cart_item_add(member=member, sku_id=sku.pk, qty=1)
    updated = cart_item_update(member=member, item_id=item.pk, qty=50, selected=False)
    stored = CartItem.objects.get(pk=item.pk)
    assert (updated.qty, stored.qty, stored.selected) == (10, 10, False)
    with pytest.raises(InvalidQuantity):
        cart_item_update(member=member, item_id=item.pk, qty=0)


def test_another_shopper_can_neither_change_nor_remove_my_row(member: Member, other_member: Member, sku: Sku) -> None:
    item = cart_item_add(member=member, sku_id=sku.pk, qty=2)
    with pytest.raises(CartItemNotFound):
        cart_item_update(member=other_member, item_id=item.pk, qty=5)
    with pytest.raises(CartItemNotFound):
        cart_item_remove(member=other_member, item_id=item.pk)
    stored = CartItem.objects.get(pk=item.pk)
    assert (stored.member_id, stored.qty) == (member.pk, 2)


def test_remove_deletes_own_row(member: Member, sku: Sku) -> None:
    item = cart_item_add(member=member, sku_id=sku.pk, qty=2)
    cart_item_remove(member=member, item_id=item.pk)
    assert not CartItem.objects.filter(pk=item.pk).exists()


def test_cart_view_flags_unavailable_rows_and_sums_only_selected_available(member: Member) -> None:
    good = SkuFactory.create(price=1000, stock=5)
    unselected = SkuFactory.create(price=2000, stock=5)
    sold_out = SkuFactory.create(price=3000, stock=5)
    cart_item_add(member=member, sku_id=good.pk, qty=2)
    row = cart_item_add(member=member, sku_id=unselected.pk, qty=1)
    cart_item_update(member=member, item_id=row.pk, selected=False)
    cart_item_add(member=member, sku_id=sold_out.pk, qty=1)
    Sku.objects.filter(pk=sold_out.pk).update(stock=0)

    cart = cart_for_member(member=member)

    by_sku = {line.sku_id: line for line in cart.items}
    assert by_sku[good.pk].available and by_sku[unselected.pk].available
    assert not by_sku[sold_out.pk].available and by_sku[sold_out.pk].stock == 0
    assert by_sku[good.pk].title == good.product.title and by_sku[good.pk].specs == {"规格": "50ml"}
    assert (cart.selected_qty, cart.goods_amount) == (2, 2000)


def test_cart_view_is_one_query_whatever_its_size(django_assert_num_queries, member: Member) -> None:  # type: ignore[no-untyped-def]
    cart_item_add(member=member, sku_id=SkuFactory.create().pk, qty=1)
    with django_assert_num_queries(1):
        assert len(cart_for_member(member=member).items) == 1
    for _ in range(9):
        cart_item_add(member=member, sku_id=SkuFactory.create().pk, qty=1)
    with django_assert_num_queries(1):
        assert len(cart_for_member(member=member).items) == 10


def test_carts_are_per_shopper(member: Member, sku: Sku) -> None:
    someone = MemberFactory.create()
    cart_item_add(member=someone, sku_id=sku.pk, qty=4)
    assert cart_for_member(member=member).items == []
