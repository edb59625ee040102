"""Drags for captcha tests: a finger's (eased, wobbly, uneven) and a script's (straight, even)."""

from __future__ import annotations

import math
import random


def human_trail(x: float, *, seed: int = 1, duration_ms: float = 900.0) -> list[list[float]]:
    """A drag from 0 to ``x``: slow start, fast middle, slow end, a pixel or two of wobble,
    touch events about every 16 ms, a small overshoot corrected at the end."""
    rng = random.Random(seed)
    points: list[list[float]] = []
    t = 0.0
    overshoot = x + rng.uniform(1.5, 3.0)
    while t < duration_ms:
        share = t / duration_ms
        eased = (1 - math.cos(math.pi * share)) / 2
        points.append([round(overshoot * eased, 1), round(rng.uniform(-2.0, 2.0), 1), round(1000 + t, 1)])
        t += rng.uniform(12.0, 20.0)
    points.append([float(x), round(rng.uniform(-2.0, 2.0), 1), round(1000 + duration_ms + 40, 1)])
    return points


def robot_trail(x: float, *, steps: int = 30, step_ms: float = 16.0) -> list[list[float]]:
    """What a script sends: equal steps at equal intervals on one line."""
    return [[x * i / steps, 0.0, 1000 + i * step_ms] for i in range(steps + 1)]
