"""Options the commands that read a CRM export share (``import``, ``calibrate``,
``backtest``): the export, its format and column map, a day to see it as of, and the fit's
settings, said once so that the commands cannot drift apart; and the fits themselves, with
their progress on the console."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Annotated

import numpy as np
import typer

from simulator.calibrate.calibration import (
    Calibration,
    Settings,
    calibrate,
    calibrate_customers,
)
from simulator.calibrate.deal_sizes import DealSizeSource
from simulator.calibrate.scenario_file import Fitting
from simulator.cli.common import bad, err, load
from simulator.crm.dates import parse_date
from simulator.crm.formats import FIELDS, NAMES
from simulator.crm.load import Imported
from simulator.crm.reader import ExportError
from simulator.crm.subscriptions import LABEL, Customers, load_subscriptions
from simulator.parameters.knobs import Tree
from simulator.scenario.resolve import Scenario

ExportArg = Annotated[Path, typer.Argument(help="the CRM opportunity export (CSV or Parquet)")]
FormatOption = Annotated[
    str, typer.Option("--format", help=f"the tool that wrote it: {' | '.join(NAMES)}")
]
MapOption = Annotated[
    list[str] | None,
    typer.Option(
        "--map",
        metavar="FIELD=COLUMN",
        help=f"read FIELD from COLUMN (repeatable); fields: {', '.join(FIELDS)}",
    ),
]
BaseOption = Annotated[
    str, typer.Option("--base", help="scenario to start from: a file or a bundled name")
]
WindowMonthsOption = Annotated[
    int, typer.Option(min=3, max=36, help="months of the export the fit's statistics cover")
]
WarmupMonthsOption = Annotated[
    int | None,
    typer.Option(
        min=1,
        max=36,
        help="months simulated before them to fill the pipeline when the export shows no "
        "history before them (else its own, in months of the window's new opportunities, "
        "up to 36, and a note says this one is not used) [default: 6]",
    ),
]
FitReplicationsOption = Annotated[
    int, typer.Option("-n", "--replications", min=2, max=200, help="replications a fit try")
]
MaxTriesOption = Annotated[
    int, typer.Option(min=5, help="most parameter sets the fit may simulate")
]
WorkersOption = Annotated[int | None, typer.Option(min=1, help="worker processes")]
DealSizesOption = Annotated[
    DealSizeSource,
    typer.Option(
        "--deal-sizes",
        case_sensitive=False,
        help="export: deal sizes from the export's own won ACVs when it has amounts (the "
        "scenario records them as market.deal_sizes); lognormal: each segment's lognormal, its "
        "median and spread fitted",
    ),
]
DEFAULTS = Settings()


def parse_day(option: str, text: str | None) -> date | None:
    """A date option's value, or exit 2 saying how to write it."""
    if text is None:
        return None
    day = parse_date(text)
    if day is None:
        raise bad(f"{option} {text!r}: not a date; write it as 2017-09-30")
    return day


def warmup_note(given: int | None, used: int) -> str | None:
    """What to say when ``--warmup-months`` was given but the export's own history set the
    months simulated before the window instead (a user's input is never dropped silently)."""
    if given is None or given == used:
        return None
    return (
        f"Note: --warmup-months {given} is not used: the export shows deals created before "
        f"the window, so the simulation runs its own history before it, {used} months (in "
        "months of the window's new opportunities)."
    )


def fit_export(
    seen: Imported,
    base: str,
    overrides: list[str] | None,
    settings: Settings,
    warmup_given: int | None = None,
) -> tuple[Calibration, Scenario]:
    """``salesim calibrate``'s fit of the export as seen on the as-of date, with its progress;
    and the base scenario."""
    base_scenario = load(base, overrides)
    tree = base_scenario.variants[0].parameters.model_dump()
    err.print(
        f"Fitting {base_scenario.name} to {seen.path.name} ({len(seen.deals):,} deals as of "
        f"{seen.deals.as_of}), {settings.replications} replications a try"
    )
    calibration = calibrate(seen.deals, tree, settings, _progress())
    note = warmup_note(warmup_given, calibration.settings.warmup_months)
    if note is not None:
        err.print(note, markup=False, highlight=False)
    if not calibration.fitted:
        raise bad(f"{seen.path}: nothing to fit: " + "; ".join(calibration.left))
    return calibration, base_scenario


def _progress() -> Callable[[int, float], None]:
    started = time.monotonic()

    def progress(tries: int, misses: float) -> None:
        err.print(
            f"  try {tries}: sum of squared misses {misses:.2f} "
            f"({time.monotonic() - started:.0f} s)",
            highlight=False,
        )

    return progress


def read_customers(path: Path, maps: list[str], as_of: date | None) -> Customers:
    """``--customers``: a subscription export as of ``as_of`` (its latest date when None), or
    exit 2 saying why it cannot be fitted to."""
    try:
        customers = load_subscriptions(path, maps=maps, as_of=as_of).customers
    except (ExportError, ValueError) as error:  # its --map is calibrate's --customers-map
        said = str(error).replace("--map", "--customers-map")
        raise bad(f"--customers {path}: {said}") from None
    if not np.any(~np.isnat(customers.first_paid)):
        raise bad(f"--customers {path}: no account paid by {customers.as_of}; nothing to fit")
    return customers


def fit_customers(
    path: Path,
    customers: Customers,
    maps: list[str],
    base: str,
    overrides: list[str] | None,
    settings: Settings,
    tree: Tree | None = None,
) -> tuple[Fitting, Scenario]:
    """``salesim calibrate --customers``: the post-sale side fitted to a subscription export
    (its ``customers`` as of the calibration's day), from ``tree`` (an opportunity export's fit)
    or the base scenario; and the base scenario."""
    base_scenario = load(base, overrides)
    tree = tree if tree is not None else base_scenario.variants[0].parameters.model_dump()
    named = {field: column for field, column in (m.split("=", 1) for m in maps)}
    err.print(
        f"Fitting the post-sale side of {base_scenario.name} to {path.name} ({len(customers):,} "
        f"accounts as of {customers.as_of}), {settings.replications} replications a try"
    )
    calibration = calibrate_customers(customers, path.resolve(), named, tree, settings, _progress())
    return Fitting(calibration, path, LABEL, maps=tuple(maps)), base_scenario
