"""The statistics of a forecast: quantiles over replications, how precise they are, and the
probability of reaching a target.

Quantiles are ``numpy.percentile`` (linear interpolation) over the replications. Their Monte
Carlo error is a distribution-free order-statistic interval: the ``q`` quantile lies between the
``l``-th and ``u``-th smallest of ``n`` values with probability ``P(l <= B < u)``, ``B`` binomial
(``n``, ``q``), whatever the distribution; ``l`` and ``u`` are the binomial's 2.5% and 97.5%
points, so the interval covers at least 95%. The probability of a target is the share of
replications reaching it, with its 95% Wilson interval.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import stats

from simulator.decide.goal import CONFIDENCE, share_interval

QUANTILES = (10, 50, 90)
"""The percentiles a forecast reports: P10, P50, P90."""


@dataclass(frozen=True)
class Band:
    """P10, P50 and P90 of a quantity over replications, with the 95% interval of each."""

    p10: float
    p50: float
    p90: float
    intervals: tuple[tuple[float, float], ...]  # one per QUANTILES, in order

    def to_json(self, prefix: str = "", intervals: tuple[int, ...] = (50,)) -> dict:
        row = {f"{prefix}p10": self.p10, f"{prefix}p50": self.p50, f"{prefix}p90": self.p90}
        for q, interval in zip(QUANTILES, self.intervals, strict=True):
            if q in intervals:
                row[f"{prefix}p{q}_interval"] = list(interval)
        return row


def quantile_interval(values: np.ndarray, percent: float) -> tuple[float, float]:
    """A distribution-free interval (at least 95%) for the ``percent`` percentile of the
    distribution ``values`` were drawn from (see the module docstring)."""
    ordered = np.sort(np.asarray(values, float))
    n = ordered.size
    q = percent / 100
    alpha = 1 - CONFIDENCE
    low = int(stats.binom.ppf(alpha / 2, n, q))  # P(B < low) <= alpha / 2
    high = int(stats.binom.ppf(1 - alpha / 2, n, q)) + 1  # P(B >= high) <= alpha / 2
    return float(ordered[max(low, 1) - 1]), float(ordered[min(high, n) - 1])


def band(values: np.ndarray) -> Band:
    """P10 / P50 / P90 of ``values`` (one per replication) and their intervals."""
    values = np.asarray(values, float)
    p10, p50, p90 = (float(v) for v in np.percentile(values, QUANTILES))
    intervals = tuple(quantile_interval(values, q) for q in QUANTILES)
    return Band(p10, p50, p90, intervals)


@dataclass(frozen=True)
class Chance:
    """The share of replications reaching a target, with its 95% Wilson interval."""

    reached: int
    n: int
    low: float
    high: float

    @property
    def probability(self) -> float:
        return self.reached / self.n


def chance(values: np.ndarray, target: float) -> Chance:
    """How often ``values`` (one per replication) reach ``target`` (``>=``)."""
    reached = int(np.count_nonzero(np.asarray(values) >= target))
    low, high = share_interval(reached, len(values))
    return Chance(reached, len(values), low, high)
