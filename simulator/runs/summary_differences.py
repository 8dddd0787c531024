"""The paired differences of a run's summary table: variant minus baseline, or any linear
combination of arms (a difference of differences), paired by replication and regressed on the
control variates the table carries (``luck_*`` columns: ``metrics.controls``; the regression
is ``aggregate.controlled_means``), else plain; and the sentence that says so where one is
shown beside the means it can differ from."""

from __future__ import annotations

import math
from collections.abc import Iterable

import numpy as np
import pyarrow as pa

from simulator.metrics.controls import controls_for, stored
from simulator.runs.aggregate import (
    Difference,
    JointMeans,
    combined_controls,
    controlled_difference,
    controlled_means,
    paired_difference,
    plain_means,
    variant_values,
)

CONTROLLED_NOTE = (
    "Paired differences are also adjusted for the luck the run logged (control variates: each "
    "buyer's choice and each feature's slips, of known mean zero), so one can differ "
    "from the difference of the two means shown (within their noise), with a narrower interval."
)


def controlled(differences: Iterable[Difference]) -> bool:
    """Whether any of ``differences`` used the control variates (``CONTROLLED_NOTE``)."""
    return any(math.isfinite(d.variance_reduction) for d in differences)


def summary_difference(
    summary: pa.Table, variant: str, baseline: str, metric: str, lower_is_better: bool = False
) -> Difference:
    """Variant minus baseline on a summary metric, paired by replication, with the control
    variates the table carries (``luck_*`` columns: ``metrics.controls``), else plain."""
    return summary_combination(summary, ((1.0, variant), (-1.0, baseline)), metric, lower_is_better)


def summary_combination(
    summary: pa.Table,
    terms: tuple[tuple[float, str], ...],
    metric: str,
    lower_is_better: bool = False,
) -> Difference:
    """A linear combination of arms (coefficient, variant) on a summary metric, paired by
    replication (a difference, or a difference of differences), with the control variates the
    table carries, else plain. Every control has mean zero, so any combination of them does
    too and the estimate's mean is the combination's."""
    coefficients: dict[str, float] = {}
    for c, arm in terms:  # an arm named twice counts once, with its coefficients summed
        coefficients[arm] = coefficients.get(arm, 0.0) + c
    values = sum(c * variant_values(summary, arm, metric) for arm, c in coefficients.items())
    luck = stored(summary.column_names)
    used = controls_for(metric, luck) if luck else ()
    if not used:
        return paired_difference(values, np.zeros_like(values), lower_is_better)
    arms = tuple((c, _columns(summary, arm, used)) for arm, c in coefficients.items() if c)
    return controlled_difference(values, combined_controls(arms, used), lower_is_better)


def _columns(summary: pa.Table, variant: str, names: tuple[str, ...]) -> dict[str, np.ndarray]:
    return {name: variant_values(summary, variant, name) for name in names}


def summary_joint_differences(
    summary: pa.Table, variant: str, baseline: str, metrics: tuple[str, ...]
) -> JointMeans:
    """Variant minus baseline on several summary metrics at once, paired by replication, with
    the control variates the table carries (one regression for all on every metric's controls,
    so the means' covariance is known: a ratio of two of them needs it), else plain."""
    mine, base = _columns(summary, variant, metrics), _columns(summary, baseline, metrics)
    differences = np.column_stack([mine[m] - base[m] for m in metrics])
    luck = stored(summary.column_names)
    used = tuple(dict.fromkeys(c for m in metrics for c in controls_for(m, luck))) if luck else ()
    if used:
        arms = ((1.0, _columns(summary, variant, used)), (-1.0, _columns(summary, baseline, used)))
        means = controlled_means(differences, combined_controls(arms, used))
        if means is not None:
            return means
    return plain_means(differences)
