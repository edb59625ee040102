"""Buying a flash-sale unit: the ``flash`` deal handler on the order seam, and the purchase call.

The path of one attempt (``order_place_or_replay`` drives it, see ``marketing.services.deals``):

1. ``admit`` — the Redis Lua gate (``flash_gate.gate_admit``): slot open by Redis time, the
   shopper under their limit, units left → take them and record the shopper, leased to the
   request's Idempotency-Key (a retry with the same key replaces an admission whose request
   died). Refusals end here, answered from Redis; only about quota-many attempts go on.
   Redis down: the item row answers instead and the guarded UPDATE decides (no 500).
2. ``specs`` — inside the placement transaction, after the shopper's row lock: the same rules
   read from the database (the shopper's active purchases are counted under that lock), and
   the 秒杀 price for the engine.
3. ``take`` — last before commit: the guarded UPDATE of the item row (``locked += n WHERE
   quota >= locked + sold + n``), the final truth, then the purchase row. After commit the
   purchase is settled in Redis by its id (counted once, whatever happened to the gate meanwhile).
4. ``paid`` moves the units from locked to sold; ``release`` (cancel or expiry, under the order
   row lock, so once) gives them back — to the gate after commit, or to the shelf when the slot
   has closed; ``retake`` takes them again for a late payment or refuses (then it is refunded).

Order creation is synchronous: the gate lets only about quota-many requests reach the
database, so each admitted shopper gets their order (or a clear refusal) in the same request,
and there is no queue to poll, drain or lose.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import TYPE_CHECKING

from django.db import connections, router, transaction
from django.db.models import F, Model
from django.utils import timezone
from django.utils.translation import gettext as _

from mall.errors import ApplicationError
from mall.models import Sku
from mall.rows import row_create, rows_with_related
from marketing.errors import (
    DealInvalid,
    DealUnavailable,
    FlashEnded,
    FlashItemNotFound,
    FlashLimitReached,
    FlashNotStarted,
    FlashOrderLimitExceeded,
    FlashPaused,
    FlashSoldOut,
)
from marketing.models import (
    ACTIVE_PURCHASE,
    FlashItem,
    FlashPurchase,
    FlashPurchaseStatus,
    FlashSlotKind,
    FlashSlotStatus,
)
from marketing.pricing import FlashSale
from marketing.pricing.types import PointsRequest
from marketing.services.deals import DealHandler, DealPricing, DealRequest, deal_handler
from marketing.services.flash_gate import NO_PRIOR_ORDER, GateTicket, gate_admit, gate_move, gate_settle, gate_undo
from members.services.audience import audience_check

if TYPE_CHECKING:
    from members.models import Member
    from members.services.abuse import RequestContext
    from orders.models import Order
    from orders.services.orders import PlaceResult

FLASH_KIND = "flash"

# The admission of the placement running in this thread/task: ``take`` marks it when the
# database finds no unit, so its undo keeps the unit the gate was wrongly counting.
_admission: ContextVar[GateTicket | None] = ContextVar("flash_admission", default=None)
# The Idempotency-Key of the purchase running in this thread/task (set by ``flash_purchase``):
# the gate leases the admission to it, so the same-key retry of a request that died replaces
# that admission at once instead of being refused until its lease runs out.
_purchase_key: ContextVar[str] = ContextVar("flash_purchase_key", default="")


def flash_rule_id(item_id: int) -> str:
    return f"flash:{item_id}"


def _held(*, item_id: int, member_id: int) -> int:
    """Units the shopper holds of the item (locked or paid); callers hold the shopper's row lock.

    ``FlashPurchase.objects.filter(…, status__in=ACTIVE_PURCHASE).aggregate(Sum("qty"))`` in
    effect, the statement written out once (issue 12: the ORM built and compiled it on every
    purchase that reaches the database, the winning ones)."""
    alias = router.db_for_read(FlashPurchase) or "default"
    with connections[alias].cursor() as cursor:
        cursor.execute(
            _statements(alias).held, [item_id, member_id, *(str(status.value) for status in ACTIVE_PURCHASE)]
        )
        row = cursor.fetchone()
    return int(row[0] or 0) if row is not None else 0


@dataclass(frozen=True)
class _Statements:
    held: str
    take: str


@cache
def _statements(alias: str) -> _Statements:
    """The purchase's own statements for the database ``alias``, names from the models' metadata."""
    quote = connections[alias].ops.quote_name

    def column(model: type[Model], name: str) -> str:
        return quote(str(model._meta.get_field(name).column))  # type: ignore[union-attr]

    purchases, items = quote(FlashPurchase._meta.db_table), quote(FlashItem._meta.db_table)
    held = (
        f"SELECT SUM({column(FlashPurchase, 'qty')}) FROM {purchases}"  # noqa: S608 - names from metadata, values bound
        f" WHERE {column(FlashPurchase, 'item')} = %s AND {column(FlashPurchase, 'member')} = %s"
        f" AND {column(FlashPurchase, 'status')} IN ({', '.join(['%s'] * len(ACTIVE_PURCHASE))})"
    )
    locked, sold, quota = (column(FlashItem, name) for name in ("locked", "sold", "quota"))
    take = (
        f"UPDATE {items} SET {locked} = ({locked} + %s)"  # noqa: S608 - names from metadata, values bound
        f" WHERE ({column(FlashItem, 'closed')} = %s AND {quote(str(FlashItem._meta.pk.column))} = %s"  # type: ignore[union-attr]
        f" AND {quota} >= (({locked} + {sold}) + %s))"
    )
    return _Statements(held=held, take=take)


def _take_units(*, item_id: int, qty: int) -> bool:
    """The guarded UPDATE of the item row: ``locked += qty`` while ``quota >= locked + sold + qty``
    and the item is open — ``FlashItem.objects.filter(pk=…, closed=False,
    quota__gte=F("locked") + F("sold") + qty).update(locked=F("locked") + qty)`` in effect (the
    same statement; like ``update()`` it leaves ``updated_at`` alone), written out once."""
    alias = router.db_for_write(FlashItem) or "default"
    connection = connections[alias]
    with connection.cursor() as cursor:
        cursor.execute(_statements(alias).take, [qty, False, item_id, qty])
        return bool(cursor.rowcount)


def _item_with_slot(item_id: int) -> FlashItem | None:
    """``FlashItem.objects.select_related("slot").filter(pk=item_id).first()`` in effect, the
    statement written out once (``mall.rows``)."""
    found = rows_with_related(FlashItem, "slot", {"pk": [item_id]})
    return found[0] if found else None


def _label(item: FlashItem) -> str:
    if item.slot.title:
        return item.slot.title
    if item.slot.kind == FlashSlotKind.RELEASE:
        return str(_("限量发售"))
    return str(_("%(time)s 场秒杀") % {"time": timezone.localtime(item.slot.starts_at).strftime("%H:%M")})


def _mark_db_sold_out(item_id: int) -> None:
    ticket = _admission.get()
    if ticket is not None and ticket.item_id == item_id:
        ticket.db_refused = True


@deal_handler
class FlashDeal(DealHandler):
    """Flash-sale items (整点秒杀 slots and 限量发售 releases): units come from the item's quota."""

    kind = FLASH_KIND
    takes_sku_stock = False

    def specs(self, *, deal: DealRequest, member: Member, sku: Sku, qty: int, at: datetime) -> DealPricing:
        item = _item_with_slot(deal.ref)
        details = {"flash_item_id": deal.ref}
        if item is None or item.slot.status == FlashSlotStatus.DRAFT:
            raise FlashItemNotFound(details=details)
        if item.sku_id != sku.pk:
            raise DealInvalid(details={**details, "sku_id": item.sku_id})
        if item.closed or item.slot.status == FlashSlotStatus.ENDED or at >= item.slot.ends_at:
            raise FlashEnded(details=details)
        if item.slot.status == FlashSlotStatus.PAUSED:
            raise FlashPaused(details=details)
        if at < item.slot.starts_at:
            raise FlashNotStarted(details={**details, "starts_at_ms": int(item.slot.starts_at.timestamp() * 1000)})
        audience_check(member=member, audience=item.slot.audience, details=details)
        if qty > item.per_order_limit:
            raise FlashOrderLimitExceeded(details={**details, "max": item.per_order_limit})
        held = _held(item_id=item.pk, member_id=member.pk)
        if held + qty > item.per_shopper_limit:
            raise FlashLimitReached(details={**details, "limit": item.per_shopper_limit})
        ticket = _admission.get()
        if ticket is not None and (ticket.item_id, ticket.member_id) == (item.pk, member.pk):
            ticket.checked = (item.per_shopper_limit, held)
        if item.available < qty:
            _mark_db_sold_out(item.pk)
            raise FlashSoldOut(details=details)
        spec = FlashSale(id=flash_rule_id(item.pk), sku=sku.code, price=item.flash_price)
        return DealPricing(specs=(spec,), names={spec.id: _label(item)}, free_shipping=item.free_shipping)

    def admit(self, *, deal: DealRequest, member: Member, sku_id: int, qty: int) -> object:
        ticket = gate_admit(
            item_id=deal.ref, member_id=member.pk, sku_id=sku_id, qty=qty, idempotency_key=_purchase_key.get()
        )
        _admission.set(ticket)
        return ticket

    def admit_undo(self, *, ticket: object) -> None:
        if isinstance(ticket, GateTicket):
            gate_undo(ticket)
        _admission.set(None)

    def refusal_may_replay(self, *, error: ApplicationError) -> bool:
        return not getattr(error, NO_PRIOR_ORDER, False)

    def take(self, *, deal: DealRequest, order: Order, sku: Sku, qty: int) -> int:
        ticket = _admission.get()
        if ticket is not None and (ticket.item_id != deal.ref or ticket.member_id != order.member_id):
            ticket = None
        if ticket is not None and ticket.checked is not None:
            limit, held = ticket.checked  # counted by ``specs`` in this transaction, under the shopper's lock
        else:
            found = FlashItem.objects.filter(pk=deal.ref).values_list("per_shopper_limit", flat=True).first()
            if found is None:
                raise FlashItemNotFound(details={"flash_item_id": deal.ref})
            limit, held = found, _held(item_id=deal.ref, member_id=order.member_id)
        if held + qty > limit:
            raise FlashLimitReached(details={"flash_item_id": deal.ref, "limit": limit})
        via_gate = ticket is not None and ticket.via_gate
        # The hot row's exclusive lock is the first lock this transaction takes on it (the
        # purchase row's foreign key would take a shared one first, and two shared holders
        # both wanting it exclusive deadlock), and the last but one statement before commit.
        if not _take_units(item_id=deal.ref, qty=qty):
            _mark_db_sold_out(deal.ref)
            raise FlashSoldOut(details={"flash_item_id": deal.ref})
        purchase = row_create(
            FlashPurchase,
            item_id=deal.ref,
            member_id=order.member_id,
            order=order,
            qty=qty,
            gate_token=ticket.token if ticket is not None and via_gate else "",
        )
        # After commit the gate learns of the purchase: its admission leaves the in-flight set,
        # or, when the gate did not count it (taken the database way, the gate rebuilt or the
        # lease handed back meanwhile), it is counted then — by purchase id, exactly once.
        settled = ticket or GateTicket(item_id=deal.ref, member_id=order.member_id, qty=qty)
        purchase_id = purchase.pk
        transaction.on_commit(lambda: gate_settle(settled, purchase_id=purchase_id), robust=True)
        return deal.ref

    def paid(self, *, order: Order) -> None:
        purchase = FlashPurchase.objects.filter(order=order, status=FlashPurchaseStatus.LOCKED).first()
        if purchase is None:
            return
        FlashPurchase.objects.filter(pk=purchase.pk, status=FlashPurchaseStatus.LOCKED).update(
            status=FlashPurchaseStatus.PAID
        )
        FlashItem.objects.filter(pk=purchase.item_id, locked__gte=purchase.qty).update(
            locked=F("locked") - purchase.qty, sold=F("sold") + purchase.qty
        )

    def release(self, *, order: Order) -> None:
        purchase = FlashPurchase.objects.filter(order=order, status=FlashPurchaseStatus.LOCKED).first()
        if purchase is None or not FlashPurchase.objects.filter(
            pk=purchase.pk, status=FlashPurchaseStatus.LOCKED
        ).update(status=FlashPurchaseStatus.RELEASED):
            return
        qty = purchase.qty
        item = FlashItem.objects.select_for_update().get(pk=purchase.item_id)
        seq = item.gate_seq + 1  # the row is locked: this change's number in the gate's order
        if item.closed:
            # The slot has ended: the unit goes to the shelf, like the rest of the leftovers.
            Sku.objects.filter(pk=item.sku_id).update(stock=F("stock") + qty)
            FlashItem.objects.filter(pk=item.pk).update(
                locked=F("locked") - qty, quota=F("quota") - qty, returned=F("returned") + qty, gate_seq=seq
            )
        else:
            FlashItem.objects.filter(pk=item.pk).update(locked=F("locked") - qty, gate_seq=seq)
        item_id, member_id, to_pool = item.pk, purchase.member_id, not item.closed
        transaction.on_commit(
            lambda: gate_move(item_id=item_id, member_id=member_id, qty=qty, to_pool=to_pool, seq=seq), robust=True
        )

    def retake(self, *, order: Order) -> None:
        purchase = FlashPurchase.objects.filter(order=order, status=FlashPurchaseStatus.RELEASED).first()
        if purchase is None:
            raise DealUnavailable(details={"order": order.no})
        qty, details = purchase.qty, {"flash_item_id": purchase.item_id}
        item = FlashItem.objects.select_related("slot").get(pk=purchase.item_id)
        if item.closed or item.slot.status != FlashSlotStatus.PUBLISHED or timezone.now() >= item.slot.ends_at:
            raise FlashEnded(details=details)
        if _held(item_id=item.pk, member_id=purchase.member_id) + qty > item.per_shopper_limit:
            raise DealUnavailable(details={**details, "reason": "limit"})
        if not FlashItem.objects.filter(pk=item.pk, closed=False, quota__gte=F("locked") + F("sold") + qty).update(
            locked=F("locked") + qty, gate_seq=F("gate_seq") + 1
        ):
            raise FlashSoldOut(details=details)
        seq = FlashItem.objects.filter(pk=item.pk).values_list("gate_seq", flat=True).get()  # ours: the row is locked
        FlashPurchase.objects.filter(pk=purchase.pk).update(status=FlashPurchaseStatus.LOCKED)
        item_id, member_id = item.pk, purchase.member_id
        transaction.on_commit(
            lambda: gate_move(item_id=item_id, member_id=member_id, qty=qty, to_pool=True, taken=True, seq=seq),
            robust=True,
        )


