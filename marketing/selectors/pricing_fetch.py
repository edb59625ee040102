"""The fetch step (Saleor's ``fetch_checkout_info``): everything one quote needs, as engine inputs.

:func:`pricing_fetch` reads the cart's SKUs (handed in, already loaded with their products),
the shopper (tier, points balance, whether they are new), what they already took from
limited promotions, their wallet, and the shop's active rules (from the versioned cache),
and builds a :class:`~marketing.pricing.PricingRequest`. The engine then runs without touching
the database. The number of queries does not depend on the number of cart lines: with the
rules cached it is the shopper row with the wallet (one statement), one usage query when a promotion has a
per-user limit, one counter query when the cart holds a stepped-price campaign's SKU (F13),
and one SKU query when a promotion can add a gift.

The engine names SKUs by code and categories by id (as strings), so a scope naming a parent
category covers its sub-categories without ambiguity between equal names.
"""

from __future__ import annotations

from collections.abc import Container, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta, tzinfo
from functools import cache, lru_cache
from typing import Any

from django.db import connection
from django.db.models import Count, Model
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from mall.models import Sku
from mall.rows import instance_from_row, model_columns
from marketing.errors import CouponNotFound, CouponUnavailable
from marketing.models import Coupon, CouponStatus, PromotionUsage, StepCounter
from marketing.pricing import (
    BuyXGetY,
    CartLine,
    CatalogItem,
    CouponSpec,
    FullGift,
    PricingRequest,
    ShopperInfo,
)
from marketing.pricing import Promotion as PromotionSpec
from marketing.pricing.types import PointsRequest
from marketing.selectors.pricing_rules import PricingRules, pricing_rules_active
from marketing.services.rules import coupon_rule_id
from members.models import Member, PointsEntry
from orders.models import Order, OrderStatus


@dataclass(frozen=True, kw_only=True)
class PricingInput:
    """A ready request plus what turns the engine's ids back into rows and names."""

    request: PricingRequest
    rules: PricingRules
    skus_by_code: Mapping[str, Sku]
    coupon_pks: Mapping[str, int]  # engine coupon id -> Coupon.pk
    promotion_pks: Mapping[str, int]  # engine promotion id -> Promotion.pk
    names: Mapping[str, str]  # engine rule id -> the merchant's name for it
    points_balance: int
    gifts_out: tuple[tuple[str, str], ...] = ()  # (rule id, type) left out: the gift is gone
    coupon_templates: Mapping[str, int] = field(default_factory=dict)  # engine coupon id -> template pk


GIFT_OUT_OF_STOCK = "gift_out_of_stock"


@dataclass(frozen=True, kw_only=True)
class ShopperState:
    tier: str
    points: int
    is_new: bool


def _shopper_state_sql() -> str:
    """The shopper-state query, written out: it runs on every quote, and building the same
    statement with the ORM (two correlated subqueries) cost three times what running it does."""
    return _shopper_state_sql_for(connection.vendor)


def _col(model: type[Model], name: str) -> str:
    field = model._meta.get_field(name)
    return connection.ops.quote_name(str(getattr(field, "column", name)))


def _shopper_columns() -> str:
    """The shopper's tier, points balance and "has a live order" over ``members_member m`` (two
    parameters: the excluded order status, then the member's id in the caller's WHERE)."""
    qn = connection.ops.quote_name
    member_pk = _col(Member, "id")
    return (
        f"m.{_col(Member, 'tier')} AS tier,"  # noqa: S608 - names from model metadata, values bound
        f" (SELECT COALESCE(SUM(p.{_col(PointsEntry, 'delta')}), 0)"
        f" FROM {qn(PointsEntry._meta.db_table)} p WHERE p.{_col(PointsEntry, 'member')} = m.{member_pk}) AS points,"
        f" EXISTS (SELECT 1 FROM {qn(Order._meta.db_table)} o"
        f" WHERE o.{_col(Order, 'member')} = m.{member_pk} AND o.{_col(Order, 'status')} <> %s) AS has_orders"
    )


@cache
def _shopper_state_sql_for(vendor: str) -> str:
    """Built once per database backend (names from the models' metadata, quoted by the backend;
    issue 12: rebuilding the text was a tenth of the shopper-state read's CPU)."""
    # Identifiers come from the models' metadata and every value is a parameter.
    return (
        f"SELECT {_shopper_columns()}"  # noqa: S608
        f" FROM {connection.ops.quote_name(Member._meta.db_table)} m WHERE m.{_col(Member, 'id')} = %s"
    )


