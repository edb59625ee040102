"""Hand-built behaviour events for exact rollup figures (stored the way the ingest stores them)."""

from __future__ import annotations

import itertools
from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from analytics.models import BehaviourEvent

SHANGHAI = ZoneInfo("Asia/Shanghai")
_keys = itertools.count(1)


def make_event(
    name: str,
    *,
    day: date,
    at: time,
    anon: str = "device-aaaa",
    session: str = "s1",
    member_id: int | None = None,
    **props: Any,
) -> BehaviourEvent:
    occurred = datetime.combine(day, at, tzinfo=SHANGHAI)
    columns = {
        k: props.pop(k) for k in ("page", "product_id", "tool", "campaign_id", "dwell_ms", "reason") if k in props
    }
    return BehaviourEvent.objects.create(
        day=day,
        hour=occurred.hour,
        occurred_at=occurred,
        name=name,
        anon_id=anon,
        member_id=member_id,
        session=session,
        props=props,
        batch_key=f"test-{next(_keys)}",
        seq=0,
        **columns,
    )


HOME, PRODUCT, CART = "pages/home/index", "pages/product/index", "pages/cart/index"
CHECKOUT, FLASH = "package-order/checkout/index", "package-flash/index/index"
FLASH3: dict[str, Any] = {"tool": "flash", "campaign_id": 3}


def shop_day(day: date) -> None:
    """Three devices: A pays through a flash campaign, B leaves over the price, C leaves twice then pays."""

    def ev(name: str, anon: str, session: str, hh: int, mm: int, **props: Any) -> None:
        make_event(name, day=day, at=time(hh, mm), anon=f"device-{anon}", session=f"{anon}{session}", **props)

    ev("page_view", "A", "1", 10, 0, page=HOME, dwell_ms=4000)
    ev("page_view", "A", "1", 10, 1, page=PRODUCT, product_id=7, dwell_ms=20000, **FLASH3)
    ev("add_to_cart", "A", "1", 10, 2, page=PRODUCT, product_id=7, **FLASH3)
    ev("checkout_start", "A", "1", 10, 3, page=CHECKOUT, **FLASH3)
    ev("page_view", "A", "1", 10, 3, page=CHECKOUT, dwell_ms=5000)
    ev("pay", "A", "1", 10, 5, page=CHECKOUT, **FLASH3)

    ev("page_view", "B", "1", 11, 0, page=HOME, dwell_ms=2000)
    ev("page_view", "B", "1", 11, 1, page=FLASH, dwell_ms=30000, **FLASH3)
    ev("page_view", "B", "1", 11, 2, page=PRODUCT, product_id=7, dwell_ms=10000, **FLASH3)
    ev("add_to_cart", "B", "1", 11, 3, page=PRODUCT, product_id=7, **FLASH3)
    ev("checkout_start", "B", "1", 11, 4, page=CHECKOUT, **FLASH3)
    ev("checkout_leave", "B", "1", 11, 5, page=CHECKOUT, reason="price", **FLASH3)

    ev("page_view", "C", "1", 12, 0, page=PRODUCT, product_id=8)
    ev("checkout_leave", "C", "1", 12, 1, page=CHECKOUT, reason="sold_out", product_id=8)
    ev("checkout_leave", "C", "1", 12, 2, page=CHECKOUT, reason="coupon_unusable", coupon_id=4)
    ev("page_view", "C", "2", 20, 0, page=HOME, dwell_ms=1000)
    ev("page_view", "C", "2", 20, 1, page=CART)
    ev("page_view", "C", "2", 20, 2, page=CHECKOUT)
    ev("pay", "C", "2", 20, 3, page=CHECKOUT)

    ev("page_view", "A", "2", 21, 0, page=HOME)
