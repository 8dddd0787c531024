"""``salesim forecast``: bookings by month over the next months with P10 / P50 / P90, where they
come from, and the probability of reaching a target. A thin command: it checks the options (exit
2 with what is allowed, before anything runs), runs ``simulator.forecast`` under a progress bar
and writes the page and the JSON atomically."""

from __future__ import annotations

import json
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from annotated_types import Le

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
from simulator.cli.destinations import file_destination
from simulator.decide.settings import variant_named
from simulator.decide.values import parse_amount
from simulator.forecast import Context, Draws, build_forecast, simulate_draws
from simulator.forecast.calendar import day0, month_names
from simulator.forecast.console import forecast_output
from simulator.forecast.inputs import Design
from simulator.forecast.page import write_forecast_page
from simulator.parameters import ScenarioFile
from simulator.parameters.tree import FitUncertainty
from simulator.runs import planning
from simulator.runs.backends import default_workers
from simulator.runs.progress import StudyProgress
from simulator.scenario.resolve import Scenario, Variant
from simulator.scenario.start_state import booked_before_start

FORECAST_MONTHS = 6
FORECAST_REPLICATIONS = 500
MAX_MONTHS = next(
    m.le for m in ScenarioFile.model_fields["horizon_months"].metadata if isinstance(m, Le)
)


def parse_target(text: str | None) -> float | None:
    """``--target`` as US dollars (``2.5M``, ``$900k``, ``1,200,000``); ValueError if it is not
    a number or is negative."""
    if text is None:
        return None
    value = parse_amount(text)
    if text.strip().endswith("%"):
        raise ValueError(f"--target {text!r}: bookings in US dollars, e.g. 2.5M, not a share")
    if value < 0:
        raise ValueError(f"--target {text!r}: bookings cannot be negative; give 0 or more")
    return value


def forecast(
    scenario: ScenarioArg,
    months: Annotated[
        int, typer.Option(help=f"months to forecast, from the scenario's day 0 (1 to {MAX_MONTHS})")
    ] = FORECAST_MONTHS,
    target: Annotated[
        str | None,
        typer.Option(
            help="total bookings over the months to reach, in US dollars (e.g. 2.5M): adds "
            "the probability of reaching it",
            metavar="USD",
        ),
    ] = None,
    variant: Annotated[
        str | None, typer.Option(help="variant to forecast [default: the first]")
    ] = None,
    replications: Annotated[
        int, typer.Option("-n", "--replications", help="simulated futures")
    ] = FORECAST_REPLICATIONS,
    seed: Annotated[int, typer.Option(min=0, help="root seed")] = planning.DEFAULT_SEED,
    workers: Annotated[
        int | None, typer.Option(min=1, help="local worker processes [default: all cores]")
    ] = None,
    json_out: Annotated[str | None, json_option("the forecast")] = None,
    page: Annotated[
        Path | None,
        typer.Option(
            "--out",
            help="the page to write [default: results/forecast-<scenario>-...html]",
            callback=file_destination,
        ),
    ] = None,
    inputs: Annotated[
        Inputs | None,
        typer.Option(
            help="drawn: each future draws a calibrated scenario's fitted inputs from the fit's "
            "uncertainty (the band holds what the export leaves unknown); fixed: chance alone "
            "[default: drawn when the scenario records its fit's uncertainty]",
            case_sensitive=False,
        ),
    ] = None,
    overrides: SetOption = None,
) -> None:
    """Forecast bookings month by month (P10 / P50 / P90), split into the open pipeline and new
    pipeline, with the probability of reaching --target; a page and --json for scripts."""
    loaded = load(scenario, overrides)
    try:
        if not 1 <= months <= MAX_MONTHS:
            raise ValueError(f"--months {months}: forecast 1 to {MAX_MONTHS} months")
        if replications < 2:
            raise ValueError(f"--replications {replications}: a forecast needs at least 2")
        goal = parse_target(target)
    except ValueError as error:
        raise bad(str(error)) from None
    try:
        chosen = variant_named(loaded, variant)
    except ValueError as error:
        raise bad(f"{loaded.source}: {error}") from None
    uncertainty, fixed = drawn_inputs(loaded, inputs)
    start = day0(chosen.parameters)
    context = Context(
        loaded.name,
        loaded.source,
        chosen.name,
        seed,
        start,
        loaded.overrides,
        loaded.warnings,
        lambda days: booked_before_start(chosen.parameters, days),
        fixed,
    )
    draws = _simulate(
        loaded, chosen, months, replications, seed, workers or default_workers(), uncertainty
    )
    result = build_forecast(draws, month_names(start, months), goal, context)
    data = json.dumps(result.to_json(), indent=2) + "\n"
    try:
        path = write_forecast_page(result, page)
    except OSError as error:
        raise bad(f"--out {page}: cannot write the forecast page ({error})") from None
    if json_out == "-":
        sys.stdout.write(data)
        typer.echo(f"Forecast page: {path}", err=True)
        return
    written = None
    if json_out is not None:
        try:
            written = write_json(json_out, data, "Forecast data", "the forecast")
        except typer.Exit:
            path.unlink(missing_ok=True)  # a failed command leaves nothing behind
            raise
    out.print(forecast_output(result))
    if written is not None:
        out.print(written)
    out.print(f"Forecast page: {path}")


class Inputs(StrEnum):
    drawn = "drawn"
    fixed = "fixed"


def drawn_inputs(loaded: Scenario, inputs: Inputs | None) -> tuple[FitUncertainty | None, str]:
    """The fit's uncertainty to draw the inputs from, or None and why they are held; exit 2
    for ``--inputs drawn`` on a scenario that records none."""
    recorded = loaded.fit.uncertainty if loaded.fit is not None else None
    if inputs is Inputs.fixed:
        return None, "--inputs fixed"
    if recorded is not None:
        return recorded, ""
    why = (
        "the scenario was not calibrated"
        if loaded.fit is None
        else "its fit records no uncertainty: calibrate it again to have one"
    )
    if inputs is Inputs.drawn:
        raise bad(f"--inputs drawn: {loaded.source}: {why}; nothing to draw the inputs from")
    return None, why


def _simulate(
    loaded: Scenario,
    chosen: Variant,
    months: int,
    replications: int,
    seed: int,
    workers: int,
    uncertainty: FitUncertainty | None = None,
) -> Draws:
    """The draws, under a progress bar (lines when stderr is not a terminal)."""
    design = Design.of(replications, uncertainty is not None)
    display = StudyProgress(
        f"forecast {loaded.name}",
        design.replications,
        None,
        err,
        lambda line: typer.echo(line, err=True),
        interval=PROGRESS_SECONDS,
    )
    try:
        with display:
            draws = simulate_draws(
                chosen, months, replications, seed, workers, display.advance, uncertainty
            )
    except KeyboardInterrupt:
        typer.echo("Interrupted; nothing was written.", err=True)
        raise typer.Exit(130) from None
    display.finish()
    return draws
