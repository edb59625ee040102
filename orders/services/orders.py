"""Order lifecycle: place, cancel/expire, mark paid, ship, confirm receipt, complete.

Every state change loads the order with ``select_for_update``, calls the FSM transition on
the model (``status`` is protected) and saves with ``update_fields``; the row lock is what
makes "release the stock exactly once" hold when the expiry task, the sweeper and a shopper
all try to cancel the same order at the same moment.

Stock is reserved at placement (the 15-minute lock, F43) and released on cancellation or
expiry, together with the points spent and the coupons and promotion usage taken
(``marketing.services.order_benefits``); earned points are settled at completion.

Sales counts (``Sku.sales_count``, ``Product.sales_count``) move when the order is paid, not
when it is placed, so abandoned orders never inflate the "best sellers" sort.
"""

from __future__ import annotations

import hashlib
import json
import logging
import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from functools import partial
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from analytics.services.attribution import order_attribute, src_clean
from analytics.services.events import event_record
from mall.errors import ApplicationError
from mall.models import ShopSettings, Sku
from mall.rows import row_by, row_create, rows_insert
from mall.services.audit import audit_record
from marketing.errors import CouponUnavailable, DealUnavailable
from marketing.selectors.checkout_pricing import CheckoutQuote, PointsRequest, checkout_rules, quote_for_checkout
from marketing.selectors.pricing_fetch import coupon_ids_parse, member_lock_with_wallet
from marketing.selectors.pricing_rules import PricingRules
from marketing.services.deals import (
    DealRequest,
    deal_guard_action,
    deal_paid,
    deal_release,
    deal_retake,
    deal_single_line,
    deal_takes_sku_stock,
    handler_for,
)
from marketing.services.order_benefits import (
    order_benefits_retake,
    order_benefits_return,
    order_benefits_take,
    order_rewards_settle,
)
from marketing.services.stepped import stepped_units_take
from members.errors import FreeShippingUsesExhausted, PointsInsufficient
from members.models import Member, PointsEntry
from members.services.abuse import RequestContext, abuse_check
from members.services.points import points_grant, points_spend
from members.services.tags import member_tags_refresh_after_commit
from members.services.tiers import order_free_shipping_return, order_free_shipping_take
from orders.errors import (
    IdempotencyKeyRequired,
    IdempotencyKeyReused,
    OrderNotFound,
    OrderOnHold,
    OrderStatusInvalid,
    PaymentAmountMismatch,
    ShippingInfoRequired,
    StaffRequired,
    StockInsufficient,
)
from orders.models import Order, OrderLine, OrderStatus
from orders.selectors.cart import product_image_url
from orders.selectors.checkout import checkout_address_get, checkout_lines_resolve
from orders.services.cart import cart_items_take
from orders.services.hooks import order_hooks_run
from orders.services.numbers import order_no_new
from orders.services.stock import StockShort, sales_count_add, stock_refuse, stock_release, stock_reserve

logger = logging.getLogger(__name__)

Actor = AbstractBaseUser | AnonymousUser | None

IDEMPOTENCY_KEY_MAX_LENGTH = 64
# How often order_place draws a new number after a collision on Order.no before giving up.
PLACE_ATTEMPTS = 3

# Orders whose locks end in one window of this many seconds share one expiry sweep at its end.
EXPIRY_WINDOW_SECONDS = 10
EXPIRY_WINDOWS_KEPT = 64

REASON_SHOPPER = "shopper"
REASON_EXPIRED = "expired"
REASON_STAFF = "staff"


class PaidOutcome(StrEnum):
    """What ``order_mark_paid`` did; the payment side refunds on ``REFUND_NEEDED``."""

    PAID = "paid"
    ALREADY_PAID = "already_paid"
    REVIVED = "revived"
    REFUND_NEEDED = "refund_needed"


@dataclass(frozen=True)
class PlaceResult:
    """The order, whether this call made it, and the lines it wrote (``None``: a replay, read them)."""

    order: Order
    created: bool
    lines: list[OrderLine] | None = None


