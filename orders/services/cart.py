"""Cart writes: add (increments), change quantity or selection, remove.

Quantities are capped, not refused: at most 99 per line and never more than the stock on hand,
so a shopper pressing "+" on a scarce SKU sees the quantity stop rather than an error. A SKU
with no stock at all, or one that is inactive or off the shelf, is refused.
"""

from __future__ import annotations

from functools import cache

from django.db import IntegrityError, connection, transaction
from django.db.models import F

from mall.models import Sku
from members.models import Member
from orders.errors import InvalidQuantity, SkuNotFound, SkuUnavailable, StockInsufficient
from orders.models import CartItem
from orders.selectors.cart import MAX_ID, MAX_QTY_PER_LINE, cart_item_get_for_member, sku_is_sellable


def _capped(*, sku: Sku, qty: int) -> int:
    """The quantity a line may hold: ≤ 99 and ≤ stock; no stock at all is a refusal."""
    if sku.stock <= 0:
        raise StockInsufficient(details={"sku_id": sku.pk, "requested": qty, "available": 0})
    return min(qty, MAX_QTY_PER_LINE, sku.stock)


def _sellable_sku(*, sku_id: int) -> Sku:
    sku = Sku.objects.select_related("product").filter(pk=sku_id).first() if 0 < sku_id <= MAX_ID else None
    if sku is None:
        raise SkuNotFound(details={"sku_id": sku_id})
    if not sku_is_sellable(sku):
        raise SkuUnavailable(details={"sku_id": sku_id})
    return sku


@transaction.atomic
def cart_item_add(*, member: Member, sku_id: int, qty: int) -> CartItem:
    """Add ``qty`` units (adding to an existing row), capped by stock and the per-line maximum."""
    if qty <= 0:
        raise InvalidQuantity(details={"qty": qty})
    sku = _sellable_sku(sku_id=sku_id)
    item = CartItem.objects.select_for_update().filter(member=member, sku=sku).first()
    if item is None:
        try:
            with transaction.atomic():
                return CartItem.objects.create(member=member, sku=sku, qty=_capped(sku=sku, qty=qty), selected=True)
        except IntegrityError:
            # A parallel add of the same SKU created the row first: add to it instead.
            item = CartItem.objects.select_for_update().get(member=member, sku=sku)
    item.qty = _capped(sku=sku, qty=item.qty + qty)
    item.selected = True
    item.save(update_fields=["qty", "selected", "updated_at"])
    item.sku = sku
    return item


@transaction.atomic
def cart_item_update(*, member: Member, item_id: int, qty: int | None = None, selected: bool | None = None) -> CartItem:
    """Set the quantity (capped) and/or the selection of the shopper's own row."""
    item = cart_item_get_for_member(member=member, item_id=item_id, for_update=True)
    fields = ["updated_at"]
    if qty is not None:
        if qty <= 0:
            raise InvalidQuantity(details={"qty": qty})
        item.qty = _capped(sku=item.sku, qty=qty)
        fields.append("qty")
    if selected is not None:
        item.selected = selected
        fields.append("selected")
    item.save(update_fields=fields)
    return item


@transaction.atomic
def cart_item_remove(*, member: Member, item_id: int) -> None:
    """Delete the shopper's own row (someone else's is ``cart_item_not_found``)."""
    item = cart_item_get_for_member(member=member, item_id=item_id, for_update=True)
    item.delete()


@cache
def _in_cart_sql(count: int) -> str:
    quote = connection.ops.quote_name
    marks = ", ".join(["%s"] * count)
    return (
        f"SELECT {quote('sku_id')} FROM {quote(CartItem._meta.db_table)}"  # noqa: S608 - names from model metadata, values bound
        f" WHERE {quote('member_id')} = %s AND {quote('sku_id')} IN ({marks})"
    )


@transaction.atomic(savepoint=False)  # issue 12: inside the placement's transaction, no savepoint round trips
def cart_items_take(*, member: Member, items: list[tuple[int, int]]) -> None:
    """After an order: subtract what was bought from the cart, dropping rows that reach zero.

    Subtracting (not deleting) keeps the rest of a larger cart row when the shopper bought
    fewer units directly ("buy now") than sat in the cart.
    """
    # One read first: a "buy now" order usually has none of its SKUs in the cart (two writes
    # per SKU saved inside the placement's transaction, which holds the shopper's row).
    sku_ids = sorted({sku_id for sku_id, _qty in items})
    if not sku_ids:
        return
    with connection.cursor() as cursor:  # written out (issue 12: the ORM's compile, every placement)
        cursor.execute(_in_cart_sql(len(sku_ids)), [member.pk, *sku_ids])
        in_cart = {row[0] for row in cursor.fetchall()}
    for sku_id, qty in sorted(items):
        if sku_id not in in_cart:
            continue
        CartItem.objects.filter(member=member, sku_id=sku_id, qty__lte=qty).delete()
        CartItem.objects.filter(member=member, sku_id=sku_id, qty__gt=qty).update(qty=F("qty") - qty)
