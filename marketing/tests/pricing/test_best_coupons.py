"""The coupon search: exact, deterministic, and fast on a full wallet."""

from __future__ import annotations

import time
from datetime import timedelta

from marketing.pricing import CouponSpec, Scope, quote
from marketing.pricing.best_coupons import CouponCandidate, best_combination
from marketing.pricing.types import StackingPolicy
from marketing.tests.pricing.builders import AT, check_invariants, make_request, rate, yuan

CART = [(f"S{i:02d}", ("美妆", "零食", "服饰", "数码")[i % 4], f"{20 + 7 * i}.90", 1 + i % 3) for i in range(20)]


def _wallet_of_50() -> tuple[CouponSpec, ...]:
    wallet = []
    for i in range(50):
        group = ("shop", "category", "platform")[i % 3]
        scope = (
            Scope(categories=frozenset({("美妆", "零食", "服饰", "数码")[i % 4]})) if group == "category" else Scope()
        )
        if i % 5 == 0:
            wallet.append(
                CouponSpec(
                    id=f"c{i}", kind="rate_off", group=group, scope=scope, rate=rate("0.9"), max_off=yuan(str(5 + i))
                )
            )
        else:
            wallet.append(
                CouponSpec(
                    id=f"c{i}",
                    kind="amount_off",
                    group=group,
                    scope=scope,
                    threshold=yuan(str(50 * i)),
                    off=yuan(str(3 + i)),
                )
            )
    return tuple(wallet)


def test_fifty_coupons_are_searched_exactly_and_fast() -> None:
    req = make_request(CART, coupons=_wallet_of_50())
    started = time.perf_counter()
    q = quote(req)
    elapsed = time.perf_counter() - started
    check_invariants(q)
    applied = [c for c in q.coupons if c.applied]
    assert len({c.group for c in applied}) == len(applied) <= 3
    # every single usable coupon alone saves no more than the chosen combination
    best_saving = sum(c.amount for c in applied)
    assert all(c.discount <= best_saving for c in q.coupons if c.usable)
    assert elapsed < 0.5


def test_identical_coupons_are_searched_once_and_the_first_to_expire_is_used() -> None:
    wallet = tuple(
        CouponSpec(
            id=f"same-{i:02d}", kind="no_threshold", group="shop", off=yuan("5"), ends_at=AT + timedelta(days=50 - i)
        )
        for i in range(50)
    )
    q = quote(make_request([("A", "x", "100.00", 1)], coupons=wallet))
    assert [c.coupon_id for c in q.coupons if c.applied] == ["same-49"]


def test_ties_go_to_fewer_coupons() -> None:
    spec = CouponSpec(id="big", kind="no_threshold", group="shop", off=yuan("10"))
    small = CouponSpec(id="small", kind="no_threshold", group="platform", off=yuan("1"))
    owed = {0: yuan("10")}
    cands = [CouponCandidate(spec, (0,), yuan("10"), yuan("10")), CouponCandidate(small, (0,), yuan("10"), yuan("1"))]
    chosen = best_combination(cands, StackingPolicy(), owed)
    assert [c.spec.id for c in chosen] == ["big"]


def test_narrow_coupon_is_applied_before_a_broad_one() -> None:
    # a shop 无门槛10 over A (10) and B (10) and a 10 coupon on A only: the broad one first
    # would take 5 from each and leave the narrow one only 5, so the narrow one goes first.
    wallet = (
        CouponSpec(id="broad", kind="no_threshold", group="shop", off=yuan("10")),
        CouponSpec(
            id="narrow", kind="no_threshold", group="category", scope=Scope(skus=frozenset({"A"})), off=yuan("10")
        ),
    )
    q = quote(make_request([("A", "x", "10.00", 1), ("B", "y", "10.00", 1)], coupons=wallet))
    assert q.payable == 0
    assert {c.coupon_id: c.amount for c in q.coupons} == {"broad": yuan("10"), "narrow": yuan("10")}
