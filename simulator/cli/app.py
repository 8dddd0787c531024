"""The ``salesim`` command line: thin typer commands over the modules that do the work.

Each command reads its options, calls the module that owns the job (``planning`` checks a run
before it starts, ``experiment`` runs it, ``store`` keeps it, ``report`` and ``console`` show
it) and prints what they return. User mistakes exit 2 with a message and nothing created.
"""

from __future__ import annotations

import json
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer

from simulator import __version__
from simulator.cli.backtest import backtest
from simulator.cli.calibrate import calibrate_export
from simulator.cli.check import check
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
from simulator.cli.decide import sensitivity, sweep
from simulator.cli.destinations import file_destination
from simulator.cli.explain import explain_command
from simulator.cli.forecast import forecast
from simulator.cli.goal import goal
from simulator.cli.import_export import import_export
from simulator.cli.recovery import recovery
from simulator.cli.replay import replay
from simulator.cli.story import story
from simulator.metrics.catalog import LOWER_IS_BETTER, SUMMARY, registry_json
from simulator.report import REPORT, default_path, load_results, report_output, write_report
from simulator.report.console import (
    bench_table,
    metrics_table,
    parse_metrics,
    run_output,
    run_subtitle,
    scenarios_listing,
)
from simulator.runs import planning
from simulator.runs.aggregate import compare
from simulator.runs.backends import BACKENDS, Backend, default_workers, open_backend
from simulator.runs.bench import TARGETS, run_bench, verdicts
from simulator.runs.bench_calibration import calibration_time
from simulator.runs.economics import economics_lines
from simulator.runs.estimate import available_memory
from simulator.runs.experiment import Study, run_study
from simulator.runs.job import RunError, finish_run, open_folder
from simulator.runs.planning import DEFAULT_MAX_REPLICATIONS, DEFAULT_METRIC, DEFAULT_REPLICATIONS
from simulator.runs.progress import StudyProgress
from simulator.runs.store import (
    MANIFEST,
    RunFolder,
    read_summary,
    write_text_atomic,
)
from simulator.scenario.files import (
    bundled_listing,
    bundled_scenarios_dir,
    scenario_json_schema,
)
from simulator.scenario.resolve import Scenario

app = typer.Typer(
    help="salesim: simulate a B2B sales pipeline and compare selling strategies.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
app.command("check")(check)
app.command("story")(story)
app.command("sweep")(sweep)
app.command("sensitivity")(sensitivity)
app.command("goal")(goal)
app.command("replay")(replay)
app.command("import")(import_export)
app.command("calibrate")(calibrate_export)
app.command("forecast")(forecast)
app.command("backtest")(backtest)
app.command("explain")(explain_command)
app.command("recovery")(recovery)


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
        int | None,
        typer.Option(min=0, help=f"root seed of the run [default: {planning.DEFAULT_SEED}]"),
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
    deals: Annotated[
        bool, typer.Option("--deals", help="also write deals.parquet: one row per opportunity")
    ] = False,
) -> None:
    """Run every variant of a scenario and compare them against the first (the baseline)."""
    try:
        shown = parse_metrics(metrics_option)
    except ValueError as error:
        raise bad(str(error)) from None
    loaded = load(scenario, overrides)
    try:
        asked = planning.asked_plan(
            replications, precision, metric, max_replications, backend, scheduler
        )
        ready = planning.prepare(
            loaded, scenario, asked, seed, resume, out_dir, workers or default_workers(),
            workers is not None, scheduler, available_memory,
        )  # fmt: skip
    except planning.PlanError as error:
        raise bad(str(error)) from None
    for note in ready.notes:
        typer.echo(note, err=True)
    seed, plan = ready.seed, ready.plan
    try:
        pool = open_backend(backend, ready.fit.workers, scheduler)
    except OSError as error:
        raise bad(f"--scheduler {scheduler}: cannot reach the Dask scheduler ({error})") from None
    try:
        folder = open_folder(loaded, ready, out_dir, overrides or [], deals, datetime.now(UTC))
    except RunError as error:
        raise bad(str(error)) from None
    typer.echo(
        f"Run folder: {folder.final} (if interrupted, add: --resume {folder.final})", err=True
    )
    study = _run_with_progress(loaded, ready, folder, pool)

    def add_report(partial: Path) -> None:
        write_report([partial], partial / REPORT)

    run_dir = finish_run(loaded, folder, study, backend, add_report)
    summary = read_summary(run_dir)
    comparisons = compare(summary, list(SUMMARY), LOWER_IS_BETTER)
    subtitle = run_subtitle(study.replications, seed, list(loaded.overrides))
    out.print(run_output(comparisons, loaded.name, subtitle, shown, economics_lines(summary)))
    if plan.precision is not None:
        out.print(planning.precision_line(plan, study), markup=False)
    out.print(f"Results: {run_dir}")
    out.print(f"Report:  {run_dir / REPORT}")


