"""Does a change to the pricing engine change any quote? Prints ``repr(quote(request))`` (or
the refusal) for the shared scenarios, both bench mixes and thousands of random requests,
one per line. Run it in two checkouts and compare the files::

    python bench/bench_pricing_identity.py --out new.txt
    (cd <old checkout> && python bench/bench_pricing_identity.py --out "$OLDPWD/old.txt")
    cmp old.txt new.txt

Every request is quoted three times, and the random ones share promotion tuples and wallets,
so what the engine keeps between quotes (compiled rules, cart plans, records, and the order
step's effect, kept the second time a cart is priced and replayed the third) is exercised too.
"""

from __future__ import annotations

import argparse
import dataclasses
import random
import sys
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any, TextIO

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.bench_pricing_inprocess import CATEGORIES, MIXES  # noqa: E402
from bench.bench_pricing_inprocess import catalog as bench_catalog  # noqa: E402
from bench.bench_pricing_inprocess import request as bench_request  # noqa: E402
from bench.bench_pricing_inprocess import wallet as bench_wallet  # noqa: E402
from marketing.pricing import (  # noqa: E402
    DEFAULT_POLICY,
    BargainPrice,
    BuyXGetY,
    CartLine,
    CatalogItem,
    CouponSpec,
    FanPrice,
    FlashSale,
    FullGift,
    FullReduction,
    LimitedDiscount,
    NthItem,
    PriceStep,
    PricingError,
    PricingRequest,
    Promotion,
    ReductionTier,
    Scope,
    ShopperInfo,
    StackingPolicy,
    SteppedPrice,
    load_scenario,
    quote,
)
from marketing.tests.pricing.builders import AT  # noqa: E402

RATES = [Decimal(x) for x in ("0", "0.33", "0.5", "0.7", "0.8", "0.85", "0.88", "0.9", "0.95", "0.99", "1")]
TIER_RATES = {"silver": Decimal("0.95"), "gold": Decimal("0.9"), "diamond": Decimal("0.85")}


def emit(out: TextIO, tag: str, req: PricingRequest) -> None:
    for attempt in (0, 1, 2):
        try:
            text = repr(quote(req))
        except PricingError as e:
            text = f"refused {e.code} {e.message} {e.ref}"
        out.write(f"{tag}/{attempt}: {text}\n")


def scenarios(out: TextIO) -> None:
    other_policies = (
        StackingPolicy(same_type="stack"),
        StackingPolicy(special_price_lines_join_order_promotions=True, special_price_lines_take_coupons=True),
    )
    for path in sorted((ROOT / "tests" / "scenarios").glob("*/*.json")):
        req = load_scenario(path).request
        emit(out, path.name, req)
        for i, policy in enumerate(other_policies):
            emit(out, f"{path.name}/policy{i}", dataclasses.replace(req, policy=policy))
    emit(out, "bench-0", bench_request(()))
    for name, make in MIXES.items():
        emit(out, f"bench-{name}", bench_request(make()))