def _is_staff(actor: Actor) -> bool:
    return bool(actor is not None and getattr(actor, "is_staff", False) and getattr(actor, "is_active", False))


def _lock_order(order_id: int) -> Order:
    order = Order.objects.select_for_update().filter(pk=order_id).first()
    if order is None:
        raise OrderNotFound(details={"order_id": order_id})
    return order


def _lock_own_order(*, member: Member, order_id: int) -> Order:
    """Lock the shopper's own order; someone else's answers "not found", never "forbidden"."""
    order = _lock_order(order_id)
    if order.member_id != member.pk:
        raise OrderNotFound(details={"order_id": order_id})
    return order


def _line_items(order: Order) -> list[tuple[int, int]]:
    return list(order.lines.values_list("sku_id", "qty"))


def _stock_items(order: Order) -> list[tuple[int, int]]:
    """The units the order holds of ``Sku.stock``: all of them, except a deal line whose units
    came from the tool's own quota (a flash sale's), which the tool gives back itself."""
    if not order.deal_kind or deal_takes_sku_stock(order.deal_kind):
        return _line_items(order)
    return list(order.lines.filter(is_gift=True).values_list("sku_id", "qty"))


# --- placing ----------------------------------------------------------------------------


def _request_fingerprint(
    *,
    items: Sequence[tuple[int, int]] | None,
    address_id: int,
    coupon_ids: Sequence[int | str],
    points: PointsRequest,
    remark: str,
    deal: DealRequest | None = None,
) -> str:
    """A digest of the request, so one Idempotency-Key cannot be reused for a different order."""
    payload: dict[str, Any] = {
        "items": None if items is None else sorted([int(s), int(q)] for s, q in items),
        "address_id": address_id,
        "coupon_ids": sorted(str(c) for c in coupon_ids),
        "points": points,
        "remark": remark,
    }
    if deal is not None:
        payload["deal"] = deal.fingerprint()
    return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()


def _replay(*, member: Member, key: str, fingerprint: str) -> Order | None:
    order = row_by(Order, member_id=member.pk, idempotency_key=key)  # issue 12: every placement asks
    if order is not None and order.pricing.get("request") != fingerprint:
        raise IdempotencyKeyReused(details={"no": order.no})
    return order


def order_place(
    *,
    member: Member,
    items: Sequence[tuple[int, int]] | None,
    address_id: int,
    idempotency_key: str,
    coupon_ids: Sequence[int | str] = (),
    points: PointsRequest = 0,
    remark: str = "",
    deal: DealRequest | None = None,
    context: RequestContext,
    src: str = "",
) -> Order:
    """Place an order (``items=None`` = the selected cart rows); the same key returns the same order."""
    return order_place_or_replay(
        context=context,
        member=member,
        items=items,
        address_id=address_id,
        idempotency_key=idempotency_key,
        coupon_ids=coupon_ids,
        points=points,
        remark=remark,
        deal=deal,
        src=src,
    ).order


