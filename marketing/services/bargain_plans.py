"""The cut plan of a bargain (F05), pure Python: which friend cuts how much, decided at the start.

A plan for cutting ``total`` fen (start price − floor) is a tuple of ``n`` cuts with
``helpers_min <= n <= helpers_max``, ``cut_min <= cut <= cut_max`` for every cut and
``sum(cuts) == total`` exactly. It exists exactly when some ``n`` in the helper range has
``n * cut_min <= total <= n * cut_max`` (:func:`feasible_helper_counts`); a campaign without
one is refused when the merchant saves it (the condition
``helpers_min * cut_min <= total <= helpers_max * cut_max`` is necessary, not sufficient: with
cuts of exactly 3.00 and 2–3 helpers, 7.00 cannot be cut).

Drawing (:func:`plan_draw`): ``n`` uniformly among the feasible counts, then each cut in turn
within the bounds that keep the rest feasible (``lo = max(cut_min, rest - k * cut_max)``,
``hi = min(cut_max, rest - k * cut_min)`` with ``k`` cuts still to come), drawn near the mean of
what is left so no cut is stuck at a bound; the last cut takes exactly the rest. The largest
cut goes first (a generous first help is what makes a shopper share), the others are
shuffled. The generator is seeded and the plan stored, so a bargain's cuts never change.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

PROBLEM_NOTHING_TO_CUT = "nothing_to_cut"
PROBLEM_CUT_RANGE = "cut_range"
PROBLEM_HELPER_RANGE = "helper_range"
PROBLEM_TOO_LITTLE = "too_little"  # even the fewest helpers cutting the least cut too much
PROBLEM_TOO_MUCH = "too_much"  # even the most helpers cutting the most cannot reach the floor
PROBLEM_NO_COUNT = "no_count"  # between the two, yet no helper count fits exactly


@dataclass(frozen=True, kw_only=True)
class PlanConfig:
    """What a plan must satisfy; every amount in fen."""

    total: int
    helpers_min: int
    helpers_max: int
    cut_min: int
    cut_max: int


def feasible_helper_counts(config: PlanConfig) -> list[int]:
    """Every helper count in range for which some plan sums exactly to ``total``."""
    c = config
    if c.total <= 0 or c.cut_min < 1 or c.cut_max < c.cut_min or c.helpers_min < 1 or c.helpers_max < c.helpers_min:
        return []
    return [n for n in range(c.helpers_min, c.helpers_max + 1) if n * c.cut_min <= c.total <= n * c.cut_max]


def plan_problem(config: PlanConfig) -> str | None:
    """Why no plan exists for ``config`` (one of the ``PROBLEM_*`` codes), or None."""
    c = config
    if c.total <= 0:
        return PROBLEM_NOTHING_TO_CUT
    if c.cut_min < 1 or c.cut_max < c.cut_min:
        return PROBLEM_CUT_RANGE
    if c.helpers_min < 1 or c.helpers_max < c.helpers_min:
        return PROBLEM_HELPER_RANGE
    if c.helpers_min * c.cut_min > c.total:
        return PROBLEM_TOO_LITTLE
    if c.helpers_max * c.cut_max < c.total:
        return PROBLEM_TOO_MUCH
    if not feasible_helper_counts(c):
        return PROBLEM_NO_COUNT
    return None


def plan_draw(config: PlanConfig, rng: random.Random) -> tuple[int, ...]:
    """A plan for ``config`` drawn with ``rng``; ``ValueError`` when none exists."""
    counts = feasible_helper_counts(config)
    if not counts:
        raise ValueError(plan_problem(config) or PROBLEM_NO_COUNT)
    n = rng.choice(counts)
    lo_cut, hi_cut = config.cut_min, config.cut_max
    rest = config.total
    cuts: list[int] = []
    for i in range(n):
        k = n - i - 1  # cuts still to come after this one
        lo = max(lo_cut, rest - k * hi_cut)
        hi = min(hi_cut, rest - k * lo_cut)
        if k == 0:
            cut = rest  # lo == hi == rest by the invariant below
        else:
            mean = rest / (k + 1)
            mode = min(max(mean, lo), hi)
            cut = round(rng.triangular(lo, hi, mode)) if hi > lo else lo
            cut = min(max(cut, lo), hi)
        # Invariant: k * cut_min <= rest - cut <= k * cut_max, so the rest stays cuttable.
        cuts.append(cut)
        rest -= cut
    first = max(range(n), key=lambda j: cuts[j])
    head = cuts.pop(first)
    rng.shuffle(cuts)
    return (head, *cuts)


def plan_for_seed(config: PlanConfig, seed: str) -> tuple[int, ...]:
    """The plan a stored seed gives (the same seed always gives the same plan)."""
    return plan_draw(config, random.Random(seed))  # noqa: S311 - a game's dice, not a secret
