"""Deals: orders placed through a marketing tool (flash-sale slot, group buy, bargain).

A deal order is an ordinary order of one SKU line with one more item-level offer in its price
(秒杀价, 拼团价, 砍价) and one scarce thing spent with it (a unit of a flash quota, a seat in a
group, the bargain itself). The checkout preview and ``order_place`` take an optional
:class:`DealRequest`; the tool's :class:`DealHandler` (registered by ``kind``) is asked at each
step of the order's life, always inside the order's own transaction:

* ``specs`` (preview and placement): is the deal open to this shopper for this SKU and
  quantity? Returns the engine rules that price it. Reads only.
* ``admit`` / ``admit_undo`` (placement, before the transaction): a fast gate in front of the
  database (the flash sale's Redis Lua gate); when no order comes of an admission, its
  ticket is handed back.
* ``take`` (placement, last before commit): spend the scarce thing with a guarded UPDATE and
  return the id the order keeps in ``Order.deal_ref``. It runs last so that the hot row's
  lock is held for the shortest time. Raising rolls the whole order back.
* ``release`` (cancellation or expiry, under the order's row lock, so exactly once).
* ``paid`` (the payment is recorded) and ``retake`` (a late payment revives a cancelled order:
  take it again, or raise ``DealUnavailable`` and the payment is refunded).

Every placement passes the shop's guard first (F45, ``members.services.abuse``), under the
action :func:`deal_guard_action` names: the tool's ``guard_action`` (``purchase`` for a flash
or release unit and a bargain purchase, ``group`` to open or join a group), ``order`` for an
ordinary order (its stepped-price units and coupons). So whichever route places the order,
a blocked or over-limit shopper gets the same refusal and the merchant's slider policy holds.

Handlers register with :func:`deal_handler`; the tools' modules are imported when the
marketing app is ready (:data:`DEAL_MODULES`), so a kind named by an order always resolves.
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar

from django.utils.translation import gettext_lazy as _

from mall.errors import ApplicationError
from marketing.errors import DealInvalid, DealNotFound

if TYPE_CHECKING:
    from mall.models import Sku
    from marketing.pricing import Promotion as PromotionSpec
    from members.models import Member
    from orders.models import Order, Refund

# The modules that define the tools' handlers, imported by MarketingConfig.ready().
DEAL_MODULES: tuple[str, ...] = (
    "marketing.services.flash_purchase",
    "marketing.services.group_buys",
    "marketing.services.bargains",
    "marketing.services.live_fans",
)

DEAL_KIND_MAX_LENGTH = 16
# The guard's action for an order without a deal.
ORDER_GUARD_ACTION = "order"


@dataclass(frozen=True, kw_only=True)
class DealRequest:
    """What the shopper asks for: which tool (``kind``), which of its campaigns or groups
    (``ref``) and the tool's own options (``params``, e.g. ``{"group_id": 7}``)."""

    kind: str
    ref: int
    params: Mapping[str, Any] = field(default_factory=dict)

    def fingerprint(self) -> dict[str, Any]:
        """The request's part of an order's idempotency fingerprint (plain JSON)."""
        return {"kind": self.kind, "ref": self.ref, "params": {str(k): self.params[k] for k in sorted(self.params)}}


@dataclass(frozen=True, kw_only=True)
class DealPricing:
    """The rules that price the deal's line, and the names the breakdown shows for them;
    ``free_shipping`` when the campaign ships free (包邮), which the shipping fetch step reads."""

    specs: tuple[PromotionSpec, ...]
    names: Mapping[str, str] = field(default_factory=dict)
    free_shipping: bool = False


class DealHandler:
    """One marketing tool's part in an order's life (see the module docstring)."""

    kind: ClassVar[str]
    # False when the tool's quota was carved out of the SKU's stock beforehand (flash sales):
    # then the order takes the unit from the quota in ``take`` instead of from ``Sku.stock``.
    takes_sku_stock: ClassVar[bool] = True
    # The guard's action (F45) for placing an order through this tool: its block lists, rate
    # limits and slider policy (``members.models.GUARDED_ACTIONS``).
    guard_action: ClassVar[str] = "purchase"

    def specs(self, *, deal: DealRequest, member: Member, sku: Sku, qty: int, at: datetime) -> DealPricing:
        raise DealNotFound(details={"kind": self.kind, "ref": deal.ref})

    def admit(self, *, deal: DealRequest, member: Member, sku_id: int, qty: int) -> object:
        """A fast gate before the database (the flash sale's Redis Lua gate); raises to refuse.

        Returns a ticket that ``admit_undo`` takes when no order came of it (a refusal in the
        database, an error, or a replayed Idempotency-Key).
        """
        return None

    def admit_undo(self, *, ticket: object) -> None:
        """Give back what ``admit`` took (nothing by default)."""

    def refusal_may_replay(self, *, error: ApplicationError) -> bool:
        """Whether a retry refused by ``admit`` may already have its order (then it is looked up).

        By default yes. A gate that knows the shopper never got through it (the flash sale's
        record of buyers in Redis) says no, so its sold-out replies never touch the database.
        """
        return True

    def take(self, *, deal: DealRequest, order: Order, sku: Sku, qty: int) -> int:
        """Spend the scarce thing for ``order``; returns the id kept in ``Order.deal_ref``."""
        return deal.ref

    def release(self, *, order: Order) -> None:
        """The order was cancelled or expired unpaid: give back what ``take`` spent."""

    def paid(self, *, order: Order) -> None:
        """The order's payment was recorded."""

    def retake(self, *, order: Order) -> None:
        """A late payment revives a cancelled order: spend again or raise ``DealUnavailable``."""

    def refunded(self, *, order: Order, refund: Refund) -> None:
        """A refund of the paid order succeeded (once per refund, inside the order's lock)."""


