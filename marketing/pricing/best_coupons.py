"""The exact best coupon combination: at most ``coupons_per_group`` per stacking group, or one
coupon of a non-stacking group alone.

Search is a depth-first walk over groups with branch-and-bound: a coupon never saves more than
its standalone discount and the order never more than it still owes, so a branch that cannot
beat the best found is cut. Identical coupons (same scope lines and saving) are searched once.
Ties go to fewer coupons, then to the canonical candidate order (bigger saving first, then the
coupon that expires first, then id), so the answer never depends on the wallet's order.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from itertools import combinations

from mall.money import Fen, allocate
from marketing.pricing.types import CouponSpec, StackingPolicy, direct_init

_FAR_FUTURE = "9999"


@direct_init
@dataclass(frozen=True)
class CouponCandidate:
    """A coupon usable on its own, with the scope lines and amount it is measured on.

    Built per usable coupon per quote (``direct_init``); still frozen, equal and hashable."""

    spec: CouponSpec
    positions: tuple[int, ...]
    amount: Fen
    discount: Fen


def _expiry_key(spec: CouponSpec) -> str:
    ends: datetime | None = spec.ends_at
    return _FAR_FUTURE if ends is None else ends.isoformat()


def candidate_key(c: CouponCandidate) -> tuple[Fen, str, str]:
    return (-c.discount, _expiry_key(c.spec), c.spec.id)


def application_order(chosen: Sequence[CouponCandidate], policy: StackingPolicy) -> tuple[CouponCandidate, ...]:
    """Narrowest scope first, so a broad coupon never eats the amount a narrow one needs."""
    rank = {group: i for i, group in enumerate(policy.coupon_groups)}
    return tuple(sorted(chosen, key=lambda c: (c.amount, rank.get(c.spec.group, len(rank)), c.spec.id)))


def takes(ordered: Sequence[CouponCandidate], owed: Mapping[int, Fen]) -> list[list[Fen]]:
    """Per coupon (in the given order), what it takes from each of its lines."""
    left = dict(owed)
    result: list[list[Fen]] = []
    for c in ordered:
        weights = [left[p] for p in c.positions]
        total = min(c.discount, sum(weights))
        parts = allocate(total, weights) if total > 0 else [0] * len(weights)
        for p, part in zip(c.positions, parts, strict=True):
            left[p] -= part
        result.append(parts)
    return result


def saving(ordered: Sequence[CouponCandidate], owed: Mapping[int, Fen]) -> Fen:
    """What a combination really saves. When the discounts together fit inside every chosen
    coupon's scope amount nothing is capped and the sum is exact, so the simulation is skipped."""
    total = sum(c.discount for c in ordered)
    if not ordered or total <= min(c.amount for c in ordered):
        return total
    return sum(sum(parts) for parts in takes(ordered, owed))


def _dedup(cands: Sequence[CouponCandidate], keep: int) -> list[CouponCandidate]:
    seen: dict[tuple[tuple[int, ...], Fen], int] = {}
    out: list[CouponCandidate] = []
    for c in sorted(cands, key=candidate_key):
        key = (c.positions, c.discount)
        if seen.get(key, 0) < keep:
            seen[key] = seen.get(key, 0) + 1
            out.append(c)
    return out


def best_combination(
    cands: Sequence[CouponCandidate], policy: StackingPolicy, owed: Mapping[int, Fen]
) -> tuple[CouponCandidate, ...]:
    """The combination that saves the most, in application order (empty if none saves)."""
    per_group = max(1, policy.coupons_per_group)
    stacking: dict[str, list[CouponCandidate]] = {}
    alone: list[CouponCandidate] = []
    for c in cands:
        if c.spec.group in policy.coupon_groups:
            stacking.setdefault(c.spec.group, []).append(c)
        else:
            alone.append(c)
    options: list[list[tuple[tuple[CouponCandidate, ...], Fen]]] = []
    for group in policy.coupon_groups:
        pool = _dedup(stacking.get(group, ()), per_group)
        if not pool:
            continue
        group_options = [
            (combo, sum(c.discount for c in combo))
            for size in range(1, min(per_group, len(pool)) + 1)
            for combo in combinations(pool, size)
        ]
        group_options.sort(key=lambda o: -o[1])  # stable: canonical order breaks ties
        options.append(group_options)
    suffix = [0] * (len(options) + 1)
    for i in range(len(options) - 1, -1, -1):
        suffix[i] = suffix[i + 1] + options[i][0][1]
    ceiling = sum(owed.values())

    best: tuple[Fen, int, tuple[CouponCandidate, ...]] = (0, 0, ())

    def consider(chosen: tuple[CouponCandidate, ...]) -> None:
        nonlocal best
        ordered = application_order(chosen, policy)
        value = saving(ordered, owed)
        if value > best[0] or (value == best[0] and value > 0 and len(ordered) < best[1]):
            best = (value, len(ordered), ordered)

    def walk(i: int, chosen: tuple[CouponCandidate, ...], dsum: Fen) -> None:
        bound = min(dsum + suffix[i], ceiling)
        if bound <= 0 or bound < best[0] or (bound == best[0] and best[1] and len(chosen) >= best[1]):
            return
        if i == len(options):
            if chosen:
                consider(chosen)
            return
        for combo, gain in options[i]:
            walk(i + 1, chosen + combo, dsum + gain)
        walk(i + 1, chosen, dsum)

    walk(0, (), 0)
    for c in sorted(alone, key=candidate_key):
        consider((c,))
    return best[2]
