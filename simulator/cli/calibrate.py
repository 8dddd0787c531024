"""``salesim calibrate``: a scenario fitted to a CRM export (``calibrate``), its fit report."""

from __future__ import annotations

import datetime as dt
import json
import math
import sys
from dataclasses import asdict
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Group
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from simulator.atomic import write_text_atomic
from simulator.calibrate.calibration import Calibration, Miss, Settings
from simulator.calibrate.fit import statistic_of
from simulator.calibrate.scenario_file import (
    Fitting,
    fit_record,
    fit_report_page,
    write_scenario,
)
from simulator.calibrate.shapes import spread_mismatches
from simulator.cli.common import SetOption, bad, json_option, out
from simulator.cli.common import write_json as write_json_file
from simulator.cli.destinations import file_destination
from simulator.cli.export import (
    DEFAULTS,
    BaseOption,
    DealSizesOption,
    FitReplicationsOption,
    FormatOption,
    MapOption,
    MaxTriesOption,
    WarmupMonthsOption,
    WindowMonthsOption,
    WorkersOption,
    fit_customers,
    fit_export,
    parse_day,
    read_customers,
)
from simulator.crm.load import load_export
from simulator.crm.reader import ExportError
from simulator.crm.subscriptions import Customers
from simulator.metrics.formats import amount
from simulator.runs.backends import default_workers
from simulator.scenario.resolve import Scenario


def _finite(value: object) -> object:
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def calibration_json(c: Calibration, scenario: Path, report: Path) -> dict[str, object]:
    """One export's calibration as data: what was fitted, counted and left, and the misses."""
    window = c.target.window
    held = "accounts" if isinstance(c.observed, Customers) else "deals"
    return {
        "export_as_of": str(c.observed.as_of),
        held: len(c.observed),
        "window": [str(window.first), str(window.last)],
        "day0": c.day0.isoformat(),
        "fitted": [{k: _finite(v) for k, v in f.to_json().items()} for f in c.fitted],
        "counted": [
            {"path": i.path, "value": i.value, "unit": i.unit, "rule": i.rule} for i in c.counted
        ],
        "not_fitted": c.left,
        "misses_in_standard_errors": [round(float(m), 3) for m in c.solution.misses],
        "shapes": [row.to_json() for row in c.shapes],
        "shapes_not_made": spread_mismatches(c.shapes),
        "settled": c.settled,
        "unsettled": [{k: _finite(v) for k, v in asdict(m).items()} for m in c.misses],
        "evaluations": c.solution.evaluations,
        "converged": c.solution.converged,
        "replications": c.settings.replications,
        "seed": c.settings.seed,
        "scenario": str(scenario),
        "report": str(report),
    }


def fittings_json(
    fittings: list[Fitting], scenario: Path, report: Path, base: Scenario | None = None
) -> dict[str, object]:
    """The first export's calibration as ``calibration_json`` gives it, a subscription
    export's after an opportunity export's under ``customers``, and the ``fit`` record."""
    first, *rest = fittings
    data = calibration_json(first.calibration, scenario, report)
    for fitting in rest:
        data["customers"] = calibration_json(fitting.calibration, scenario, report)
    data["fit"] = fit_record(fittings, base)
    return data


def _fitted_table(fittings: list[Fitting]) -> Table:
    table = Table(title="Fitted (simulated method of moments, 95% intervals)", title_justify="left")
    for name in ("Input", "Value [95%]", "Matches", "Export", "Simulated"):
        table.add_column(name, overflow="fold")
    for c in (f.calibration for f in fittings):
        for f in c.fitted:
            if f.fitted:
                value = f"{f.value:,.4g} [{f.low:,.4g}, {f.high:,.4g}] {f.unit}"
            else:
                value = Text(
                    f"not fitted (the search stopped after {c.solution.searched} parameter "
                    f"sets); {f.value:,.4g} {f.unit} is the base's",
                    style="yellow",
                )
            table.add_row(f.path, value, f.target, f"{f.observed:,.4g}", f"{f.simulated:,.4g}")
    return table