def _run_with_progress(
    loaded: Scenario, ready: planning.Ready, folder: RunFolder, pool: Backend
) -> Study:
    """Run the study under a progress bar on a terminal, else with a progress line every
    ``PROGRESS_SECONDS`` (a log must show a long run is alive); on Ctrl-C, say how to resume."""
    plan, estimate = ready.plan, ready.fit.estimate
    display = StudyProgress(
        loaded.name,
        plan.replications * len(loaded.variants),
        plan.precision,
        err,
        lambda line: typer.echo(line, err=True),
        interval=PROGRESS_SECONDS,
        prior_seconds=None if estimate is None else estimate.seconds,
        already=ready.stored,
    )
    with display:
        try:
            study = run_study(
                loaded, plan, ready.seed, folder, pool, display.advance, display.checked,
                deals=folder.state().deals,
            )  # fmt: skip
        except KeyboardInterrupt:
            display.stop()
            typer.echo(
                f"Interrupted. To continue, run the same command with --resume {folder.final}",
                err=True,
            )
            raise typer.Exit(130) from None
    display.finish()
    return study


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
            callback=file_destination,
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
        raise bad("\n".join(problems))
    results = load_results(run_dirs)
    path = write_report(run_dirs, out_file or default_path(run_dirs), results)
    out.print(report_output(results))
    out.print(f"Report: {path}")


@app.command("metrics")
def metrics_command(
    json_out: Annotated[str | None, json_option("the registry, summary then monthly")] = None,
) -> None:
    """List the metrics: name (for --metrics and the Parquet columns), label, unit, which
    direction is better, report section, and what it measures."""
    data = json.dumps(registry_json(), indent=2) + "\n"
    if json_out == "-":
        sys.stdout.write(data)
        return
    out.print(metrics_table())
    if json_out is not None:
        out.print(write_json(json_out, data, "Metrics data", "the registry"))


@app.command()
def validate(scenario: ScenarioArg, overrides: SetOption = None) -> None:
    """Check a scenario file without running it."""
    loaded = load(scenario, overrides)
    names = ", ".join(v.name for v in loaded.variants)
    out.print(f"{loaded.source}: valid; {len(loaded.variants)} variant(s): {names}", markup=False)


@app.command()
def schema() -> None:
    """Print the JSON Schema of scenario files (for editor completion)."""
    sys.stdout.write(json.dumps(scenario_json_schema(), indent=2) + "\n")


@app.command()
def scenarios() -> None:
    """List the bundled scenarios, then the engine checks, by the names they run under."""
    out.print(scenarios_listing(bundled_listing()))


@app.command()
def bench(
    quick: Annotated[
        bool, typer.Option("--quick", help="skip the 10,000-replication memory step")
    ] = False,
    json_path: Annotated[
        Path | None, typer.Option("--json", help="also write the figures as JSON here")
    ] = None,
    calibration_only: Annotated[
        bool,
        typer.Option(
            "--calibration-only", help="only time salesim calibrate on crm-maven (minutes)"
        ),
    ] = False,
) -> None:
    """Measure speed, scaling, parallel efficiency, memory, time to decision and calibration
    time (minutes)."""
    scenarios = sorted(bundled_scenarios_dir().glob("*.yaml"))
    say = lambda step: err.print(f"[dim]bench:[/dim] {step}")  # noqa: E731
    if calibration_only:
        say("calibration: salesim calibrate on crm-maven, 2 workers")
        figures = calibration_time()
    else:
        figures = run_bench(scenarios, quick, say)
    figures["targets_met"] = verdicts(figures)
    out.print(bench_table(figures, {key: text for key, (text, _) in TARGETS.items()}))
    if json_path is not None:
        write_text_atomic(json_path, json.dumps(figures, indent=2) + "\n")
        out.print(f"Figures: {json_path}")


@app.command()
def version() -> None:
    """Print the salesim version."""
    out.print(__version__)