def order_place_or_replay(
    *,
    member: Member,
    items: Sequence[tuple[int, int]] | None,
    address_id: int,
    idempotency_key: str,
    coupon_ids: Sequence[int | str] = (),
    points: PointsRequest = 0,
    remark: str = "",
    deal: DealRequest | None = None,
    context: RequestContext,
    src: str = "",
    rules: PricingRules | None = None,
) -> PlaceResult:
    """``order_place`` that also says whether this call created the order (201) or replayed it (200).

    The shop's guard (F45) comes first, with the request's ``context``: every route that
    places an order (and so may take a flash unit, a group seat, a bargain, stepped-price
    units or coupons) gets the same refusals — blocked, over the action's rate, slider needed.

    Concurrent calls with one key race to insert the order row; the unique
    (member, idempotency_key) index lets exactly one win, the others' transactions roll back
    (stock included) and they return the winner's order.

    A ``deal`` (a marketing tool's offer, one line of explicit items) passes the tool's gate
    first, so a sold-out flash sale is refused without touching the database; a refused
    retry of a request that already made its order still gets that order back.

    ``rules``: the active pricing rules as the caller read them for this request (the view reads
    their version with its throttles); read here when not given.
    """
    key = (idempotency_key or "").strip()
    if not key or len(key) > IDEMPOTENCY_KEY_MAX_LENGTH:
        raise IdempotencyKeyRequired
    abuse_check(action=deal_guard_action(deal), member=member, context=context)
    fingerprint = _request_fingerprint(
        items=items, address_id=address_id, coupon_ids=coupon_ids, points=points, remark=remark, deal=deal
    )
    place = partial(
        _place_attempts,
        member=member,
        items=items,
        address_id=address_id,
        key=key,
        fingerprint=fingerprint,
        coupon_ids=coupon_ids,
        points=points,
        remark=remark,
        deal=deal,
        src=src_clean(src),
        rules=rules,
    )
    if deal is None:
        # No replay read up front (issue 12: a query on every placement for the rare retry): the
        # key check under the shopper's lock finds a committed order with this key, and a refusal
        # before the lock looks for one (``_Replayed``), so a retry still gets its order back.
        return _placed(place(), context=context)
    sku_id, qty = deal_single_line(items)
    handler = handler_for(deal.kind)
    try:
        ticket = handler.admit(deal=deal, member=member, sku_id=int(sku_id), qty=int(qty))
    except ApplicationError as exc:
        if not handler.refusal_may_replay(error=exc):
            raise
        existing = _replay(member=member, key=key, fingerprint=fingerprint)
        if existing is not None:
            return PlaceResult(existing, created=False)
        raise
    try:
        result = place()
    except BaseException:
        handler.admit_undo(ticket=ticket)
        raise
    if not result.created:
        handler.admit_undo(ticket=ticket)
    return _placed(result, context=context)


def _placed(result: PlaceResult, *, context: RequestContext) -> PlaceResult:
    """Tell the ``placed`` hooks of a new order (committed by now)."""
    if result.created:
        order_hooks_run("placed", order=result.order, context=context)
    return result


def _place_attempts(
    *,
    member: Member,
    items: Sequence[tuple[int, int]] | None,
    address_id: int,
    key: str,
    fingerprint: str,
    coupon_ids: Sequence[int | str],
    points: PointsRequest,
    remark: str,
    deal: DealRequest | None,
    src: str = "",
    rules: PricingRules | None = None,
) -> PlaceResult:
    for attempt in range(1, PLACE_ATTEMPTS + 1):
        try:
            order, lines = _order_create(
                member=member,
                items=items,
                address_id=address_id,
                key=key,
                fingerprint=fingerprint,
                coupon_ids=coupon_ids,
                points=points,
                remark=remark,
                deal=deal,
                src=src,
                given_rules=rules,
            )
        except _Replayed as replayed:
            return PlaceResult(replayed.order, created=False)
        except StockShort as short:
            stock_refuse(short.items)  # the order's transaction is rolled back: read the stock as it stands
        except IntegrityError:
            existing = _replay(member=member, key=key, fingerprint=fingerprint)
            if existing is not None:
                return PlaceResult(existing, created=False)
            if attempt == PLACE_ATTEMPTS:
                raise
            logger.warning("order number collision, drawing a new one (attempt %s)", attempt)
            continue
        return PlaceResult(order, created=True, lines=lines)
    raise AssertionError("unreachable")  # pragma: no cover


class _Replayed(Exception):
    """A refusal before the shopper's lock met a committed order with the request's key."""

    def __init__(self, order: Order) -> None:
        super().__init__(order.no)
        self.order = order


