"""The ``salesim`` command line: thin typer commands over scenario, experiment, aggregate, store."""

from __future__ import annotations

import json
import platform
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
from simulator.console import comparison_table
from simulator.experiment import default_workers, run_experiment
from simulator.metrics import LOWER_IS_BETTER, MONTHLY_COLUMNS, SUMMARY_COLUMNS
from simulator.parameters import ScenarioFile
from simulator.report import REPORT, write_report
from simulator.scenario import Scenario, ScenarioError, load_scenario
from simulator.store import MANIFEST, new_run_id, write_run
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
    path = Path(name)
    if path.exists():
        return path
    bundled = bundled_scenarios_dir() / (name if name.endswith(".yaml") else f"{name}.yaml")
    return bundled if bundled.exists() else path


def _load(name: str, overrides: list[str] | None) -> Scenario:
    try:
        return load_scenario(_scenario_path(name), overrides or [])
    except ScenarioError as error:
        typer.echo(error.report(), err=True)
        raise typer.Exit(EXIT_BAD_INPUT) from None


@app.command()
def run(
    scenario: ScenarioArg,
    replications: Annotated[
        int, typer.Option("-n", "--replications", min=1, help="replications per variant")
    ] = 200,
    seed: Annotated[int, typer.Option(min=0, help="root seed of the run")] = 1,
    workers: Annotated[
        int | None, typer.Option(min=1, help="worker processes [default: all cores]")
    ] = None,
    out_dir: Annotated[Path, typer.Option("--out", help="folder for run results")] = Path(
        "results"
    ),
    overrides: SetOption = None,
) -> None:
    """Run every variant of a scenario and compare them against the first (the baseline)."""
    loaded = _load(scenario, overrides)
    workers = workers or default_workers()
    total = replications * len(loaded.variants)
    started = datetime.now(UTC)
    with Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=err,
        transient=True,
    ) as progress:
        task = progress.add_task(f"{escape(loaded.name)}: replications", total=total)
        result = run_experiment(
            loaded, replications, seed, workers, lambda done: progress.advance(task, done)
        )
    manifest = _manifest(loaded, replications, seed, overrides or [], result.workers)
    manifest["timings"] = {
        "started_utc": started.isoformat(),
        "wall_seconds": round(result.wall_seconds, 3),
        "seconds_per_replication": round(result.wall_seconds * result.workers / total, 5),
    }
    run_id = new_run_id(loaded.name, seed, started)

    def add_report(folder: Path) -> None:
        write_report([folder], folder / REPORT)

    run_dir = write_run(out_dir, run_id, manifest, result.summary, result.monthly, add_report)
    comparisons = compare(result.summary, list(SUMMARY_COLUMNS), LOWER_IS_BETTER)
    title = (
        f"{loaded.name}: {replications} replications per variant, seed {seed} "
        f"(↓ = lower is better; differences are paired, variant minus baseline)"
    )
    out.print(comparison_table(comparisons, title))
    out.print(f"Results: {run_dir}")
    out.print(f"Report:  {run_dir / REPORT}")


def _manifest(
    scenario: Scenario, replications: int, seed: int, overrides: list[str], workers: int
) -> dict[str, Any]:
    return {
        "salesim_version": __version__,
        "scenario": scenario.resolved(),
        "root_seed": seed,
        "replications": replications,
        "variants": [v.name for v in scenario.variants],
        "overrides": overrides,
        "workers": workers,
        "metrics": {
            "summary": list(SUMMARY_COLUMNS),
            "monthly": list(MONTHLY_COLUMNS),
            "lower_is_better": sorted(LOWER_IS_BETTER),
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
    path = write_report(run_dirs, out_file)
    out.print(f"Report: {path}")


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
    """List the bundled scenarios with their descriptions."""
    folder = bundled_scenarios_dir()
    for path in sorted(folder.glob("*.yaml")):
        try:
            loaded = load_scenario(path)
        except ScenarioError as error:
            out.print(f"{path.stem:16} (invalid: {len(error.problems)} problems)", markup=False)
            continue
        variants = ", ".join(v.name for v in loaded.variants)
        out.print(f"{path.stem:16} {loaded.description}", markup=False)
        out.print(f"{'':16} variants: {variants}", markup=False, style="dim")


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
    overrides: SetOption = None,
) -> None:
    """Tell one hunter's replication as a dated story, for training (the death spiral)."""
    loaded = _load(scenario, overrides)
    try:
        told = tell_story(loaded, variant, seed, replication, hunter)
    except ValueError as error:
        typer.echo(f"{loaded.source}: {error}", err=True)
        raise typer.Exit(EXIT_BAD_INPUT) from None
    typer.echo(told.text())
    if html:
        path = write_story_page(told, out_dir)
        typer.echo(f"Story page: {path}")


@app.command()
def version() -> None:
    """Print the salesim version."""
    out.print(__version__)
