"""Reads of payments, scoped to the shopper who owns them."""

from __future__ import annotations

from members.models import Member
from orders.errors import PaymentNotFound
from orders.models import Payment


def payment_get_for_member(*, member: Member, out_trade_no: str) -> Payment:
    """A payment of one of the shopper's own orders; anybody else's is ``payment_not_found``."""
    payment = Payment.objects.select_related("order").filter(out_trade_no=out_trade_no, order__member=member).first()
    if payment is None:
        raise PaymentNotFound(details={"out_trade_no": out_trade_no})
    return payment
