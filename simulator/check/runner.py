"""Run a check: derive every fact's arms from the baseline variant, run them all as one
experiment (same seed, same replication indices: common random numbers), take the baseline's
event-log measures, then judge every level and fact.

Arms that come out identical (a fact's ``available_only`` arm on a baseline that already sells
what ships) are run once and shared.
"""

from __future__ import annotations

import fnmatch
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from simulator.check.entries import CheckReport, Entry
from simulator.check.facts import BASELINE, FACTS, Comparison, Fact
from simulator.check.judge import comparison_holds, fact_holds, level_holds
from simulator.check.levels import LEVELS, Context, Level, log_measures
from simulator.metrics.catalog import MONTHLY, summary_metric
from simulator.metrics.formats import number
from simulator.parameters import Parameters
from simulator.runs.aggregate import mean_interval, paired_difference, variant_values
from simulator.runs.backends import open_backend
from simulator.runs.experiment import replication_log, run_experiment
from simulator.runs.summary_differences import summary_combination
from simulator.scenario.resolve import (
    Scenario,
    ScenarioError,
    Variant,
    apply_overrides,
    resolve,
)
from simulator.units import DAYS_PER_MONTH

DEFAULT_REPLICATIONS = 60
Progress = Callable[[int], None]


# --- arms ---------------------------------------------------------------------------------------


def derive(base: Parameters, overrides: Sequence[str], horizon_months: int) -> Parameters:
    """The baseline's parameters with ``--set``-style overrides applied and validated; raises
    ScenarioError (the override names no parameter, or the value is not allowed)."""
    raw: dict[str, Any] = {
        "name": "arm",
        "description": "check arm",
        "horizon_months": horizon_months,
    }
    raw.update(base.model_dump(mode="json"))
    set_paths = apply_overrides(raw, list(overrides), "check")
    return resolve(raw, "check", set_paths).variants[0].parameters


@dataclass
class ArmPlan:
    """The distinct arms to run (name -> parameters, the baseline first), each fact's arm
    names mapped onto them, and the facts that do not apply, with the reason."""

    arms: dict[str, Parameters]
    of_fact: dict[str, dict[str, str]]
    not_applicable: dict[str, str]


def plan_arms(
    baseline: Variant,
    horizon_months: int,
    facts: Sequence[Fact] = FACTS,
    variants: Sequence[Variant] = (),
) -> ArmPlan:
    """Each fact's arms: the baseline with the arm's overrides, or the scenario's own variant
    where one is that arm (``Fact.variant_arm``)."""
    base = baseline.parameters
    arms: dict[str, Parameters] = {BASELINE: base}
    by_json = {base.model_dump_json(): BASELINE}
    of_fact: dict[str, dict[str, str]] = {}
    skipped: dict[str, str] = {}
    for fact in facts:
        try:
            reason = fact.applies(base, horizon_months) if fact.applies else None
        except AttributeError as error:
            reason = f"the scenario lacks a parameter it needs ({error})"
        if reason:
            skipped[fact.key] = reason
            continue
        names: dict[str, str] = {}
        written = _variant_arms(fact, variants)
        try:
            for label, overrides in fact.arms.items():
                items = overrides(base) if callable(overrides) else overrides
                parameters = written.get(label) or derive(base, items, horizon_months)
                key = parameters.model_dump_json()
                if key not in by_json:
                    by_json[key] = label if label not in arms else f"{fact.key}:{label}"
                    arms[by_json[key]] = parameters
                names[label] = by_json[key]
        except (ScenarioError, AttributeError) as error:
            text = error.report() if isinstance(error, ScenarioError) else str(error)
            skipped[fact.key] = f"its counterfactual cannot be built here: {text.strip()}"
            continue
        of_fact[fact.key] = names
    return ArmPlan(arms, of_fact, skipped)


def _variant_arms(fact: Fact, variants: Sequence[Variant]) -> dict[str, Parameters]:
    """The scenario's variants that are arms of ``fact``, the first of each arm."""
    found: dict[str, Parameters] = {}
    for variant in variants if fact.variant_arm else ():
        label = fact.variant_arm(variant.parameters)  # type: ignore[misc]
        if label in fact.arms and label not in found:
            found[label] = variant.parameters
    return found


def run_arms(
    name: str,
    horizon_months: int,
    arms: dict[str, Parameters],
    replications: int,
    seed: int,
    workers: int = 1,
    on_progress: Progress | None = None,
) -> tuple[pa.Table, pa.Table]:
    """Every arm as a variant of one experiment: the same seed and replication indices, so
    arm ``a``'s replication ``i`` and arm ``b``'s share their random numbers."""
    variants = tuple(Variant(arm, "", parameters) for arm, parameters in arms.items())
    scenario = Scenario(name, "salesim check", horizon_months, variants, "check")
    result = run_experiment(scenario, replications, seed, workers, on_progress)
    return result.summary, result.monthly


