"""Order numbers: local time to the second, then random digits, so they sort by time.

``yyMMddHHmmss`` (Asia/Shanghai) + 8 random digits = 20 characters, inside WeChat Pay's 6–32
limit for ``out_trade_no``. Uniqueness is finally guaranteed by the unique index on
``Order.no``; ``order_place`` retries with a new number on the (vanishingly rare) collision.
"""

from __future__ import annotations

import secrets
from datetime import datetime

from django.utils import timezone

RANDOM_DIGITS = 8


def order_no_at(*, at: datetime, serial: int) -> str:
    """The one order-number format; ``serial`` fills the last digits (random for real orders,
    a sequence for the demo shop's history)."""
    return timezone.localtime(at).strftime("%y%m%d%H%M%S") + f"{serial % 10**RANDOM_DIGITS:0{RANDOM_DIGITS}d}"


def order_no_new(*, now: datetime | None = None) -> str:
    return order_no_at(at=now or timezone.now(), serial=secrets.randbelow(10**RANDOM_DIGITS))
