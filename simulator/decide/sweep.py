"""A sweep's statistics: per value of the swept input and per metric, the mean with its 95%
interval, the spread of replications (P10, P50, P90), and the paired difference from the first
value (common random numbers: the same markets at every value).

Pure: the values of a metric at a setting come from a callable, and so may the paired
difference (a run's, with its control variates: ``summary_differences.summary_difference``), so the
statistics are tested without a simulation.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass

import numpy as np
import pyarrow as pa

from simulator.metrics.catalog import summary_metric
from simulator.runs.aggregate import Difference, estimate, paired_difference

BAND = (10, 50, 90)
"""Percentiles of the replications drawn as a sweep's outer band and its median."""


@dataclass(frozen=True)
class SweepPoint:
    """One metric at one value of the swept input."""

    value: float
    metric: str
    mean: float
    low: float  # 95% confidence interval of the mean
    high: float
    p10: float  # spread of the replications
    p50: float
    p90: float
    n: int
    difference: Difference  # paired: this value minus the first value

    def to_json(self) -> dict:
        row = asdict(self)
        row["difference"] = asdict(self.difference)
        return row


def sweep_points(
    values: Sequence[float],
    metric_values: Callable[[float, str], np.ndarray],
    metrics: Sequence[str],
    difference: Callable[[float, float, str, bool], Difference] | None = None,
) -> list[SweepPoint]:
    """Every metric at every value, in the order given (metric by metric); ``difference``
    (value, first value, metric, lower is better) gives the paired difference, by default
    the plain one of the two values' replications."""
    points = []
    for metric in metrics:
        lower = summary_metric(metric).lower_is_better
        first = np.asarray(metric_values(values[0], metric), dtype=float)
        for value in values:
            column = np.asarray(metric_values(value, metric), dtype=float)
            summary = estimate(column)
            finite = column[np.isfinite(column)]
            band = np.percentile(finite, BAND) if finite.size else [np.nan] * len(BAND)
            points.append(
                SweepPoint(
                    float(value),
                    metric,
                    summary.mean,
                    summary.low,
                    summary.high,
                    *(float(b) for b in band),
                    summary.n,
                    paired_difference(column, first, lower)
                    if difference is None
                    else difference(value, values[0], metric, lower),
                )
            )
    return points


def sweep_table(path: str, points: Sequence[SweepPoint]) -> pa.Table:
    """The sweep as a flat table (``sweep.parquet``): one row per metric and value."""
    rows = [point.to_json() for point in points]
    columns: dict[str, list] = {"input": [path] * len(rows)}
    for key in ("value", "metric", "mean", "low", "high", "p10", "p50", "p90", "n"):
        columns[key] = [row[key] for row in rows]
    for key in ("mean", "low", "high", "p_better"):
        columns[f"difference_{key}"] = [row["difference"][key] for row in rows]
    return pa.table(columns)
