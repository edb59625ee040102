"""Demo shop: three weeks of mini-program behaviour (F37), so the 行为分析 page has something to say.

Sessions walk the way shoppers do — home, an activity page now and then (the shop's own flash
slots, group-buy and bargain campaigns), product pages, searches, the cart, the checkout — and
end in a payment or a leave for one of the four reasons. Some devices belong to demo shoppers
(joined as a sign-in would). Every day is then rolled up. Idempotent: nothing is added when the
demo's events exist.
"""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta
from typing import Any

from django.utils import timezone

from analytics.models import BehaviourEvent, DeviceLink
from analytics.services.rollups import rollup_day
from mall.demo.shop import SHOPPER_OPENID_PREFIX
from mall.models import Product
from marketing.models import BargainCampaign, FlashSlot, GroupBuyCampaign
from members.models import Member

KEY_PREFIX = "demo-"
DAYS = 21
SESSIONS_PER_DAY = (60, 140)
HOURS = [1, 1, 1, 1, 1, 2, 3, 5, 7, 8, 9, 9, 12, 10, 8, 8, 9, 10, 12, 15, 18, 17, 11, 5]
REASONS = (("price", 40), ("sold_out", 25), ("coupon_unusable", 20), ("other", 15))
HOME, CATEGORY, PRODUCT = "pages/home/index", "pages/category/index", "pages/product/index"
CART, CHECKOUT = "pages/cart/index", "package-order/checkout/index"
ACTIVITY = {"flash": "package-flash/index/index", "group_buy": "package-social/group/index"}
ACTIVITY["bargain"] = "package-social/bargain/index"
QUERIES = ("茶叶", "坚果", "面膜", "蓝牙耳机", "保温杯", "礼盒")


class _Session:
    def __init__(self, rng: random.Random, day: date, anon: str, member_id: int | None, number: int) -> None:
        self.rng, self.anon, self.member_id = rng, anon, member_id
        self.key = f"{KEY_PREFIX}{day:%Y%m%d}-{number}"
        hour = rng.choices(range(24), weights=HOURS)[0]
        tz = timezone.get_current_timezone()
        self.at = datetime(day.year, day.month, day.day, hour, rng.randrange(60), rng.randrange(60), tzinfo=tz)
        self.rows: list[BehaviourEvent] = []

    def add(self, name: str, seconds: int = 3, **props: Any) -> None:
        columns = {
            k: props.pop(k) for k in ("page", "product_id", "tool", "campaign_id", "dwell_ms", "reason") if k in props
        }
        self.rows.append(
            BehaviourEvent(
                day=self.at.date(),
                hour=self.at.hour,
                occurred_at=self.at,
                name=name,
                anon_id=self.anon,
                member_id=self.member_id,
                session=self.key,
                props=props,
                batch_key=self.key,
                seq=len(self.rows),
                **columns,
            )
        )
        if self.at.hour == 23 and self.at.minute >= 50:
            return  # a session stays within its day
        self.at += timedelta(seconds=seconds)

    def view(self, page: str, low: int, high: int, **props: Any) -> None:
        dwell = self.rng.randint(low, high)
        self.add("page_view", seconds=max(1, dwell // 1000), page=page, dwell_ms=dwell, **props)


def _walk(s: _Session, products: list[int], campaigns: dict[str, list[int]]) -> None:
    rng = s.rng
    s.view(HOME, 3000, 25000)
    if rng.random() < 0.3:
        s.add("tap", page=HOME, element="home.banner")
    attribution: dict[str, Any] = {}
    tools = [tool for tool, ids in campaigns.items() if ids]
    if tools and rng.random() < 0.45:
        tool = rng.choice(tools)
        attribution = {"tool": tool, "campaign_id": rng.choice(campaigns[tool])}
        low, high = {"flash": (15000, 60000), "group_buy": (10000, 45000), "bargain": (8000, 30000)}[tool]
        s.view(ACTIVITY[tool], low, high, **attribution)
    elif rng.random() < 0.35:
        s.add("search", page=CATEGORY, query=rng.choice(QUERIES), results=rng.randint(0, 30))
        s.view(CATEGORY, 4000, 20000)
    product = rng.choice(products)
    for _ in range(rng.choice((1, 1, 2, 3))):
        product = rng.choice(products) if not attribution else product
        s.view(PRODUCT, 5000, 70000, product_id=product, **attribution)
        if rng.random() < 0.08:
            s.add("share", page=PRODUCT, product_id=product, **attribution)
    if rng.random() > (0.55 if attribution else 0.3):
        return
    s.add("add_to_cart", page=PRODUCT, product_id=product, quantity=rng.randint(1, 2), **attribution)
    if not attribution:
        s.view(CART, 3000, 20000)
    if rng.random() > 0.7:
        return
    s.add("checkout_start", page=CHECKOUT, items=1, **attribution)
    s.view(CHECKOUT, 5000, 40000)
    if rng.random() < (0.65 if attribution else 0.5):
        s.add("pay", page=CHECKOUT, amount=rng.randint(20, 400) * 100, **attribution)
    else:
        reason = rng.choices([r for r, _w in REASONS], weights=[w for _r, w in REASONS])[0]
        s.add("checkout_leave", page=CHECKOUT, reason=reason, product_id=product, **attribution)


def build_behaviour(*, seed: int, days: int = DAYS, today: date | None = None) -> dict[str, int]:
    counts = {"behaviour events": 0}
    if BehaviourEvent.objects.filter(batch_key__startswith=KEY_PREFIX).exists():
        return counts
    products = list(Product.objects.filter(is_on_shelf=True).order_by("pk").values_list("pk", flat=True)[:40])
    if not products:
        return counts
    today = today or timezone.localdate()
    campaigns = {
        "flash": list(FlashSlot.objects.order_by("-pk").values_list("pk", flat=True)[:3]),
        "group_buy": list(GroupBuyCampaign.objects.order_by("-pk").values_list("pk", flat=True)[:3]),
        "bargain": list(BargainCampaign.objects.order_by("-pk").values_list("pk", flat=True)[:3]),
    }
    shoppers = list(Member.objects.filter(openid__startswith=SHOPPER_OPENID_PREFIX).values_list("pk", flat=True)[:150])
    rng = random.Random(seed + 15)  # noqa: S311 - demo data must be reproducible, not secret
    devices = [f"demo-device-{n:04d}" for n in range(600)]
    owners = {device: shoppers[i] for i, device in enumerate(devices[: len(shoppers)])}
    DeviceLink.objects.bulk_create(
        [DeviceLink(anon_id=device, member_id=member) for device, member in owners.items()], ignore_conflicts=True
    )
    number = 0
    for offset in range(days - 1, -1, -1):
        day = today - timedelta(days=offset)
        rows: list[BehaviourEvent] = []
        for _ in range(rng.randint(*SESSIONS_PER_DAY)):
            number += 1
            device = rng.choice(devices)
            session = _Session(rng, day, device, owners.get(device), number)
            _walk(session, products, campaigns)
            rows += session.rows
        BehaviourEvent.objects.bulk_create(rows, batch_size=1000)
        counts["behaviour events"] += len(rows)
        rollup_day(day=day)
    return counts
