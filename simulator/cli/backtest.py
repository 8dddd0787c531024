"""``salesim backtest``: calibrate on an export as it stood on a past day, forecast the months
after it, and compare with what the export shows happened, and with three baselines made from
what it held that day (``simulator.backtest``). Several days (``--as-of D1,D2,...``) make a
rolling backtest: one backtest each, in a folder of its own, pooled on one page.

A thin command: it checks the options and the dates against the export (exit 2 with what is
allowed, before anything runs), then runs ``salesim calibrate``'s fit and ``salesim forecast``'s
replications, and writes the scenario and three pages into one folder per day. A failed or
interrupted run removes what it wrote.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import numpy as np
import typer
from rich.console import Group

from simulator.atomic import write_text_atomic
from simulator.backtest.baselines import baselines
from simulator.backtest.compare import Backtest, compare
from simulator.backtest.console import backtest_output
from simulator.backtest.page import PageContext, backtest_html
from simulator.backtest.realised import as_of_problem, naive
from simulator.backtest.rolling import Rolling, rolling_html, rolling_output
from simulator.calibrate.calibration import Settings
from simulator.calibrate.scenario_file import Fitting, fit_report_page, write_scenario
from simulator.cli.calibrate import calibration_json
from simulator.cli.common import SetOption, bad, json_option, load, out, write_json
from simulator.cli.destinations import folder_destination
from simulator.cli.destinations import problem as problem_writing
from simulator.cli.export import (
    DEFAULTS,
    BaseOption,
    DealSizesOption,
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
from simulator.cli.forecast import MAX_MONTHS, _simulate, drawn_inputs
from simulator.crm.load import Imported, load_export, with_as_of
from simulator.crm.reader import ExportError
from simulator.forecast import Context, build_forecast
from simulator.forecast.calendar import day0, month_names
from simulator.forecast.page import write_forecast_page
from simulator.runs.backends import default_workers

FORECAST_REPLICATIONS = 200


def backtest(
    export: ExportArg,
    as_of: Annotated[
        str,
        typer.Option(
            "--as-of",
            metavar="DATE",
            help="the day to go back to (a month's last day): calibrate on what the export "
            "held then, forecast the months after it; several, comma-separated, for a rolling "
            "backtest pooled over them",
        ),
    ],
    months: Annotated[int, typer.Option(help=f"months to forecast (1 to {MAX_MONTHS})")] = 3,
    base: BaseOption = "baseline",
    fmt: FormatOption = "auto",
    maps: MapOption = None,
    window_months: WindowMonthsOption = DEFAULTS.window_months,
    warmup_months: WarmupMonthsOption = None,
    replications: FitReplicationsOption = DEFAULTS.replications,
    max_tries: MaxTriesOption = DEFAULTS.max_evaluations,
    deal_sizes: DealSizesOption = DEFAULTS.deal_sizes,
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
            callback=folder_destination,
            help="where the scenario and the pages go [default: "
            "results/backtest-<export>-<date>, or -<first>-to-<last> for several]",
        ),
    ] = None,
    set_: SetOption = None,
    json_out: Annotated[str | None, json_option("the comparison")] = None,
) -> None:
    """Backtest a forecast on your own export: calibrate on what it held on --as-of, forecast
    the next --months, and compare month by month with the won deals it shows: inside the
    P10-P90 band or not, and the P50's error against three baselines made from what it held
    that day (the mean of the last three months, the CRM's weighted pipeline, a stage-age
    survival forecast). Several --as-of days pool the errors over them."""
    if not 1 <= months <= MAX_MONTHS:
        raise bad(f"--months {months}: a backtest compares 1 to {MAX_MONTHS} months")
    if forecast_replications < 2:
        raise bad(f"--forecast-replications {forecast_replications}: a forecast needs 2 or more")
    texts = [t.strip() for t in as_of.split(",") if t.strip()]
    days = sorted({parse_day("--as-of", t) for t in texts})
    if not days:
        raise bad("--as-of: give a month's last day, e.g. 2017-09-30 (several: comma-separated)")
    try:
        full = load_export(export, fmt, maps)
    except ExportError as error:
        raise bad(str(error)) from None
    if not len(full.deals):
        raise bad(f"{export}: no deal to backtest on")
    for day in days:
        problem = as_of_problem(full.deals, export.name, np.datetime64(day, "D"))
        if problem is not None:
            raise bad(problem)
    name = f"{days[0]}" if len(days) == 1 else f"{days[0]}-to-{days[-1]}"
    folder = folder or Path("results") / f"backtest-{export.stem}-{name}"
    unwritable = problem_writing(folder, folder=True)  # the default's place too
    if unwritable is not None:
        raise bad(f"--out {folder}: {unwritable}")
    settings = Settings(
        window_months=window_months, replications=replications,
        warmup_months=DEFAULTS.warmup_months if warmup_months is None else warmup_months,
        seed=seed, workers=workers or default_workers(), max_evaluations=max_tries,
        deal_sizes=deal_sizes,
    )  # fmt: skip
    written: list[Path] = []
    made = not folder.exists()
    try:
        runs = []
        for day in days:
            where = folder if len(days) == 1 else folder / str(day)
            runs.append(_run(full, with_as_of(full, day), base, set_, settings, months,
                             forecast_replications, where, written, tuple(maps or ()),
                             warmup_months))  # fmt: skip
        data, console = runs[0][:2] if len(runs) == 1 else _pooled(full, runs, folder, written)
        text = json.dumps(data, indent=1) + "\n"
        saved = None
        if json_out is not None and json_out != "-":
            saved = write_json(json_out, text, "Backtest data", "the comparison")
    except BaseException:
        for path in written:
            path.unlink(missing_ok=True)
        for where in sorted({p.parent for p in written}, key=lambda p: -len(p.parts)):
            if where.is_dir() and not any(where.iterdir()):
                where.rmdir()
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


def _pooled(
    full: Imported, runs: list[tuple[dict, Group, Backtest]], folder: Path, written: list[Path]
) -> tuple[dict, Group]:
    """Several origins' backtests pooled: the rolling page at the folder's top, the data."""
    rolling = Rolling(tuple((data["as_of"], result) for data, _, result in runs))
    page = folder / "rolling.html"
    written.append(page)
    header = (
        f"Export: {full.path} ({full.label}), {len(full.deals):,} deals from "
        f"{np.min(full.deals.created)} to {full.deals.as_of}",
        "Each origin calibrated on what the export held that day, then forecast; its own "
        "pages are in its folder.",
    )
    write_text_atomic(page, rolling_html(rolling, full.path.name, header))
    data = {
        "export": str(full.path),
        "origins": [data for data, _, _ in runs],
        **rolling.to_json(),
        "files": {"rolling_page": str(page)},
    }
    title = f"Rolling backtest of {full.path.name}: {len(runs)} origins"
    return data, rolling_output(rolling, title)


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
    warmup_given: int | None = None,
) -> tuple[dict, Group, Backtest]:
    """Fit, forecast, compare and write; every file written is added to ``written`` first."""
    export = full.path
    calibration, base_scenario = fit_export(seen, base, overrides, settings, warmup_given)
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
    uncertainty, fixed = drawn_inputs(loaded, None)
    draws = _simulate(loaded, variant, months, forecast_replications, settings.seed,
                      settings.workers, uncertainty)  # fmt: skip
    context = Context(
        loaded.name, loaded.source, variant.name, settings.seed, start, (), loaded.warnings,
        fixed_inputs=fixed,
    )  # fmt: skip
    forecast = build_forecast(draws, month_names(start, months), None, context)
    write_forecast_page(forecast, paths["forecast_page"])
    as_of = seen.deals.as_of
    trailing = naive(seen.deals, as_of)
    guesses = baselines(seen.deals, trailing.monthly_usd, months)
    result = compare(forecast, full.deals, trailing, as_of, guesses)
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
    return data, backtest_output(result, title), result