def shapes_table(fittings: list[Fitting]) -> Table | None:
    """The cycles' and ACVs' quartiles, the export's against the fitted company's."""
    rows = [row for f in fittings for row in f.calibration.shapes]
    if not rows:
        return None
    table = Table(
        title="Shapes (quartiles over the window: your export, the fitted company's mean)",
        title_justify="left",
    )
    for name in ("Distribution", "Quartile", "Export", "Simulated", "Allowed (±2 se)", "Match"):
        table.add_column(name, overflow="fold")
    for row in rows:
        word = {True: "yes", False: Text("no", style="yellow"), None: "not judged"}[row.matches]
        table.add_row(
            row.label, f"P{row.percent}", amount(row.export, row.unit),
            amount(row.simulated, row.unit), f"±{amount(row.allowed, row.unit)}", word,
        )  # fmt: skip
    return table


def unsettled_block(misses: list[Miss], shapes: tuple[str, ...] = ()) -> Panel:
    """What a fit that did not settle misses, what that means for a forecast, and the shapes
    the model cannot make (``shapes.spread_mismatches``): why more tries would not help."""
    lines = [
        Text(
            f"{len(misses)} of the export's statistics are still more than 2 standard errors "
            "off (simulated against export):",
            style="bold",
        )
    ]
    for m in misses:
        statistic = statistic_of(m.statistic)
        meaning = statistic.if_high if m.simulated > m.export else statistic.if_low
        lines.append(
            Text(
                f"  {m.label}: {amount(m.simulated, m.unit)} against {amount(m.export, m.unit)} "
                f"({m.gap}): {meaning}"
            )
        )
    for why in shapes:
        lines.append(Text(f"  Why: {why}.", style="bold"))
    again = (
        "More tries will not fix the shapes named above; more --max-tries (or -n) may still "
        "move the other misses. Read the fit report."
        if shapes
        else "Calibrate again with more --max-tries (or more -n), or read the fit report."
    )
    lines.append(
        Text(
            "A forecast or what-if from this scenario carries these misses; the scenario "
            "records them (fit: settled: false) and every command that runs it warns first. "
            + again,
        )
    )
    return Panel(Group(*lines), title="The fit did not settle", border_style="red")


