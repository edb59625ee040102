"""The lucky wheel's odds and daily stock slices, pure Python (no Django), so they are tested alone.

The draw service passes a ``secrets.SystemRandom`` (the operating system's cryptographic
source); tests pass ``random.Random(seed)`` to check the odds over many draws.
"""

from __future__ import annotations

import math
import random
from collections.abc import Hashable, Sequence
from typing import TypeVar

Key = TypeVar("Key", bound=Hashable)


def pick_prize(weights: Sequence[tuple[Key, int]], rng: random.Random) -> Key:
    """One key, chosen with probability weight ÷ total weight (weights are positive integers).

    ``rng.randrange(total)`` is uniform over the integers, so no float rounding bends the odds.
    """
    total = sum(weight for _key, weight in weights)
    if total <= 0:
        raise ValueError("the wheel has no positive weight")
    ticket = rng.randrange(total)
    for key, weight in weights:
        if ticket < weight:
            return key
        ticket -= weight
    raise AssertionError("unreachable: the ticket is below the total")  # pragma: no cover


def released_stock(*, stock: int, slice_days: int, day_index: int) -> int:
    """How much of ``stock`` may have been given out by the end of day ``day_index`` (0 = the
    wheel's first shop day): equal daily slices, rounded up, what a day leaves rolls over."""
    if day_index < 0:
        return 0
    if slice_days <= 1 or day_index >= slice_days - 1:
        return stock
    return min(stock, math.ceil(stock * (day_index + 1) / slice_days))
