"""Resolving checkout input: explicit items or the selected cart, with stable refusal codes."""

from __future__ import annotations

from typing import Any

import pytest

from mall.models import Product, ShopSettings, Sku
from members.models import Address, Member
from orders.errors import AddressNotFound, CartEmpty, InvalidQuantity, SkuNotFound, SkuUnavailable, StockInsufficient
from orders.selectors.checkout import checkout_lines_resolve, checkout_preview
from orders.services.cart import cart_item_add, cart_item_update
from orders.tests.factories import SkuFactory

pytestmark = pytest.mark.django_db


def test_default_is_the_selected_cart_rows(member: Member) -> None:
    chosen, skipped = SkuFactory.create(), SkuFactory.create()
    cart_item_add(member=member, sku_id=chosen.pk, qty=2)
    row = cart_item_add(member=member, sku_id=skipped.pk, qty=1)
    cart_item_update(member=member, item_id=row.pk, selected=False)
    assert [(s.pk, q) for s, q in checkout_lines_resolve(member=member, items=None)] == [(chosen.pk, 2)]


def test_empty_cart_is_refused(member: Member) -> None:
    with pytest.raises(CartEmpty) as exc:
        checkout_lines_resolve(member=member, items=None)
    assert (exc.value.code, exc.value.status) == ("cart_empty", 400)


def test_repeated_skus_merge_and_lines_come_in_sku_order(member: Member) -> None:
    a, b = SkuFactory.create(), SkuFactory.create()
    lines = checkout_lines_resolve(member=member, items=[(b.pk, 1), (a.pk, 1), (b.pk, 2)])
    assert [(s.pk, q) for s, q in lines] == [(a.pk, 1), (b.pk, 3)]


@pytest.mark.parametrize("qty", [0, -1, 100])
def test_bad_quantities_are_refused(member: Member, sku: Sku, qty: int) -> None:
    with pytest.raises(InvalidQuantity) as exc:
        checkout_lines_resolve(member=member, items=[(sku.pk, qty)])
    assert exc.value.code == "invalid_qty"


def test_unknown_unavailable_and_short_skus_are_refused(member: Member, sku: Sku) -> None:
    with pytest.raises(SkuNotFound):
        checkout_lines_resolve(member=member, items=[(sku.pk + 1000, 1)])
    with pytest.raises(SkuNotFound):
        checkout_lines_resolve(member=member, items=[(2**70, 1)])
    with pytest.raises(SkuUnavailable):
        checkout_lines_resolve(member=member, items=[(SkuFactory.create(is_active=False).pk, 1)])
    with pytest.raises(StockInsufficient) as exc:
        checkout_lines_resolve(member=member, items=[(sku.pk, 11)])
    assert exc.value.details == {"sku_id": sku.pk, "requested": 11, "available": 10}


def test_preview_refuses_another_shoppers_address(
    member: Member, other_address: Address, sku: Sku, shop: ShopSettings
) -> None:
    with pytest.raises(AddressNotFound):
        checkout_preview(member=member, items=[(sku.pk, 1)], address_id=other_address.pk)


def test_preview_reads_without_writing(member: Member, address: Address, sku: Sku, shop: ShopSettings) -> None:
    preview = checkout_preview(member=member, items=[(sku.pk, 2)], address_id=address.pk)
    assert preview.quote.payable_amount == 11800
    assert preview.skus[sku.pk].product.title == sku.product.title
    assert Sku.objects.get(pk=sku.pk).stock == 10


def test_preview_reads_what_a_quote_needs_and_the_rest_on_access(
    member: Member, sku: Sku, shop: ShopSettings, django_assert_num_queries: Any
) -> None:
    """Issue 12: the preview reads only the columns a quote and its answer use; any other still
    reads as the row says (loaded when asked for)."""
    Product.objects.filter(pk=sku.product_id).update(description="详情", subtitle="副标题")
    preview = checkout_preview(member=member, items=[(sku.pk, 1)])
    read = preview.skus[sku.pk]
    with django_assert_num_queries(0):
        assert (read.code, read.price, read.stock, read.product.title) == (sku.code, sku.price, 10, sku.product.title)
    with django_assert_num_queries(2):
        assert (read.product.description, read.sales_count) == ("详情", sku.sales_count)
