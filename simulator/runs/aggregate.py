"""Statistics across replications and between variants.

Per variant: mean with a Student-t confidence interval, and P5/P50/P95 of the replication
values. Between a variant and the baseline: the *paired* difference (same replication index,
hence the same random numbers), its confidence interval, and P(better). Replications where a
metric is undefined (NaN, e.g. a median cycle time with no wins) are left out of that metric only.

P(better) is the probability that the variant's true mean is better than the baseline's (the
mean difference is on the better side of 0), given these replications: the Student-t
distribution of the mean difference that the confidence interval is cut from (the posterior
under a flat prior). It cannot contradict the interval: a 95% interval wholly on the better side
of 0 means P(better) > 97.5%, wholly on the worse side P(better) < 2.5%. It is *not* the share of
replications in which the variant did better (which, for counts where many replications tie or
differ by one, stays near 50% even when the mean difference is certain).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from scipy import stats

from simulator.metrics.controls import CHOICE, controls_for, stored

CONFIDENCE = 0.95


@dataclass(frozen=True)
class Estimate:
    mean: float
    low: float
    high: float
    p5: float
    p50: float
    p95: float
    n: int


P_BETTER_DEFINITION = (
    "P(better): the probability that the variant's true mean is better than the baseline's, "
    "from the same t distribution as the 95% interval (above 97.5% exactly when the interval "
    "lies wholly on the better side of 0; not the share of replications it won)"
)


@dataclass(frozen=True)
class Difference:
    """Variant minus baseline (paired by replication, or Welch for unpaired runs)."""

    mean: float
    low: float
    high: float
    p_better: float
    n: int
    variance_reduction: float = math.nan  # by the control variates: plain paired var / this var


MIN_RESIDUAL_DF = 10
"""Fewest degrees of freedom a regression on the controls must leave, else the plain paired
difference is given (a few replications cannot estimate the controls' weights)."""


def variant_values(summary: pa.Table, variant: str, metric: str) -> np.ndarray:
    """One metric's values for one variant, ordered by replication (missing values as NaN)."""
    rows = summary.select(["variant", "replication", metric])
    rows = rows.filter(pc.equal(rows.column("variant"), variant))
    order = np.argsort(rows.column("replication").to_numpy(), kind="stable")
    return rows.column(metric).to_numpy(zero_copy_only=False).astype(float)[order]


def mean_interval(values: np.ndarray, confidence: float = CONFIDENCE) -> tuple[float, float, float]:
    """Mean and its two-sided Student-t confidence interval (NaN bounds for fewer than 2)."""
    values = values[np.isfinite(values)]
    n = values.size
    if n == 0:
        return math.nan, math.nan, math.nan
    mean = float(values.mean())
    if n < 2:
        return mean, math.nan, math.nan
    half = float(stats.t.ppf(0.5 + confidence / 2, n - 1) * values.std(ddof=1) / math.sqrt(n))
    return mean, mean - half, mean + half


def estimate(values: np.ndarray) -> Estimate:
    values = np.asarray(values, dtype=float)
    finite = values[np.isfinite(values)]
    mean, low, high = mean_interval(finite)
    if finite.size and finite.min() >= 0 and low < 0:
        low = 0.0  # a metric that is never negative (a count, a sum) has no mean below 0
    if finite.size:
        p5, p50, p95 = (float(q) for q in np.percentile(finite, [5, 50, 95]))
    else:
        p5 = p50 = p95 = math.nan
    return Estimate(mean, low, high, p5, p50, p95, int(finite.size))


def probability_better(mean: float, se: float, df: float, lower_is_better: bool) -> float:
    """P(true mean difference on the better side of 0) under the t distribution with centre
    ``mean``, scale ``se`` and ``df`` degrees of freedom (see the module's docstring)."""
    if not (math.isfinite(mean) and math.isfinite(se) and df > 0):
        return math.nan
    if se == 0:
        higher = 1.0 if mean > 0 else 0.0 if mean < 0 else 0.5
    else:
        higher = float(stats.t.cdf(mean / se, df))
    return 1.0 - higher if lower_is_better else higher


def paired_difference(
    variant: np.ndarray, baseline: np.ndarray, lower_is_better: bool = False
) -> Difference:
    diff = np.asarray(variant, dtype=float) - np.asarray(baseline, dtype=float)
    diff = diff[np.isfinite(diff)]
    mean, low, high = mean_interval(diff)
    if diff.size < 2:
        return Difference(mean, low, high, math.nan, int(diff.size))
    se = float(diff.std(ddof=1)) / math.sqrt(diff.size)
    p_better = probability_better(mean, se, diff.size - 1, lower_is_better)
    return Difference(mean, low, high, p_better, int(diff.size))


def paired_controls(
    variant: dict[str, np.ndarray], baseline: dict[str, np.ndarray], names: tuple[str, ...]
) -> np.ndarray:
    """The controls of a paired difference, replications x controls, from each arm's columns:
    the choices' luck as the variant's less the baseline's (the part the pairing left), the
    roadmap's of both arms (``controlled_difference`` keeps one where they are the same)."""
    columns = []
    for name in names:
        if name.startswith(CHOICE):
            columns.append(variant[name] - baseline[name])
        else:
            columns += [variant[name], baseline[name]]
    return np.column_stack(columns) if columns else np.zeros((0, 0))


def controlled_difference(
    difference: np.ndarray, controls: np.ndarray, lower_is_better: bool = False
) -> Difference:
    """A paired difference with control variates: the intercept of its least-squares
    regression on controls whose mean is known to be zero (``metrics.controls``), with the
    interval of a regression coefficient (Student t on the residuals' degrees of freedom; the
    weights are estimated from the same replications, which the lost degrees of freedom pay
    for). A control that never moved, one another control repeats, or one some replication
    lacks (a run stored before controls were), is left out; with too few replications for the
    rest, the plain paired difference."""
    y = np.asarray(difference, dtype=float)
    x = np.asarray(controls, dtype=float).reshape(y.size, -1)
    finite = np.isfinite(y)
    y, x = y[finite], x[finite]
    x = x[:, np.isfinite(x).all(axis=0)]  # a control some replication lacks (an older run)
    plain = paired_difference(y, np.zeros(y.size), lower_is_better)
    if y.size < MIN_RESIDUAL_DF:
        return plain
    moving = [j for j in range(x.shape[1]) if np.ptp(x[:, j]) > 0]
    kept: list[int] = []
    for j in moving:
        if not any(np.array_equal(x[:, j], x[:, k]) for k in kept):
            kept.append(j)
    design = np.column_stack([np.ones(y.size), x[:, kept]])
    rank = int(np.linalg.matrix_rank(design))
    if not kept or y.size - rank < MIN_RESIDUAL_DF:
        return plain
    coefficients, *_ = np.linalg.lstsq(design, y, rcond=None)
    residuals = y - design @ coefficients
    df = y.size - rank
    variance = float(residuals @ residuals) / df * float(np.linalg.pinv(design.T @ design)[0, 0])
    mean, se = float(coefficients[0]), math.sqrt(max(variance, 0.0))
    half = float(stats.t.ppf(0.5 + CONFIDENCE / 2, df)) * se
    plain_variance = float(y.var(ddof=1)) / y.size
    factor = plain_variance / variance if variance > 0 else math.inf
    return Difference(
        mean,
        mean - half,
        mean + half,
        probability_better(mean, se, df, lower_is_better),
        int(y.size),
        factor,
    )


def difference_with_controls(
    values: np.ndarray,
    base: np.ndarray,
    luck: tuple[dict[str, np.ndarray], dict[str, np.ndarray]],
    used: tuple[str, ...],
    lower_is_better: bool = False,
) -> Difference:
    """Variant minus baseline, paired by replication, regressed on the controls ``used`` (from
    ``luck``: each arm's control columns), or the plain paired difference when none are."""
    if not used:
        return paired_difference(values, base, lower_is_better)
    x = paired_controls(luck[0], luck[1], used)
    return controlled_difference(values - base, x, lower_is_better)


def summary_difference(
    summary: pa.Table, variant: str, baseline: str, metric: str, lower_is_better: bool = False
) -> Difference:
    """Variant minus baseline on a summary metric, paired by replication, with the control
    variates the table carries (``luck_*`` columns: ``metrics.controls``), else plain."""
    luck = stored(summary.column_names)
    used = controls_for(metric, luck) if luck else ()
    arms = tuple({c: variant_values(summary, arm, c) for c in used} for arm in (variant, baseline))
    return difference_with_controls(
        variant_values(summary, variant, metric),
        variant_values(summary, baseline, metric),
        (arms[0], arms[1]),
        used,
        lower_is_better,
    )


def welch_difference(
    variant: np.ndarray, baseline: np.ndarray, lower_is_better: bool = False
) -> Difference:
    """Difference of means of independent samples (Welch), for runs that do not share seeds;
    ``p_better`` from the same Welch t distribution as the interval."""
    a = np.asarray(variant, dtype=float)
    b = np.asarray(baseline, dtype=float)
    a, b = a[np.isfinite(a)], b[np.isfinite(b)]
    if a.size < 2 or b.size < 2:
        mean = float(a.mean() - b.mean()) if a.size and b.size else math.nan
        return Difference(mean, math.nan, math.nan, math.nan, int(min(a.size, b.size)))
    va, vb = a.var(ddof=1) / a.size, b.var(ddof=1) / b.size
    mean = float(a.mean() - b.mean())
    se = math.sqrt(va + vb)
    if se == 0:
        low = high = mean
        df = float(a.size + b.size - 2)
    else:
        df = (va + vb) ** 2 / (va**2 / (a.size - 1) + vb**2 / (b.size - 1))
        half = float(stats.t.ppf(0.5 + CONFIDENCE / 2, df)) * se
        low, high = mean - half, mean + half
    p_better = probability_better(mean, se, df, lower_is_better)
    return Difference(mean, low, high, p_better, int(min(a.size, b.size)))


@dataclass(frozen=True)
class MetricComparison:
    metric: str
    lower_is_better: bool
    estimates: dict[str, Estimate]
    differences: dict[str, Difference]  # non-baseline variant -> difference vs baseline


def compare(
    summary: pa.Table, metrics: list[str], lower_is_better: frozenset[str]
) -> list[MetricComparison]:
    """Every metric's estimate per variant and paired difference against the first variant."""
    variants = list(dict.fromkeys(summary.column("variant").to_pylist()))
    baseline = variants[0]
    by_variant = {
        name: summary.filter(pc.equal(summary.column("variant"), name)).sort_by("replication")
        for name in variants
    }
    _check_paired(by_variant, baseline)
    luck = stored(summary.column_names)

    def column(name: str, metric: str) -> np.ndarray:
        return by_variant[name].column(metric).to_numpy(zero_copy_only=False).astype(float)

    lucks = {name: {c: column(name, c) for c in luck} for name in variants}
    comparisons = []
    for metric in metrics:
        columns = {name: column(name, metric) for name in variants}
        lower = metric in lower_is_better
        used = controls_for(metric, luck) if luck else ()
        differences = {
            name: difference_with_controls(
                columns[name], columns[baseline], (lucks[name], lucks[baseline]), used, lower
            )
            for name in variants[1:]
        }
        comparisons.append(
            MetricComparison(
                metric,
                lower,
                {name: estimate(values) for name, values in columns.items()},
                differences,
            )
        )
    return comparisons


def _check_paired(by_variant: dict[str, pa.Table], baseline: str) -> None:
    reference = by_variant[baseline].column("replication").to_pylist()
    for name, rows in by_variant.items():
        if rows.column("replication").to_pylist() != reference:
            raise ValueError(f"variant {name!r} does not have the baseline's replications")
