"""In-process pricing benchmark: a 20-line cart with 0 and with 50 active promotions, 10 coupons
in the wallet, a gold shopper using points.

Time is this process's CPU time (the engine is single-threaded and in-process, so neighbours
on a shared machine should not count), in alternating 0.1 s slices for ``--seconds``
each; rates are medians over the slices, the ratio the median of back-to-back pairs. The last line printed is JSON:
``{"quotes_per_s_0": …, "quotes_per_s_50": …, "ratio_50_vs_0": …, "fresh_quotes_per_s_0": …,
"fresh_quotes_per_s_50": …, "fresh_ratio_50_vs_0": …}`` (goal: ratio ≤ 1.3, the cart priced
again with every step run); ``kept_quotes_per_s_*`` hand out the cart's kept quote (issue 12,
``kept_quotes``), the ``fresh_`` figures price carts whose quantities change on every quote.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import time
from dataclasses import replace
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from marketing.pricing import (
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
from marketing.pricing.applicator import price_afresh
from marketing.tests.pricing.builders import AT

CATEGORIES = ("美妆", "零食", "服饰", "数码", "日用品")
SLICE_S = 0.1


def catalog() -> dict[str, CatalogItem]:
    """60 SKUs: the cart holds the first 20, the rules also name SKUs that are not in it."""
    return {
        f"SKU-{i:03d}": CatalogItem(sku=f"SKU-{i:03d}", category=CATEGORIES[i % 5], price=1990 + 1337 * i)
        for i in range(60)
    }


def cart() -> tuple[CartLine, ...]:
    return tuple(CartLine(f"SKU-{i:03d}", 1 + i % 3) for i in range(20))


FRESH_CARTS = 257  # carts of the same products with other quantities, priced in turn


def fresh_carts() -> list[tuple[CartLine, ...]]:
    """The cart's products with quantities drawn anew for each (1–4 a line, fixed seed): priced
    in turn, no quote sees the amounts of the one before, so what the engine keeps per scope
    amount (a 满减's outcome) misses as it would for a shopper changing the cart. A product's
    saving at a quantity priced before is found again (``Rule.allocation``), as for any two
    shoppers buying as many of it: one to four units give four figures a product."""
    draw = random.Random(618)
    return [tuple(CartLine(line.sku, draw.randint(1, 4)) for line in cart()) for _ in range(FRESH_CARTS)]


def _sku(i: int) -> str:
    return f"SKU-{i % 60:03d}"


LADDER = (
    ReductionTier(9900, 1000),
    ReductionTier(19900, 3000),
    ReductionTier(29900, 5000),
    ReductionTier(99900, 15000),
)
STEPS = (PriceStep(100, Decimal("0.5")), PriceStep(300, Decimal("0.6")), PriceStep(1000, Decimal("0.8")))


def shop_promotions() -> tuple[Promotion, ...]:
    """A busy 618 shop: 50 promotions running at once, scoped the way merchants scope them —
    mostly per product (a third of those products are in this cart), a few per category or
    for the whole shop, some for new shoppers only or already used by this shopper."""
    promos: list[Promotion] = []
    promos += [FlashSale(id=f"flash-{i}", sku=_sku(7 * i), price=990, per_user_limit=5) for i in range(10)]
    promos += [
        LimitedDiscount(
            id=f"limited-{i}", rate=Decimal("0.8") + Decimal(i) / 100, scope=Scope(skus=frozenset({_sku(5 * i + 1)}))
        )
        for i in range(8)
    ]
    promos += [
        LimitedDiscount(id=f"category-{i}", rate=Decimal("0.88"), scope=Scope(categories=frozenset({CATEGORIES[i]})))
        for i in range(4)
    ]
    promos += [
        LimitedDiscount(
            id=f"newbie-{i}", rate=Decimal("0.5"), new_user_only=True, scope=Scope(skus=frozenset({_sku(3 * i)}))
        )
        for i in range(4)
    ]
    promos += [
        LimitedDiscount(
            id=f"member-day-{i}", rate=Decimal("0.7"), per_user_limit=1, scope=Scope(skus=frozenset({_sku(i)}))
        )
        for i in range(2)
    ]
    promos += [SteppedPrice(id=f"steps-{i}", sku=_sku(11 * i + 2), sold=50 * i, steps=STEPS) for i in range(3)]
    promos += [
        BargainPrice(id="bargain-1", sku=_sku(4), price=1000),
        BargainPrice(id="bargain-2", sku=_sku(45), price=100),
    ]
    promos.append(FullReduction(id="shop-ladder", tiers=LADDER))
    promos += [
        FullReduction(id=f"category-full-{i}", tiers=LADDER[:2], scope=Scope(categories=frozenset({CATEGORIES[i]})))
        for i in range(1, 4)
    ]
    promos += [FullGift(id=f"gift-{i}", threshold=15900 * (2**i), gift_sku=_sku(50 + i)) for i in range(3)]
    promos += [
        NthItem(
            id=f"second-half-{i}", n=2, rate=Decimal("0.5"), scope=Scope(skus=frozenset({_sku(6 * i), _sku(6 * i + 1)}))
        )
        for i in range(4)
    ]
    promos += [BuyXGetY(id=f"bxgy-{i}", buy_sku=_sku(9 * i + 5), buy_qty=1, gift_sku=_sku(58 - i)) for i in range(6)]
    return tuple(promos)


def stress_promotions() -> tuple[Promotion, ...]:
    """A harsher mix: more than half order-level, most of them over the whole shop or a
    category, so every one is evaluated against the whole cart."""
    later = AT + timedelta(hours=5)  # every third flash sale is a later slot
    promos: list[Promotion] = []
    promos += [
        FlashSale(
            id=f"flash-{i}", sku=_sku(7 * i), price=990, per_user_limit=5, starts_at=later if i % 3 == 2 else None
        )
        for i in range(8)
    ]
    for i in range(8):
        scope = Scope(categories=frozenset({CATEGORIES[i % 5]})) if i % 2 else Scope(skus=frozenset({_sku(5 * i)}))
        promos.append(LimitedDiscount(id=f"limited-{i}", rate=Decimal("0.8") + Decimal(i) / 100, scope=scope))
    promos += [SteppedPrice(id=f"steps-{i}", sku=_sku(11 * i), sold=50 * i, steps=STEPS) for i in range(5)]
    promos += [GroupPrice(id="group-1", sku=_sku(4), price=2900), BargainPrice(id="bargain-1", sku=_sku(45), price=100)]
    for i in range(8):
        scope = Scope(categories=frozenset({CATEGORIES[i % 5]})) if i % 2 else Scope()
        promos.append(FullReduction(id=f"full-{i}", tiers=LADDER, repeat=i == 4, scope=scope))
    promos += [FullGift(id=f"gift-{i}", threshold=15900 * (i + 1), gift_sku=_sku(50 + i)) for i in range(6)]
    promos += [
        NthItem(id=f"nth-{i}", n=2 + i % 2, rate=Decimal("0.5"), scope=Scope(categories=frozenset({CATEGORIES[i % 5]})))
        for i in range(6)
    ]
    promos += [
        BuyXGetY(id=f"bxgy-{i}", buy_sku=_sku(3 * i), buy_qty=1 + i % 2, gift_sku=_sku(58 - i)) for i in range(7)
    ]
    return tuple(promos)


MIXES = {"shop": shop_promotions, "stress": stress_promotions}


def _in(category: str) -> Scope:
    return Scope(categories=frozenset({category}))


def wallet() -> tuple[CouponSpec, ...]:
    return (
        CouponSpec(id="new-50-20", kind="amount_off", group="shop", threshold=5000, off=2000),
        CouponSpec(id="new-100-30", kind="amount_off", group="shop", threshold=10000, off=3000),
        CouponSpec(id="new-10", kind="no_threshold", group="shop", off=1000),
        CouponSpec(id="shop-95", kind="rate_off", group="shop", rate=Decimal("0.95"), max_off=5000),
        CouponSpec(id="beauty-10", kind="amount_off", group="category", scope=_in("美妆"), off=1000),
        CouponSpec(id="snack-90", kind="rate_off", group="category", scope=_in("零食"), rate=Decimal("0.9")),
        CouponSpec(
            id="digital-300-50", kind="amount_off", group="category", scope=_in("数码"), threshold=30000, off=5000
        ),
        CouponSpec(id="plat-8", kind="no_threshold", group="platform", off=800),
        CouponSpec(id="plat-200-25", kind="amount_off", group="platform", threshold=20000, off=2500),
        CouponSpec(id="plat-expired", kind="no_threshold", group="platform", off=3000, ends_at=AT),
    )


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


def run(seconds: float, mix: str) -> dict[str, float]:
    """The one cart priced again and again with every step run (``price_afresh``: what a shopper
    picking coupons or points costs the engine; the goal's ratio), the same cart quoted again
    (``kept_*``: the kept quote handed out), and, apart, carts of the same products whose
    quantities change on every quote (``fresh_*``, through ``quote``: never kept, they pay for
    the key)."""
    promos = MIXES[mix]()
    assert len(promos) == 50
    carts = fresh_carts()
    configurations: dict[str, list[PricingRequest]] = {
        "0": [request(())],
        "50": [request(promos)],
    }
    # the same catalog and wallet objects, as for the one cart: only the quantities differ
    configurations["fresh_0"] = [replace(configurations["0"][0], cart=lines) for lines in carts]
    configurations["fresh_50"] = [replace(configurations["50"][0], cart=lines) for lines in carts]
    configurations["kept_0"] = configurations["0"]
    configurations["kept_50"] = configurations["50"]
    price = {name: quote if name.startswith(("kept", "fresh")) else price_afresh for name in configurations}
    for name in ("0", "50"):  # warm up, and show that both configurations really price
        q = quote(configurations[name][0])
        print(
            f"promotions={len(configurations[name][0].promotions)}: payable={q.payable} applied={len(q.applied)} "
            f"rejected={len(q.rejected)} gifts={list(q.gift_skus)}"
        )
    for name, reqs in configurations.items():
        for req in reqs:
            price[name](req)
    rates: dict[str, list[float]] = {name: [] for name in configurations}
    spent = dict.fromkeys(configurations, 0.0)
    while min(spent.values()) < seconds:
        for name, reqs in configurations.items():
            count = len(reqs)
            priced = price[name]
            started = time.process_time()
            deadline = started + SLICE_S
            n = 0
            while time.process_time() < deadline:
                priced(reqs[n % count])
                n += 1
            elapsed = time.process_time() - started
            spent[name] += elapsed
            rates[name].append(n / elapsed)

    # medians, and the ratio of back-to-back slice pairs: a neighbour's burst slows one pair
    # (or a drift slows both halves of it alike) without moving the result
    def ratio(none: str, fifty: str) -> float:
        return round(statistics.median(r0 / r50 for r0, r50 in zip(rates[none], rates[fifty], strict=False)), 3)

    return {
        "quotes_per_s_0": round(statistics.median(rates["0"]), 1),
        "quotes_per_s_50": round(statistics.median(rates["50"]), 1),
        "ratio_50_vs_0": ratio("0", "50"),
        "kept_quotes_per_s_0": round(statistics.median(rates["kept_0"]), 1),
        "kept_quotes_per_s_50": round(statistics.median(rates["kept_50"]), 1),
        "fresh_quotes_per_s_0": round(statistics.median(rates["fresh_0"]), 1),
        "fresh_quotes_per_s_50": round(statistics.median(rates["fresh_50"]), 1),
        "fresh_ratio_50_vs_0": ratio("fresh_0", "fresh_50"),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=5.0, help="pricing time per configuration")
    parser.add_argument("--mix", choices=sorted(MIXES), default="shop", help="which 50 promotions (default: shop)")
    args = parser.parse_args()
    print(json.dumps(run(args.seconds, args.mix)))


if __name__ == "__main__":
    main()
