"""``salesim sweep`` and ``salesim sensitivity``: one input across values, and which inputs
matter most (``salesim goal`` is in ``cli_goal``). Thin commands: they read the options, check
them (exit 2 with the path and what is allowed), and call ``simulator.decide``."""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Annotated, Any

import typer

from simulator.cli.common import (
    PROGRESS_SECONDS,
    ScenarioArg,
    SetOption,
    bad,
    err,
    json_option,
    load,
    out,
    write_json,
)
from simulator.cli.destinations import folder_destination
from simulator.decide.console import sensitivity_output, sweep_output
from simulator.decide.folder import json_text
from simulator.decide.job import Job
from simulator.decide.sensitivity import METHODS, design_size
from simulator.decide.settings import decision_input, default_range, file_ranges, variant_named
from simulator.decide.studies import factors, run_sensitivity, run_sweep
from simulator.decide.values import check_metrics, range_values, split_assignment, sweep_values
from simulator.metrics.catalog import HEADLINE
from simulator.parameters import Parameters
from simulator.parameters.paths import PathError, numeric_bounds
from simulator.report import REPORT
from simulator.runs import planning
from simulator.runs.backends import BACKENDS, default_workers
from simulator.runs.estimate import available_memory
from simulator.runs.progress import StudyProgress
from simulator.scenario.problems import ScenarioError
from simulator.scenario.resolve import Scenario, Variant

SWEEP_REPLICATIONS = 100
SENSITIVITY_REPLICATIONS = 8
MORRIS_TRAJECTORIES = 10

Seed = Annotated[int, typer.Option(min=0, help="root seed")]
Workers = Annotated[
    int | None, typer.Option(min=1, help="local worker processes [default: all cores]")
]
Backend = Annotated[str, typer.Option(help=f"where replications run: {' or '.join(BACKENDS)}")]
Scheduler = Annotated[
    str | None, typer.Option(help="with --backend dask: scheduler address [default: local]")
]
OutDir = Annotated[
    Path, typer.Option("--out", help="folder for results", callback=folder_destination)
]
VariantOption = Annotated[
    str | None, typer.Option("--variant", help="variant to vary [default: the first]")
]


def to_stderr(line: str) -> None:
    typer.echo(line, err=True)


