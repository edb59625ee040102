"""The lucky wheel listens to the order lifecycle (imported by ``MarketingConfig.ready``).

The order core calls these inside the transaction that paid or refunded the order and never
imports the wheel (CONVENTIONS: a narrow seam, one way).
"""

from __future__ import annotations

from typing import Any

from marketing.services.wheel import wheel_chance_grant, wheel_chance_withdraw
from orders.models import Order
from orders.services.hooks import order_hook


@order_hook("paid")
def wheel_on_paid(*, order: Order, refund: Any = None) -> None:
    wheel_chance_grant(order=order)


@order_hook("refunded")
def wheel_on_refunded(*, order: Order, refund: Any = None) -> None:
    wheel_chance_withdraw(order=order)
