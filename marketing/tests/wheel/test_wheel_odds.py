"""The wheel's pure odds and stock slices: no database."""

from __future__ import annotations

import random
import secrets
from collections import Counter

import pytest

from marketing.services.wheel_odds import pick_prize, released_stock

WEIGHTS = [("five", 30), ("ten", 10), ("free", 1), ("points", 20), ("thanks", 39)]
# χ² critical value for 4 degrees of freedom at p = 0.001
CHI2_CRITICAL_DF4 = 18.467


def chi_square(counts: Counter[str], weights: list[tuple[str, int]], draws: int) -> float:
    total = sum(weight for _key, weight in weights)
    return sum((counts[key] - draws * weight / total) ** 2 / (draws * weight / total) for key, weight in weights)


def test_one_hundred_thousand_draws_match_the_weights() -> None:
    rng = random.Random(20260310)
    draws = 100_000
    counts = Counter(pick_prize(WEIGHTS, rng) for _i in range(draws))
    assert sum(counts.values()) == draws
    assert chi_square(counts, WEIGHTS, draws) < CHI2_CRITICAL_DF4
    # the rare prize shows up about 1 in 100 draws, not never and not ten times as often
    assert 850 <= counts["free"] <= 1150


def test_a_skewed_wheel_is_caught_by_the_same_check() -> None:
    """The check has teeth: draws made with other weights fail it."""
    rng = random.Random(7)
    skewed = [("five", 33), ("ten", 10), ("free", 1), ("points", 20), ("thanks", 36)]
    counts = Counter(pick_prize(skewed, rng) for _i in range(100_000))
    assert chi_square(counts, WEIGHTS, 100_000) > CHI2_CRITICAL_DF4


def test_the_system_random_source_picks_every_prize() -> None:
    rng = secrets.SystemRandom()
    seen = {pick_prize([("a", 1), ("b", 1)], rng) for _i in range(200)}
    assert seen == {"a", "b"}


def test_every_ticket_maps_to_its_prize() -> None:
    class Ticket(random.Random):
        def __init__(self, ticket: int) -> None:
            super().__init__(0)
            self.ticket = ticket

        def randrange(self, *args: object, **kwargs: object) -> int:  # type: ignore[override]
            return self.ticket

    assert [pick_prize(WEIGHTS, Ticket(t)) for t in (0, 29, 30, 39, 40, 41, 60, 61, 99)] == [
        "five",
        "five",
        "ten",
        "ten",
        "free",
        "points",
        "points",
        "thanks",
        "thanks",
    ]


def test_a_wheel_without_weight_is_refused() -> None:
    with pytest.raises(ValueError, match="no positive weight"):
        pick_prize([], random.Random(1))


@pytest.mark.parametrize(
    ("stock", "slice_days", "day", "released"),
    [
        (7, 7, 0, 1),
        (7, 7, 1, 2),
        (7, 7, 6, 7),
        (7, 7, 30, 7),
        (10, 3, 0, 4),  # rounded up: the merchant's stock is fully out by the last day
        (10, 3, 1, 7),
        (10, 3, 2, 10),
        (5, 1, 0, 5),
        (5, 7, -1, 0),
        (0, 7, 3, 0),
    ],
)
def test_stock_is_released_in_daily_slices(stock: int, slice_days: int, day: int, released: int) -> None:
    assert released_stock(stock=stock, slice_days=slice_days, day_index=day) == released