def _measure_chunk(
    parameters: Parameters, horizon_months: int, seed: int, start: int, stop: int
) -> list[dict[str, float]]:
    horizon_days = horizon_months * DAYS_PER_MONTH
    return [
        log_measures(replication_log(parameters, horizon_months, seed, i), parameters, horizon_days)
        for i in range(start, stop)
    ]


def baseline_measures(
    parameters: Parameters,
    horizon_months: int,
    replications: int,
    seed: int,
    workers: int = 1,
    on_progress: Progress | None = None,
) -> list[dict[str, float]]:
    """The event-log measures of the baseline's replications ``0 .. replications-1``."""
    size = max(1, min(10, replications // max(1, 4 * workers)))
    chunks = [(s, min(s + size, replications)) for s in range(0, replications, size)]
    done: dict[int, list[dict[str, float]]] = {}
    with open_backend("local", workers) as backend:
        pending = {
            backend.submit(_measure_chunk, parameters, horizon_months, seed, a, b): a
            for a, b in chunks
        }
        while pending:
            for future in backend.first_done(pending):
                start = pending.pop(future)
                done[start] = future.result()
                if on_progress:
                    on_progress(len(done[start]))
    return [row for start in sorted(done) for row in done[start]]


def with_measures(summary: pa.Table, rows: Sequence[dict[str, float]]) -> pa.Table:
    """The summary with the baseline's log measures as extra columns (NaN for other arms), so
    that a fact can name one like a summary metric."""
    extra = [name for name in (rows[0] if rows else {}) if name not in summary.column_names]
    is_baseline = pc.equal(summary.column("variant"), BASELINE).to_pylist()
    replication = summary.column("replication").to_pylist()
    for name in extra:
        values = [rows[r][name] if b else math.nan for r, b in zip(replication, is_baseline,
                                                                   strict=True)]  # fmt: skip
        summary = summary.append_column(name, pa.array(values, pa.float64()))
    return summary


# --- levels -------------------------------------------------------------------------------------


def baseline_rows(
    summary: pa.Table, measures: Sequence[dict[str, float]]
) -> list[dict[str, float]]:
    """The baseline arm's summary rows, by replication, with its log measures added."""
    rows = summary.filter(pc.equal(summary.column("variant"), BASELINE)).sort_by("replication")
    merged = []
    for row, extra in zip(rows.to_pylist(), measures, strict=True):
        merged.append({k: (math.nan if v is None else v) for k, v in {**row, **extra}.items()})
    return merged


def evaluate_level(level: Level, rows: Sequence[dict[str, float]], context: Context) -> Entry:
    low_target, high_target = level.range(context)
    entry = Entry("level", level.key, level.name, level.target, level.source, level.unit,
                  how=level.how)  # fmt: skip
    if level.target_range:
        entry.target = f"{level.target}: {number(low_target, level.unit)}–" + number(
            high_target, level.unit
        )
    reason = level.applies(context) if level.applies else None
    if reason:
        entry.reason = reason
        return entry
    missing = [c for c in level.needs if not rows or c not in rows[0]]
    if missing:
        entry.reason = f"this model does not produce {', '.join(missing)}"
        return entry
    if level.pooled is not None:
        value, low, high, entry.reason = level.pooled(rows)
    else:
        assert level.value is not None
        values = np.array([level.value(row, context) for row in rows], dtype=float)
        value, low, high = mean_interval(values)
    entry.value, entry.low, entry.high = value, low, high
    if math.isnan(value):
        if level.pooled is None or not entry.reason:
            entry.reason = "undefined in every replication: no such deals or leads here"
        return entry
    entry.holds = level_holds(low, high, low_target, high_target, level.floor)
    if entry.holds is None and level.floor and not math.isnan(low):
        entry.reason = (
            f"not judged: the interval {number(low, level.unit)}–{number(high, level.unit)} "
            f"straddles {number(low_target, level.unit)}; more events are needed to tell"
            + (f" ({entry.reason})" if entry.reason else "")
        )
    elif entry.holds is None:
        entry.reason = "too few replications with a value for an interval"
    return entry


# --- facts --------------------------------------------------------------------------------------


def metric_values(summary: pa.Table, monthly: pa.Table, arm: str, metric: str) -> np.ndarray:
    """One arm's values of ``metric`` by replication: a summary column, or a monthly column at
    a month (``name@19``, ``name@end``) or its change between two months (``name@end-19``)."""
    if "@" not in metric:
        if metric not in summary.column_names:
            raise KeyError(metric)
        return variant_values(summary, arm, metric)
    name, at = metric.split("@", 1)
    if "-" in at:
        later, earlier = at.split("-", 1)
        return metric_values(summary, monthly, arm, f"{name}@{later}") - metric_values(
            summary, monthly, arm, f"{name}@{earlier}"
        )
    if name not in monthly.column_names:
        raise KeyError(name)
    last = pc.max(monthly.column("month")).as_py()
    month = last if at == "end" else int(at)
    if not 1 <= month <= last:
        raise KeyError(f"{name} at month {month} (the horizon is {last} months)")
    rows = monthly.filter(pc.equal(monthly.column("month"), month))
    return variant_values(rows, arm, name)


def _resolve_metric(summary: pa.Table, pattern: str) -> str | None:
    if "*" not in pattern:
        return pattern
    found = fnmatch.filter(summary.column_names, pattern)
    return found[0] if found else None


def _unit(metric: str) -> str:
    name = metric.split("@", 1)[0]
    found = MONTHLY.get(name) if "@" in metric else summary_metric(name)
    return found.unit if found is not None else "count"


def evaluate_comparison(
    comparison: Comparison, arms: dict[str, str], summary: pa.Table, monthly: pa.Table
) -> Entry:
    metric = _resolve_metric(summary, comparison.metric)
    target = {">": "> 0", "<": "< 0", "=0": "= 0", "reported": "reported"}[comparison.side]
    shown = comparison if metric == comparison.metric or metric is None else Comparison(
        comparison.terms, metric, comparison.side, comparison.label
    )  # fmt: skip
    entry = Entry("comparison", comparison.metric, shown.text(), target, "",
                  _unit(metric or comparison.metric))  # fmt: skip
    if metric is not None and comparison.label and metric != comparison.metric:
        entry.name = f"{comparison.label} ({metric})"
    if metric is None:
        if comparison.side == "reported":
            entry.holds = False
            entry.reason = f"not reported: no summary metric matches {comparison.metric}"
        else:
            entry.reason = f"this model has no metric matching {comparison.metric}"
        return entry
    try:
        plus = sum(c * metric_values(summary, monthly, arms[a], metric)
                   for c, a in comparison.terms if c > 0)  # fmt: skip
        minus = sum(-c * metric_values(summary, monthly, arms[a], metric)
                    for c, a in comparison.terms if c < 0)  # fmt: skip
    except KeyError as error:
        entry.reason = f"this model does not produce {error.args[0]}"
        return entry
    plus_values = np.asarray(plus, dtype=float)
    minus_values = np.zeros_like(plus_values) if np.isscalar(minus) else np.asarray(minus, float)
    contrast = sum(c for c, _ in comparison.terms) == 0  # arms against arms, not a level
    if contrast and "@" not in metric:  # no control variates are kept by month
        terms = tuple((float(c), arms[a]) for c, a in comparison.terms)
        difference = summary_combination(summary, terms, metric)
    else:
        difference = paired_difference(plus_values, minus_values)
    entry.value, entry.low, entry.high = difference.mean, difference.low, difference.high
    if comparison.side == "reported":
        entry.holds = bool(np.isfinite(plus_values).any())
        if not entry.holds:
            entry.reason = "reported, but undefined in every replication"
        return entry
    if math.isnan(difference.mean):
        entry.reason = "undefined in every replication (e.g. the horizon is too short)"
        return entry
    entry.holds = comparison_holds(difference.low, difference.high, comparison.side)
    if entry.holds is None:
        entry.reason = "too few replications with a value for an interval"
    return entry


def evaluate_fact(fact: Fact, plan: ArmPlan, summary: pa.Table, monthly: pa.Table) -> Entry:
    entry = Entry("fact", fact.key, fact.name, "every comparison on its side of 0", fact.source)
    if fact.key in plan.not_applicable:
        entry.reason = plan.not_applicable[fact.key]
        return entry
    arms = plan.of_fact[fact.key]
    entry.comparisons = [evaluate_comparison(c, arms, summary, monthly) for c in fact.comparisons]
    entry.holds = fact_holds(c.holds for c in entry.comparisons)
    if entry.holds is None:
        open_ = [c for c in entry.comparisons if c.holds is None]
        entry.reason = f"{len(open_)} of {len(entry.comparisons)} comparisons cannot be judged"
    elif entry.holds is False:
        failed = sum(1 for c in entry.comparisons if c.holds is False)
        entry.reason = f"{failed} of {len(entry.comparisons)} comparisons do not hold"
    return entry


# --- the whole check ----------------------------------------------------------------------------


def check(
    scenario: Scenario,
    replications: int = DEFAULT_REPLICATIONS,
    seed: int = 1,
    workers: int = 1,
    on_progress: Progress | None = None,
    plan: ArmPlan | None = None,
) -> CheckReport:
    """Judge every published level on the scenario's first variant and every stylised fact on
    its counterfactual arms."""
    baseline = scenario.variants[0]
    plan = plan or plan_arms(baseline, scenario.horizon_months, variants=scenario.variants)
    summary, monthly = run_arms(
        scenario.name, scenario.horizon_months, plan.arms, replications, seed, workers, on_progress
    )
    measures = baseline_measures(
        baseline.parameters, scenario.horizon_months, replications, seed, workers, on_progress
    )
    rows = baseline_rows(summary, measures)
    summary = with_measures(summary, rows)
    context = Context(baseline.parameters, scenario.horizon_months)
    return CheckReport(
        scenario.name,
        baseline.name,
        replications,
        seed,
        scenario.overrides,
        list(plan.arms),
        [evaluate_level(level, rows, context) for level in LEVELS],
        [evaluate_fact(fact, plan, summary, monthly) for fact in FACTS],
    )
