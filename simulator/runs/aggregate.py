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


ESTIMABLE_TOLERANCE = 1e-9
"""How far the intercept may lie from the span of the design's rows before it is taken as not
estimable (a combination of the controls constant over the replications)."""
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


def combined_controls(
    terms: tuple[tuple[float, dict[str, np.ndarray]], ...], names: tuple[str, ...]
) -> np.ndarray:
    """The controls of a linear combination of arms (coefficient, the arm's control columns),
    replications x controls: the choices' luck combined as the arms are (the part common
    random numbers left), the roadmap's of every arm on its own (``controlled_means`` keeps
    one where two arms' are the same)."""
    columns = []
    for name in names if terms else ():
        if name.startswith(CHOICE):
            columns.append(sum(c * arm[name] for c, arm in terms))
        else:
            columns += [arm[name] for _, arm in terms]
    return np.column_stack(columns) if columns else np.zeros((0, 0))


@dataclass(frozen=True)
class JointMeans:
    """Means of several paired columns with the covariance of those means and its degrees of
    freedom (plain: the sample covariance over n, n - 1; with control variates: the
    regression's)."""

    mean: np.ndarray
    covariance: np.ndarray
    df: int
    n: int


def _matrix(values: np.ndarray) -> np.ndarray:
    """Rows x columns of floats (a single column given as a vector)."""
    matrix = np.asarray(values, dtype=float)
    return matrix[:, None] if matrix.ndim == 1 else matrix


def plain_means(columns: np.ndarray) -> JointMeans:
    """The columns' means and their covariance, over the rows where every column is finite."""
    y = _matrix(columns)
    y = y[np.isfinite(y).all(axis=1)]
    n = len(y)
    covariance = (
        np.atleast_2d(np.cov(y, rowvar=False, ddof=1)) / n
        if n > 1
        else np.full((y.shape[1], y.shape[1]), np.nan)
    )
    return JointMeans(y.mean(axis=0) if n else np.full(y.shape[1], np.nan), covariance, n - 1, n)


def controlled_means(columns: np.ndarray, controls: np.ndarray) -> JointMeans | None:
    """The intercepts of the columns' least-squares regressions on controls whose mean is known
    to be zero (``metrics.controls``), with their covariance (the regression coefficients'; the
    weights are estimated from the same replications, which the lost degrees of freedom pay
    for). A control that never moved, one another control repeats, or one some replication
    lacks (a run stored before controls were), is left out; None when none is left, when too
    few replications remain for them (fewer than ``MIN_RESIDUAL_DF`` residual degrees of
    freedom), or when some combination of them is constant (the intercept then is not the
    mean). The estimate, the rank and the covariance come from one singular value
    decomposition, so a nearly repeated control is kept or dropped by all three alike."""
    y = _matrix(columns)
    x = _matrix(controls) if np.size(controls) else np.zeros((len(y), 0))
    finite = np.isfinite(y).all(axis=1)
    y, x = y[finite], x[finite]
    x = x[:, np.isfinite(x).all(axis=0)]  # a control some replication lacks (an older run)
    n = len(y)
    if n < MIN_RESIDUAL_DF:
        return None
    kept: list[int] = []
    for j in (j for j in range(x.shape[1]) if np.ptp(x[:, j]) > 0):
        if not any(np.array_equal(x[:, j], x[:, k]) for k in kept):
            kept.append(j)
    if not kept:
        return None
    design = np.column_stack([np.ones(n), x[:, kept]])
    u, singular, vt = np.linalg.svd(design, full_matrices=False)
    rank = int((singular > singular.max() * max(design.shape) * np.finfo(float).eps).sum())
    u, singular, vt = u[:, :rank], singular[:rank], vt[:rank]
    if n - rank < MIN_RESIDUAL_DF or 1.0 - float(vt[:, 0] @ vt[:, 0]) > ESTIMABLE_TOLERANCE:
        return None
    coefficients = vt.T @ ((u.T @ y) / singular[:, None])
    residuals = y - design @ coefficients
    df = n - rank
    scale = float(np.sum((vt[:, 0] / singular) ** 2))  # the intercept's entry of (X'X)^+
    covariance = residuals.T @ residuals / df * scale
    return JointMeans(coefficients[0], np.atleast_2d(covariance), df, n)


def controlled_difference(
    difference: np.ndarray, controls: np.ndarray, lower_is_better: bool = False
) -> Difference:
    """A paired difference with control variates (``controlled_means``), with the interval of
    a regression coefficient (Student t on the residuals' degrees of freedom); with too few
    replications or no control that moved, the plain paired difference."""
    y = np.asarray(difference, dtype=float)
    means = controlled_means(y, controls)
    if means is None:
        return paired_difference(y, np.zeros(y.size), lower_is_better)
    y = y[np.isfinite(y)]
    variance = float(means.covariance[0, 0])
    mean, se = float(means.mean[0]), math.sqrt(max(variance, 0.0))
    half = float(stats.t.ppf(0.5 + CONFIDENCE / 2, means.df)) * se
    plain_variance = float(y.var(ddof=1)) / y.size
    factor = plain_variance / variance if variance > 0 else math.inf
    return Difference(
        mean,
        mean - half,
        mean + half,
        probability_better(mean, se, means.df, lower_is_better),
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
    x = combined_controls(((1.0, luck[0]), (-1.0, luck[1])), used)
    return controlled_difference(values - base, x, lower_is_better)


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
