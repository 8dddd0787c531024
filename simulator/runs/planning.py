"""What a run is asked to do, checked before anything starts, and what came of its precision.

``salesim run`` takes its plan from options that must fit together (``-n`` or ``--precision``,
``--backend`` and ``--scheduler``), from the run it resumes (whose scenario, seed and plan must
match what is asked again), and from the machine: a run whose memory cannot fit is refused
before anything is created, and one that will take long is warned about. Each check says what
is wrong in the words of the command line; a ``PlanError`` carries that message, which the
command prints before it exits 2. Nothing here prints.
"""

from __future__ import annotations

import json
import math
import shlex
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from simulator.atomic import nearest_existing
from simulator.metrics.catalog import SUMMARY
from simulator.runs.backends import BACKENDS
from simulator.runs.estimate import Estimate, guard_run
from simulator.runs.experiment import MIN_PRECISION_REPLICATIONS, Plan, Study
from simulator.runs.store import RunFolder, RunFolderError, RunState, unfinished_runs
from simulator.scenario.resolve import Scenario

DEFAULT_REPLICATIONS = 200
DEFAULT_SEED = 1
DEFAULT_METRIC = "bookings_24m"
DEFAULT_MAX_REPLICATIONS = 5000


class PlanError(ValueError):
    """What is wrong with the command line, as its user should read it."""


@dataclass(frozen=True)
class Asked:
    """The plan options as given, checked to fit together."""

    replications: int  # per variant: -n, or the cap of a precision-driven run
    given: bool  # whether -n or --max-replications was given
    precision: float | None
    metric: str

    def plan(self, workers: int, seconds_per_replication: float | None = None) -> Plan:
        """The plan of a new run."""
        if self.precision is None:
            return Plan.fixed(self.replications, workers, seconds_per_replication)
        return Plan.until_precise(self.precision, self.metric, self.replications)


def asked_plan(
    replications: int | None,
    precision: float | None,
    metric: str | None,
    max_replications: int | None,
    backend: str,
    scheduler: str | None,
) -> Asked:
    """The plan options as given, after checking that they fit together."""
    if backend not in BACKENDS:
        raise PlanError(f"--backend: {backend!r} is not a backend; allowed: {', '.join(BACKENDS)}")
    if scheduler is not None and backend != "dask":
        raise PlanError("--scheduler: only with --backend dask")
    if metric is not None and metric not in SUMMARY:
        raise PlanError(
            f"--metric: {metric!r} is not a summary metric; allowed: {', '.join(SUMMARY)}"
        )
    if precision is not None and replications is not None:
        raise PlanError("-n/--replications: not with --precision (use --max-replications as a cap)")
    if precision is None and (metric is not None or max_replications is not None):
        raise PlanError("--metric and --max-replications: only with --precision")
    if precision is not None and not 0 < precision < 1:
        raise PlanError(
            f"--precision: {precision} is a share of the baseline mean; allowed: 0 to 1"
        )
    if precision is None:
        count = DEFAULT_REPLICATIONS if replications is None else replications
    else:
        count = max_replications or DEFAULT_MAX_REPLICATIONS
    given = replications is not None or max_replications is not None
    return Asked(count, given, precision, metric or DEFAULT_METRIC)


def reopen(
    resume: Path, loaded: Scenario, seed: int | None, asked: Asked
) -> tuple[RunFolder, RunState]:
    """The interrupted run's folder and state; the options given must match the run's."""
    try:
        folder = RunFolder.reopen(resume)
    except RunFolderError as error:
        raise PlanError(f"--resume: {error}") from None
    state = folder.state()
    plan = state.plan
    problems = []
    if json.loads(json.dumps(loaded.resolved(), default=str)) != state.scenario:
        problems.append("the scenario (with its --set overrides) differs from the run's")
    if seed is not None and seed != state.root_seed:
        problems.append(f"--seed {seed}, but the run used {state.root_seed}")
    if asked.given and asked.replications != plan.replications:
        problems.append(f"{asked.replications} replications, but the run has {plan.replications}")
    if asked.precision != plan.precision or (
        plan.precision is not None and asked.metric != plan.metric
    ):
        problems.append(
            f"--precision {asked.precision} --metric {asked.metric}, but the run used "
            f"--precision {plan.precision} --metric {plan.metric}"
        )
    if problems:
        raise PlanError(f"--resume {resume}: " + "; ".join(problems))
    return folder, state


def check_out_dir(out_dir: Path) -> None:
    """``--out`` must be a folder, or a place where one can be made: say so before anything."""
    existing = nearest_existing(out_dir)
    if not existing.is_dir():
        where = "" if existing == out_dir else f" ({existing} is a file)"
        raise PlanError(
            f"--out {out_dir}: not a folder{where}; give a folder for run results "
            "(it is created if missing; default: results)"
        )