def _member_lock(*, member: Member, key: str, at: datetime, coupon_ids: Sequence[int | str]) -> bool:
    """Lock the shopper's row and say whether a committed order of theirs has ``key``; the
    order's quote (priced at ``at``) gets the shopper's state and chosen coupons read in the
    same round trip (``member_lock_with_wallet``; issue 12)."""
    try:
        chosen = coupon_ids_parse(coupon_ids)
    except ApplicationError:  # the quote refuses the id as before; no coupon is read with the lock
        chosen = []
    return member_lock_with_wallet(member, key=key, at=at, chosen=chosen)


@transaction.atomic
def _order_create(
    *,
    member: Member,
    items: Sequence[tuple[int, int]] | None,
    address_id: int,
    key: str,
    fingerprint: str,
    coupon_ids: Sequence[int | str],
    points: PointsRequest,
    remark: str,
    deal: DealRequest | None = None,
    src: str = "",
    given_rules: PricingRules | None = None,
) -> tuple[Order, list[OrderLine]]:
    """The order and its lines as written (MariaDB hands back their ids), so the answer needs no
    second read of what this transaction just wrote (issue 12)."""
    now = timezone.now()
    # One shopper's placements queue on their member row (the first lock taken, before stock):
    # a double tap's second request waits here and then finds the first order, instead of
    # racing it on the unique key index, which MariaDB answers with deadlocks when several
    # duplicates wait on one insert. The IntegrityError sends the caller to the replay path.
    # The shopper's own address, the rules and explicit items' SKUs are read before the lock
    # (issue 12: the row is held for less): nothing another placement does changes them. The
    # selected cart rows are read under it, so a double tap's second checkout finds them taken,
    # and so are a deal's, so a retried deal order finds its order before any refusal.
    # The guarded reservation below is the real stock check; no read-then-write here.
    gifts: dict[str, Sku] = {}

    def resolve() -> list[tuple[Sku, int]]:
        return checkout_lines_resolve(
            member=member,
            items=items,
            check_stock=False,
            gift_codes=rules.gift_codes(),
            gifts=gifts,
            rules_version=rules.version,  # gift SKUs by key (issue 12: no index merge and sort)
        )

    early = items is not None and deal is None
    try:
        address = checkout_address_get(member=member, address_id=address_id)
        rules = given_rules if given_rules is not None else checkout_rules()
        lines = resolve() if early else []
    except ApplicationError:
        # A retry of a request that made its order gets that order, whatever changed since
        # (its address deleted, a SKU taken off sale); a deal's tool decides that itself.
        existing = _replay(member=member, key=key, fingerprint=fingerprint) if deal is None else None
        if existing is not None:
            raise _Replayed(existing) from None
        raise
    if _member_lock(member=member, key=key, at=now, coupon_ids=coupon_ids):
        raise IntegrityError("idempotency key already used by a committed order")
    if not early:
        lines = resolve()
    # F13: number this order's units in each running stepped-price campaign, then price exactly
    # those units. The campaign's counter row stays locked from here to commit, and that is
    # as short as it can be: the quote must see the numbers, and everything after it is this
    # order's own writes; every order that takes the row also locks the same SKU's stock row
    # a moment later until commit, so the counter adds almost no waiting of its own.
    stepped_taken = stepped_units_take(items=lines, at=now, rules=rules)
    quote = quote_for_checkout(
        member=member,
        items=lines,
        coupon_ids=coupon_ids,
        points=points,
        at=now,
        deal=deal,
        stepped_taken=stepped_taken,
        gift_skus=gifts,
        rules=rules,
        # The order keeps the chosen coupons' verdicts only: nothing it stores or anyone reads
        # later needs the rest of the wallet (issue 12: judging 60 coupons was a third of it).
        whole_wallet=False,
    )
    skus = {**quote.skus, **{sku.pk: sku for sku, _qty in lines}}  # the quote read the gifts' rows
    extra = [ql.sku_id for ql in quote.lines if ql.sku_id not in skus]
    if extra:
        skus.update(Sku.objects.select_related("product").in_bulk(extra))

    # The order row goes first: a concurrent request with the same key waits on its unique
    # index entry and fails there, before touching any stock row.
    order = row_create(
        Order,
        no=order_no_new(now=now),
        member=member,
        goods_amount=quote.goods_amount,
        discount_amount=quote.discount_amount,
        points_used=quote.points_used,
        points_discount=quote.points_discount,
        shipping_fee=quote.shipping_fee,
        payable_amount=quote.payable_amount,
        pricing={**quote.as_json(), "request": fingerprint},
        address=address.snapshot(),
        remark=remark[:200],
        idempotency_key=key,
        expires_at=now + timedelta(minutes=settings.ORDER_LOCK_MINUTES),
        deal_kind=deal.kind if deal is not None else "",
        deal_ref=deal.ref if deal is not None else None,
        src=src,
    )
    # Coupons first: of orders racing for one coupon, the losers stop before touching stock.
    order_benefits_take(order=order, quote=quote)
    deal_line = lines[0] if deal is not None else None
    from_quota = deal is not None and not deal_takes_sku_stock(deal.kind)
    # The shopper's own rows (points, a free-shipping use, cart) before the stock: every SKU row
    # the reservation locks stays locked until commit, and a best seller's row is shared by
    # every shopper buying it, so only the order's lines are written while it is held (issue 12).
    # The lines come after the reservation: their foreign keys share-lock the SKU rows, which
    # the reservation then could only take by upgrading (two orders doing that deadlock).
    if quote.points_used:
        points_spend(
            member_id=member.pk,
            amount=quote.points_used,
            reason=PointsEntry.Reason.ORDER_REDEEM,
            ref=order.no,
            note=f"订单 {order.no} 抵扣",
        )
    # F14: a tier's free-shipping use that made this order free is spent now (the member row is locked).
    order_free_shipping_take(order_id=order.pk, member_id=member.pk, pricing=order.pricing, at=now)
    cart_items_take(member=member, items=[(sku.pk, qty) for sku, qty in lines])
    # No savepoint (issue 12): a shortfall rolls the whole order back, then names the short SKU.
    stock_reserve(
        items=[(ql.sku_id, ql.qty) for ql in quote.lines if not (from_quota and not ql.is_gift)], savepoint=False
    )
    order_lines = rows_insert(_order_lines(order=order, quote=quote, skus=skus))
    if deal is not None and deal_line is not None:
        # Last before commit: the tool's scarce row (a flash quota, a group's seats) is the
        # most contended lock of the order, so it is held for the shortest time.
        ref = handler_for(deal.kind).take(deal=deal, order=order, sku=deal_line[0], qty=deal_line[1])
        if ref != order.deal_ref:
            order.deal_ref = ref
            order.save(update_fields=["deal_ref"])
    # The analytics row is written after commit: not while this shopper's other placements
    # queue on the member row (issue 12), and never for an order that rolled back.
    placed_props = {
        "no": order.no,
        "payable_amount": order.payable_amount,
        "goods_amount": order.goods_amount,
        "lines": len(quote.lines),
        "from_cart": items is None,
        **({"deal_kind": order.deal_kind, "deal_ref": order.deal_ref} if deal is not None else {}),
    }
    member_id = member.pk
    transaction.on_commit(
        lambda: event_record(name="order_placed", member_id=member_id, props=placed_props), robust=True
    )
    if order.payable_amount == 0:
        # Coupons covered everything: there is nothing to collect, so no payment round-trip.
        order_mark_paid(order_id=order.pk, amount=0, transaction_id=f"free:{order.no}", paid_at=now, provider="free")
        return Order.objects.get(pk=order.pk), order_lines  # paying changed the order row, not its lines
    _schedule_expiry(order)
    return order, order_lines


