"""Order lifecycle hooks: how a tool hears that an order was paid, refunded or completed.

The order core must not import the tools (CONVENTIONS, "a narrow seam, one way"), yet a tool
like the lucky wheel grants a chance when an order is paid and withdraws it when the order is
fully refunded. A tool registers a function for a moment with :func:`order_hook`; the order
core calls :func:`order_hooks_run` at that moment, inside the same transaction that changed
the order, under the order's row lock — so a hook runs exactly once per state change and
rolls back with it. Hooks must be quick and must not call out to the network (use
``transaction.on_commit`` for that).

Moments:

* ``paid`` — the payment is recorded (``order_mark_paid``: PAID or REVIVED), ``refund`` is None.
* ``refunded`` — one refund succeeded (``refund_mark_succeeded``); ``order.refunded_amount``
  already includes it, ``order.status`` is ``refunded`` when the order is fully refunded.
* ``completed`` — the order is completed (received, or automatically after shipping).
* ``cancelled`` — an unpaid order was cancelled or expired.
* ``placed`` — a new order was placed (not a replay of the same key); runs after its
  transaction committed, with the request's ``context`` (IP address, device) as a keyword, so a
  hook may count it (the anomaly watch, F31) but must not change the order.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    from orders.models import Order, Refund

Moment = Literal["paid", "refunded", "completed", "cancelled", "placed"]
MOMENTS: tuple[Moment, ...] = ("paid", "refunded", "completed", "cancelled", "placed")
Hook = Callable[..., None]

_hooks: dict[str, list[Hook]] = {moment: [] for moment in MOMENTS}


def order_hook(moment: Moment) -> Callable[[Hook], Hook]:
    """Decorator: call ``fn(order=…, refund=…)`` at ``moment``. Registering twice is harmless."""
    if moment not in _hooks:
        raise ValueError(f"unknown order moment {moment!r}")

    def register(fn: Hook) -> Hook:
        if fn not in _hooks[moment]:
            _hooks[moment].append(fn)
        return fn

    return register


def order_hook_unregister(moment: Moment, fn: Hook) -> None:
    """For tests that register a hook of their own."""
    if fn in _hooks.get(moment, []):
        _hooks[moment].remove(fn)


def order_hooks_run(moment: Moment, *, order: Order, refund: Refund | None = None, **extra: Any) -> None:
    """Run every hook of ``moment`` in registration order (inside the caller's transaction;
    ``placed`` after it). ``extra`` keywords (``context`` for ``placed``) are passed on."""
    for fn in list(_hooks[moment]):
        fn(order=order, refund=refund, **extra)
