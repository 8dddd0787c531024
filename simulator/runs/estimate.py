"""How long a run will take and how much memory each worker needs, said before it starts.

A run that cannot fit in memory should be refused before it creates anything, and a run that
will take an hour should say so before the user stares at 0%. The cost of one replication comes
from the fitted model in ``cost_model``; this module scales it to a run (replications, workers,
the overhead of a run), names the setting that makes a run costly, and decides what
``salesim run`` does: start, start on fewer workers, or refuse.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any

from pydantic import BaseModel

from simulator.parameters import Parameters, ScenarioFile
from simulator.runs.cost_model import (
    COST,
    COST_SETTINGS,
    MEMORY,
    MemoryCoefficients,
    TimeCoefficients,
    Workload,
)
from simulator.scenario.resolve import Scenario

# A replication inside a run costs more than a bare one: its tables are built, pickled and
# written, and workers share the machine. `salesim run death-spiral -n 200` on 2 workers took
# 0.068 s a replication, against 0.050 s measured bare and 0.041 s predicted bare. Measured
# again after issue 12 and its speed-ups (seed 1, twice): 21.2 and 24.5 s of study, 0.071 and
# 0.082 s a replication, against 0.060 s bare (`salesim bench`): the estimate this factor gives,
# 25 s, still lands within 20%, so it stays.
RUN_OVERHEAD = 1.6
# Seconds a run spends outside replications: starting workers, joining the tables, the report.
RUN_FIXED_SECONDS = 3.0
# ``w`` workers run ``w * PARALLEL_EFFICIENCY`` times as fast as one (0.83-1.03 measured on 2).
PARALLEL_EFFICIENCY = 0.9
# Share of the memory available now that a run may plan to use: the rest is left for the main
# process, the report at the end and whatever else the machine runs.
MEMORY_HEADROOM = 0.8
# A run predicted to take longer than this is warned about before it starts (seconds).
LONG_RUN_SECONDS = 600.0
# A setting is named as what drives the cost when setting it to its default would cut the cost
# at least this many times.
DRIVER_RATIO = 1.5

DEFAULT_HORIZON_MONTHS: int = ScenarioFile.model_fields["horizon_months"].default


@dataclass(frozen=True)
class Driver:
    """A setting that makes a run costly: its value(s) in the scenario, its default, and how many
    times cheaper the run would be at the default."""

    setting: str
    lowest: float
    highest: float
    default: float
    ratio: float

    def __str__(self) -> str:
        shown = " to ".join(dict.fromkeys([_number(self.lowest), _number(self.highest)]))
        return f"{self.setting} = {shown} (default {_number(self.default)})"


@dataclass(frozen=True)
class Estimate:
    """What a run will cost: wall time on its workers, and memory per worker."""

    replications: int  # to run now, all variants together
    workers: int
    seconds_per_replication: float  # mean over variants, inside a run, on one worker
    bytes_per_worker: float
    time_driver: Driver | None  # the setting that makes the run long, if one does
    memory_driver: Driver | None  # the setting that makes a worker large, if one does

    @property
    def seconds(self) -> float:
        speed = max(1.0, self.workers * PARALLEL_EFFICIENCY) if self.workers > 1 else 1.0
        return RUN_FIXED_SECONDS + self.replications * self.seconds_per_replication / speed

    def describe(self) -> str:
        """``about 25 s on 2 workers (600 replications at ~0.07 s each), ~160 MB per worker``"""
        workers = f"{self.workers} worker{'s' if self.workers != 1 else ''}"
        return (
            f"about {duration(self.seconds)} on {workers} ({self.replications:,} replications at "
            f"~{seconds_each(self.seconds_per_replication)} each), "
            f"~{size(self.bytes_per_worker)} per worker"
        )


def estimate_run(
    scenario: Scenario,
    replications: int,
    workers: int,
    *,
    cost: TimeCoefficients = COST,
    memory: MemoryCoefficients = MEMORY,
    default_replications: int | None = None,
) -> Estimate:
    """The cost of running ``replications`` (all variants together) of ``scenario``.

    With ``default_replications`` (per variant), a replication count far above it can be named
    as what drives the time."""
    loads = [Workload.of(v.parameters, scenario.horizon_months) for v in scenario.variants]
    each = RUN_OVERHEAD * sum(w.seconds(cost) for w in loads) / len(loads)
    peak = max(w.peak_bytes(memory) for w in loads)

    def time_of(s: Scenario) -> float:
        return sum(Workload.of(v.parameters, s.horizon_months).seconds(cost) for v in s.variants)

    def memory_of(s: Scenario) -> float:
        return max(
            Workload.of(v.parameters, s.horizon_months).peak_bytes(memory) - memory.worker_base
            for v in s.variants
        )

    time_driver = _driver(scenario, time_of)
    if default_replications is not None:
        per_variant = replications / len(scenario.variants)
        ratio = per_variant / default_replications
        if ratio >= DRIVER_RATIO and (time_driver is None or ratio > time_driver.ratio):
            time_driver = Driver(
                "replications per variant (-n)",
                per_variant,
                per_variant,
                default_replications,
                ratio,
            )
    # Name what sets the memory only when it outweighs what an idle worker holds anyway.
    memory_driver = _driver(scenario, memory_of) if peak >= 2 * memory.worker_base else None
    return Estimate(replications, max(1, workers), each, peak, time_driver, memory_driver)


def _driver(scenario: Scenario, cost: Callable[[Scenario], float]) -> Driver | None:
    """The setting whose default would cut ``cost`` the most, at least DRIVER_RATIO times."""
    actual = cost(scenario)
    best: Driver | None = None
    for path in COST_SETTINGS:
        default = _default(path)
        cut = cost(_with_setting(scenario, path, default))
        ratio = actual / cut if cut > 0 else math.inf
        if ratio >= DRIVER_RATIO and (best is None or ratio > best.ratio):
            values = [_value(scenario, path, v.parameters) for v in scenario.variants]
            best = Driver(path, min(values), max(values), default, ratio)
    return best


def _default(path: str) -> Any:
    if path == "horizon_months":
        return DEFAULT_HORIZON_MONTHS
    model: type[BaseModel] = Parameters
    *sections, leaf = path.split(".")
    for name in sections:
        model = type(model.model_fields[name].default)
    return model.model_fields[leaf].default


def _value(scenario: Scenario, path: str, parameters: Parameters) -> Any:
    if path == "horizon_months":
        return scenario.horizon_months
    node: Any = parameters
    for name in path.split("."):
        node = getattr(node, name)
    return node


def _with_setting(scenario: Scenario, path: str, value: Any) -> Scenario:
    """The scenario with one setting replaced in every variant (no validation: a what-if)."""
    if path == "horizon_months":
        return replace(scenario, horizon_months=value)

    def put(node: BaseModel, names: Sequence[str]) -> BaseModel:
        head, *rest = names
        new = put(getattr(node, head), rest) if rest else value
        return node.model_copy(update={head: new})

    variants = tuple(
        replace(v, parameters=put(v.parameters, path.split("."))) for v in scenario.variants
    )
    return replace(scenario, variants=variants)


@dataclass(frozen=True)
class Guard:
    """What ``salesim run`` does with an estimate: refuse, or start on ``workers`` saying so."""

    estimate: Estimate
    workers: int
    refusal: str | None = None  # why the run cannot start (exit 2)
    notes: tuple[str, ...] = ()  # lines to print before it starts: the estimate, fewer workers
    warning: str | None = None  # the run will take long


def guard_run(
    scenario: Scenario,
    replications: int,
    workers: int,
    *,
    workers_given: bool,
    available_bytes: float | None,
    least_replications: int | None = None,
    default_replications: int | None = None,
    long_seconds: float = LONG_RUN_SECONDS,
    headroom: float = MEMORY_HEADROOM,
) -> Guard:
    """Decide whether a run of ``replications`` (all variants) can start on ``workers``.

    ``available_bytes`` is the memory free where the workers run (None when that is not known,
    e.g. a remote Dask cluster: memory is then not checked). When fewer workers than asked fit,
    a run whose worker count was not given runs on as many as fit; one whose count was given is
    refused with the count that fits. ``least_replications`` is the fewest a precision run may
    stop at: its warning is about that, since it may stop long before ``replications``."""
    estimate = estimate_run(
        scenario, replications, workers, default_replications=default_replications
    )
    notes: list[str] = []
    if available_bytes is not None:
        budget = headroom * available_bytes
        fit = int(budget // estimate.bytes_per_worker)
        if fit < 1 or (fit < workers and workers_given):
            return Guard(
                estimate, workers, refusal=_memory_refusal(estimate, available_bytes, headroom)
            )
        if fit < workers:
            notes.append(
                f"Using {fit} of {workers} workers, so that memory fits: each needs "
                f"~{size(estimate.bytes_per_worker)}{_set_by(estimate.memory_driver)}, and "
                f"{_available(available_bytes, headroom)}."
            )
            workers = fit
            estimate = estimate_run(
                scenario, replications, workers, default_replications=default_replications
            )
    least = replications if least_replications is None else min(replications, least_replications)
    up_to = "up to " if least < replications else ""
    if estimate_run(scenario, least, workers).seconds <= long_seconds:
        notes.insert(0, f"Estimate: {up_to}{estimate.describe()}.")
        return Guard(estimate, workers, notes=tuple(notes))
    driver = f"; {estimate.time_driver} sets it" if estimate.time_driver else ""
    warning = (  # the estimate, said once: as the warning
        f"this run will take {up_to}{estimate.describe()}{driver}. Progress is shown as it "
        "goes; Ctrl-C stops it, and --resume continues it."
    )
    return Guard(estimate, workers, notes=tuple(notes), warning=warning)


def _memory_refusal(estimate: Estimate, available_bytes: float, headroom: float) -> str:
    """What cannot fit, what sets it, and what would fit."""
    need, workers = estimate.bytes_per_worker, estimate.workers
    budget = headroom * available_bytes
    fit = int(budget // need)
    what = (
        f"one worker needs ~{size(need)}"
        if fit < 1
        else f"--workers {workers} need ~{size(workers * need)} (~{size(need)} each)"
    )
    remedy = (
        f"Run with --workers {fit}{' or fewer' if fit > 1 else ''}."
        if fit >= 1
        else _shrink_hint(estimate, budget)
    )
    return (
        f"This run cannot fit in memory: {what}{_set_by(estimate.memory_driver)}; "
        f"{_available(available_bytes, headroom)}. {remedy} Nothing was started."
    ).replace("  ", " ")


def _set_by(driver: Driver | None) -> str:
    return f", set by {driver}" if driver else ""


def _available(available_bytes: float, headroom: float) -> str:
    return (
        f"{size(available_bytes)} of memory is available now, and a run plans to use at most "
        f"{headroom:.0%} of it ({size(headroom * available_bytes)})"
    )


def _shrink_hint(estimate: Estimate, budget: float) -> str:
    """How far the market must shrink for one worker to fit (memory grows in proportion to it),
    when the market is what drives the memory."""
    driver = estimate.memory_driver
    spare = budget - MEMORY.worker_base
    if driver is None or driver.setting != "market.accounts" or spare <= 0:
        return "Free some memory, or run on a larger machine."
    share = spare / (estimate.bytes_per_worker - MEMORY.worker_base)
    return f"Lower market.accounts to about {_number(_round_down(driver.highest * share))} or less."


def _round_down(value: float, figures: int = 2) -> int:
    """``6918`` -> ``6900``: an estimate shown with the precision it has."""
    step = 10 ** max(0, math.floor(math.log10(max(1.0, value))) + 1 - figures)
    return int(value // step * step)


def available_memory() -> float:
    """Bytes of memory available now to new processes (without swapping)."""
    import psutil

    return float(psutil.virtual_memory().available)


def duration(seconds: float) -> str:
    """``25 s``, ``6 min``, ``2 h 10 min``: rounded as an estimate should be."""
    if seconds < 60:
        return f"{max(1, round(seconds))} s"
    minutes = round(seconds / 60)
    if minutes < 60:
        return f"{minutes} min"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes} min" if minutes else f"{hours} h"


def seconds_each(seconds: float) -> str:
    return f"{seconds:.2g} s" if seconds < 10 else f"{round(seconds)} s"


def size(n_bytes: float) -> str:
    """``160 MB``, ``2.1 GB``, ``130 TB`` (decimal units, two significant figures at most)."""
    for unit, scale in (("TB", 1e12), ("GB", 1e9), ("MB", 1e6)):
        if n_bytes >= scale or unit == "MB":
            value = n_bytes / scale
            return f"{value:.2g} {unit}" if value < 10 else f"{value:,.0f} {unit}"
    raise AssertionError("unreachable")


def _number(value: Any) -> str:
    if isinstance(value, float) and not value.is_integer():
        return f"{value:g}"
    return f"{int(value):,}"