def shopper_state(*, member: Member) -> ShopperState:
    """Tier, points balance and "new shopper" (no order that was not cancelled) in one query."""
    with connection.cursor() as cursor:
        cursor.execute(_shopper_state_sql(), [OrderStatus.CANCELLED.value, member.pk])
        row = cursor.fetchone()
    if row is None:
        return ShopperState(tier=member.tier, points=0, is_new=True)
    return _state_of(row)


def _state_of(columns: Sequence[Any]) -> ShopperState:
    """The shopper state from the columns of :func:`_shopper_columns` (tier, balance, has orders)."""
    tier, balance, has_orders = columns[:3]
    return ShopperState(tier=tier, points=int(balance or 0), is_new=not has_orders)


def member_is_new(*, member: Member) -> bool:
    return shopper_state(member=member).is_new


def _usage(member: Member, rules: PricingRules) -> dict[str, int]:
    """``ShopperInfo.used`` by rule id (orders per promotion), one query. Flash sales count
    units in their own tables (``FlashPurchase``), not here."""
    counted = rules.counted_promotions()
    if not counted:
        return {}
    rows = (
        PromotionUsage.objects.filter(promotion_id__in=counted, member_id=member.pk)
        .values("promotion_id")
        .annotate(my_orders=Count("id"))
        .order_by()
    )
    by_pk = {row["promotion_id"]: row for row in rows}
    used: dict[str, int] = {}
    for entry in rules.promotions:
        row = by_pk.get(entry.pk)
        if row is None:
            continue
        mine = row["my_orders"]
        if mine:
            used[entry.spec.id] = int(mine)
    return used


def _stepped_sold(rules: PricingRules, codes: Container[str], taken: Mapping[int, int] | None) -> dict[int, int]:
    """F13: units numbered so far per stepped campaign over the cart's SKUs (one query, none
    without such a campaign). An order being placed passes the counters it just took."""
    stepped = rules.stepped_for(codes)
    sold = {pk: before for pk, before in (taken or {}).items() if pk in stepped}
    missing = [pk for pk in stepped if pk not in sold]
    if missing:
        sold.update(StepCounter.objects.filter(promotion_id__in=missing).values_list("promotion_id", "sold"))
    return sold


def _db_datetime(value: datetime | str, zone: tzinfo | None) -> datetime:
    """A datetime column read with a raw cursor, as the ORM would give it: aware in the
    connection's ``zone``. (MariaDB gives naive datetimes in that zone, SQLite the text it
    stored; ``replace`` is what ``make_aware`` does, without its checks, for a wallet of 60.)"""
    if isinstance(value, str):
        parsed = parse_datetime(value)
        if parsed is None:
            raise ValueError(f"not a datetime: {value!r}")
        value = parsed
    return value.replace(tzinfo=zone) if value.tzinfo is None else value


# Wallet coupons as engine specs, reused while their row reads the same: the engine keeps each
# coupon's compiled rule by spec object (``marketing.pricing.rules.base.coupon_rule``), so a
# wallet priced again (every cart view and checkout preview) hands it the same objects instead
# of rebuilding 60 specs and 60 rules (issue 12: about a third of a 60-coupon preview's CPU).
# Keyed by what the row says (pk, window as read) and held with the template spec it copies: a
# changed template (new rules version) or window misses, so a spec is never staler than its row.
_WALLET_SPECS_HELD = 8192
_wallet_specs: dict[tuple[int, Any, Any, Any], tuple[CouponSpec, CouponSpec]] = {}
_EPOCH = datetime(1970, 1, 1)  # noqa: DTZ001 - naive on purpose: the column's wall time


def _wall_datetime(value: int | datetime | str, zone: tzinfo | None) -> datetime:
    """A wallet window bound as read: microseconds since 1970-01-01 of the column's wall time
    (MariaDB, see :func:`_shopper_and_wallet_sql_for`), else what :func:`_db_datetime` reads."""
    if isinstance(value, int):
        return (_EPOCH + timedelta(microseconds=value)).replace(tzinfo=zone)
    return _db_datetime(value, zone)


