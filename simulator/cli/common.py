"""What every ``salesim`` command shares: the consoles, the common options, loading a scenario
or saying why not (exit 2), and writing ``--json`` data to a file or to stdout."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from simulator.atomic import write_text_atomic
from simulator.cli.destinations import file_destination
from simulator.explain.carriers import ExplainFileError, carriers, read_answer
from simulator.runs.progress import DEFAULT_INTERVAL_SECONDS
from simulator.scenario.files import scenario_path
from simulator.scenario.resolve import Scenario, ScenarioError, load_scenario

out = Console(width=None if sys.stdout.isatty() else 160)
err = Console(stderr=True)

EXIT_BAD_INPUT = 2
# When stderr is not a terminal, a progress line at least this often (seconds).
PROGRESS_SECONDS = DEFAULT_INTERVAL_SECONDS

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


def json_option(what: str) -> object:
    """A ``--json FILE`` option whose ``-`` writes ``what`` to stdout instead of the text."""
    return typer.Option(
        "--json",
        metavar="FILE",
        callback=file_destination,
        help=f"also write {what} as JSON to FILE; '-' writes it to stdout instead of the text",
    )


def load(name: str, overrides: list[str] | None) -> Scenario:
    """Load or exit 2 with every problem; warn of each variant value a ``--set`` replaced."""
    try:
        loaded = load_scenario(scenario_path(name), overrides or [])
    except ScenarioError as error:
        typer.echo(error.report(), err=True)
        raise typer.Exit(EXIT_BAD_INPUT) from None
    for line in loaded.warnings:
        err.print(f"Warning: {line}", style="bold red", markup=False, highlight=False)
    for line in loaded.overridden:
        typer.echo(f"Warning: {line}", err=True)
    for line in loaded.notes:
        typer.echo(f"Note: {line}", err=True)
    return loaded


def bad(message: str) -> typer.Exit:
    """Say what is wrong with the command line; the caller raises the exit (code 2)."""
    typer.echo(message, err=True)
    return typer.Exit(EXIT_BAD_INPUT)


def write_json(json_out: str, data: str, label: str, what: str) -> str:
    """Write ``--json`` data to its file (atomically); the line that says where, or exit 2."""
    try:
        return f"{label}: {write_text_atomic(Path(json_out), data)}"
    except OSError as error:
        raise bad(f"--json {json_out}: cannot write {what} ({error})") from None


ExplainOption = Annotated[
    Path | None,
    typer.Option(
        "--explain",
        help="a `salesim explain` answer (explain.json) of this scenario: name the mechanisms "
        "that carry the verdict",
        metavar="FILE",
    ),
]


def explain_line(path: Path | None, scenario: str) -> str:
    """The sentence naming the mechanisms that carry the verdict, or '' without a file; exit
    2 when the file is not an explain answer of ``scenario``."""
    if path is None:
        return ""
    try:
        return carriers(read_answer(path, scenario))
    except ExplainFileError as error:
        raise bad(f"--explain {error}") from None
