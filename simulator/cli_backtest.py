"""``salesim backtest``: calibrate on an export as it stood on a past day, forecast the months
after it, and compare with what the export shows happened (``simulator.backtest``).

A thin command: it checks the options and the dates against the export (exit 2 with what is
allowed, before anything runs), then runs ``salesim calibrate``'s fit and ``salesim forecast``'s
replications, and writes the scenario and three pages into one folder. A failed or interrupted
run removes what it wrote.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import numpy as np
import typer
from rich.console import Group

from simulator.backends import default_workers
from simulator.backtest.compare import compare
from simulator.backtest.console import backtest_output
from simulator.backtest.page import PageContext, backtest_html
from simulator.backtest.realised import as_of_problem, naive
from simulator.calibrate.calibration import Settings
from simulator.calibrate.scenario_file import Fitting, fit_report_page, write_scenario
from simulator.cli_calibrate import calibration_json
from simulator.cli_common import SetOption, bad, json_option, load, out, write_json
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
from simulator.cli_forecast import MAX_MONTHS, _simulate
from simulator.crm.load import Imported, load_export, with_as_of
from simulator.crm.reader import ExportError
from simulator.forecast import Context, build_forecast
from simulator.forecast.calendar import day0, month_names
from simulator.forecast.page import write_forecast_page
from simulator.store import write_text_atomic

FORECAST_REPLICATIONS = 200


def backtest(
    export: ExportArg,
    as_of: Annotated[
        str,
        typer.Option(
            "--as-of",
            metavar="DATE",
            help="the day to go back to (a month's last day): calibrate on what the export "
            "held then, forecast the months after it",
        ),
    ],
    months: Annotated[int, typer.Option(help=f"months to forecast (1 to {MAX_MONTHS})")] = 3,
    base: BaseOption = "baseline",
    fmt: FormatOption = "auto",
    maps: MapOption = None,
    window_months: WindowMonthsOption = DEFAULTS.window_months,
    warmup_months: WarmupMonthsOption = DEFAULTS.warmup_months,
    replications: FitReplicationsOption = DEFAULTS.replications,
    max_tries: MaxTriesOption = DEFAULTS.max_evaluations,
    seed: Annotated[int, typer.Option(min=0, help="root seed of the fit and the forecast")] = (
        Settings.seed
    ),
    workers: WorkersOption = None,
    forecast_replications: Annotated[
        int, typer.Option(help="simulated futures of the forecast")
    ] = FORECAST_REPLICATIONS,
    folder: Annotated[
        Path | None,
        typer.Option(
            "--out",
            metavar="FOLDER",
            help="where the scenario and the pages go [default: results/backtest-<export>-<date>]",
        ),
    ] = None,
    set_: SetOption = None,
    json_out: Annotated[str | None, json_option("the comparison")] = None,
) -> None:
    """Backtest a forecast on your own export: calibrate on what it held on --as-of, forecast
    the next --months, and compare month by month with the won deals it shows: inside the
    P10-P90 band or not, and the P50's error against a naive forecast (the mean of the three
    months up to --as-of)."""
    if not 1 <= months <= MAX_MONTHS:
        raise bad(f"--months {months}: a backtest compares 1 to {MAX_MONTHS} months")
    if forecast_replications < 2:
        raise bad(f"--forecast-replications {forecast_replications}: a forecast needs 2 or more")
    day = parse_day("--as-of", as_of)
    try:
        full = load_export(export, fmt, maps)
    except ExportError as error:
        raise bad(str(error)) from None
    if not len(full.deals):
        raise bad(f"{export}: no deal to backtest on")
    problem = as_of_problem(full.deals, export.name, np.datetime64(day, "D"))
    if problem is not None:
        raise bad(problem)
    seen = with_as_of(full, day)
    folder = folder or Path("results") / f"backtest-{export.stem}-{day}"
    if folder.exists() and not folder.is_dir():
        raise bad(f"--out {folder}: a file, not a folder")
    settings = Settings(
        window_months=window_months, warmup_months=warmup_months, replications=replications,
        seed=seed, workers=workers or default_workers(), max_evaluations=max_tries,
    )  # fmt: skip
    written: list[Path] = []
    made = not folder.exists()
    try:
        data, console = _run(full, seen, base, set_, settings, months, forecast_replications,
                             folder, written, tuple(maps or ()))  # fmt: skip
        text = json.dumps(data, indent=1) + "\n"
        saved = None
        if json_out is not None and json_out != "-":
            saved = write_json(json_out, text, "Backtest data", "the comparison")
    except BaseException:
        for path in written:
            path.unlink(missing_ok=True)
        if made and folder.is_dir() and not any(folder.iterdir()):
            folder.rmdir()
        raise
    if json_out == "-":
        sys.stdout.write(text)
        return
    out.print(console)
    for label, path in data["files"].items():
        out.print(f"{label.replace('_', ' ').capitalize()}: {path}")
    if saved is not None:
        out.print(saved)


def _run(
    full: Imported,
    seen: Imported,
    base: str,
    overrides: list[str] | None,
    settings: Settings,
    months: int,
    forecast_replications: int,
    folder: Path,
    written: list[Path],
    maps: tuple[str, ...] = (),
) -> tuple[dict, Group]:
    """Fit, forecast, compare and write; every file written is added to ``written`` first."""
    export = full.path
    calibration, base_scenario = fit_export(seen, base, overrides, settings)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise bad(f"--out {folder}: cannot make the folder ({error})") from None
    paths = {
        "scenario": folder / f"{export.stem}.yaml",
        "fit_report": folder / "fit.html",
        "forecast_page": folder / "forecast.html",
        "backtest_page": folder / "backtest.html",
    }
    written.extend(paths.values())
    fittings = [Fitting(calibration, export, seen.label, full.format, maps)]
    write_scenario(fittings, paths["scenario"], base_scenario, True)
    write_text_atomic(
        paths["fit_report"], fit_report_page(fittings, paths["scenario"], base_scenario)
    )
    loaded = load(str(paths["scenario"]), None)
    variant = loaded.variants[0]
    start = day0(variant.parameters)
    draws = _simulate(loaded, variant, months, forecast_replications, settings.seed,
                      settings.workers)  # fmt: skip
    context = Context(
        loaded.name, loaded.source, variant.name, settings.seed, start, (), loaded.warnings
    )
    forecast = build_forecast(draws, month_names(start, months), None, context)
    write_forecast_page(forecast, paths["forecast_page"])
    as_of = seen.deals.as_of
    result = compare(forecast, full.deals, naive(seen.deals, as_of), as_of)
    header = (
        f"Export: {export} ({full.label}), {len(full.deals):,} deals from "
        f"{np.min(full.deals.created)} to {full.deals.as_of}",
        f"Fitted on the {len(seen.deals):,} deals it held on {as_of}: {settings.replications} "
        f"replications a try, {calibration.solution.evaluations} tries, seed {settings.seed}",
        f"Forecast: {forecast_replications} simulated futures, seed {settings.seed}",
    )
    page = PageContext(
        export.name, str(as_of), header, paths["fit_report"].name,
        paths["forecast_page"].name, paths["scenario"].name, loaded.warnings,
    )  # fmt: skip
    write_text_atomic(paths["backtest_page"], backtest_html(result, page))
    data = {
        "export": str(export),
        "format": full.format,
        "as_of": str(as_of),
        "export_first_date": str(np.min(full.deals.created)),
        "export_last_date": str(full.deals.as_of),
        "months_forecast": months,
        **result.to_json(),
        "forecast": {"replications": forecast_replications, "seed": settings.seed},
        "calibration": calibration_json(calibration, paths["scenario"], paths["fit_report"]),
        "files": {label: str(path) for label, path in paths.items()},
    }
    title = f"Backtest of {export.name} as of {as_of} ({forecast_replications} simulated futures)"
    return data, backtest_output(result, title)
