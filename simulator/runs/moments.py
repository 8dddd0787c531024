"""Running statistics: means, variances and paired differences folded in one batch at a time.

A long or precision-driven run never holds every replication: each finished batch updates the
count, mean and sum of squared deviations of every metric (merged with Chan et al.'s pairwise
formula, NaN values skipped per metric), for each variant and for each variant's paired
difference from the baseline. Batches are folded in replication order, so the figures, and a
stopping decision taken on them, do not depend on which worker finished first.
"""

from __future__ import annotations

import math

import numpy as np
from scipy import stats

from simulator.metrics.controls import controls_for
from simulator.runs.aggregate import CONFIDENCE, difference_with_controls


class Moments:
    """Count, mean and sum of squared deviations of each column of a stream of rows."""

    def __init__(self, columns: int) -> None:
        self.n = np.zeros(columns)
        self.mean = np.zeros(columns)
        self.m2 = np.zeros(columns)

    def add(self, rows: np.ndarray) -> None:
        """Fold in a (rows x columns) batch; NaN entries are left out of their column."""
        finite = np.isfinite(rows)
        n_batch = finite.sum(axis=0).astype(float)
        values = np.where(finite, rows, 0.0)
        with np.errstate(invalid="ignore", divide="ignore"):
            mean_batch = np.where(n_batch > 0, values.sum(axis=0) / n_batch, 0.0)
            m2_batch = (np.where(finite, rows - mean_batch, 0.0) ** 2).sum(axis=0)
            total = self.n + n_batch
            delta = mean_batch - self.mean
            share = np.where(total > 0, n_batch / total, 0.0)
            self.mean = self.mean + delta * share
            self.m2 = self.m2 + m2_batch + delta**2 * self.n * share
        self.n = total

    def variance(self) -> np.ndarray:
        """Sample variance (ddof 1); NaN where a column has fewer than two values."""
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(self.n > 1, self.m2 / (self.n - 1), np.nan)

    def half_width(self, confidence: float = CONFIDENCE) -> np.ndarray:
        """Half-width of the Student-t confidence interval of each column's mean."""
        n = np.maximum(self.n, 2)
        t = stats.t.ppf(0.5 + confidence / 2, n - 1)
        return np.where(self.n > 1, t * np.sqrt(self.variance() / n), np.nan)


class RunningComparison:
    """Per-variant moments and paired differences (variant minus the first variant) of every
    metric; and, for one ``metric`` (a precision run's), each replication's value and controls
    (``controls``: the columns after the metrics in each row), so that its differences'
    intervals can use the control variates (``aggregate.controlled_difference``)."""

    def __init__(
        self,
        variants: int,
        metrics: list[str],
        controls: tuple[str, ...] = (),
        metric: str | None = None,
    ) -> None:
        self.metrics = list(metrics)
        self.values = [Moments(len(metrics)) for _ in range(variants)]
        self.differences = [Moments(len(metrics)) for _ in range(variants)]
        self.replications = 0
        self.metric = metric
        self._used = controls_for(metric, controls) if metric and controls else ()
        columns = (*self.metrics, *controls)
        self._kept = [columns.index(c) for c in (metric, *self._used)] if self._used else []
        self._rows: list[list[np.ndarray]] = [[] for _ in range(variants)]

    def add(self, block: list[np.ndarray]) -> None:
        """Fold in one block: for each variant, the same replications (rows) x metrics (then
        the controls)."""
        metrics = len(self.metrics)
        baseline = block[0][:, :metrics]
        for variant, rows in enumerate(block):
            self.values[variant].add(rows[:, :metrics])
            if variant:
                self.differences[variant].add(rows[:, :metrics] - baseline)
            if self._kept:
                self._rows[variant].append(rows[:, self._kept])
        self.replications += baseline.shape[0]

    def _controlled(self) -> list[tuple[float, float]]:
        """(half-width, variance reduction) of each comparison on the kept metric with the
        control variates."""
        arms = [np.concatenate(rows) for rows in self._rows]
        base = {name: arms[0][:, 1 + i] for i, name in enumerate(self._used)}
        out = []
        for arm in arms[1:]:
            mine = {name: arm[:, 1 + i] for i, name in enumerate(self._used)}
            d = difference_with_controls(arm[:, 0], arms[0][:, 0], (mine, base), self._used)
            out.append(((d.high - d.low) / 2, d.variance_reduction))
        return out

    def relative_half_width(self, metric: str) -> list[float]:
        """Each comparison's 95% half-width as a share of the baseline mean: the paired
        difference's (with the control variates, on the kept metric) for every other variant,
        the mean's own when there is only one variant."""
        column = self.metrics.index(metric)
        scale = abs(self.values[0].mean[column])
        if self._kept and metric == self.metric and len(self.values) > 1:
            widths = [width for width, _ in self._controlled()]
        else:
            sources = self.differences[1:] or self.values[:1]
            widths = [float(m.half_width()[column]) for m in sources]
        return [float(w / scale) if scale > 0 else math.inf for w in widths]

    def variance_reduction(self, metric: str) -> list[float]:
        """How many times more replications independent sampling would need for the paired
        difference's precision: (var(variant) + var(baseline)) / var(variant - baseline)."""
        column = self.metrics.index(metric)
        baseline = self.values[0].variance()[column]
        factors = []
        for values, difference in zip(self.values[1:], self.differences[1:], strict=True):
            paired = difference.variance()[column]
            independent = values.variance()[column] + baseline
            factors.append(float(independent / paired) if paired > 0 else math.inf)
        return factors

    def control_reduction(self) -> list[float]:
        """How many times more paired replications the kept metric's differences would need
        without the control variates (NaN per comparison when there are none)."""
        if not (self._kept and len(self.values) > 1 and self.replications):
            return [math.nan] * (len(self.values) - 1)
        return [factor for _, factor in self._controlled()]
