"""``salesim calibrate``: a scenario fitted to a CRM export (``calibrate``), its fit report."""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from simulator.backends import default_workers
from simulator.calibrate.calibration import Calibration, Settings
from simulator.calibrate.page import fit_page
from simulator.calibrate.scenario_file import page_notes, write_scenario
from simulator.cli_common import SetOption, bad, json_option, out
from simulator.cli_common import write_json as write_json_file
from simulator.cli_export import (
    DEFAULTS,
    BaseOption,
    ExportArg,
    FitReplicationsOption,
    FormatOption,
    MapOption,
    MaxTriesOption,
    WarmupMonthsOption,
    WindowMonthsOption,
    WorkersOption,
    fit_export,
    parse_day,
)
from simulator.crm.load import load_export
from simulator.crm.reader import ExportError
from simulator.store import write_text_atomic


def _finite(value: object) -> object:
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def calibration_json(c: Calibration, scenario: Path, report: Path) -> dict[str, object]:
    window = c.target.window
    return {
        "export_as_of": str(c.observed.as_of),
        "deals": len(c.observed),
        "window": [str(window.first), str(window.last)],
        "day0": c.day0.isoformat(),
        "fitted": [{k: _finite(v) for k, v in f.to_json().items()} for f in c.fitted],
        "counted": [
            {"path": i.path, "value": i.value, "unit": i.unit, "rule": i.rule} for i in c.counted
        ],
        "not_fitted": c.left,
        "misses_in_standard_errors": [round(float(m), 3) for m in c.solution.misses],
        "evaluations": c.solution.evaluations,
        "converged": c.solution.converged,
        "replications": c.settings.replications,
        "seed": c.settings.seed,
        "scenario": str(scenario),
        "report": str(report),
    }


def _fitted_table(c: Calibration) -> Table:
    table = Table(title="Fitted (simulated method of moments, 95% intervals)", title_justify="left")
    for name in ("Input", "Value [95%]", "Matches", "Export", "Simulated"):
        table.add_column(name, overflow="fold")
    for f in c.fitted:
        interval = f"{f.value:,.4g} [{f.low:,.4g}, {f.high:,.4g}] {f.unit}"
        table.add_row(f.path, interval, f.target, f"{f.observed:,.4g}", f"{f.simulated:,.4g}")
    return table


def calibrate_export(
    export: ExportArg,
    out_file: Annotated[
        Path, typer.Option("--out", metavar="FILE", help="the calibrated scenario to write (YAML)")
    ],
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
    window_months: WindowMonthsOption = DEFAULTS.window_months,
    warmup_months: WarmupMonthsOption = DEFAULTS.warmup_months,
    replications: FitReplicationsOption = DEFAULTS.replications,
    seed: Annotated[int, typer.Option(help="root seed of the simulated replications")] = (
        Settings.seed
    ),
    workers: WorkersOption = None,
    max_tries: MaxTriesOption = DEFAULTS.max_evaluations,
    report: Annotated[
        Path | None,
        typer.Option(metavar="FILE", help="the fit report page (default: beside --out, .html)"),
    ] = None,
    no_start: Annotated[
        bool,
        typer.Option(
            "--no-start",
            help="leave out `start: from_crm` (simulate from an empty "
            "pipeline instead of the export's open deals)",
        ),
    ] = False,
    set_: SetOption = None,
    json_out: Annotated[str | None, json_option("the fitted values")] = None,
) -> None:
    """Fit a scenario to a CRM export: new opportunities a month, CRM win rate, cycle times of won
    and lost deals, deal sizes and the quarter-end pattern by simulated method of moments; the
    hunters, their capacity and quota counted. Writes the scenario (its header says what was
    fitted, with what uncertainty) and a fit report page."""
    if out_file.suffix.lower() not in (".yaml", ".yml"):
        raise bad(f"--out {out_file}: the scenario is YAML; name it e.g. my-company.yaml")
    as_of_day = parse_day("--as-of", as_of)
    try:
        imported = load_export(export, fmt, maps, as_of_day)
    except ExportError as error:
        raise bad(str(error)) from None
    if not len(imported.deals):
        raise bad(f"{export}: no deal to fit to (as of {imported.deals.as_of})")
    settings = Settings(
        window_months=window_months, warmup_months=warmup_months, replications=replications,
        seed=seed, workers=workers or default_workers(), max_evaluations=max_tries,
    )  # fmt: skip
    calibration, base_name = fit_export(imported, base, set_, settings)
    report_path = report or out_file.with_suffix(".html")
    scenario_path = write_scenario(
        calibration, export, imported.label, out_file, base_name, not no_start
    )
    notes = page_notes(scenario_path)
    title = f"Fit of {out_file.stem} to {export.name}"
    html = fit_page(calibration.observed, calibration.solution.simulated, calibration.fitted,
                    notes, title, window=calibration.target.window)  # fmt: skip
    write_text_atomic(report_path, html)
    data = json.dumps(calibration_json(calibration, scenario_path, report_path), indent=1)
    if json_out == "-":
        sys.stdout.write(data + "\n")
        return
    out.print(_fitted_table(calibration))
    for item in calibration.counted:
        out.print(f"Counted: {item.path} = {item.value:,g} {item.unit} ({item.rule})")
    for why in calibration.left:
        out.print(f"Not fitted: {why}")
    if not calibration.solution.converged:
        out.print("The search stopped at --max-tries before it settled: check the fit report.")
    out.print(f"Scenario: {scenario_path}\nFit report: {report_path}")
    if json_out is not None:
        out.print(write_json_file(json_out, data + "\n", "Fit data", "the fitted values"))
