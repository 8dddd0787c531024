"""The best split of a fixed budget between two inputs (brand against direct spend, hunters
against sales engineers): ``a`` to the first, ``total - a`` to the second.

A grid over the feasible ``a`` finds the best region; for a continuous budget
``scipy.optimize.minimize_scalar`` (bounded) then refines between the best point's neighbours,
for a whole-number one every value there is tried. Every split runs on the same replications
(common random numbers), so the comparison of two splits is paired: the answer comes with the
splits that are not clearly worse than the best (the paired 95% interval of their difference
from the best includes 0) — the noise band of the answer.

Pure: ``evaluate(a)`` gives the metric per replication when ``a`` goes to the first input, and
``difference(a, b, lower_is_better)``, when given, the paired difference of two splits (a run's,
with its control variates: ``summary_differences.summary_difference``).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import asdict, dataclass

import numpy as np
from scipy import optimize

from simulator.runs.aggregate import Difference, mean_interval, paired_difference

GRID_POINTS = 11  # the first look: every 10% of the budget
MAX_WHOLE_GRID = 41  # whole-number budgets up to this many splits are tried in full
RELATIVE_TOLERANCE = 0.01  # a continuous split to 1% of the feasible range


@dataclass(frozen=True)
class SplitPoint:
    """One split: ``a`` to the first input, ``b`` to the second, the metric's mean with its 95%
    interval, and the share of replications meeting the target (NaN without one)."""

    a: float
    b: float
    mean: float
    low: float
    high: float
    p_target: float

    def to_json(self) -> dict:
        return {k: (None if not math.isfinite(v) else v) for k, v in asdict(self).items()}


@dataclass(frozen=True)
class Split:
    """The best split, the range of ``a`` not clearly worse than it, and every split tried."""

    total: float
    best: SplitPoint
    near_low: float
    near_high: float
    points: list[SplitPoint]
    maximise: bool

    def to_json(self) -> dict:
        return {
            "total": self.total,
            "best": self.best.to_json(),
            "value": self.best.a,
            "interval": [self.near_low, self.near_high],
            "maximise": self.maximise,
            "points": [p.to_json() for p in self.points],
        }


def grid(low: float, high: float, integer: bool, points: int = GRID_POINTS) -> list[float]:
    """The first splits to try: every whole number when there are few, else evenly spaced."""
    if integer and high - low + 1 <= MAX_WHOLE_GRID:
        return [float(a) for a in range(math.ceil(low), math.floor(high) + 1)]
    spaced = np.linspace(low, high, points)
    return sorted({float(round(a)) if integer else float(a) for a in spaced})


def best_split(
    evaluate: Callable[[float], np.ndarray],
    total: float,
    low: float,
    high: float,
    integer: bool,
    maximise: bool = True,
    met: Callable[[np.ndarray], np.ndarray] | None = None,
    tolerance: float | None = None,
    difference: Callable[[float, float, bool], Difference] | None = None,
) -> Split:
    """The split of ``total`` with the best mean metric, ``a`` in [low, high] (see the module
    docstring); ``met`` says per replication whether a target is met."""
    if not low < high:
        raise ValueError(f"no room to split: the first input can take only [{low:g}, {high:g}]")
    runs: dict[float, np.ndarray] = {}

    def values(a: float) -> np.ndarray:
        a = float(round(a)) if integer else float(a)
        if a not in runs:
            runs[a] = np.asarray(evaluate(a), dtype=float)
        return runs[a]

    def score(a: float) -> float:
        column = values(a)
        mean = float(np.nanmean(column)) if np.isfinite(column).any() else -math.inf
        return mean if maximise else -mean

    first = grid(low, high, integer)
    for a in first:
        values(a)
    at = max(range(len(first)), key=lambda i: score(first[i]))
    left, right = first[max(0, at - 1)], first[min(len(first) - 1, at + 1)]
    if integer:
        for a in range(math.ceil(left), math.floor(right) + 1):
            values(a)
    elif right > left:
        step = tolerance or RELATIVE_TOLERANCE * (high - low)
        optimize.minimize_scalar(
            lambda a: -score(a), bounds=(left, right), method="bounded", options={"xatol": step}
        )
    best_a = max(runs, key=score)
    points = [_point(a, total, runs[a], met) for a in sorted(runs)]
    best = next(p for p in points if p.a == best_a)
    if difference is None:

        def difference(a: float, b: float, lower: bool) -> Difference:
            return paired_difference(runs[a], runs[b], lower)

    near = [
        a
        for a in sorted(runs)
        if a == best_a or _not_worse(difference(a, best_a, not maximise), maximise)
    ]
    return Split(total, best, min(near), max(near), points, maximise)


def _not_worse(difference: Difference, maximise: bool) -> bool:
    """Whether the paired 95% interval of (candidate - best) reaches the better side of 0."""
    if not math.isfinite(difference.low):
        return difference.mean == 0
    return difference.high >= 0 if maximise else difference.low <= 0


def _point(
    a: float, total: float, column: np.ndarray, met: Callable[[np.ndarray], np.ndarray] | None
) -> SplitPoint:
    mean, low, high = mean_interval(column)
    share = float(np.mean(met(column))) if met is not None else math.nan
    return SplitPoint(a, total - a, mean, low, high, share)
