"""Turning checkout input (explicit items or the selected cart) into priced-ready SKUs."""

from __future__ import annotations

from collections.abc import Collection, MutableMapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from mall.errors import NotFound
from mall.models import Sku
from mall.rows import rows_with_related
from marketing.selectors.checkout_pricing import CheckoutQuote, PointsRequest, checkout_rules, quote_for_checkout
from marketing.selectors.pricing_rules import PricingRules
from marketing.services.deals import DealRequest, deal_takes_sku_stock
from members.models import Address, Member
from members.selectors.addresses import address_get_for_member
from orders.errors import AddressNotFound, CartEmpty, InvalidQuantity, SkuNotFound, SkuUnavailable, StockInsufficient
from orders.selectors.cart import MAX_ID, MAX_QTY_PER_LINE, cart_selected_lines, sku_is_sellable


def checkout_address_get(*, member: Member, address_id: int) -> Address:
    """The shopper's own address (members' selector); someone else's is ``address_not_found``."""
    try:
        if not 0 < address_id <= MAX_ID:
            raise NotFound
        return address_get_for_member(member=member, address_id=address_id)
    except NotFound as exc:
        raise AddressNotFound(details={"address_id": address_id}) from exc


def checkout_lines_resolve(
    *,
    member: Member,
    items: Sequence[tuple[int, int]] | None,
    check_stock: bool = True,
    gift_codes: Collection[str] = (),
    gifts: MutableMapping[str, Sku] | None = None,
) -> list[tuple[Sku, int]]:
    """Validate what is being bought and load the SKUs (with products) in one query, SKU-id order.

    ``items=None`` means the selected cart rows. Repeated SKUs are merged. Raises
    ``cart_empty``, ``invalid_qty``, ``sku_not_found``, ``sku_unavailable`` and, when asked,
    ``stock_insufficient`` (a read: the reservation at placement is the real guard).
    The SKUs of ``gift_codes`` (those the shop's gift promotions may add) are read by the same
    query and put in ``gifts`` by code (the pricing step needs them; issue 12: one query less).
    """
    wanted = cart_selected_lines(member=member) if items is None else list(items)
    if not wanted:
        raise CartEmpty
    merged: dict[int, int] = {}
    for sku_id, qty in wanted:
        if qty <= 0:
            raise InvalidQuantity(details={"sku_id": sku_id, "qty": qty})
        if not 0 < sku_id <= MAX_ID:
            raise SkuNotFound(details={"sku_id": sku_id})
        merged[sku_id] = merged.get(sku_id, 0) + qty
        if merged[sku_id] > MAX_QTY_PER_LINE:
            raise InvalidQuantity(details={"sku_id": sku_id, "qty": merged[sku_id], "max": MAX_QTY_PER_LINE})
    gift_codes = gift_codes if gifts is not None else ()
    skus: dict[int, Sku] = {}
    # the ORM's select_related("product").filter(Q(pk__in) | Q(code__in)), written out once
    # (issue 12: compiling it was ~0.5 ms of the preview's CPU)
    for row in rows_with_related(Sku, "product", {"pk": list(merged), "code": list(gift_codes)}):
        if row.pk in merged:
            skus[row.pk] = row
        if gifts is not None and row.code in gift_codes:
            gifts[row.code] = row
    lines: list[tuple[Sku, int]] = []
    for sku_id in sorted(merged):
        sku = skus.get(sku_id)
        if sku is None:
            raise SkuNotFound(details={"sku_id": sku_id})
        if not sku_is_sellable(sku):
            raise SkuUnavailable(details={"sku_id": sku_id})
        qty = merged[sku_id]
        if check_stock and sku.stock < qty:
            raise StockInsufficient(details={"sku_id": sku_id, "requested": qty, "available": max(sku.stock, 0)})
        lines.append((sku, qty))
    return lines


@dataclass(frozen=True, kw_only=True)
class CheckoutPreview:
    quote: CheckoutQuote
    skus: dict[int, Sku]  # every line's SKU by pk (with its product), gifts included


def checkout_preview(
    *,
    member: Member,
    items: Sequence[tuple[int, int]] | None,
    address_id: int | None = None,
    coupon_ids: Sequence[int | str] = (),
    points: PointsRequest = 0,
    deal: DealRequest | None = None,
    rules: PricingRules | None = None,
    at: datetime | None = None,
) -> CheckoutPreview:
    """The quote the checkout page shows; the same call ``order_place`` makes, without writing.

    A deal's units may come from the tool's own quota (flash sales), so its SKU's shelf stock
    is not checked here; the tool's ``specs`` says whether there is anything left. ``rules``:
    the active rules when the caller read them (``checkout_rules``); ``at``: the instant to price
    at (default now), the one the shopper's wallet was read for when it came with their row.
    """
    if address_id is not None:
        checkout_address_get(member=member, address_id=address_id)
    rules = rules or checkout_rules()
    gifts: dict[str, Sku] = {}
    lines = checkout_lines_resolve(
        member=member,
        items=items,
        check_stock=deal is None or deal_takes_sku_stock(deal.kind),
        gift_codes=rules.gift_codes(),
        gifts=gifts,
    )
    quote = quote_for_checkout(
        member=member,
        items=lines,
        coupon_ids=coupon_ids,
        points=points,
        deal=deal,
        gift_skus=gifts,
        rules=rules,
        at=at,
    )
    # the gift SKUs the quote added come with it (read with the cart's): a gift line shows its
    # product's title and image like any other line
    return CheckoutPreview(quote=quote, skus={**quote.skus, **{sku.pk: sku for sku, _qty in lines}})
