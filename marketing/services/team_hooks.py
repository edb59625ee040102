"""Team split (F22) listens to the order core through its lifecycle hooks, never the other way:
a paid order counts toward its shopper's teams, a refund is deducted from them. Imported once
from ``MarketingConfig.ready``; the hooks run inside the order's transaction, under its lock."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.utils import timezone

from marketing.services.teams import team_order_paid, team_order_refunded
from orders.services.hooks import order_hook

if TYPE_CHECKING:
    from orders.models import Order, Refund


@order_hook("paid")
def team_hook_paid(*, order: Order, refund: Refund | None = None) -> None:
    team_order_paid(
        order_id=order.pk,
        member_id=order.member_id,
        amount=order.payable_amount,
        paid_at=order.paid_at or timezone.now(),
    )


@order_hook("refunded")
def team_hook_refunded(*, order: Order, refund: Refund | None = None) -> None:
    if refund is not None:
        team_order_refunded(order_id=order.pk, refund_amount=refund.amount)
