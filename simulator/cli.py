"""The ``salesim`` command line: thin typer commands over scenario, experiment, aggregate, store."""

from __future__ import annotations

import json
import math
import platform
import shlex
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

import numpy as np
import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from simulator import __version__
from simulator.aggregate import compare
from simulator.backends import BACKENDS, Backend, default_workers, open_backend
from simulator.bench import TARGETS, run_bench, verdicts
from simulator.console import bench_table, metrics_table, parse_metrics, run_output, run_subtitle
from simulator.estimate import Estimate, available_memory, guard_run
from simulator.experiment import MIN_PRECISION_REPLICATIONS, Plan, Study, run_study
from simulator.metrics import LOWER_IS_BETTER, MONTHLY_COLUMNS, SUMMARY_COLUMNS
from simulator.parameters import ScenarioFile
from simulator.progress import DEFAULT_INTERVAL_SECONDS, LineProgress
from simulator.report import REPORT, load_results, report_output, write_report
from simulator.scenario import (
    Scenario,
    ScenarioError,
    bundled_names,
    load_scenario,
    not_found,
)
from simulator.store import (
    MANIFEST,
    RunFolder,
    RunFolderError,
    new_run_id,
    read_summary,
    unfinished_runs,
    write_text_atomic,
)
from simulator.story import tell as tell_story
from simulator.story_page import write_story_page

