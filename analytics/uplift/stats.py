"""Treated vs holdout: differences, relative lift and CUPED, with 95% intervals (B03).

Pure Python (no numpy on this box, no Django) so the simulation tests run thousands of
campaigns quickly and the maths can be read in one place:

- difference of means with Welch's t interval (unequal variances, Welch–Satterthwaite df);
- relative lift ``mean_t / mean_h - 1`` with a delta-method interval (t quantile, Welch df);
- CUPED: each shopper's outcome minus ``theta * (pre - mean(pre))``, ``theta`` the pooled
  regression slope of outcome on pre-period spend, which keeps the means and removes the part
  of the variance that the pre-period already explains;
- incremental GMV (per-shopper difference × treated shoppers) and incremental ROI
  (incremental GMV ÷ cost), whose intervals scale the difference's.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from statistics import NormalDist

LEVEL = 0.95


@dataclass(frozen=True)
class Estimate:
    """A point estimate with its two-sided interval; "significant" when it excludes zero."""

    value: float
    low: float
    high: float

    @property
    def significant(self) -> bool:
        return self.low > 0 or self.high < 0

    @property
    def width(self) -> float:
        return self.high - self.low

    def covers(self, truth: float) -> bool:
        return self.low <= truth <= self.high

    def scaled(self, factor: float) -> Estimate:
        ends = sorted((self.low * factor, self.high * factor))
        return Estimate(self.value * factor, ends[0], ends[1])


@dataclass(frozen=True)
class Shopper:
    """One shopper of a campaign's snapshot: did they buy in the window, net spend, spend before."""

    converted: bool
    gmv: float  # fen, in the window
    pre: float  # fen, in the pre-period (CUPED covariate)


def mean_and_variance(values: Sequence[float]) -> tuple[int, float, float]:
    """n, mean and the unbiased sample variance (0 for fewer than two values)."""
    n = len(values)
    if n == 0:
        return 0, 0.0, 0.0
    mean = math.fsum(values) / n
    if n < 2:
        return n, mean, 0.0
    return n, mean, math.fsum((v - mean) ** 2 for v in values) / (n - 1)


def t_quantile(p: float, df: float) -> float:
    """Student's t quantile by the Cornish–Fisher expansion (Abramowitz & Stegun 26.7.5).

    Within 0.1% of the exact value for df ≥ 5 at p = 0.975, which is all a report needs; very
    large df fall back to the normal quantile.
    """
    z = NormalDist().inv_cdf(p)
    if not math.isfinite(df) or df > 1e7:
        return z
    df = max(df, 1.0)
    z2 = z * z
    g1 = (z2 + 1) * z / 4
    g2 = ((5 * z2 + 16) * z2 + 3) * z / 96
    g3 = (((3 * z2 + 19) * z2 + 17) * z2 - 15) * z / 384
    g4 = ((((79 * z2 + 776) * z2 + 1482) * z2 - 1920) * z2 - 945) * z / 92160
    return z + g1 / df + g2 / df**2 + g3 / df**3 + g4 / df**4


def welch_df(a: float, b: float, n_t: int, n_h: int) -> float:
    """Welch–Satterthwaite degrees of freedom from the groups' squared standard errors."""
    denominator = (a * a / (n_t - 1) if a else 0.0) + (b * b / (n_h - 1) if b else 0.0)
    return (a + b) ** 2 / denominator if denominator else math.inf


def welch_difference(treated: Sequence[float], holdout: Sequence[float], level: float = LEVEL) -> Estimate:
    """mean(treated) − mean(holdout) with Welch's t interval."""
    n_t, m_t, v_t = mean_and_variance(treated)
    n_h, m_h, v_h = mean_and_variance(holdout)
    if n_t < 2 or n_h < 2:
        raise ValueError("each group needs at least two shoppers")
    a, b = v_t / n_t, v_h / n_h
    se = math.sqrt(a + b)
    diff = m_t - m_h
    if se == 0:
        return Estimate(diff, diff, diff)
    half = t_quantile(0.5 + level / 2, welch_df(a, b, n_t, n_h)) * se
    return Estimate(diff, diff - half, diff + half)