def _wallet_spec(template: CouponSpec, pk: int, raw_from: Any, raw_until: Any, zone: tzinfo | None) -> CouponSpec:
    key = (pk, raw_from, raw_until, zone)
    held = _wallet_specs.get(key)
    if held is not None and held[0] is template:
        return held[1]
    spec = replace(
        template,
        id=coupon_rule_id(pk),
        starts_at=_wall_datetime(raw_from, zone),
        ends_at=_wall_datetime(raw_until, zone),
    )
    if len(_wallet_specs) >= _WALLET_SPECS_HELD:
        _wallet_specs.clear()
    _wallet_specs[key] = (template, spec)  # holds ``template``: its id is not reused meanwhile
    return spec


Wallet = tuple[list[CouponSpec], dict[str, int], dict[str, str], dict[str, int]]


def _wallet_rows(rows: Sequence[tuple[int, int, Any, Any]], rules: PricingRules) -> Wallet:
    """Wallet rows (coupon pk, template id, valid from, valid until) as engine coupons, their
    pks, names and template pks by engine id; a coupon whose template is not active is left out."""
    specs: list[CouponSpec] = []
    pks: dict[str, int] = {}
    names: dict[str, str] = {}
    templates: dict[str, int] = {}
    zone = connection.timezone
    for pk, template_id, raw_from, raw_until in rows:
        template = rules.templates.get(template_id)
        if template is None:
            continue
        spec = _wallet_spec(template.spec, pk, raw_from, raw_until, zone)
        specs.append(spec)
        pks[spec.id] = pk
        names[spec.id] = template.name
        templates[spec.id] = template_id
    return specs, pks, names, templates


@lru_cache(maxsize=64)
def _shopper_and_wallet_sql_for(
    vendor: str, *, with_member: bool = False, chosen: int | None = None, locking: bool = False
) -> str:
    """The shopper state and the wallet in one round trip (issue 12: one fewer on every quote and
    placement): the shopper's row (none for an unknown member), then one row per coupon. On
    MariaDB two statements sent together (the client library asks for multi-statements): as one
    UNION ALL the server put every row in a temporary table, and the earlier LEFT JOIN onto the
    shopper as a derived table built one and sorted it; the coupons are put in order by the
    caller. Elsewhere one UNION ALL (shopper columns NULL on coupon rows, coupon columns NULL on
    the shopper's). On MariaDB the window comes as microseconds since 1970 of the column's wall
    time: the client library turns each DATETIME into a datetime in Python, 120 of them for a
    wallet of 60. ``with_member``: the member's own columns first (:func:`member_with_wallet`).
    ``chosen``: the wallet narrowed to that many coupon ids (parameters after the others).
    ``locking``: a first column says whether a committed order of theirs has a key (the first
    parameter), and the shopper's row is read ``FOR UPDATE`` where the database locks rows
    (SQLite has no such clause: its writers take the whole database in turn); see
    :func:`member_lock_with_wallet`."""
    qn = connection.ops.quote_name
    member_pk = _col(Member, "id")
    valid_from, valid_until = _col(Coupon, "valid_from"), _col(Coupon, "valid_until")
    if vendor == "mysql":
        window = (
            f"TIMESTAMPDIFF(MICROSECOND, '1970-01-01', c.{valid_from}),"
            f" TIMESTAMPDIFF(MICROSECOND, '1970-01-01', c.{valid_until})"
        )
    else:
        window = f"c.{valid_from}, c.{valid_until}"
    member_columns = model_columns(Member, connection.alias, "m") if with_member else []
    mysql = vendor == "mysql"
    # Identifiers come from the models' metadata and every value is a parameter.
    shopper_from = f" FROM {qn(Member._meta.db_table)} m WHERE m.{member_pk} = %s"
    coupon_columns = f"c.{_col(Coupon, 'id')}, c.{_col(Coupon, 'template')}, {window}"
    if chosen is None:
        narrowed = ""
    elif chosen:
        narrowed = f" AND c.{_col(Coupon, 'id')} IN ({', '.join(['%s'] * chosen)})"
    else:  # none chosen: no coupon row
        narrowed = " AND 1 = 0"
    coupon_from = (
        f" FROM {qn(Coupon._meta.db_table)} c WHERE c.{_col(Coupon, 'member')} = %s"
        f" AND c.{_col(Coupon, 'status')} = %s AND c.{valid_until} > %s{narrowed}"
    )
    head = "".join(f"{column}, " for column in member_columns)
    if locking:
        key_used = (
            f"EXISTS (SELECT 1 FROM {qn(Order._meta.db_table)} o"  # noqa: S608 - names from model metadata
            f" WHERE o.{_col(Order, 'member')} = m.{member_pk} AND o.{_col(Order, 'idempotency_key')} = %s), "
        )
        head = key_used + head
        if connection.features.has_select_for_update:
            shopper_from += " FOR UPDATE"
    if mysql:
        return f"SELECT {head}{_shopper_columns()}{shopper_from}; SELECT {coupon_columns}{coupon_from}"
    padding = "".join("NULL, " for _column in (*member_columns, *(["key"] if locking else [])))
    return (
        f"SELECT {head}{_shopper_columns()}, NULL, NULL, NULL, NULL{shopper_from}"
        f" UNION ALL SELECT {padding}NULL, NULL, NULL, {coupon_columns}{coupon_from}"
    )


