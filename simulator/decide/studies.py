"""A sweep and a sensitivity study of a scenario, run: the settings built from the scenario's
variant, run on common random numbers by the job's engine, the statistics computed by the pure
cores (``sweep``, ``sensitivity``), and the answer as the data ``--json`` prints, the page
shows and the results folder keeps."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pyarrow as pa

from simulator.decide.engine import metric_values
from simulator.decide.job import Job
from simulator.decide.page import sensitivity_page, sweep_page
from simulator.decide.sensitivity import Factor, sensitivity, sign_share
from simulator.decide.settings import Input, decision_input, default_range, label, with_settings
from simulator.decide.sweep import SweepPoint, sweep_points, sweep_table
from simulator.decide.values import parse_range
from simulator.metrics.catalog import summary_metric
from simulator.parameters.paths import PathError, value_at
from simulator.parameters.ranges import DEFAULT_RANGES
from simulator.runs.experiment import Plan
from simulator.runs.summary_differences import summary_difference
from simulator.scenario.resolve import Scenario, Variant

NOMINAL = "nominal"


def run_sweep(
    job: Job,
    variant: Variant,
    swept: Input,
    values: Sequence[float],
    metrics: Sequence[str],
    plan: Plan | None = None,
) -> tuple[dict[str, Any], list[SweepPoint]]:
    """Every value of ``swept`` as a variant of one experiment; the answer and the points."""
    horizon = job.scenario.horizon_months
    labels = {v: label({swept.path: v}) for v in values}
    arms = [
        (labels[v], with_settings(variant.parameters, horizon, {swept.path: v})) for v in values
    ]
    engine = job.engine("sweep", plan)
    summary = engine.run(arms, plan)
    points = sweep_points(
        values,
        lambda v, m: metric_values(summary, labels[v], m),
        list(metrics),
        lambda v, first, m, lower: summary_difference(summary, labels[v], labels[first], m, lower),
    )
    replications = engine.last_study.replications if engine.last_study else job.replications
    decision = {
        "kind": "sweep",
        "scenario": job.scenario.name,
        "variant": variant.name,
        "input": swept.path,
        "values": list(values),
        "metrics": list(metrics),
        "replications": replications,
        "seed": job.seed,
        "overrides": list(job.scenario.overrides),
        "header": job.header(f"Variant: {variant.name}; swept: {swept.path}"),
        "table": [p.to_json() for p in points],
    }
    job.finish(decision, {"sweep.parquet": sweep_table(swept.path, points)}, sweep_page)
    return decision, points


def factors(
    scenario: Scenario,
    arms: Sequence[Variant],
    vary: Sequence[str],
    file_ranges: Mapping[str, Sequence[float]],
) -> tuple[list[Factor], str]:
    """The inputs to vary and where their ranges came from: ``--vary PATH=low:high`` (checked
    here), else the scenario's ``ranges:`` (checked when it was loaded), else the documented
    defaults for the paths the scenario has."""
    if vary:
        chosen = []
        for text in vary:
            path, low, high = parse_range(text)
            found = decision_input(scenario, arms, path, [low, high], "--vary")
            chosen.append(Factor(path, low, high, found.integer))
        return _unique(chosen), "--vary"
    source, ranges = "the scenario's ranges:", dict(file_ranges)
    if not ranges:
        source, ranges = "the default ranges (around the scenario's own values)", {}
        for path in DEFAULT_RANGES:
            try:
                for arm in arms:
                    value_at(arm.parameters.model_dump(), path)
            except PathError:
                continue
            ranges[path] = default_range(arms[0].parameters, path, "ranges:")
    chosen = [
        Factor(
            path,
            float(low),
            float(high),
            decision_input(scenario, arms, path, [low, high], "ranges:").integer,
        )
        for path, (low, high) in ranges.items()
    ]
    return chosen, source


def _unique(chosen: list[Factor]) -> list[Factor]:
    paths = [f.path for f in chosen]
    repeated = sorted({p for p in paths if paths.count(p) > 1})
    if repeated:
        raise ValueError(f"--vary: {', '.join(repeated)} given more than once")
    return chosen


def run_sensitivity(
    job: Job,
    metric: str,
    compare: Variant | None,
    chosen: Sequence[Factor],
    method: str,
    samples: int,
    source: str,
) -> dict[str, Any]:
    """The sensitivity study: every setting of the design (and the scenario's own values) for
    the baseline, and for ``compare`` too, in one experiment; the answer."""
    baseline = job.scenario.variants[0]
    arms = [baseline] if compare is None else [baseline, compare]
    horizon = job.scenario.horizon_months
    engine = job.engine("sensitivity")
    found: dict[str, Any] = {}

    def evaluate(settings: np.ndarray) -> np.ndarray:
        runs = [(f"{NOMINAL}:{arm.name}", arm.parameters) for arm in arms]
        for index, row in enumerate(settings):
            setting = {f.path: float(v) for f, v in zip(chosen, row, strict=True)}
            runs += [
                (f"p{index:04d}:{arm.name}", with_settings(arm.parameters, horizon, setting))
                for arm in arms
            ]
        summary = engine.run(runs)

        def point(prefix: str) -> tuple[float, float, float]:
            base = metric_values(summary, f"{prefix}:{baseline.name}", metric)
            if compare is None:
                finite = base[np.isfinite(base)]
                mean = float(finite.mean()) if finite.size else np.nan
                return mean, np.nan, np.nan
            lower = summary_metric(metric).lower_is_better
            variant, first = f"{prefix}:{compare.name}", f"{prefix}:{baseline.name}"
            d = summary_difference(summary, variant, first, metric, lower)
            return d.mean, d.low, d.high

        found["nominal"] = point(NOMINAL)
        found["points"] = [point(f"p{i:04d}") for i in range(len(settings))]
        return np.array([p[0] for p in found["points"]])

    result = sensitivity(evaluate, chosen, method, samples, job.seed)
    nominal = found["nominal"]
    drivers = [d.to_json() for d in result.drivers]
    decision: dict[str, Any] = {
        "kind": "sensitivity",
        "scenario": job.scenario.name,
        "metric": metric,
        "compare": None if compare is None else compare.name,
        "baseline": baseline.name,
        "method": method,
        "samples": result.samples,
        "settings": len(result.settings),
        "replications": job.replications,
        "seed": job.seed,
        "ranges_from": source,
        "overrides": list(job.scenario.overrides),
        "header": job.header(_what(metric, baseline, compare, method, source)),
        "drivers": drivers,
        "robustness": None,
    }
    if compare is not None:
        decision["robustness"] = {
            "nominal": {"mean": nominal[0], "low": nominal[1], "high": nominal[2]},
            "nominal_clear": bool(nominal[1] > 0 or nominal[2] < 0),
            "share_same_sign": sign_share(result.outputs, nominal[0]),
        }
    tables = {
        "sensitivity.parquet": pa.Table.from_pylist(drivers),
        "settings.parquet": _settings_table(chosen, result.settings, found["points"]),
    }
    job.finish(decision, tables, sensitivity_page)
    return decision


def _what(metric: str, baseline: Variant, compare: Variant | None, method: str, source: str) -> str:
    subject = metric if compare is None else f"{metric}, {compare.name} − {baseline.name}"
    return f"Metric: {subject}; method: {method}; ranges from {source}"


def _settings_table(
    chosen: Sequence[Factor], settings: np.ndarray, points: Sequence[tuple[float, float, float]]
) -> pa.Table:
    """One row per sampled setting: the inputs, and the metric (or difference) there."""
    columns: dict[str, Any] = {"setting": list(range(len(settings)))}
    for column, factor in enumerate(chosen):
        columns[factor.path] = [float(v) for v in settings[:, column]]
    for index, key in enumerate(("value", "low", "high")):
        columns[key] = [float(p[index]) for p in points]
    return pa.table(columns)