# --- the purchase call (the mini-program's endpoint) ---------------------------------------

# item id → (SKU id, valid until monotonic time); published items never change SKU.
_SKU_TTL_SECONDS = 60.0
_MISSING_TTL_SECONDS = 5.0
_sku_of: dict[int, tuple[int | None, float]] = {}


def flash_item_sku_cache_clear() -> None:
    """Forget the held SKU ids (tests: ids come back after a rollback; production never reuses one)."""
    _sku_of.clear()


def flash_item_sku_id(item_id: int) -> int:
    """The SKU a flash item sells, held in process memory (no query on the hot path)."""
    now = time.monotonic()
    cached = _sku_of.get(item_id)
    if cached is not None and cached[1] > now:
        sku_id = cached[0]
    else:
        row = FlashItem.objects.filter(pk=item_id).values_list("sku_id", "slot__status").first()
        if row is None or row[1] == FlashSlotStatus.DRAFT:
            sku_id, ttl = None, _MISSING_TTL_SECONDS
        else:
            sku_id, ttl = row[0], _SKU_TTL_SECONDS
        _sku_of[item_id] = (sku_id, now + ttl)
    if sku_id is None:
        raise FlashItemNotFound(details={"flash_item_id": item_id})
    return sku_id


def flash_purchase(
    *,
    member: Member,
    item_id: int,
    qty: int,
    address_id: int,
    idempotency_key: str,
    coupon_ids: Sequence[int | str] = (),
    points: PointsRequest = 0,
    remark: str = "",
    src: str = "",
    context: RequestContext,
) -> PlaceResult:
    """Buy ``qty`` units of a flash item as an ordinary order (synchronous; 201 or a replay).

    The guard (``purchase``) is asked by the placement, as for a flash deal placed through
    ``POST /orders``: one answer whichever route a shopper takes."""
    from orders.services.orders import order_place_or_replay  # orders import marketing's deals

    sku_id = flash_item_sku_id(item_id)
    leased = _purchase_key.set(idempotency_key.strip())
    try:
        return order_place_or_replay(
            context=context,
            member=member,
            items=[(sku_id, qty)],
            address_id=address_id,
            idempotency_key=idempotency_key,
            coupon_ids=coupon_ids,
            points=points,
            remark=remark,
            deal=DealRequest(kind=FLASH_KIND, ref=item_id),
            src=src,
        )
    finally:
        _purchase_key.reset(leased)