_handlers: dict[str, DealHandler] = {}
H = TypeVar("H", bound=type[DealHandler])
T = TypeVar("T")


def deal_handler(cls: H) -> H:
    """Class decorator: register one instance of the handler under its ``kind``."""
    if not getattr(cls, "kind", "") or len(cls.kind) > DEAL_KIND_MAX_LENGTH:
        raise ValueError(f"deal handler {cls.__name__} needs a kind of at most {DEAL_KIND_MAX_LENGTH} characters")
    _handlers[cls.kind] = cls()
    return cls


def deal_handler_unregister(kind: str) -> None:
    """For tests that register a handler of their own."""
    _handlers.pop(kind, None)


def deal_modules_load() -> None:
    for module in DEAL_MODULES:
        importlib.import_module(module)


def handler_for(kind: str) -> DealHandler:
    """The handler of ``kind``; an unknown kind is the shopper's mistake (400), not ours."""
    handler = _handlers.get(kind)
    if handler is None:
        raise DealInvalid(details={"kind": str(kind)[:DEAL_KIND_MAX_LENGTH]})
    return handler


def deal_request_parse(raw: Mapping[str, Any] | None) -> DealRequest | None:
    """The API's ``deal`` object ({"kind", "ref", "params"?}) as a request, or ``deal_invalid``."""
    if raw is None:
        return None
    kind, ref, params = raw.get("kind"), raw.get("ref"), raw.get("params") or {}
    if not isinstance(kind, str) or kind not in _handlers:
        raise DealInvalid(details={"kind": str(kind)[:DEAL_KIND_MAX_LENGTH]})
    if isinstance(ref, bool) or not isinstance(ref, int) or not 0 < ref < 2**53:
        raise DealInvalid(details={"ref": str(ref)[:20]})
    if not isinstance(params, Mapping) or len(params) > 10:
        raise DealInvalid(details={"params": "object of at most 10 keys"})
    return DealRequest(kind=kind, ref=ref, params=dict(params))


def deal_guard_action(deal: DealRequest | None) -> str:
    """The guard's action for a placement: the tool's, or ``order`` without a deal."""
    return ORDER_GUARD_ACTION if deal is None else handler_for(deal.kind).guard_action


def deal_single_line(items: Sequence[T] | None) -> T:
    """A deal buys exactly one SKU line, named explicitly (not the cart's selection)."""
    if items is None or len(items) != 1:
        raise DealInvalid(
            _("活动商品需单独下单，每单一种商品。"), details={"lines": None if items is None else len(items)}
        )
    return items[0]


def deal_pricing(*, deal: DealRequest, member: Member, items: list[tuple[Sku, int]], at: datetime) -> DealPricing:
    sku, qty = deal_single_line(items)
    return handler_for(deal.kind).specs(deal=deal, member=member, sku=sku, qty=qty, at=at)


def _order_handler(order: Order) -> DealHandler | None:
    return _handlers.get(order.deal_kind) if order.deal_kind else None


def deal_release(*, order: Order) -> None:
    handler = _order_handler(order)
    if handler is not None:
        handler.release(order=order)


def deal_paid(*, order: Order) -> None:
    handler = _order_handler(order)
    if handler is not None:
        handler.paid(order=order)


def deal_retake(*, order: Order) -> None:
    handler = _order_handler(order)
    if handler is not None:
        handler.retake(order=order)


def deal_refunded(*, order: Order, refund: Refund) -> None:
    handler = _order_handler(order)
    if handler is not None:
        handler.refunded(order=order, refund=refund)


def deal_takes_sku_stock(kind: str) -> bool:
    handler = _handlers.get(kind)
    return handler is None or handler.takes_sku_stock