def _order_lines(*, order: Order, quote: CheckoutQuote, skus: dict[int, Sku]) -> list[OrderLine]:
    """Snapshot title, specs, image and prices, so later catalogue edits leave orders alone."""
    result = []
    for ql in quote.lines:
        sku = skus[ql.sku_id]
        result.append(
            OrderLine(
                order=order,
                sku=sku,
                product=sku.product,
                title=sku.product.title[:120],
                specs=sku.specs,
                image=product_image_url(sku.product)[:300],
                unit_price=ql.unit_price,
                qty=ql.qty,
                item_amount=ql.item_amount,
                discount_amount=ql.discount_amount,
                paid_amount=ql.paid_amount,
                allocations=list(ql.allocations),
                is_gift=ql.is_gift,
            )
        )
    return result


def _schedule_expiry(order: Order) -> None:
    """After commit, make sure a sweep runs when the order's lock ends.

    Not a task per order (issue 12: publishing one was a tenth of a placement's CPU, and a
    worker held every one of them in memory for 15 minutes): one sweep (``order_expire_due``)
    per :data:`EXPIRY_WINDOW_SECONDS` window of lock ends, at the window's end, scheduled once
    per process. The sweep expires every order due by then, each in its own transaction under
    its row lock, so each lock is still released exactly once however many sweeps, shoppers
    and the minute sweeper meet on it; an order expires at most a window after its lock ends.

    ``robust``: a broker outage must not turn a committed order into an error response; the
    window stays unscheduled (the next placement tries again) and the minute sweeper expires
    the order anyway.
    """
    due = math.ceil(order.expires_at.timestamp() / EXPIRY_WINDOW_SECONDS) * EXPIRY_WINDOW_SECONDS
    if due not in _expiry_sweeps:
        transaction.on_commit(lambda: _expiry_sweep_schedule(due), robust=True)


