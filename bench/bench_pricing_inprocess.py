"""In-process pricing benchmark: a 20-line cart with 0 and with 50 active promotions, 10 coupons
in the wallet, a gold shopper using points.

The two configurations run in alternating slices for ``--seconds`` each, so a busy machine
slows both alike and the ratio stays meaningful. The last line printed is JSON:
``{"quotes_per_s_0": …, "quotes_per_s_50": …, "ratio_50_vs_0": …}`` (goal: ratio ≤ 1.5).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from marketing.pricing import (  # noqa: E402 - after the path set-up above
    BargainPrice,
    BuyXGetY,
    CartLine,
    CatalogItem,
    CouponSpec,
    FlashSale,
    FullGift,
    FullReduction,
    GroupPrice,
    LimitedDiscount,
    NthItem,
    PriceStep,
    PricingRequest,
    Promotion,
    ReductionTier,
    Scope,
    ShopperInfo,
    SteppedPrice,
    quote,
)
from marketing.tests.pricing.builders import AT  # noqa: E402

CATEGORIES = ("美妆", "零食", "服饰", "数码", "日用品")
SLICE_S = 0.25


def catalog() -> dict[str, CatalogItem]:
    """60 SKUs: the cart holds the first 20, the rules also name SKUs that are not in it."""
    return {
        f"SKU-{i:03d}": CatalogItem(sku=f"SKU-{i:03d}", category=CATEGORIES[i % 5], price=1990 + 1337 * i)
        for i in range(60)
    }


def cart() -> tuple[CartLine, ...]:
    return tuple(CartLine(f"SKU-{i:03d}", 1 + i % 3) for i in range(20))


def promotions() -> tuple[Promotion, ...]:
    """50 running promotions of every type, scoped the way a busy shop scopes them."""
    later = {"starts_at": AT + timedelta(hours=5)}
    promos: list[Promotion] = []
    for i in range(8):  # flash sales: two hit the cart, the rest are other SKUs or later slots
        sku = f"SKU-{(i * 7) % 60:03d}"
        promos.append(FlashSale(id=f"flash-{i}", sku=sku, price=990, per_user_limit=5, **(later if i % 3 == 2 else {})))
    for i in range(8):
        scope = Scope(categories=frozenset({CATEGORIES[i % 5]})) if i % 2 else Scope(skus=frozenset({f"SKU-{i * 5:03d}"}))
        promos.append(LimitedDiscount(id=f"limited-{i}", rate=Decimal("0.8") + Decimal(i) / 100, scope=scope))
    steps = (PriceStep(100, Decimal("0.5")), PriceStep(300, Decimal("0.6")), PriceStep(1000, Decimal("0.8")))
    for i in range(5):
        promos.append(SteppedPrice(id=f"steps-{i}", sku=f"SKU-{i * 11:03d}", sold=50 * i, steps=steps))
    promos.append(GroupPrice(id="group-1", sku="SKU-004", price=2900))
    promos.append(BargainPrice(id="bargain-1", sku="SKU-045", price=100))
    tiers = (
        ReductionTier(9900, 1000),
        ReductionTier(19900, 3000),
        ReductionTier(29900, 5000),
        ReductionTier(99900, 15000),
    )
    for i in range(8):
        scope = Scope(categories=frozenset({CATEGORIES[i % 5]})) if i % 2 else Scope()
        promos.append(FullReduction(id=f"full-{i}", tiers=tiers, repeat=i == 4, scope=scope))
    for i in range(6):
        promos.append(FullGift(id=f"gift-{i}", threshold=15900 * (i + 1), gift_sku=f"SKU-{50 + i:03d}"))
    for i in range(6):
        scope = Scope(categories=frozenset({CATEGORIES[i % 5]}))
        promos.append(NthItem(id=f"nth-{i}", n=2 + i % 2, rate=Decimal("0.5"), scope=scope))
    for i in range(7):
        promos.append(
            BuyXGetY(id=f"bxgy-{i}", buy_sku=f"SKU-{i * 3:03d}", buy_qty=1 + i % 2, gift_sku=f"SKU-{58 - i:03d}")
        )
    assert len(promos) == 50
    return tuple(promos)


def wallet() -> tuple[CouponSpec, ...]:
    coupons = [
        CouponSpec(id="new-50-20", kind="amount_off", group="shop", threshold=5000, off=2000),
        CouponSpec(id="new-100-30", kind="amount_off", group="shop", threshold=10000, off=3000),
        CouponSpec(id="new-10", kind="no_threshold", group="shop", off=1000),
        CouponSpec(id="shop-95", kind="rate_off", group="shop", threshold=0, rate=Decimal("0.95"), max_off=5000),
        CouponSpec(id="beauty-10", kind="amount_off", group="category", scope=Scope(categories=frozenset({"美妆"})), off=1000),
        CouponSpec(id="snack-90", kind="rate_off", group="category", scope=Scope(categories=frozenset({"零食"})), rate=Decimal("0.9")),
        CouponSpec(id="digital-300-50", kind="amount_off", group="category", scope=Scope(categories=frozenset({"数码"})), threshold=30000, off=5000),
        CouponSpec(id="plat-8", kind="no_threshold", group="platform", off=800),
        CouponSpec(id="plat-200-25", kind="amount_off", group="platform", threshold=20000, off=2500),
        CouponSpec(id="plat-expired", kind="no_threshold", group="platform", off=3000, ends_at=AT),
    ]  # fmt: skip
    return tuple(coupons)


def request(promos: tuple[Promotion, ...]) -> PricingRequest:
    return PricingRequest(
        at=AT,
        shopper=ShopperInfo(tier="gold", points=50_000),
        catalog=catalog(),
        cart=cart(),
        promotions=promos,
        coupons=wallet(),
        points_to_use="max",
        tier_rates={"silver": Decimal("0.95"), "gold": Decimal("0.9"), "diamond": Decimal("0.85")},
    )


def run(seconds: float) -> dict[str, float]:
    requests = {0: request(()), 50: request(promotions())}
    for req in requests.values():  # warm up, and show that both configurations really price
        q = quote(req)
        print(
            f"promotions={len(req.promotions)}: payable={q.payable} applied={len(q.applied)} "
            f"rejected={len(q.rejected)} gifts={list(q.gift_skus)}"
        )
    counts = dict.fromkeys(requests, 0)
    spent = dict.fromkeys(requests, 0.0)
    while min(spent.values()) < seconds:
        for key, req in requests.items():
            started = time.perf_counter()
            deadline = started + SLICE_S
            n = 0
            while time.perf_counter() < deadline:
                quote(req)
                n += 1
            spent[key] += time.perf_counter() - started
            counts[key] += n
    rate_0 = counts[0] / spent[0]
    rate_50 = counts[50] / spent[50]
    return {
        "quotes_per_s_0": round(rate_0, 1),
        "quotes_per_s_50": round(rate_50, 1),
        "ratio_50_vs_0": round(rate_0 / rate_50, 3),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=5.0, help="pricing time per configuration")
    args = parser.parse_args()
    print(json.dumps(run(args.seconds)))


if __name__ == "__main__":
    main()
