"""The intervals of an observed effect, from SciPy (ADR 0034).

Concerns are counts over time: the change is the ratio of two rates, after over before, with
an exact interval (the number after, given the total, is binomial; its Clopper–Pearson
interval turned into one for the rate ratio). Survey scores are means of responses: the
change is the difference of the means, with Welch's interval.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from scipy import stats

CONFIDENCE = 0.95


@dataclass(frozen=True)
class Ratio:
    value: float | None  # None when nothing was counted before
    low: float
    high: float | None  # None when unbounded


def rate_ratio(after: int, before: int, after_days: int, before_days: int) -> Ratio | None:
    """The rate after over the rate before, with its exact 95 % interval; None when nothing
    was counted in either window (there is nothing to compare)."""
    total = after + before
    if total == 0 or after_days <= 0 or before_days <= 0:
        return None
    # Clopper–Pearson's exact interval of the share after, from the beta distribution's
    # quantiles (what `binomtest(...).proportion_ci("exact")` finds by root search, in a
    # fraction of its time: the worker makes a thousand of these an hour).
    tail = (1 - CONFIDENCE) / 2
    share_low = 0.0 if after == 0 else float(stats.beta.ppf(tail, after, total - after + 1))
    share_high = (
        1.0 if after == total else float(stats.beta.ppf(1 - tail, after + 1, total - after))
    )
    exposure = before_days / after_days

    def ratio(share: float) -> float | None:
        return None if share >= 1 else share / (1 - share) * exposure

    return Ratio(
        value=(after / after_days) / (before / before_days) if before else None,
        low=ratio(share_low) or 0.0,
        high=ratio(share_high),
    )


@dataclass(frozen=True)
class Difference:
    value: float
    low: float
    high: float


def mean_difference(after: list[float], before: list[float]) -> Difference | None:
    """The mean after minus the mean before, with Welch's 95 % interval; None with fewer
    than two values on a side or none that differ."""
    if len(after) < 2 or len(before) < 2:
        return None
    result = stats.ttest_ind(after, before, equal_var=False)
    interval = result.confidence_interval(CONFIDENCE)
    if math.isnan(interval.low) or math.isnan(interval.high):
        return None
    mean = sum(after) / len(after) - sum(before) / len(before)
    return Difference(value=mean, low=float(interval.low), high=float(interval.high))