WalletRows = list[tuple[Any, ...]]
# a read sent along with the shopper's: its SQL and parameters
Statement = tuple[str, Sequence[Any]]


def _read_shopper_and_wallet(
    member_id: int,
    now: datetime,
    *,
    with_member: bool = False,
    chosen: Sequence[int] | None = None,
    lock_key: str | None = None,
    also: Statement | None = None,
) -> tuple[tuple[Any, ...] | None, WalletRows, list[tuple[Any, ...]] | None]:
    """The shopper's row (None for an unknown member) and the coupon rows (pk, template id, valid
    from, valid until) in coupon order; ``chosen``: only those coupons; ``lock_key``: the row
    locked, led by whether a committed order of theirs has that key. ``also``: one more read
    (SQL, parameters) sent in the same round trip where statements go together (MariaDB), its
    rows third; elsewhere the third is None and the caller sends it itself."""
    vendor = connection.vendor
    locking = lock_key is not None
    sql = _shopper_and_wallet_sql_for(
        vendor, with_member=with_member, chosen=None if chosen is None else len(chosen), locking=locking
    )
    params = [
        *([lock_key] if locking else []),
        OrderStatus.CANCELLED.value,
        member_id,
        member_id,
        CouponStatus.UNUSED.value,
        connection.ops.adapt_datetimefield_value(now),
        *(chosen or ()),
    ]
    with connection.cursor() as cursor:
        if vendor == "mysql":  # two statements (three with ``also``), their result sets in turn
            if also is not None:
                sql = f"{sql}; {also[0]}"
                params += also[1]
            cursor.execute(sql, params)
            state = cursor.fetchone()
            cursor.nextset()
            coupons = sorted(cursor.fetchall())
            also_rows = None
            if also is not None:
                cursor.nextset()
                also_rows = list(cursor.fetchall())
            return state, coupons, also_rows
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    # where the shopper state starts
    at = (len(Member._meta.concrete_fields) if with_member else 0) + (1 if locking else 0)
    state = next((row for row in rows if row[at + 3] is None), None)  # the shopper's: no coupon id
    return state, sorted(row[at + 3 :] for row in rows if row[at + 3] is not None), None


@dataclass(frozen=True)
class WalletRead:
    """What :func:`member_with_wallet` read with the shopper's row, for the quote priced at ``at``."""

    at: datetime
    shopper: ShopperState
    coupons: WalletRows


def member_lock_with_wallet(member: Member, *, key: str, at: datetime, chosen: Sequence[int] | None) -> bool:
    """Lock the shopper's row (``FOR UPDATE``) and say whether a committed order of theirs has
    ``key``, reading under the lock their shopper state and the ``chosen`` coupons (None: the
    whole wallet) for the quote priced at ``at``, in one round trip (issue 12: the lock with the
    key check and that read were two round trips of every placement). The member carries the
    read as ``wallet_read``, as :func:`member_with_wallet` leaves it. The subqueries are plain
    reads, not locking ones, and under READ COMMITTED they see every row committed before the
    lock was granted: the order of a request that held the lock before this one."""
    state, coupons, _none = _read_shopper_and_wallet(member.pk, at, chosen=chosen, lock_key=key)
    if state is None:
        return False  # no row to lock: the placement fails on the member's foreign key
    member.wallet_read = WalletRead(at=at, shopper=_state_of(state[1:]), coupons=coupons)  # type: ignore[attr-defined]
    return bool(state[0])


