"""Shoppers' phone numbers in the console: masked by default, revealed one at a time, audited.

Staff who need to call a shopper (customer service, the owner) hold ``orders.reveal_phone``;
each reveal leaves an audit row naming who saw which order's number, so a leak can be traced.
"""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db import transaction

from mall.errors import PermissionDenied
from mall.services.audit import audit_record
from orders.errors import OrderNotFound
from orders.models import Order

Actor = AbstractBaseUser | AnonymousUser | None

REVEAL_PERMISSION = "orders.reveal_phone"


def phone_reveal_allowed(*, actor: Actor) -> bool:
    if actor is None or not getattr(actor, "is_staff", False):
        return False
    return bool(getattr(actor, "has_perm", lambda _perm: False)(REVEAL_PERMISSION))


@transaction.atomic
def order_phone_reveal(*, order_id: int, actor: Actor) -> str:
    """The full receiver phone of one order, for a staff member allowed to see it (audited)."""
    if not phone_reveal_allowed(actor=actor):
        raise PermissionDenied
    order = Order.objects.filter(pk=order_id).only("pk", "no", "address").first()
    if order is None:
        raise OrderNotFound(details={"order_id": order_id})
    phone = str((order.address or {}).get("phone") or "")
    audit_record(actor=actor, action="order.phone_reveal", target=order, data={"no": order.no})
    return phone
