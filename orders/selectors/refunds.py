"""Reads for refunds: what is left to refund on an order (for the console's refund dialog)."""

from __future__ import annotations

from orders.models import OrderLine


def order_refundable_lines(*, order_id: int) -> list[OrderLine]:
    """The order's lines that still have units to refund, in id order (one query)."""
    lines = OrderLine.objects.filter(order_id=order_id).order_by("pk")
    return [line for line in lines if line.qty > line.refunded_qty]
