"""The answer of `salesim explain` as plain data: what ``--json`` prints, ``explain.json`` holds
and the console table and the page are drawn from (one source), and the per-replication table
stored beside it."""

from __future__ import annotations

import math
import re
from typing import Any

import numpy as np
import pyarrow as pa

from simulator.explain.engine import ALONE_OFF_REPLICATIONS, Attribution, Estimate
from simulator.metrics.measure import SUMMARY_COLUMNS
from simulator.parameters.mechanisms import mechanism_title

HORIZONS_MONTHS = (12, 24, 36)
"""The horizons a verdict's split is compared at, where the metric has a value for each."""
AT_MONTHS = re.compile(r"(.+)_(\d+)m")
"""A metric measured at a horizon: ``bookings_24m`` is ``bookings`` at 24 months."""


def metric_months(metric: str) -> int | None:
    """The horizon a metric is measured at (``bookings_24m`` → 24), or None."""
    found = AT_MONTHS.fullmatch(metric)
    return int(found.group(2)) if found else None


def horizon_metrics(metric: str, horizon_months: int) -> tuple[str, ...]:
    """The metric first, then the same metric at the other horizons the run reaches
    (``bookings_24m`` → ``bookings_12m``, ``bookings_36m``); a metric without a horizon alone."""
    found = AT_MONTHS.fullmatch(metric)
    if not found:
        return (metric,)
    stem = found.group(1)
    others = [
        f"{stem}_{months}m"
        for months in HORIZONS_MONTHS
        if months <= horizon_months and f"{stem}_{months}m" in SUMMARY_COLUMNS
    ]
    return (metric, *(m for m in others if m != metric))


def unsettled_line(answer: dict[str, Any]) -> str:
    """A warning when the shares did not reach the precision asked before -n ran out, or ''."""
    reached, asked = answer["precision_reached"], answer["precision_asked"]
    if reached is not None and reached <= asked:
        return ""
    shown = "an undefined share" if reached is None else f"±{100 * reached:.0f}%"
    return (
        f"Not settled: after {answer['replications']} replications the widest share is "
        f"{shown} of the verdict, not the ±{100 * asked:.0f}% asked; treat the shares as rough "
        "and run more (-n)."
    )


def ranked(split: dict[str, Any]) -> list[dict[str, Any]]:
    """A split's mechanisms, the largest share (either sign) first."""
    return sorted(split["mechanisms"], key=lambda m: -abs(m["shapley"]["mean"]))


def by_horizon(answer: dict[str, Any]) -> list[dict[str, Any]]:
    """The answer's splits from the shortest horizon to the longest."""
    return sorted(answer["splits"], key=lambda s: metric_months(s["metric"]) or 0)


def idle_line(answer: dict[str, Any]) -> str:
    """The mechanisms that never acted in the replications run, or ''."""
    idle = [mechanism_title(name) for name in answer.get("idle", [])]
    if not idle:
        return ""
    return f"Never acting here (their cause is absent: a share of exactly 0): {', '.join(idle)}."


def _estimate(estimate: Estimate) -> dict[str, float]:
    return {"mean": estimate.mean, "low": estimate.low, "high": estimate.high}


def answer(attribution: Attribution, about: dict[str, Any], precision: float) -> dict[str, Any]:
    """The split at every horizon, with what was asked (``about``: scenario, variants, seed)."""
    question = attribution.question
    acted = attribution.acted()
    splits = []
    for index, metric in enumerate(question.metrics):
        total = attribution.total(index)
        mechanisms = [
            {
                "name": name,
                "title": mechanism_title(name),
                "shapley": _estimate(attribution.shapley(j, index)),
                "alone_off": _estimate(attribution.alone_off(j, index)),
            }
            for j, name in enumerate(question.mechanisms)
            if name in acted
        ]
        splits.append(
            {
                "metric": metric,
                "total": _estimate(total),
                "unexplained": _estimate(attribution.unexplained(index)),
                "mechanisms": mechanisms,
            }
        )
    widest = attribution.widest()
    size = abs(attribution.total().mean)
    return {
        **about,
        "metric": question.metrics[0],
        "horizon_months": question.horizon_months,
        "seed": question.seed,
        "mechanisms": list(acted),
        "idle": [m for m in question.mechanisms if m not in acted],
        "replications": attribution.replications,
        "alone_off_replications": min(attribution.replications, ALONE_OFF_REPLICATIONS),
        "simulations": int(sum(s.runs for s in attribution.splits)),
        "seconds": attribution.seconds,
        "precision_asked": precision,
        "precision_reached": widest / size if size and math.isfinite(widest / size) else None,
        "widest_half_width": widest,
        "splits": splits,
    }


def replications_table(attribution: Attribution) -> pa.Table:
    """One row per replication, mechanism and metric: its step along the replication's order
    and its effect switched off alone; rows ``(none)`` and ``(all)`` hold v(none) and v(all)."""
    question = attribution.question
    columns: dict[str, list[Any]] = {
        k: [] for k in ("replication", "mechanism", "metric", "shapley", "alone_off")
    }

    def add(replication: int, mechanism: str, metric: str, shapley: float, off: float) -> None:
        for key, value in zip(columns, (replication, mechanism, metric, shapley, off), strict=True):
            columns[key].append(value)

    for split in attribution.splits:
        for m, metric in enumerate(question.metrics):
            for j, name in enumerate(question.mechanisms):
                add(split.replication, name, metric, split.shapley[j, m], split.alone_off[j, m])
            add(split.replication, "(none)", metric, split.unexplained[m], np.nan)
            add(split.replication, "(all)", metric, split.total[m], np.nan)
    return pa.table(
        {
            "replication": pa.array(columns["replication"], pa.int32()),
            "mechanism": pa.array(columns["mechanism"], pa.string()),
            "metric": pa.array(columns["metric"], pa.string()),
            "shapley": pa.array(columns["shapley"], pa.float64()),
            "alone_off": pa.array(columns["alone_off"], pa.float64()),
        }
    )
