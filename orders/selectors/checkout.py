"""Turning checkout input (explicit items or the selected cart) into priced-ready SKUs."""

from __future__ import annotations

from collections.abc import Collection, MutableMapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any, cast

from mall.errors import NotFound
from mall.models import Sku
from mall.rows import RelatedRead, related_read, rows_with_related
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


# What a quote and the preview's answer read of a SKU and its product (sellable, stock, catalogue
# entry, 包邮, the line's title, image and specs): issue 12, the other columns (the product's
# description, JSON spec names, two timestamps …) were a fifth of the SKU read's CPU.
QUOTE_SKU_FIELDS = ("code", "specs", "price", "stock", "is_active")
QUOTE_PRODUCT_FIELDS = ("category_id", "title", "main_image", "is_on_shelf", "free_shipping")

# The gift SKUs' primary keys by code as last read, for the rules version they were read for: a
# hint, never trusted (a row read by it must still carry the code, else the code is asked for).
_GIFT_PKS_HELD = 1024
_gift_pks: tuple[str, dict[str, int]] = ("", {})


@dataclass(frozen=True)
class SkusAhead:
    """A checkout's SKU read sent before its lines are validated, with the shopper's row (issue
    12: one round trip fewer per preview): the SKUs the body names and the gift SKUs by the
    primary keys held for rules version ``version``. ``rows``: what it returned (None: not sent)."""

    read: RelatedRead
    asked: frozenset[int]
    version: str
    rows: list[Sku] | None = None

    @property
    def statement(self) -> tuple[str, list[Any]]:
        """The read's SQL and parameters, to be sent with another statement."""
        return self.read.sql, self.read.params

    def arrived(self, rows: Sequence[Sequence[Any]]) -> SkusAhead:
        """This read with the rows it returned, as SKUs with their products."""
        return replace(self, rows=self.read.instances(rows))


# Gift SKUs a read sent ahead asks for at most (their primary keys as last read); with more held,
# none is asked for and a cart with gift promotions reads its SKUs itself.
_GIFTS_AHEAD_MAX = 32


def checkout_skus_ahead(ids: Sequence[int]) -> SkusAhead | None:
    """The read :func:`checkout_lines_resolve` would make for SKUs ``ids`` (quote columns), to be
    sent ahead; None when there is nothing to read. The rules are not known yet, so it asks for
    every gift SKU held for the rules last read; the resolve uses the rows only when that is
    the version it prices with (see :func:`_skus_read`)."""
    version, held = _gift_pks
    gifts = list(held.values()) if len(held) <= _GIFTS_AHEAD_MAX else []
    asked = [*ids, *gifts]
    read = related_read(Sku, "product", {"pk": asked}, only=QUOTE_SKU_FIELDS, only_related=QUOTE_PRODUCT_FIELDS)
    return None if read is None else SkusAhead(read, frozenset(asked), version)