app = typer.Typer(
    help="salesim: simulate a B2B sales pipeline and compare selling strategies.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
out = Console(width=None if sys.stdout.isatty() else 160)
err = Console(stderr=True)

EXIT_BAD_INPUT = 2

ScenarioArg = Annotated[
    str, typer.Argument(help="scenario file, or the name of a bundled one (see `scenarios`)")
]
SetOption = Annotated[
    list[str] | None,
    typer.Option(
        "--set",
        help="override a parameter, e.g. --set market.accounts=500 (repeatable)",
        metavar="PATH=VALUE",
    ),
]


def bundled_scenarios_dir() -> Path:
    """Bundled scenarios: inside the installed package, or the source tree's ``scenarios/``."""
    inside = Path(__file__).parent / "scenarios"
    return inside if inside.is_dir() else Path(__file__).parent.parent / "scenarios"


def _scenario_path(name: str) -> Path:
    """A file path, else a bundled name: ``death-spiral`` or an engine check ``checks/x``."""
    path = Path(name)
    if path.exists():
        return path
    bundled = bundled_scenarios_dir() / (name if name.endswith(".yaml") else f"{name}.yaml")
    return bundled if bundled.exists() else path


def _load(name: str, overrides: list[str] | None) -> Scenario:
    """Load or exit 2 with every problem; warn of each variant value a ``--set`` replaced."""
    path = _scenario_path(name)
    try:
        if not path.exists():
            raise ScenarioError(name, [not_found(name, bundled_scenarios_dir())])
        loaded = load_scenario(path, overrides or [])
    except ScenarioError as error:
        typer.echo(error.report(), err=True)
        raise typer.Exit(EXIT_BAD_INPUT) from None
    for line in loaded.overridden:
        typer.echo(f"Warning: {line}", err=True)
    return loaded


DEFAULT_REPLICATIONS = 200
DEFAULT_SEED = 1
DEFAULT_METRIC = "bookings_24m"
DEFAULT_MAX_REPLICATIONS = 5000
# When stderr is not a terminal, a progress line at least this often (seconds).
PROGRESS_SECONDS = DEFAULT_INTERVAL_SECONDS


@app.command()
def run(
    scenario: ScenarioArg,
    replications: Annotated[
        int | None,
        typer.Option(
            "-n",
            "--replications",
            min=1,
            help=f"replications per variant [default: {DEFAULT_REPLICATIONS}]",
        ),
    ] = None,
    seed: Annotated[
        int | None, typer.Option(min=0, help=f"root seed of the run [default: {DEFAULT_SEED}]")
    ] = None,
    precision: Annotated[
        float | None,
        typer.Option(
            help="instead of -n: add replications until every variant's paired difference on "
            "--metric has a 95% half-width under this share of the baseline mean (0.02 = 2%)",
        ),
    ] = None,
    metric: Annotated[
        str | None,
        typer.Option(help=f"summary metric that --precision is about [default: {DEFAULT_METRIC}]"),
    ] = None,
    max_replications: Annotated[
        int | None,
        typer.Option(
            min=1,
            help="with --precision: stop here even if not precise yet "
            f"[default: {DEFAULT_MAX_REPLICATIONS}]",
        ),
    ] = None,
    workers: Annotated[
        int | None,
        typer.Option(min=1, help="local worker processes [default: all cores]"),
    ] = None,
    backend: Annotated[
        str, typer.Option(help=f"where replications run: {' or '.join(BACKENDS)}")
    ] = "local",
    scheduler: Annotated[
        str | None,
        typer.Option(
            help="with --backend dask: scheduler address, e.g. tcp://10.0.0.5:8786 "
            "[default: a local cluster of --workers processes]"
        ),
    ] = None,
    resume: Annotated[
        Path | None,
        typer.Option(help="continue the interrupted run in this folder (results/<run-id>)"),
    ] = None,
    out_dir: Annotated[Path, typer.Option("--out", help="folder for run results")] = Path(
        "results"
    ),
    overrides: SetOption = None,
    metrics_option: Annotated[
        str | None,
        typer.Option(
            "--metrics",
            help="rows of the printed table: comma-separated summary metrics, or all "
            "(see `salesim metrics`) [default: the verdict's headline metrics]",
        ),
    ] = None,
) -> None:
    """Run every variant of a scenario and compare them against the first (the baseline)."""
    try:
        shown = parse_metrics(metrics_option)
    except ValueError as error:
        raise _bad(str(error)) from None
    loaded = _load(scenario, overrides)
    asked = _asked_plan(replications, precision, metric, max_replications, backend, scheduler)
    workers_given = workers is not None
    workers = workers or default_workers()
    stored = 0
    if resume is not None:
        folder, seed, plan = _reopen(resume, loaded, seed, asked)
        stored = folder.replications_stored()
        workers, estimate = _guard(
            loaded, plan.replications, plan.precision, workers, workers_given, scheduler, stored
        )
    else:
        _check_out_dir(out_dir)
        seed = DEFAULT_SEED if seed is None else seed
        workers, estimate = _guard(
            loaded, asked["replications"], asked["precision"], workers, workers_given, scheduler
        )
        each = estimate.seconds_per_replication if estimate else None
        plan = (
            Plan.fixed(asked["replications"], workers, each)
            if asked["precision"] is None
            else Plan.until_precise(asked["precision"], asked["metric"], asked["replications"])
        )
        _mention_unfinished(out_dir, scenario, loaded)
    try:
        pool = open_backend(backend, workers, scheduler)
    except OSError as error:
        raise _bad(f"--scheduler {scheduler}: cannot reach the Dask scheduler ({error})") from None
    started = datetime.now(UTC)
    if resume is None:
        state = {
            "scenario": loaded.resolved(),
            "root_seed": seed,
            "plan": plan.as_dict(),
            "overrides": overrides or [],
            "started_utc": started.isoformat(),
        }
        try:
            folder = RunFolder.create(out_dir, new_run_id(loaded.name, seed, started), state)
        except OSError as error:
            reason = error.strerror or str(error)
            raise _bad(f"--out {out_dir}: cannot create the run folder there ({reason})") from None
    typer.echo(
        f"Run folder: {folder.final} (if interrupted, add: --resume {folder.final})", err=True
    )
    study = _run_with_progress(loaded, plan, seed, folder, pool, estimate, stored)
    manifest = _manifest(loaded, plan, study, seed, folder.state(), backend)

    def add_report(partial: Path) -> None:
        write_report([partial], partial / REPORT)

    run_dir = folder.finish(manifest, add_report)
    comparisons = compare(read_summary(run_dir), list(SUMMARY_COLUMNS), LOWER_IS_BETTER)
    shown_overrides = list(loaded.overrides)
    subtitle = run_subtitle(study.replications, seed, shown_overrides)
    out.print(run_output(comparisons, loaded.name, subtitle, shown))
    if plan.precision is not None:
        out.print(_precision_line(plan, study), markup=False)
    out.print(f"Results: {run_dir}")
    out.print(f"Report:  {run_dir / REPORT}")


def _bad(message: str) -> typer.Exit:
    """Say what is wrong with the command line; the caller raises the exit (code 2)."""
    typer.echo(message, err=True)
    return typer.Exit(EXIT_BAD_INPUT)


def _asked_plan(
    replications: int | None,
    precision: float | None,
    metric: str | None,
    max_replications: int | None,
    backend: str,
    scheduler: str | None,
) -> dict[str, Any]:
    """The plan options as given, after checking that they fit together."""
    if backend not in BACKENDS:
        raise _bad(f"--backend: {backend!r} is not a backend; allowed: {', '.join(BACKENDS)}")
    if scheduler is not None and backend != "dask":
        raise _bad("--scheduler: only with --backend dask")
    if metric is not None and metric not in SUMMARY_COLUMNS:
        raise _bad(
            f"--metric: {metric!r} is not a summary metric; allowed: {', '.join(SUMMARY_COLUMNS)}"
        )
    if precision is not None and replications is not None:
        raise _bad("-n/--replications: not with --precision (use --max-replications as a cap)")
    if precision is None and (metric is not None or max_replications is not None):
        raise _bad("--metric and --max-replications: only with --precision")
    if precision is not None and not 0 < precision < 1:
        raise _bad(f"--precision: {precision} is a share of the baseline mean; allowed: 0 to 1")
    if precision is None:
        count = DEFAULT_REPLICATIONS if replications is None else replications
    else:
        count = max_replications or DEFAULT_MAX_REPLICATIONS
    return {
        "replications": count,
        "given": replications is not None or max_replications is not None,
        "precision": precision,
        "metric": metric or DEFAULT_METRIC,
    }


def _reopen(
    resume: Path, loaded: Scenario, seed: int | None, asked: dict[str, Any]
) -> tuple[RunFolder, int, Plan]:
    """The interrupted run's folder, seed and plan; options given must match the run's."""
    try:
        folder = RunFolder.reopen(resume)
    except RunFolderError as error:
        raise _bad(f"--resume: {error}") from None
    state = folder.state()
    plan = Plan(**state["plan"])
    problems = []
    if json.loads(json.dumps(loaded.resolved(), default=str)) != state["scenario"]:
        problems.append("the scenario (with its --set overrides) differs from the run's")
    if seed is not None and seed != state["root_seed"]:
        problems.append(f"--seed {seed}, but the run used {state['root_seed']}")
    if asked["given"] and asked["replications"] != plan.replications:
        problems.append(
            f"{asked['replications']} replications, but the run has {plan.replications}"
        )
    if asked["precision"] != plan.precision or (
        plan.precision is not None and asked["metric"] != plan.metric
    ):
        problems.append(
            f"--precision {asked['precision']} --metric {asked['metric']}, but the run used "
            f"--precision {plan.precision} --metric {plan.metric}"
        )
    if problems:
        raise _bad(f"--resume {resume}: " + "; ".join(problems))
    return folder, state["root_seed"], plan


def _check_out_dir(out_dir: Path) -> None:
    """``--out`` must be a folder, or a place where one can be made: say so before anything."""
    existing = next((p for p in (out_dir, *out_dir.parents) if p.exists()), None)
    if existing is not None and not existing.is_dir():
        where = "" if existing == out_dir else f" ({existing} is a file)"
        raise _bad(
            f"--out {out_dir}: not a folder{where}; give a folder for run results "
            "(it is created if missing; default: results)"
        )


def _guard(
    loaded: Scenario,
    replications: int,
    precision: float | None,
    workers: int,
    workers_given: bool,
    scheduler: str | None,
    stored: int = 0,
) -> tuple[int, Estimate | None]:
    """Estimate time and memory before anything is created: exit 2 if the run cannot fit, say
    the estimate, warn if it will take long. The workers to use, and the estimate."""
    if scheduler is not None:  # a remote cluster: its workers and memory are not known here
        return workers, None
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
        raise _bad(guard.refusal)
    for note in guard.notes:
        typer.echo(note, err=True)
    if guard.warning is not None:
        typer.echo(f"Warning: {guard.warning}", err=True)
    return guard.workers, guard.estimate


def _mention_unfinished(out_dir: Path, scenario: str, loaded: Scenario) -> None:
    """A run of the same scenario left unfinished beside this one: say how to continue it."""
    if not out_dir.is_dir():
        return
    for final, state in unfinished_runs(out_dir, loaded.name):
        typer.echo(
            f"Warning: {final} holds an unfinished run of {loaded.name} (started "
            f"{state.get('started_utc', 'at an unknown time')}); this run starts afresh. To "
            f"continue that one instead: {_resume_command(final, state, scenario)}",
            err=True,
        )


def _resume_command(final: Path, state: dict[str, Any], scenario: str) -> str:
    """The command that continues the run in ``final``: its scenario file, its ``--set``
    overrides and precision (``--resume`` checks they match), and nothing it does not need."""
    source = state.get("scenario", {}).get("source")
    words = ["salesim", "run", source if source and Path(source).is_file() else scenario]
    for override in state.get("overrides") or []:
        words += ["--set", str(override)]
    plan = state.get("plan") or {}
    if plan.get("precision") is not None:
        words += ["--precision", str(plan["precision"]), "--metric", str(plan.get("metric"))]
    return shlex.join([*words, "--resume", str(final)])


def _run_with_progress(
    loaded: Scenario,
    plan: Plan,
    seed: int,
    folder: RunFolder,
    pool: Backend,
    estimate: Estimate | None = None,
    stored: int = 0,
) -> Study:
    """Run the study under a progress bar on a terminal, else with a progress line every
    ``PROGRESS_SECONDS`` (a log must show a long run is alive); on Ctrl-C, say how to resume."""
    total = plan.replications * len(loaded.variants)
    target = 100 * (plan.precision or 0.0)
    if err.is_terminal:
        label = f"{escape(loaded.name)}: replications"
        display: Any = Progress(
            TextColumn("[bold]{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeRemainingColumn(),
            console=err,
            transient=True,
        )
        task = display.add_task(label, total=total)

        def advance(done: int) -> None:
            display.advance(task, done)

        def checked(replications: int, worst: float) -> None:
            text = f"{label} (±{100 * worst:.1f}% after {replications}, target ±{target:g}%)"
            display.update(task, description=text)

    else:
        display = LineProgress(
            loaded.name,
            total,
            lambda line: typer.echo(line, err=True),
            interval=PROGRESS_SECONDS,
            prior_seconds=None if estimate is None else estimate.seconds,
            already=stored,
        )
        advance = display.advance

        def checked(replications: int, worst: float) -> None:
            display.set_note(f"±{100 * worst:.1f}% after {replications}, target ±{target:g}%")

    with display:
        try:
            study = run_study(loaded, plan, seed, folder, pool, advance, checked)
        except KeyboardInterrupt:
            if isinstance(display, Progress):
                display.stop()
            typer.echo(
                f"Interrupted. To continue, run the same command with --resume {folder.final}",
                err=True,
            )
            raise typer.Exit(130) from None
    if isinstance(display, LineProgress):
        display.finish()
    return study


def _precision_line(plan: Plan, study: Study) -> str:
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


def _manifest(
    scenario: Scenario,
    plan: Plan,
    study: Study,
    seed: int,
    state: dict[str, Any],
    backend: str,
) -> dict[str, Any]:
    names = [v.name for v in scenario.variants]
    compared = names[1:] or names[:1]
    return {
        "salesim_version": __version__,
        "scenario": scenario.resolved(),
        "root_seed": seed,
        "replications": study.replications,
        "variants": names,
        "overrides": state["overrides"],
        "plan": plan.as_dict(),
        "precision": None
        if plan.precision is None
        else {
            "metric": plan.metric,
            "target": plan.precision,
            "reached": study.precision_reached,
            "relative_half_width": {
                name: width if math.isfinite(width) else None
                for name, width in zip(compared, study.relative_half_width, strict=True)
            },
        },
        "variance_reduction": {
            "metric": plan.metric,
            "definition": "(var(variant) + var(baseline)) / var(variant - baseline): how many "
            "times more replications independent sampling needs for the paired precision",
            "by_variant": {
                name: factor if math.isfinite(factor) else None
                for name, factor in zip(names[1:], study.variance_reduction, strict=True)
            },
        },
        "backend": backend,
        "workers": study.slots,
        "metrics": {
            "summary": list(SUMMARY_COLUMNS),
            "monthly": list(MONTHLY_COLUMNS),
            "lower_is_better": sorted(LOWER_IS_BETTER),
        },
        "timings": {
            "started_utc": state["started_utc"],
            "resumed": study.computed < study.replications * len(names),
            "replications_computed": study.computed,
            "wall_seconds": round(study.wall_seconds, 3),
            "study_finished_utc": datetime.now(UTC).isoformat(),
            "seconds_per_replication": round(
                study.wall_seconds * study.slots / max(1, study.computed), 5
            ),
        },
        "environment": {
            "python": platform.python_version(),
            "numpy": np.__version__,
            "platform": platform.platform(),
        },
    }


@app.command()
def report(
    run_dirs: Annotated[
        list[Path], typer.Argument(help="run folders (results/<run-id>); several are combined")
    ],
    out_file: Annotated[
        Path | None,
        typer.Option(
            "--out",
            help="page to write [default: RUN_DIR/report.html for one run, "
            "results/combined-<time>.html for several]",
        ),
    ] = None,
) -> None:
    """Rebuild a run's report, or combine several runs into one, from stored results alone."""
    problems = [
        f"{d}: not a salesim run folder (no {MANIFEST})"
        for d in run_dirs
        if not (d / MANIFEST).is_file()
    ]
    if problems:
        typer.echo("\n".join(problems), err=True)
        raise typer.Exit(EXIT_BAD_INPUT)
    if out_file is None:
        stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
        out_file = (
            run_dirs[0] / REPORT
            if len(run_dirs) == 1
            else Path("results") / f"combined-{stamp}.html"
        )
    results = load_results(run_dirs)
    path = write_report(run_dirs, out_file, results)
    out.print(report_output(results))
    out.print(f"Report: {path}")


@app.command("metrics")
def metrics_command() -> None:
    """List the summary metrics: name (for --metrics and the Parquet columns), label, unit,
    which direction is better, and what it measures."""
    out.print(metrics_table())


@app.command()
def validate(scenario: ScenarioArg, overrides: SetOption = None) -> None:
    """Check a scenario file without running it."""
    loaded = _load(scenario, overrides)
    names = ", ".join(v.name for v in loaded.variants)
    out.print(f"{loaded.source}: valid; {len(loaded.variants)} variant(s): {names}", markup=False)


@app.command()
def schema() -> None:
    """Print the JSON Schema of scenario files (for editor completion)."""
    sys.stdout.write(json.dumps(scenario_json_schema(), indent=2) + "\n")


def scenario_json_schema() -> dict[str, Any]:
    """The scenario file schema. Every parameter has a default, so only the scenario's own name
    and description are required; variants may override any subset of the base."""
    schema = ScenarioFile.model_json_schema()
    for definition in schema.get("$defs", {}).values():
        definition.pop("required", None)
    variant = schema["$defs"].get("VariantSpec")
    if variant is not None:
        variant["required"] = ["name"]
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "salesim scenario"
    return schema


@app.command()
def scenarios() -> None:
    """List the bundled scenarios, then the engine checks, by the names they run under."""
    folder = bundled_scenarios_dir()
    names, checks = bundled_names(folder)
    width = max(map(len, [*names, *checks]), default=0) + 2
    groups = [("Scenarios (salesim run NAME):", names)]
    if checks:
        heading = "Engine checks (test the simulator against known results; not business cases):"
        groups.append((heading, checks))
    for number, (heading, group) in enumerate(groups):
        if number:
            out.print()
        out.print(heading, markup=False, style="bold")
        for name in group:
            try:
                loaded = load_scenario(folder / f"{name}.yaml")
            except ScenarioError as error:
                out.print(f"{name:{width}}(invalid: {len(error.problems)} problems)", markup=False)
                continue
            variants = ", ".join(v.name for v in loaded.variants)
            out.print(f"{name:{width}}{loaded.description}", markup=False)
            out.print(f"{'':{width}}variants: {variants}", markup=False, style="dim")


@app.command()
def story(
    scenario: ScenarioArg,
    variant: Annotated[str, typer.Option(help="variant whose story to tell")] = "vaporware",
    seed: Annotated[int, typer.Option(min=0, help="root seed")] = 1,
    replication: Annotated[
        int | None,
        typer.Option(min=0, help="replication to tell [default: the one that shows the spiral]"),
    ] = None,
    hunter: Annotated[
        int | None, typer.Option(min=0, help="hunter to follow [default: the best story]")
    ] = None,
    html: Annotated[
        bool, typer.Option("--html", help="also write the story as a web page")
    ] = False,
    out_dir: Annotated[Path, typer.Option("--out", help="folder for the page")] = Path("results"),
    json_out: Annotated[
        str | None,
        typer.Option(
            "--json",
            metavar="FILE",
            help="also write the story as data (JSON) to FILE; '-' writes it to stdout instead "
            "of the text",
        ),
    ] = None,
    search: Annotated[
        int,
        typer.Option(
            min=1, help="replications searched for the story and counted for how typical it is"
        ),
    ] = 40,
    overrides: SetOption = None,
) -> None:
    """Tell one hunter's replication as a dated story, for training (the death spiral)."""
    loaded = _load(scenario, overrides)
    try:
        told = tell_story(loaded, variant, seed, replication, hunter, search)
    except ValueError as error:
        typer.echo(f"{loaded.source}: {error}", err=True)
        raise typer.Exit(EXIT_BAD_INPUT) from None
    data = json.dumps(told.to_json(), indent=1) + "\n" if json_out is not None else ""
    if json_out == "-":
        sys.stdout.write(data)
    else:
        typer.echo(told.text())
    written = []
    try:
        if json_out not in (None, "-"):
            written.append(f"Story data: {write_text_atomic(Path(json_out), data)}")
        if html:
            written.append(f"Story page: {write_story_page(told, out_dir)}")
    except OSError as error:
        typer.echo(f"cannot write the story: {error}", err=True)
        raise typer.Exit(EXIT_BAD_INPUT) from None
    for line in written:
        typer.echo(line, err=json_out == "-")


@app.command()
def bench(
    quick: Annotated[
        bool, typer.Option("--quick", help="skip the 10,000-replication memory step")
    ] = False,
    json_path: Annotated[
        Path | None, typer.Option("--json", help="also write the figures as JSON here")
    ] = None,
) -> None:
    """Measure speed, scaling, parallel efficiency, memory and time to decision (minutes)."""
    scenarios = sorted(bundled_scenarios_dir().glob("*.yaml"))
    figures = run_bench(scenarios, quick, lambda step: err.print(f"[dim]bench:[/dim] {step}"))
    figures["targets_met"] = verdicts(figures)
    out.print(bench_table(figures, {key: text for key, (text, _) in TARGETS.items()}))
    if json_path is not None:
        write_text_atomic(json_path, json.dumps(figures, indent=2) + "\n")
        out.print(f"Figures: {json_path}")


@app.command()
def version() -> None:
    """Print the salesim version."""
    out.print(__version__)
