"""Shipping many orders from a sheet (order number, carrier, tracking number), all or nothing.

Every row is checked before anything ships, and the shipping itself runs in one transaction
through ``order_ship`` (state check, hold check, audit row per order): a sheet with one bad row
ships nothing, and the staff member gets every bad row with its reason to fix and re-import.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db import transaction
from django.utils.translation import gettext as _

from mall.errors import ApplicationError
from orders.carriers import carrier_lookup, tracking_no_error
from orders.errors import BulkShipInvalid, StaffRequired
from orders.models import Order, OrderStatus
from orders.services.orders import order_ship

Actor = AbstractBaseUser | AnonymousUser | None

MAX_ROWS = 2000


@dataclass(frozen=True)
class ShipRow:
    """One sheet row as typed; ``line`` is the sheet's row number shown back in errors."""

    line: int
    order_no: str
    carrier: str
    tracking_no: str


@dataclass(frozen=True)
class RowError:
    line: int
    order_no: str
    message: str


def _check(rows: list[ShipRow]) -> list[RowError]:
    """Every reason a row cannot ship, found before anything is written (one query)."""
    numbers = {row.order_no.strip() for row in rows}
    orders = {o.no: o for o in Order.objects.filter(no__in=numbers).only("no", "status", "ship_hold")}
    errors: list[RowError] = []
    seen: dict[str, int] = {}
    for row in rows:
        no = row.order_no.strip()
        problems: list[str] = []
        order = orders.get(no)
        if not no:
            problems.append(_("缺少订单号"))
        elif order is None:
            problems.append(_("订单不存在"))
        elif order.status != OrderStatus.PAID:
            problems.append(_("订单状态为「%(status)s」，不能发货") % {"status": order.get_status_display()})
        elif order.ship_hold:
            problems.append(_("订单暂缓发货（拼团尚未成功）"))
        if no and no in seen:
            problems.append(_("与第 %(line)d 行重复") % {"line": seen[no]})
        seen.setdefault(no, row.line)
        carrier = carrier_lookup(row.carrier)
        if not row.carrier.strip():
            problems.append(_("缺少快递公司"))
        elif carrier is None:
            problems.append(_("不认识的快递公司「%(name)s」") % {"name": row.carrier.strip()})
        else:
            problem = tracking_no_error(carrier, row.tracking_no)
            if problem:
                problems.append(problem)
        if problems:
            errors.append(RowError(line=row.line, order_no=no, message="；".join(problems)))
    return errors


def order_ship_bulk(*, rows: list[ShipRow], actor: Actor) -> list[Order]:
    """Ship every row's order, or none: raises ``BulkShipInvalid`` with ``details["rows"]``."""
    if actor is None or not getattr(actor, "is_staff", False):
        raise StaffRequired
    if not rows:
        raise BulkShipInvalid(message=_("发货表中没有数据行。"), details={"rows": []})
    if len(rows) > MAX_ROWS:
        raise BulkShipInvalid(
            message=_("一次最多导入 %(n)d 行。") % {"n": MAX_ROWS}, details={"rows": [], "max_rows": MAX_ROWS}
        )
    errors = _check(rows)
    if errors:
        raise BulkShipInvalid(details={"rows": [e.__dict__ for e in errors]})
    shipped: list[Order] = []
    current = rows[0]
    try:
        with transaction.atomic():
            for current in rows:
                carrier = carrier_lookup(current.carrier)
                assert carrier is not None  # checked above  # noqa: S101
                shipped.append(
                    order_ship(
                        order_id=Order.objects.values_list("pk", flat=True).get(no=current.order_no.strip()),
                        carrier=carrier.name,
                        tracking_no=current.tracking_no.strip().upper(),
                        actor=actor,
                    )
                )
    except ApplicationError as exc:
        # Changed between the check and the lock (paid orders cancelled or shipped meanwhile).
        row = RowError(line=current.line, order_no=current.order_no.strip(), message=str(exc.message))
        raise BulkShipInvalid(details={"rows": [row.__dict__]}) from exc
    return shipped