def start_job(
    loaded: Scenario,
    replications: int,
    seed: int,
    workers: int | None,
    backend: str,
    scheduler: str | None,
    out_dir: Path,
    arms: list[Variant],
    planned: int,
) -> Job:
    """Check the options that every decision command shares, estimate time and memory for
    ``planned`` replications of ``arms``-like settings (exit 2 when they cannot fit), and make
    the job."""
    try:
        planning.asked_plan(replications, None, None, None, backend, scheduler)
        planning.check_out_dir(out_dir)
        like = replace(loaded, variants=tuple(arms))
        fits = planning.fit(
            like,
            max(1, planned // max(1, len(arms))),
            None,
            workers or default_workers(),
            workers is not None,
            scheduler,
            available_memory,
        )
    except planning.PlanError as error:
        raise bad(str(error)) from None
    for note in fits.notes:
        to_stderr(note)
    return Job(loaded, seed, replications, backend, fits.workers, scheduler, out_dir)


def run_job(job: Job, label: str, total: int, work: Callable[[], Any]) -> Any:
    """``work()`` under a progress bar (lines when stderr is not a terminal); a mistake found
    midway (a value a rule of the schema forbids) exits 2 and leaves no folder behind."""
    display = StudyProgress(label, total, None, err, to_stderr, interval=PROGRESS_SECONDS)
    job.on_progress = display.advance
    try:
        with display:
            result = work()
    except ScenarioError as error:
        job.discard()
        raise bad(error.report()) from None
    except KeyboardInterrupt:
        job.discard()
        to_stderr("Interrupted; nothing was kept.")
        raise typer.Exit(130) from None
    display.finish()
    return result


def emit(
    decision: dict[str, Any], json_out: str | None, show: Callable[[], None], job: Job
) -> None:
    """Print the answer (or only its JSON with ``--json -``) and where the results are."""
    data = json_text(decision)
    if json_out == "-":
        sys.stdout.write(data)
        return
    show()
    if json_out is not None:
        out.print(write_json(json_out, data, "Answer data", "the answer"))
    if job.run_dir is not None:
        out.print(f"Results: {job.run_dir}")
        out.print(f"Report:  {job.run_dir / REPORT}")


def sweep(
    scenario: ScenarioArg,
    vary: Annotated[
        str,
        typer.Option(
            help="the input and its values: PATH=a:b[:step] or PATH=v1,v2,... "
            "(e.g. team.hunters=4:12); PATH alone: 5 values across its documented range "
            "around the scenario's own value",
            metavar="PATH[=VALUES]",
        ),
    ],
    metrics_option: Annotated[
        str | None,
        typer.Option("--metrics", help="comma-separated summary metrics [default: headline]"),
    ] = None,
    variant: VariantOption = None,
    replications: Annotated[
        int | None,
        typer.Option(
            "-n",
            "--replications",
            min=2,
            help=f"replications per value [default: {SWEEP_REPLICATIONS}]",
        ),
    ] = None,
    precision: Annotated[
        float | None,
        typer.Option(
            help="instead of -n: add replications until every value's paired "
            "difference from the first on --metric is within this share of its mean"
        ),
    ] = None,
    metric: Annotated[str | None, typer.Option(help="metric --precision is about")] = None,
    max_replications: Annotated[
        int | None, typer.Option(min=2, help="with --precision: stop here")
    ] = None,
    seed: Seed = planning.DEFAULT_SEED,
    workers: Workers = None,
    backend: Backend = "local",
    scheduler: Scheduler = None,
    out_dir: OutDir = Path("results"),
    json_out: Annotated[str | None, json_option("the sweep's table")] = None,
    overrides: SetOption = None,
) -> None:
    """Sweep one input across values on the same random markets: the chosen metrics at every
    value, with their intervals, a page of lines with bands, and Parquet results."""
    loaded = load(scenario, overrides)
    try:
        chosen = variant_named(loaded, variant)
        if "=" in vary:
            path, text = split_assignment(vary, "--vary", "PATH=a:b[:step] or PATH=v1,v2,...")
            integer = numeric_bounds(Parameters, path).integer
            values = sweep_values(text, integer)
        else:
            path = vary.strip()
            integer = numeric_bounds(Parameters, path).integer
            try:
                low, high = default_range(chosen.parameters, path, "--vary")
            except ValueError as error:
                hint = f"{error}; or give the values, {path}=a:b or {path}=v1,v2,..."
                raise ValueError(hint) from None
            values = range_values(low, high, integer)
        swept = decision_input(loaded, [chosen], path, values, "--vary")
        metrics = check_metrics(
            list(HEADLINE)
            if metrics_option is None
            else [m.strip() for m in metrics_option.split(",") if m.strip()],
            "--metrics",
        )
        asked = planning.asked_plan(
            replications, precision, metric, max_replications, backend, scheduler
        )
    except (ValueError, PathError) as error:
        raise bad(str(error)) from None
    if precision is None and replications is None:
        asked = replace(asked, replications=SWEEP_REPLICATIONS)
    arms = [chosen] * len(values)
    job = start_job(
        loaded,
        asked.replications,
        seed,
        workers,
        backend,
        scheduler,
        out_dir,
        arms,
        asked.replications * len(values),
    )
    plan = asked.plan(job.workers)
    decision, points = run_job(
        job,
        f"sweep {path}",
        plan.replications * len(values),
        lambda: run_sweep(job, chosen, swept, values, metrics, plan),
    )
    title = (
        f"{loaded.name}: {path} swept ({decision['replications']} replications per value, "
        f"seed {seed}, common random numbers); mean [95% interval]"
    )
    emit(decision, json_out, lambda: out.print(sweep_output(path, points, title)), job)


def sensitivity(
    scenario: ScenarioArg,
    metric: Annotated[str, typer.Option(help="summary metric to explain")] = "bookings_24m",
    compare: Annotated[
        str | None,
        typer.Option(help="a variant: explain its paired difference against the baseline"),
    ] = None,
    vary: Annotated[
        list[str] | None,
        typer.Option(
            help="an input and its range, PATH=LOW:HIGH (repeatable) "
            "[default: the scenario's ranges:, else the documented defaults]"
        ),
    ] = None,
    method: Annotated[str, typer.Option(help=f"{' or '.join(METHODS)}")] = "morris",
    samples: Annotated[
        int,
        typer.Option(min=2, help="Morris trajectories, or Sobol base samples (a power of 2)"),
    ] = MORRIS_TRAJECTORIES,
    replications: Annotated[
        int, typer.Option("-n", "--replications", min=2, help="replications per setting")
    ] = SENSITIVITY_REPLICATIONS,
    seed: Seed = planning.DEFAULT_SEED,
    workers: Workers = None,
    backend: Backend = "local",
    scheduler: Scheduler = None,
    out_dir: OutDir = Path("results"),
    json_out: Annotated[str | None, json_option("the ranking")] = None,
    overrides: SetOption = None,
) -> None:
    """Rank the inputs that move a metric (or a variant's difference from the baseline) over
    their whole ranges (SALib: Morris by default, Sobol): a tornado chart, sensitivity.parquet,
    and with --compare the share of settings where the verdict keeps its sign."""
    loaded = load(scenario, overrides)
    try:
        check_metrics([metric], "--metric")
        if method not in METHODS:
            raise ValueError(f"--method {method!r}: allowed: {', '.join(METHODS)}")
        other = None if compare is None else variant_named(loaded, compare, "--compare")
        if other is not None and other.name == loaded.variants[0].name:
            raise ValueError(f"--compare {compare!r} is the baseline; name another variant")
        arms = [loaded.variants[0]] + ([other] if other else [])
        chosen, source = factors(loaded, arms, vary or [], file_ranges(loaded))
        if len(chosen) < 2:
            raise ValueError("--vary: a sensitivity study needs at least two inputs to rank")
    except (ValueError, PathError) as error:
        raise bad(str(error)) from None
    settings = design_size(method, len(chosen), samples) + 1
    planned = settings * len(arms) * replications
    job = start_job(loaded, replications, seed, workers, backend, scheduler, out_dir, arms, planned)
    decision = run_job(
        job,
        f"sensitivity of {metric}",
        planned,
        lambda: run_sensitivity(job, metric, other, chosen, method, samples, source),
    )
    emit(decision, json_out, lambda: out.print(sensitivity_output(decision)), job)