class Random:
    """Random shops over the bench catalog: every promotion type, scope shape, window, audience
    and limit, wallets of every kind and group, chosen coupons (some not in the wallet)."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.skus = sorted(bench_catalog())

    def scope(self) -> Scope:
        rng, skus = self.rng, self.skus
        k = rng.randrange(6)
        ex = frozenset(rng.sample(skus, rng.randrange(2))) if rng.random() < 0.3 else frozenset()
        if k == 0:
            return Scope(exclude_skus=ex)
        if k == 1:
            return Scope(categories=frozenset(rng.sample(CATEGORIES, rng.randint(1, 2))), exclude_skus=ex)
        if k == 2:
            return Scope(skus=frozenset(rng.sample(skus, rng.randint(1, 3))), exclude_skus=ex)
        if k == 3:
            return Scope(skus=frozenset({rng.choice(skus)}))
        if k == 4:
            return Scope(categories=frozenset({rng.choice(CATEGORIES)}))
        cats = frozenset(rng.sample(CATEGORIES, 1))
        return Scope(categories=cats, skus=frozenset(rng.sample(skus, 2)), exclude_skus=ex)

    def common(self, rule_id: str) -> dict[str, Any]:
        rng = self.rng
        d: dict[str, Any] = {"id": rule_id}
        w = rng.randrange(8)
        if w == 0:
            d["starts_at"] = AT + timedelta(hours=5)
        elif w == 1:
            d["ends_at"] = AT
        elif w == 2:
            d["starts_at"], d["ends_at"] = AT - timedelta(hours=1), AT + timedelta(hours=1)
        if rng.random() < 0.15:
            d["new_user_only"] = True
        if rng.random() < 0.2:
            d["per_user_limit"] = rng.randint(1, 4)
        return d

    def tiers(self) -> tuple[ReductionTier, ...]:
        ts = sorted(self.rng.sample(range(1000, 120000, 500), self.rng.randint(1, 4)))
        return tuple(ReductionTier(t, self.rng.randint(100, t)) for t in ts)

    def promotion(self, i: int) -> Promotion:
        rng, skus = self.rng, self.skus
        k = rng.randrange(10)
        c = self.common(f"r{i}")
        if k == 0:
            return FlashSale(sku=rng.choice(skus), price=rng.randint(0, 30000), **c)
        if k == 1:
            return LimitedDiscount(rate=rng.choice(RATES), scope=self.scope(), **c)
        if k == 2:
            steps = (PriceStep(100, Decimal("0.5")), PriceStep(300, Decimal("0.6")), PriceStep(1000, Decimal("0.8")))
            sold = rng.choice([0, 50, 99, 100, 150, 299, 400, 999, 1000])
            return SteppedPrice(sku=rng.choice(skus), sold=sold, steps=steps, **c)
        if k == 3:
            return FanPrice(sku=rng.choice(skus), price=rng.randint(0, 30000), **c)
        if k == 4:
            return BargainPrice(sku=rng.choice(skus), price=rng.randint(0, 30000), **c)
        if k == 5:
            max_off = rng.choice([None, None, 5000, 20000])
            return FullReduction(
                tiers=self.tiers(), repeat=rng.random() < 0.3, max_off=max_off, scope=self.scope(), **c
            )
        if k == 6:
            gift = rng.choice(skus)
            return FullGift(
                threshold=rng.randint(0, 200000), gift_sku=gift, gift_qty=rng.randint(1, 2), scope=self.scope(), **c
            )
        if k == 7:
            return NthItem(n=rng.randint(1, 4), rate=rng.choice(RATES), scope=self.scope(), **c)
        buy, gift = rng.choice(skus), rng.choice(skus)
        return BuyXGetY(buy_sku=buy, buy_qty=rng.randint(1, 3), gift_sku=gift, gift_qty=rng.randint(1, 2), **c)

    def coupon(self, i: int) -> CouponSpec:
        rng = self.rng
        kind = rng.choice(["amount_off", "rate_off", "no_threshold"])
        c = self.common(f"c{i}")
        c.update(group=rng.choice(["shop", "shop", "category", "platform", "other"]), scope=self.scope())
        if kind == "amount_off":
            return CouponSpec(kind="amount_off", threshold=rng.randint(0, 80000), off=rng.randint(1, 20000), **c)
        if kind == "rate_off":
            max_off = rng.choice([None, 3000, 10000])
            return CouponSpec(
                kind="rate_off", threshold=rng.randint(0, 80000), rate=rng.choice(RATES), max_off=max_off, **c
            )
        return CouponSpec(kind="no_threshold", off=rng.randint(1, 5000), **c)

    def requests(self, count: int) -> list[PricingRequest]:
        rng, skus = self.rng, self.skus
        cat = bench_catalog()
        mixes = [make() for make in MIXES.values()]
        promo_sets = [tuple(self.promotion(i) for i in range(rng.choice([0, 1, 3, 8, 20, 50, 80]))) for _ in range(60)]
        promo_sets += [*mixes, mixes[0] + promo_sets[5], tuple(rng.sample(mixes[1], 25))]
        wallets = [tuple(self.coupon(i) for i in range(rng.randint(0, 14))) for _ in range(30)] + [bench_wallet()]
        policies = [
            DEFAULT_POLICY,
            StackingPolicy(same_type="stack"),
            StackingPolicy(special_price_lines_join_order_promotions=True),
            StackingPolicy(special_price_lines_take_coupons=True, coupons_per_group=2),
            StackingPolicy(points_cap_rate=Decimal("0.3"), points_per_yuan=50),
        ]
        out = []
        for _ in range(count):
            promos = rng.choice(promo_sets)
            coupons = rng.choice(wallets)
            prices = dict(cat)
            if rng.random() < 0.2:
                for s in rng.sample(skus, 5):
                    prices[s] = CatalogItem(sku=s, category=prices[s].category, price=rng.randint(1, 90000))
            cart_skus = rng.sample(skus[:40] if rng.random() < 0.7 else skus, rng.randint(1, 25))
            cart = tuple(CartLine(s, rng.choice([1, 1, 2, 3, 5, 12, 120])) for s in cart_skus)
            used: dict[str, int] = {}
            if promos and rng.random() < 0.3:
                for p in rng.sample(promos, min(3, len(promos))):
                    used[p.id] = rng.randint(0, 6)
            if coupons and rng.random() < 0.2:
                used[rng.choice(coupons).id] = rng.randint(0, 3)
            shopper = ShopperInfo(
                tier=rng.choice(["normal", "silver", "gold", "diamond"]),
                points=rng.choice([0, 100, 5000, 50000, 10**7]),
                is_new=rng.random() < 0.3,
                used=used,
            )
            selected = None
            if coupons and rng.random() < 0.25:
                selected = tuple(rng.sample([x.id for x in coupons], rng.randint(0, min(3, len(coupons)))))
                if rng.random() < 0.1:
                    selected += ("not-in-wallet",)
            out.append(
                PricingRequest(
                    at=AT,
                    shopper=shopper,
                    catalog=prices,
                    cart=cart,
                    promotions=promos,
                    coupons=coupons,
                    points_to_use=rng.choice([0, "max", 0, 1234, 10**6]),
                    selected_coupon_ids=selected,
                    tier_rates=TIER_RATES if rng.random() < 0.7 else {},
                    policy=rng.choice(policies),
                )
            )
        return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", required=True, help="file to write the quotes to")
    parser.add_argument("--requests", type=int, default=6000, help="random requests (default 6000)")
    parser.add_argument("--seed", type=int, default=12345)
    args = parser.parse_args()
    with open(args.out, "w", encoding="utf-8") as out:
        scenarios(out)
        for n, req in enumerate(Random(args.seed).requests(args.requests)):
            emit(out, f"random{n}", req)


if __name__ == "__main__":
    main()