# Ends of the windows (epoch seconds) this process has scheduled an expiry sweep for.
_expiry_sweeps: set[int] = set()


def _expiry_sweep_schedule(due: int) -> None:
    from orders.tasks import order_expiry_sweep_task  # tasks import this module

    if due in _expiry_sweeps:  # another order of the window committed first
        return
    order_expiry_sweep_task.apply_async(eta=datetime.fromtimestamp(due, tz=UTC))
    if len(_expiry_sweeps) >= EXPIRY_WINDOWS_KEPT:
        _expiry_sweeps.difference_update([d for d in list(_expiry_sweeps) if d < due])  # a copy: threads add
    _expiry_sweeps.add(due)


# --- cancelling and expiry ----------------------------------------------------------------


@transaction.atomic
def order_cancel(*, order_id: int, reason: str, actor: Actor = None) -> bool:
    """Cancel a pending order, release its stock and return its points. True only for the call that did it."""
    return _cancel(order_id=order_id, reason=reason, actor=actor, due_at=None)


@transaction.atomic
def order_expire(*, order_id: int, now: datetime | None = None) -> bool:
    """Cancel the order if its lock has ended by ``now`` (a task that fires early does nothing)."""
    return _cancel(order_id=order_id, reason=REASON_EXPIRED, actor=None, due_at=now or timezone.now())


def _cancel(*, order_id: int, reason: str, actor: Actor, due_at: datetime | None) -> bool:
    order = _lock_order(order_id)
    if order.status != OrderStatus.PENDING_PAYMENT:
        return False
    if due_at is not None and order.expires_at > due_at:
        return False
    order.cancel()
    order.cancelled_at = timezone.now()
    order.cancel_reason = reason[:100]
    order.save(update_fields=["status", "cancelled_at", "cancel_reason"])
    stock_release(items=_stock_items(order))
    deal_release(order=order)
    order_hooks_run("cancelled", order=order)
    order_benefits_return(order=order)
    order_free_shipping_return(order_id=order.pk)
    if order.points_used:
        points_grant(
            member_id=order.member_id,
            delta=order.points_used,
            reason=PointsEntry.Reason.ORDER_REDEEM_RETURN,
            ref=order.no,
            note=f"订单 {order.no} 取消退回",
        )
    if _is_staff(actor):
        audit_record(actor=actor, action="order.cancel", target=order, data={"no": order.no, "reason": reason})
    event_record(
        name="order_cancelled",
        member_id=order.member_id,
        props={"no": order.no, "reason": reason, "payable_amount": order.payable_amount},
    )
    return True


