"""Goal seek and the budget split, run: each value tried is simulated on the same replications
(common random numbers) by the job's engine, the search is the pure core's (``goal``,
``split``), and the answer is the data ``--json`` prints, the page shows and the folder keeps."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pyarrow as pa

from simulator.decide.engine import Engine, metric_values
from simulator.decide.goal import Goal, seek
from simulator.decide.job import Job
from simulator.decide.page import goal_page, in_text, split_page
from simulator.decide.settings import Input, label, with_settings
from simulator.decide.split import Split, best_split
from simulator.decide.values import Target
from simulator.metrics.catalog import summary_metric
from simulator.metrics.formats import value_text
from simulator.runs.aggregate import Difference
from simulator.runs.summary_differences import summary_difference
from simulator.scenario.resolve import Variant


class _Evaluator:
    """``evaluate(setting)``: the metric per replication at a setting {path: value}; and the
    paired difference of two settings it ran, with the control variates their runs carry."""

    def __init__(self, engine: Engine, job: Job, variant: Variant, metric: str) -> None:
        self.engine, self.job, self.variant, self.metric = engine, job, variant, metric
        self.summaries: dict[str, pa.Table] = {}

    def __call__(self, setting: dict[str, float]) -> np.ndarray:
        name = label(setting)
        horizon = self.job.scenario.horizon_months
        parameters = with_settings(self.variant.parameters, horizon, setting)
        summary = self.engine.run([(name, parameters)])
        self.summaries[name] = summary
        return metric_values(summary, name, self.metric)

    def difference(
        self, setting: dict[str, float], other: dict[str, float], lower: bool
    ) -> Difference:
        mine, theirs = label(setting), label(other)
        both = pa.concat_tables([self.summaries[mine], self.summaries[theirs]])
        return summary_difference(both, mine, theirs, self.metric, lower)


def run_goal(
    job: Job,
    variant: Variant,
    found: Input,
    target: Target,
    probability: float,
    low: float,
    high: float,
    largest: bool = False,
    tolerance: float | None = None,
) -> dict[str, Any]:
    """The least (or most) value of ``found`` meeting ``target`` with ``probability``."""
    engine = job.engine("goal")
    evaluate = _Evaluator(engine, job, variant, target.metric)
    goal = seek(
        lambda x: evaluate({found.path: x}),
        target,
        probability,
        low,
        high,
        found.integer,
        largest,
        tolerance,
    )
    answer, reading = _goal_words(goal, found.path, target, low, high, job.replications)
    decision = {
        "kind": "goal",
        "scenario": job.scenario.name,
        "variant": variant.name,
        "input": found.path,
        "target": _target_text(target),
        "target_metric": target.metric,
        "search_range": [low, high],
        "replications": job.replications,
        "seed": job.seed,
        "overrides": list(job.scenario.overrides),
        "answer": answer,
        "reading": reading,
        "header": job.header(
            f"Variant: {variant.name}; searched: {found.path} in [{low:g}, {high:g}]"
        ),
        **goal.to_json(),
    }
    table = pa.Table.from_pylist([p.to_json() for p in goal.probes])
    job.finish(decision, {"goal.parquet": table}, goal_page)
    return decision


def _target_text(target: Target) -> str:
    metric = summary_metric(target.metric)
    return f"{target.metric} {'>=' if target.at_least else '<='} {value_text(metric, target.value)}"


def _goal_words(
    goal: Goal, path: str, target: Target, low: float, high: float, replications: int
) -> tuple[str, str]:
    """The answer in a sentence, and how to read its interval."""
    p = f"{100 * goal.probability:g}%"
    which = "most" if goal.largest else "least"
    wanted = f"{_target_text(target)} with probability at least {p}"
    if goal.value is None:
        end = low if goal.largest else high
        share = next((q.share for q in goal.probes if q.x == end), math.nan)
        return (
            f"No value of {path} in [{low:g}, {high:g}] meets {wanted} (at {end:g}: "
            f"{100 * share:.0f}% of {replications} replications).",
            "Widen the search range with --within, or lower the target or the probability.",
        )
    ends = [_end(goal.low), _end(goal.high)]
    answer = (
        f"{path} = {goal.value:g} [{ends[0]}, {ends[1]}]: the {which} value that meets {wanted} "
        f"({replications} replications per value)."
    )
    edge = (
        f" The answer is the range's end ({goal.value:g}): the true one may lie beyond it."
        if goal.at_edge
        else ""
    )
    reading = (
        "The interval allows for sampling error (95% Wilson intervals of the share meeting the "
        f"target): outside it on the {'high' if goal.largest else 'low'} side the target is met "
        "too rarely even so; on the other side, often enough even so." + edge
    )
    return answer, reading


def _end(value: float | None) -> str:
    return "beyond the range" if value is None else f"{value:g}"


def feasible(first: Input, second: Input, total: float) -> tuple[float, float]:
    """The amounts the first input can take when the second gets the rest of ``total``."""
    step = 1.0 if first.integer or second.integer else 1e-9 * max(1.0, abs(total))

    def lowest(bounds: Any) -> float:
        if bounds.low is None:
            return -math.inf
        return bounds.low if bounds.low_inclusive else bounds.low + step

    def highest(bounds: Any) -> float:
        if bounds.high is None:
            return math.inf
        return bounds.high if bounds.high_inclusive else bounds.high - step

    low = max(lowest(first.bounds), total - highest(second.bounds))
    high = min(highest(first.bounds), total - lowest(second.bounds))
    return float(low), float(high)


def run_split(
    job: Job,
    variant: Variant,
    first: Input,
    second: Input,
    total: float,
    target: Target,
    maximise: bool,
    tolerance: float | None = None,
) -> dict[str, Any]:
    """The split of ``total`` between the two inputs with the best mean of the target's
    metric (highest for ``>=``, lowest for ``<=``)."""
    low, high = feasible(first, second, total)
    integer = first.integer or second.integer
    engine = job.engine("split")
    evaluate = _Evaluator(engine, job, variant, target.metric)

    def setting(a: float) -> dict[str, float]:
        return {first.path: a, second.path: total - a}

    split = best_split(
        lambda a: evaluate(setting(a)),
        total,
        low,
        high,
        integer,
        maximise,
        target.met,
        tolerance,
        lambda a, b, lower: evaluate.difference(setting(a), setting(b), lower),
    )
    decision = {
        "kind": "split",
        "scenario": job.scenario.name,
        "variant": variant.name,
        "inputs": [first.path, second.path],
        "metric": target.metric,
        "target": _target_text(target),
        "replications": job.replications,
        "seed": job.seed,
        "overrides": list(job.scenario.overrides),
        "answer": _split_words(split, first.path, second.path, target, job.replications),
        "header": job.header(
            f"Variant: {variant.name}; split: {first.path} + {second.path} = {total:,g}"
        ),
        **split.to_json(),
    }
    table = pa.Table.from_pylist([p.to_json() for p in split.points])
    job.finish(decision, {"split.parquet": table}, split_page)
    return decision


def _split_words(split: Split, first: str, second: str, target: Target, n: int) -> str:
    metric = summary_metric(target.metric)
    best = split.best
    share = (
        ""
        if not math.isfinite(best.p_target)
        else (f"; {100 * best.p_target:.0f}% of replications meet {_target_text(target)}")
    )
    return (
        f"Best split of {split.total:,g}: {first} = {best.a:,.6g} and {second} = {best.b:,.6g}, "
        f"{'highest' if split.maximise else 'lowest'} mean {in_text(metric.label)} "
        f"{value_text(metric, best.mean)} [{value_text(metric, best.low)}, "
        f"{value_text(metric, best.high)}]{share}. Not clearly worse (paired 95% interval, {n} "
        f"replications per split): {first} from {split.near_low:,.6g} to {split.near_high:,.6g}."
    )
