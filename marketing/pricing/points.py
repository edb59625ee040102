"""Points redemption (step 4): after coupons, capped by the shop's share of what is left."""

from __future__ import annotations

from dataclasses import dataclass

from mall.money import Fen
from marketing.pricing import reasons
from marketing.pricing.types import PointsRequest, PricingError, StackingPolicy


@dataclass(frozen=True)
class Redemption:
    used: int  # points taken from the balance
    value: Fen  # what they take off
    max_points: int  # the most this order would accept


def redeem(requested: PointsRequest, balance: int, left: Fen, policy: StackingPolicy) -> Redemption:
    """How many points to use. The cap is floored to the fen (a cap of 50% must never let 50.01%
    through); a request above the cap or the balance is trimmed, not refused, and ``max_points``
    tells the UI the limit. Points are only spent in whole fen."""
    if requested != "max" and (isinstance(requested, bool) or not isinstance(requested, int) or requested < 0):
        raise PricingError(
            reasons.INVALID_REQUEST, f"points_to_use must be 'max' or a whole number >= 0: {requested!r}"
        )
    per_yuan = policy.points_per_yuan
    cap_fen = int(left * policy.points_cap_rate)
    max_points = max(0, min(balance, cap_fen * per_yuan // 100))
    wanted = max_points if requested == "max" else min(requested, max_points)
    value = wanted * 100 // per_yuan
    used = -(-value * per_yuan // 100)
    return Redemption(used=used, value=value, max_points=max_points)
