"""Synthetic shops with a known true uplift, to show the report's intervals are honest (B03).

Each shopper has a spending level ``v`` (log-normal, like real baskets) and a buying habit
``p`` (uniform on 0 … 2 × ``base_buy``, so its mean is ``base_buy``). Before the campaign they
bought with probability ``p`` and spent ``v`` times a noise factor; in the window they buy with
the same ``p`` and spend ``v`` times another noise factor, so the pre-period explains part of
the window's spend (what CUPED uses). A treated shopper also places
an extra order of ``extra_amount`` with probability ``extra_chance``. Hence, exactly:

- true GMV uplift per shopper = ``extra_chance × extra_amount``;
- true conversion uplift = E[1 − p] × ``extra_chance`` = ``(1 − base_buy) × extra_chance``;
- true relative GMV lift = GMV uplift ÷ (``base_buy`` × E[v]).
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass

from analytics.uplift.stats import Shopper


@dataclass(frozen=True)
class ShopModel:
    shoppers: int = 3000
    holdout_share: float = 0.2
    level_mu: float = 8.0  # log-fen: e^8 ≈ ¥30 median basket
    level_sigma: float = 0.6
    base_buy: float = 0.4  # mean buying habit, at most 0.5
    extra_chance: float = 0.05
    extra_amount: int = 6_000  # fen

    @property
    def true_gmv_uplift(self) -> float:
        return self.extra_chance * self.extra_amount

    @property
    def true_conversion_uplift(self) -> float:
        return (1 - self.base_buy) * self.extra_chance

    @property
    def true_relative_lift(self) -> float:
        mean_level = math.exp(self.level_mu + self.level_sigma**2 / 2)
        return self.true_gmv_uplift / (self.base_buy * mean_level)


def simulate_campaign(rng: random.Random, model: ShopModel) -> tuple[list[Shopper], list[Shopper]]:
    """One campaign's (treated, holdout) shoppers drawn from ``model``."""
    treated: list[Shopper] = []
    holdout: list[Shopper] = []
    for _ in range(model.shoppers):
        level = rng.lognormvariate(model.level_mu, model.level_sigma)
        habit = rng.uniform(0, 2 * model.base_buy)
        pre = level * rng.uniform(0.5, 1.5) if rng.random() < habit else 0.0
        bought = rng.random() < habit
        gmv = level * rng.uniform(0.5, 1.5) if bought else 0.0
        if rng.random() < model.holdout_share:
            holdout.append(Shopper(converted=bought, gmv=gmv, pre=pre))
            continue
        if rng.random() < model.extra_chance:
            gmv += model.extra_amount
            bought = True
        treated.append(Shopper(converted=bought, gmv=gmv, pre=pre))
    return treated, holdout