@transaction.atomic
def order_cancel_by_member(*, member: Member, order_id: int) -> Order:
    """The shopper's cancel button: only their own pending order; repeating it is harmless."""
    order = _lock_own_order(member=member, order_id=order_id)
    if order.status == OrderStatus.CANCELLED:
        return order
    if order.status != OrderStatus.PENDING_PAYMENT:
        raise OrderStatusInvalid(details={"status": order.status})
    _cancel(order_id=order_id, reason=REASON_SHOPPER, actor=None, due_at=None)
    return Order.objects.get(pk=order_id)


def order_expire_due(now: datetime | None = None) -> int:
    """Sweeper: expire every pending order whose lock has ended; each in its own transaction."""
    now = now or timezone.now()
    due = Order.objects.filter(status=OrderStatus.PENDING_PAYMENT, expires_at__lte=now).order_by("pk")
    return sum(order_expire(order_id=order_id, now=now) for order_id in due.values_list("pk", flat=True))


# --- payment --------------------------------------------------------------------------


@transaction.atomic
def order_mark_paid(
    *, order_id: int, amount: int, transaction_id: str, paid_at: datetime, provider: str
) -> PaidOutcome:
    """Record a verified payment. Idempotent: a repeated notice changes nothing.

    A payment for an order already cancelled at expiry locks the stock again when it can
    (``REVIVED``); otherwise the order is flagged ``needs_attention`` and the caller must
    refund (``REFUND_NEEDED``).
    """
    order = _lock_order(order_id)
    if amount != order.payable_amount:
        raise PaymentAmountMismatch(details={"expected": order.payable_amount, "received": amount})
    if order.paid_at is not None:
        return PaidOutcome.REFUND_NEEDED if order.status == OrderStatus.CANCELLED else PaidOutcome.ALREADY_PAID
    if order.status == OrderStatus.PENDING_PAYMENT:
        order.mark_paid()
        outcome = PaidOutcome.PAID
    elif order.status == OrderStatus.CANCELLED:
        if not _relock(order):
            order.paid_at = paid_at
            order.needs_attention = True
            order.attention_note = str(_("订单已超时取消，支付后库存不足，需退款"))[:200]
            order.save(update_fields=["paid_at", "needs_attention", "attention_note"])
            _paid_event(order, provider=provider, transaction_id=transaction_id, outcome=PaidOutcome.REFUND_NEEDED)
            return PaidOutcome.REFUND_NEEDED
        order.revive_paid()
        order.attention_note = str(_("订单超时取消后收到支付，已重新锁定库存"))[:200]
        order.cancelled_at = None
        order.cancel_reason = ""
        outcome = PaidOutcome.REVIVED
    else:  # pragma: no cover - every other status has paid_at set by this function
        raise OrderStatusInvalid(details={"status": order.status})
    order.paid_at = paid_at
    order.save(update_fields=["status", "paid_at", "attention_note", "cancelled_at", "cancel_reason"])
    sales_count_add(items=order.lines.values_list("sku_id", "product_id", "qty"))
    deal_paid(order=order)
    order_hooks_run("paid", order=order)  # tools that react to a payment (e.g. the wheel's chances)
    order_rewards_settle(order_id=order.pk)  # F06: commission pending → frozen
    order_attribute(order_id=order.pk)  # issue 15: what touched the order and what it cost, once
    _paid_event(order, provider=provider, transaction_id=transaction_id, outcome=outcome)
    return outcome