def relative_lift(treated: Sequence[float], holdout: Sequence[float], level: float = LEVEL) -> Estimate | None:
    """mean(treated) / mean(holdout) − 1 with a delta-method interval; None when the holdout
    mean is zero (no baseline to be relative to)."""
    n_t, m_t, v_t = mean_and_variance(treated)
    n_h, m_h, v_h = mean_and_variance(holdout)
    if n_t < 2 or n_h < 2 or m_h <= 0:
        return None
    ratio = m_t / m_h
    variance = v_t / (n_t * m_h**2) + (m_t**2) * v_h / (n_h * m_h**4)
    # Student's t with Welch's df rather than the normal quantile: the same small-sample
    # caution as the difference (identical for large groups).
    half = t_quantile(0.5 + level / 2, welch_df(v_t / n_t, v_h / n_h, n_t, n_h)) * math.sqrt(variance)
    return Estimate(ratio - 1, ratio - 1 - half, ratio - 1 + half)


def cuped_theta(outcomes: Sequence[float], covariate: Sequence[float]) -> float:
    """Slope cov(Y, X) / var(X) over both groups together (0 when X does not vary)."""
    n, mean_x, var_x = mean_and_variance(covariate)
    if n < 2 or var_x == 0:
        return 0.0
    mean_y = math.fsum(outcomes) / n
    cov = math.fsum((x - mean_x) * (y - mean_y) for x, y in zip(covariate, outcomes, strict=True)) / (n - 1)
    return cov / var_x


def cuped_adjust(treated: Sequence[Shopper], holdout: Sequence[Shopper]) -> tuple[list[float], list[float], float]:
    """Each group's GMV adjusted by the pre-period spend, and theta."""
    everyone = [*treated, *holdout]
    theta = cuped_theta([s.gmv for s in everyone], [s.pre for s in everyone])
    mean_pre = math.fsum(s.pre for s in everyone) / len(everyone) if everyone else 0.0
    adjust = [s.gmv - theta * (s.pre - mean_pre) for s in everyone]
    return adjust[: len(treated)], adjust[len(treated) :], theta


@dataclass(frozen=True)
class UpliftResult:
    """Everything the report says about one campaign's treated vs holdout."""

    treated: int
    holdout: int
    conversion_treated: float
    conversion_holdout: float
    gmv_treated: float  # fen per shopper
    gmv_holdout: float
    conversion_diff: Estimate  # share points (0.03 = 3 points)
    conversion_lift: Estimate | None
    gmv_diff_raw: Estimate  # fen per shopper, no CUPED
    gmv_diff: Estimate  # fen per shopper, CUPED
    gmv_lift: Estimate | None  # relative, CUPED
    incremental_gmv: Estimate  # fen, over all treated shoppers
    cost: int  # fen
    roi: Estimate | None  # incremental GMV ÷ cost; None without cost
    theta: float
    variance_reduction: float  # 1 − var(adjusted) / var(raw), 0..1

    @property
    def significant(self) -> bool:
        return self.gmv_diff.significant


MIN_GROUP = 2


def uplift_analyse(*, treated: Sequence[Shopper], holdout: Sequence[Shopper], cost: int) -> UpliftResult | None:
    """The whole comparison, or None when a group has fewer than two shoppers."""
    if len(treated) < MIN_GROUP or len(holdout) < MIN_GROUP:
        return None
    conv_t = [1.0 if s.converted else 0.0 for s in treated]
    conv_h = [1.0 if s.converted else 0.0 for s in holdout]
    gmv_t = [s.gmv for s in treated]
    gmv_h = [s.gmv for s in holdout]
    adj_t, adj_h, theta = cuped_adjust(treated, holdout)
    raw = welch_difference(gmv_t, gmv_h)
    adjusted = welch_difference(adj_t, adj_h)
    var_raw = mean_and_variance([*gmv_t, *gmv_h])[2]
    var_adj = mean_and_variance([*adj_t, *adj_h])[2]
    incremental = adjusted.scaled(len(treated))
    return UpliftResult(
        treated=len(treated),
        holdout=len(holdout),
        conversion_treated=math.fsum(conv_t) / len(conv_t),
        conversion_holdout=math.fsum(conv_h) / len(conv_h),
        gmv_treated=math.fsum(gmv_t) / len(gmv_t),
        gmv_holdout=math.fsum(gmv_h) / len(gmv_h),
        conversion_diff=welch_difference(conv_t, conv_h),
        conversion_lift=relative_lift(conv_t, conv_h),
        gmv_diff_raw=raw,
        gmv_diff=adjusted,
        gmv_lift=relative_lift(adj_t, adj_h),
        incremental_gmv=incremental,
        cost=cost,
        roi=incremental.scaled(1 / cost) if cost > 0 else None,
        theta=theta,
        variance_reduction=max(0.0, 1 - var_adj / var_raw) if var_raw > 0 else 0.0,
    )