def held_wallet_at(member: Member) -> datetime | None:
    """The instant ``member``'s wallet was read with their row (:func:`member_with_wallet`), if it
    was: a quote priced at it takes that read instead of reading again."""
    held: WalletRead | None = getattr(member, "wallet_read", None)
    return held.at if held is not None else None


def member_with_wallet(member_id: int, *, at: datetime, also: Statement | None = None) -> Member | None:
    """The shopper's row (every column, as ``row_by_pk`` reads it; None when there is none) with
    their shopper state and wallet as of ``at``, in one statement (issue 12: the checkout preview
    reads the shopper's row to authenticate, then read it again with the wallet). The member
    carries them as ``wallet_read`` for one quote priced at ``at`` (``pricing_fetch(at=…)``).
    ``also``: a read sent in the same round trip where the database takes statements together
    (MariaDB); the member carries its rows as ``also_rows`` (None where it was not sent)."""
    state, coupons, also_rows = _read_shopper_and_wallet(member_id, at, with_member=True, also=also)
    if state is None:
        return None
    member = instance_from_row(Member, connection.alias, state)
    shopper = _state_of(state[len(Member._meta.concrete_fields) :])
    member.wallet_read = WalletRead(at=at, shopper=shopper, coupons=coupons)  # type: ignore[attr-defined]
    member.also_rows = also_rows  # type: ignore[attr-defined]
    return member


def _shopper_and_wallet(
    member: Member, rules: PricingRules, now: datetime, chosen: Sequence[int] | None = None
) -> tuple[ShopperState, Wallet]:
    """:func:`shopper_state` and :func:`_wallet` in one round trip (same answers), or none when
    the member came with them read for this very instant (:func:`member_with_wallet`);
    ``chosen`` (not None): only those coupons of the wallet, none for an empty choice."""
    held: WalletRead | None = getattr(member, "wallet_read", None)
    if held is not None:
        member.wallet_read = None  # type: ignore[attr-defined] # for one quote only
        if held.at == now:
            coupons = held.coupons
            if chosen is not None:
                wanted = set(chosen)
                coupons = [row for row in coupons if row[0] in wanted]
            return held.shopper, _wallet_rows(coupons, rules)
    if chosen is not None and not chosen:
        return shopper_state(member=member), ([], {}, {}, {})
    state, coupons, _none = _read_shopper_and_wallet(member.pk, now, chosen=chosen)
    if state is None:
        return ShopperState(tier=member.tier, points=0, is_new=True), ([], {}, {}, {})
    return _state_of(state), _wallet_rows(coupons, rules)


def _check_selected(*, member: Member, selected: Sequence[int], wallet: Mapping[str, int]) -> None:
    """A chosen coupon outside the wallet: someone else's (404) or used/expired (409)."""
    missing = [pk for pk in selected if coupon_rule_id(pk) not in wallet]
    if not missing:
        return
    owners = dict(Coupon.objects.filter(pk__in=missing).values_list("pk", "member_id"))
    for pk in missing:
        if owners.get(pk) != member.pk:
            raise CouponNotFound(details={"coupon_id": pk})
    raise CouponUnavailable(details={"coupon_ids": missing})


def coupon_ids_parse(coupon_ids: Sequence[int | str]) -> list[int]:
    """Coupon ids as the API and orders pass them (ints, or their text); anything else is unknown."""
    result = []
    for raw in coupon_ids:
        text = str(raw).strip()
        if not text.isdigit() or len(text) > 18:
            raise CouponNotFound(details={"coupon_id": str(raw)[:30]})
        result.append(int(text))
    return list(dict.fromkeys(result))


def _catalog(
    items: Sequence[tuple[Sku, int]], rules: PricingRules, known: Mapping[str, Sku] | None = None
) -> tuple[dict[str, CatalogItem], dict[str, Sku]]:
    """The cart's SKUs and every gift SKU; ``known`` gift rows (read with the cart's by checkout)
    save the gift query when they are all there."""
    skus = {sku.code: sku for sku, _qty in items}
    gifts = rules.gift_codes()
    if gifts and known is not None and gifts <= known.keys():
        for code in gifts:
            skus.setdefault(code, known[code])
    elif gifts:  # all gift SKUs, even those in the cart, so the query count never depends on the cart
        for sku in Sku.objects.select_related("product").filter(code__in=gifts):
            skus.setdefault(sku.code, sku)
    catalog = {
        code: CatalogItem(sku=code, category=str(sku.product.category_id), price=sku.price)
        for code, sku in skus.items()
    }
    return catalog, skus