def _relock(order: Order) -> bool:
    """Take the stock (and the points) of a cancelled order again, all or nothing."""
    try:
        with transaction.atomic():
            stock_reserve(items=_stock_items(order))
            if order.points_used:
                points_spend(
                    member_id=order.member_id,
                    amount=order.points_used,
                    reason=PointsEntry.Reason.ORDER_REDEEM,
                    ref=f"{order.no}:revived",
                    note=f"订单 {order.no} 支付恢复",
                )
            order_benefits_retake(order=order)
            deal_retake(order=order)
            order_free_shipping_take(
                order_id=order.pk, member_id=order.member_id, pricing=order.pricing, at=order.created_at
            )
    except (StockInsufficient, PointsInsufficient, CouponUnavailable, DealUnavailable, FreeShippingUsesExhausted):
        return False
    return True


def _paid_event(order: Order, *, provider: str, transaction_id: str, outcome: PaidOutcome) -> None:
    event_record(
        name="order_paid",
        member_id=order.member_id,
        props={
            "no": order.no,
            "amount": order.payable_amount,
            "provider": provider,
            "transaction_id": transaction_id,
            "outcome": str(outcome),
        },
    )


# --- fulfilment -----------------------------------------------------------------------


@transaction.atomic
def order_ship(*, order_id: int, carrier: str, tracking_no: str, actor: Actor) -> Order:
    """The merchant ships a paid order with a carrier and tracking number (audited)."""
    if not _is_staff(actor):
        raise StaffRequired
    carrier, tracking_no = (carrier or "").strip(), (tracking_no or "").strip()
    if not carrier or not tracking_no or len(carrier) > 30 or len(tracking_no) > 64:
        raise ShippingInfoRequired(details={"carrier": carrier, "tracking_no": tracking_no})
    order = _lock_order(order_id)
    if order.status != OrderStatus.PAID:
        raise OrderStatusInvalid(details={"status": order.status})
    if order.ship_hold:
        raise OrderOnHold(details={"hold": order.ship_hold})
    order.ship()
    order.carrier, order.tracking_no, order.shipped_at = carrier, tracking_no, timezone.now()
    order.save(update_fields=["status", "carrier", "tracking_no", "shipped_at"])
    audit_record(
        actor=actor,
        action="order.ship",
        target=order,
        data={"no": order.no, "carrier": carrier, "tracking_no": tracking_no},
    )
    event_record(name="order_shipped", member_id=order.member_id, props={"no": order.no})
    return order


@transaction.atomic
def order_complete(*, order_id: int, reason: str) -> bool:
    """Complete a shipped/delivered order. True only for the call that completed it."""
    order = _lock_order(order_id)
    if order.status not in (OrderStatus.SHIPPED, OrderStatus.DELIVERED):
        return False
    order.complete()
    order.completed_at = timezone.now()
    order.save(update_fields=["status", "completed_at"])
    order_rewards_settle(order_id=order.pk)  # F15 points, F04 inviter points, F06 commission
    member_tags_refresh_after_commit(member_id=order.member_id)  # F32 automatic tags
    order_hooks_run("completed", order=order)
    event_record(
        name="order_completed",
        member_id=order.member_id,
        props={"no": order.no, "reason": reason, "payable_amount": order.payable_amount},
    )
    return True


@transaction.atomic
def order_confirm_receipt(*, member: Member, order_id: int) -> Order:
    """The shopper confirms receipt of their own shipped order; repeating it is harmless."""
    order = _lock_own_order(member=member, order_id=order_id)
    if order.status == OrderStatus.COMPLETED:
        return order
    if not order_complete(order_id=order_id, reason=REASON_SHOPPER):
        raise OrderStatusInvalid(details={"status": order.status})
    return Order.objects.get(pk=order_id)


def order_auto_complete_due(now: datetime | None = None) -> int:
    """Sweeper: complete orders shipped longer ago than ``ShopSettings.auto_complete_days``."""
    now = now or timezone.now()
    cutoff = now - timedelta(days=ShopSettings.load().auto_complete_days)
    due = Order.objects.filter(
        status__in=[OrderStatus.SHIPPED, OrderStatus.DELIVERED], shipped_at__lte=cutoff
    ).order_by("pk")
    return sum(order_complete(order_id=order_id, reason="auto") for order_id in due.values_list("pk", flat=True))