def _skus_read(
    ids: list[int],
    gift_codes: Collection[str],
    rules_version: str,
    quote_columns: bool,
    ahead: SkusAhead | None = None,
) -> list[Sku]:
    """The SKUs ``ids`` and those of ``gift_codes``, with their products, in one query.

    The ORM's ``select_related("product").filter(Q(pk__in) | Q(code__in))``, written out once
    (issue 12: compiling it was ~0.5 ms of the preview's CPU). With every gift code's primary
    key known for ``rules_version`` the read is by primary key alone (issue 12: MariaDB merged
    two indexes and sorted for the OR, ~40 µs of its CPU per preview); a gift code no row read
    carries (a SKU renamed or gone since) is then asked for by code, one query more, once.
    ``ahead``: the same read already made (:func:`checkout_skus_ahead`), used when it asked for
    every primary key this one would, for this rules version; its other rows are left out.
    """
    global _gift_pks
    only = (QUOTE_SKU_FIELDS, QUOTE_PRODUCT_FIELDS) if quote_columns else (None, None)
    held = _gift_pks[1] if rules_version and _gift_pks[0] == rules_version else {}
    hinted = [held.get(code) for code in gift_codes]
    if gift_codes and None in hinted:  # a gift code whose key is not known: by key or by code
        rows = rows_with_related(
            Sku, "product", {"pk": ids, "code": list(gift_codes)}, only=only[0], only_related=only[1]
        )
    else:
        gift_pks = cast(list[int], hinted)  # every one known on this branch
        rows = _skus_by_pk([*ids, *gift_pks], only, ahead if quote_columns else None)
        found = {row.code for row in rows}
        missing = [code for code in gift_codes if code not in found]
        if missing:
            known = {row.pk for row in rows}
            extra = rows_with_related(Sku, "product", {"code": missing}, only=only[0], only_related=only[1])
            rows = sorted([*rows, *(row for row in extra if row.pk not in known)], key=lambda row: row.pk)
    if rules_version and gift_codes:
        learnt = {row.code: row.pk for row in rows if row.code in gift_codes}
        if any(held.get(code) != learnt.get(code) for code in gift_codes):  # a new dict: readers keep theirs
            kept = {} if len(held) >= _GIFT_PKS_HELD else {c: pk for c, pk in held.items() if c not in gift_codes}
            _gift_pks = (rules_version, {**kept, **learnt})
    return rows


def _skus_by_pk(wanted: list[int], only: tuple[Any, Any], ahead: SkusAhead | None) -> list[Sku]:
    """The SKUs ``wanted`` with their products: the rows read ahead when that read asked for
    every one of them (its others left out), else one query."""
    if ahead is not None and ahead.rows is not None and ahead.asked.issuperset(wanted):
        keep = set(wanted)
        return [row for row in ahead.rows if row.pk in keep]
    return rows_with_related(Sku, "product", {"pk": wanted}, only=only[0], only_related=only[1])


def checkout_lines_resolve(
    *,
    member: Member,
    items: Sequence[tuple[int, int]] | None,
    check_stock: bool = True,
    gift_codes: Collection[str] = (),
    gifts: MutableMapping[str, Sku] | None = None,
    rules_version: str = "",
    quote_columns: bool = False,
    ahead: SkusAhead | None = None,
) -> list[tuple[Sku, int]]:
    """Validate what is being bought and load the SKUs (with products) in one query, SKU-id order.

    ``items=None`` means the selected cart rows. Repeated SKUs are merged. Raises
    ``cart_empty``, ``invalid_qty``, ``sku_not_found``, ``sku_unavailable`` and, when asked,
    ``stock_insufficient`` (a read: the reservation at placement is the real guard).
    The SKUs of ``gift_codes`` (those the shop's gift promotions may add) are read by the same
    query and put in ``gifts`` by code (the pricing step needs them; issue 12: one query less);
    with ``rules_version`` (the rules they come from) by the primary keys they had when last read,
    checked against the codes the rows carry (:func:`_skus_read`). ``quote_columns``: only the
    columns a quote and its answer read (:data:`QUOTE_SKU_FIELDS`; any other loads on access).
    ``ahead``: the read already sent with the shopper's row, when it covers this one.
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
    for row in _skus_read(list(merged), gift_codes, rules_version, quote_columns, ahead):
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
    skus_ahead: SkusAhead | None = None,
) -> CheckoutPreview:
    """The quote the checkout page shows; the same call ``order_place`` makes, without writing.

    A deal's units may come from the tool's own quota (flash sales), so its SKU's shelf stock
    is not checked here; the tool's ``specs`` says whether there is anything left. ``rules``:
    the active rules when the caller read them (``checkout_rules``); ``at``: the instant to price
    at (default now), the one the shopper's wallet was read for when it came with their row;
    ``skus_ahead``: the SKU read sent with the shopper's row (:func:`checkout_skus_ahead`).
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
        rules_version=rules.version,
        quote_columns=True,
        ahead=skus_ahead,
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