def gift_promotions_in_stock(
    specs: tuple[PromotionSpec, ...], skus: Mapping[str, Sku]
) -> tuple[tuple[PromotionSpec, ...], tuple[tuple[str, str], ...]]:
    """F08's gifts are stock-checked: a gift promotion whose gift SKU is off sale or has fewer
    units than one gift is left out (and reported), rather than failing the whole order."""
    kept: list[PromotionSpec] = []
    out: list[tuple[str, str]] = []
    for spec in specs:
        if isinstance(spec, FullGift | BuyXGetY):
            gift = skus.get(spec.gift_sku)
            if gift is None or not gift.is_active or gift.stock < spec.gift_qty:
                out.append((spec.id, spec.type))
                continue
        kept.append(spec)
    return tuple(kept), tuple(out)


def pricing_fetch(
    *,
    member: Member,
    items: Sequence[tuple[Sku, int]],
    coupon_ids: Sequence[int | str] | None = (),
    points: PointsRequest = 0,
    at: datetime | None = None,
    extra_promotions: Sequence[PromotionSpec] = (),
    extra_names: Mapping[str, str] | None = None,
    stepped_taken: Mapping[int, int] | None = None,
    gift_skus: Mapping[str, Sku] | None = None,
    rules: PricingRules | None = None,
    whole_wallet: bool = True,
) -> PricingInput:
    """Build the engine request for ``member`` buying ``items``.

    ``coupon_ids=None`` lets the engine pick the best combination from the wallet; a sequence
    (maybe empty) is the shopper's own choice. Raises ``coupon_not_found`` for a coupon that
    is not the shopper's and ``coupon_unavailable`` for one already used or expired.
    ``extra_promotions`` are rules of this request only (a deal's 秒杀价, 拼团价 or 砍价,
    from ``marketing.services.deals``), priced with the shop's own. ``stepped_taken`` are
    the stepped campaigns' counters an order placement reserved (``stepped_units_take``);
    without it the quote reads the counters as they stand. ``gift_skus`` are gift SKU rows the
    caller already read (by code); the gift query is made only when one is missing. ``rules``
    are the active rules when the caller holds them already (one version for the whole checkout).
    ``whole_wallet=False`` (order placement) reads and judges only the chosen coupons when the
    shopper chose: the price and every refusal are the same, but the quote's coupon verdicts,
    rejections and hints then leave the other wallet coupons out (issue 12: a 60-coupon wallet
    was a third of a placement's work, and the order keeps nothing that needs them).
    """
    now = at or timezone.now()
    rules = rules or pricing_rules_active(now=now)
    chosen = None if coupon_ids is None else coupon_ids_parse(coupon_ids)
    narrowed = None if whole_wallet else chosen
    shopper, (wallet, coupon_pks, coupon_names, coupon_templates) = _shopper_and_wallet(member, rules, now, narrowed)
    used = _usage(member, rules)
    sold = _stepped_sold(rules, {sku.code for sku, _qty in items}, stepped_taken)
    selected: tuple[str, ...] | None = None
    if chosen is not None:
        _check_selected(member=member, selected=chosen, wallet=coupon_pks)
        selected = tuple(coupon_rule_id(pk) for pk in chosen)
    catalog, skus = _catalog(items, rules, gift_skus)
    names = {**rules.names, **coupon_names, **(extra_names or {})}  # the promotions', then the coupons'
    promotions, gifts_out = gift_promotions_in_stock(rules.promotion_specs(sold), skus)
    promotions += tuple(extra_promotions)
    request = PricingRequest(
        at=now,
        shopper=ShopperInfo(tier=shopper.tier, points=shopper.points, is_new=shopper.is_new, used=used),
        catalog=catalog,
        cart=tuple(CartLine(sku.code, qty) for sku, qty in items),
        promotions=promotions,
        coupons=tuple(wallet),
        points_to_use=points,
        selected_coupon_ids=selected,
        tier_rates=rules.tier_rates,
        policy=rules.policy,
    )
    return PricingInput(
        request=request,
        rules=rules,
        skus_by_code=skus,
        coupon_pks=coupon_pks,
        promotion_pks=rules.promotion_pks,
        names=names,
        points_balance=shopper.points,
        gifts_out=gifts_out,
        coupon_templates=coupon_templates,
    )