@dataclass(frozen=True)
class Fit:
    """How a run fits the machine: the workers to use, the estimate (None on a remote
    cluster, whose workers and memory are not known here), and what to tell the user."""

    workers: int
    estimate: Estimate | None = None
    notes: list[str] = field(default_factory=list)


def fit(
    loaded: Scenario,
    replications: int,
    precision: float | None,
    workers: int,
    workers_given: bool,
    scheduler: str | None,
    available_memory: Callable[[], float],
    stored: int = 0,
) -> Fit:
    """Estimate time and memory before anything is created: refuse (PlanError) a run that
    cannot fit; else the workers to use, the estimate, and the notes and warning to show."""
    if scheduler is not None:
        return Fit(workers)
    variants = len(loaded.variants)
    least = min(MIN_PRECISION_REPLICATIONS, replications) if precision is not None else None
    guard = guard_run(
        loaded,
        max(0, replications * variants - stored),
        workers,
        workers_given=workers_given,
        available_bytes=available_memory(),
        least_replications=None if least is None else max(0, least * variants - stored),
        default_replications=DEFAULT_REPLICATIONS,
    )
    if guard.refusal is not None:
        raise PlanError(guard.refusal)
    notes = list(guard.notes)
    if guard.warning is not None:
        notes.append(f"Warning: {guard.warning}")
    return Fit(guard.workers, guard.estimate, notes)


@dataclass(frozen=True)
class Ready:
    """A run checked and ready to start: its seed and plan, how it fits the machine, the folder
    of the run it resumes (None for a new run) with the replications already stored there, and
    what to tell the user first."""

    seed: int
    plan: Plan
    fit: Fit
    folder: RunFolder | None = None
    stored: int = 0
    notes: list[str] = field(default_factory=list)


def prepare(
    loaded: Scenario,
    scenario: str,
    asked: Asked,
    seed: int | None,
    resume: Path | None,
    out_dir: Path,
    workers: int,
    workers_given: bool,
    scheduler: str | None,
    available_memory: Callable[[], float],
) -> Ready:
    """Every check before a run starts, new or resumed (PlanError on the first that fails):
    the resumed run matches what is asked, ``--out`` can hold a new one, time and memory fit."""
    if resume is not None:
        folder, state = reopen(resume, loaded, seed, asked)
        stored = folder.replications_stored()
        plan = state.plan
        fits = fit(loaded, plan.replications, plan.precision, workers, workers_given, scheduler,
                   available_memory, stored)  # fmt: skip
        return Ready(state.root_seed, plan, fits, folder, stored, fits.notes)
    check_out_dir(out_dir)
    fits = fit(loaded, asked.replications, asked.precision, workers, workers_given, scheduler,
               available_memory)  # fmt: skip
    plan = asked.plan(
        fits.workers, fits.estimate.seconds_per_replication if fits.estimate else None
    )
    warnings = unfinished_warnings(out_dir, scenario, loaded)
    return Ready(DEFAULT_SEED if seed is None else seed, plan, fits, notes=fits.notes + warnings)


def unfinished_warnings(out_dir: Path, scenario: str, loaded: Scenario) -> list[str]:
    """A warning for each run of the same scenario left unfinished in ``out_dir``, with the
    command that continues it."""
    if not out_dir.is_dir():
        return []
    return [
        f"Warning: {final} holds an unfinished run of {loaded.name} (started "
        f"{state.started_utc or 'at an unknown time'}); this run starts afresh. To "
        f"continue that one instead: {resume_command(final, state, scenario)}"
        for final, state in unfinished_runs(out_dir, loaded.name)
    ]


def resume_command(final: Path, state: RunState, scenario: str) -> str:
    """The command that continues the run in ``final``: its scenario file, its ``--set``
    overrides and precision (``--resume`` checks they match), and nothing it does not need."""
    source = state.scenario.get("source")
    words = ["salesim", "run", source if source and Path(source).is_file() else scenario]
    for override in state.overrides:
        words += ["--set", str(override)]
    if state.plan.precision is not None:
        words += ["--precision", str(state.plan.precision), "--metric", str(state.plan.metric)]
    return shlex.join([*words, "--resume", str(final)])


def precision_line(plan: Plan, study: Study) -> str:
    """After a precision-driven study: the precision reached, against the target."""
    worst = max(study.relative_half_width)
    if not math.isfinite(worst):
        return (
            f"Precision on {plan.metric}: NOT reached after {study.replications} replications "
            "per variant: the baseline mean is 0 (or undefined), so no relative precision exists."
        )
    reached = "reached" if study.precision_reached else "NOT reached: the replication cap was hit"
    return (
        f"Precision on {plan.metric}: ±{100 * worst:.2f}% of the baseline mean after "
        f"{study.replications} replications per variant; target ±{100 * (plan.precision or 0):g}%"
        f" {reached}."
    )