def calibrate_export(
    export: Annotated[
        Path | None,
        typer.Argument(
            help="the CRM opportunity export (CSV or Parquet); optional with --customers"
        ),
    ] = None,
    out_file: Annotated[
        Path | None,
        typer.Option(
            "--out",
            metavar="FILE",
            help="the calibrated scenario to write (YAML)",
            callback=file_destination,
        ),
    ] = None,
    customers: Annotated[
        Path | None,
        typer.Option(
            "--customers",
            metavar="FILE",
            help="a subscription export (a folder, or its subscriptions CSV, as salesim import "
            "reads it): fits the post-sale side (churn, upsell, why customers leave) and starts "
            "the scenario from its customers",
        ),
    ] = None,
    base: BaseOption = "baseline",
    as_of: Annotated[
        str | None,
        typer.Option(
            "--as-of",
            metavar="DATE",
            help="fit what was known on DATE (default: the latest date in the export)",
        ),
    ] = None,
    fmt: FormatOption = "auto",
    maps: MapOption = None,
    customers_maps: Annotated[
        list[str] | None,
        typer.Option(
            "--customers-map",
            metavar="FIELD=COLUMN",
            help="read a subscription field from COLUMN (repeatable), as salesim import --map",
        ),
    ] = None,
    window_months: WindowMonthsOption = DEFAULTS.window_months,
    warmup_months: WarmupMonthsOption = None,
    replications: FitReplicationsOption = DEFAULTS.replications,
    seed: Annotated[int, typer.Option(help="root seed of the simulated replications")] = (
        Settings.seed
    ),
    workers: WorkersOption = None,
    max_tries: MaxTriesOption = DEFAULTS.max_evaluations,
    deal_sizes: DealSizesOption = DEFAULTS.deal_sizes,
    report: Annotated[
        Path | None,
        typer.Option(metavar="FILE", help="the fit report page (default: beside --out, .html)"),
    ] = None,
    no_start: Annotated[
        bool,
        typer.Option(
            "--no-start",
            help="leave out the `start` section (simulate from an empty pipeline and no "
            "customers instead of the exports' open deals and customers)",
        ),
    ] = False,
    set_: SetOption = None,
    json_out: Annotated[str | None, json_option("the fitted values")] = None,
) -> None:
    """Fit a scenario to a CRM export (new opportunities a month, CRM win rate, cycle times of
    won and lost deals, deal sizes and the quarter-end pattern) and to a subscription export
    (--customers: churn, upsell and why customers leave), by simulated method of moments; the
    hunters, their capacity, sales engineers and farmers counted. Writes the scenario (its
    header says what was fitted, with what uncertainty, and whether the fit settled) and a fit
    report page."""
    if out_file is None:
        raise bad("--out FILE: the calibrated scenario to write is required (e.g. my-company.yaml)")
    if out_file.suffix.lower() not in (".yaml", ".yml"):
        raise bad(f"--out {out_file}: the scenario is YAML; name it e.g. my-company.yaml")
    if export is None and customers is None:
        raise bad(
            "give an opportunity export (EXPORT), a subscription export (--customers), or both"
        )
    as_of_day = parse_day("--as-of", as_of)
    settings = Settings(
        window_months=window_months, replications=replications,
        warmup_months=DEFAULTS.warmup_months if warmup_months is None else warmup_months,
        seed=seed, workers=workers or default_workers(), max_evaluations=max_tries,
        deal_sizes=deal_sizes,
    )  # fmt: skip
    fittings: list[Fitting] = []
    base_scenario, tree, imported = None, None, None
    if export is not None:  # both exports read (and checked) before either is fitted
        try:
            imported = load_export(export, fmt, maps, as_of_day)
        except ExportError as error:
            raise bad(str(error)) from None
        if not len(imported.deals):
            raise bad(f"{export}: no deal to fit to (as of {imported.deals.as_of})")
        as_of_day = imported.deals.as_of.astype(dt.date)
    paying = None
    if customers is not None:
        paying = read_customers(customers, customers_maps or [], as_of_day)
    if export is not None and imported is not None:
        calibration, base_scenario = fit_export(imported, base, set_, settings, warmup_months)
        fittings.append(
            Fitting(calibration, export, imported.label, imported.format, tuple(maps or ()))
        )
        tree = calibration.tree
    if customers is not None and paying is not None:
        fitting, base_scenario = fit_customers(
            customers, paying, customers_maps or [], base, set_, settings, tree
        )
        fittings.append(fitting)
    report_path = report or out_file.with_suffix(".html")
    assert base_scenario is not None  # one of the two fits ran
    scenario_path = write_scenario(fittings, out_file, base_scenario, not no_start)
    write_text_atomic(report_path, fit_report_page(fittings, scenario_path, base_scenario))
    data = json.dumps(fittings_json(fittings, scenario_path, report_path, base_scenario), indent=1)
    if json_out == "-":
        sys.stdout.write(data + "\n")
        return
    out.print(_fitted_table(fittings))
    shaped = shapes_table(fittings)
    if shaped is not None:
        out.print(shaped)
    for fitting in fittings:
        c = fitting.calibration
        for item in c.counted:
            out.print(f"Counted: {item.path} = {item.value:,g} {item.unit} ({item.rule})")
        for why in c.left:
            out.print(f"Not fitted: {why}")
        if not c.solution.converged:
            how = "before it settled" if c.misses else "with every statistic within 2 s.e."
            out.print(
                f"The search on {fitting.export.name} stopped at --max-tries {how}: check the "
                "fit report."
            )
    misses = [m for f in fittings for m in f.calibration.misses]
    if misses:
        why = tuple(w for f in fittings for w in spread_mismatches(f.calibration.shapes))
        out.print(unsettled_block(misses, why))
    out.print(f"Scenario: {scenario_path}\nFit report: {report_path}")
    if json_out is not None:
        out.print(write_json_file(json_out, data + "\n", "Fit data", "the fitted values"))
