"""``salesim explain``: which mechanisms carry a paired verdict. A thin command: it reads the
options, checks them (exit 2 with what was given and what is allowed), runs
``simulator.explain`` under a progress bar and writes the answer, its table and its page into
one results folder, built hidden and renamed when complete."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path
from typing import Annotated, Any

import pyarrow.parquet as pq
import typer

from simulator.atomic import write_text_atomic
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
from simulator.cli.destinations import folder_destination
from simulator.decide.folder import json_text
from simulator.decide.settings import variant_named
from simulator.explain.answer import answer, horizon_metrics, metric_months, replications_table
from simulator.explain.console import explain_output
from simulator.explain.engine import Question, explain
from simulator.explain.page import explain_html
from simulator.metrics.measure import SUMMARY_COLUMNS
from simulator.parameters import MECHANISMS
from simulator.report import REPORT
from simulator.runs import planning
from simulator.runs.backends import default_workers
from simulator.runs.progress import StudyProgress
from simulator.runs.store import new_run_id
from simulator.scenario.resolve import Variant

DEFAULT_MAX_REPLICATIONS = 64
DEFAULT_PRECISION = 0.25
ANSWER = "explain.json"
TABLE = "replications.parquet"


def _mechanisms(text: str | None, compare: Variant, baseline: Variant) -> tuple[str, ...]:
    """The mechanisms to split between: those named, or every one on in both variants (one
    already switched off there has no share to give)."""
    names = MECHANISMS if text is None else tuple(n.strip() for n in text.split(",") if n.strip())
    unknown = [n for n in names if n not in MECHANISMS]
    if unknown or not names:
        raise bad(
            f"--mechanisms {text!r}: {', '.join(unknown) or 'none given'} "
            f"(allowed: {', '.join(MECHANISMS)})"
        )
    on = [
        n
        for n in names
        if getattr(compare.parameters.mechanisms, n) and getattr(baseline.parameters.mechanisms, n)
    ]
    for name in sorted(set(names) - set(on)):
        typer.echo(f"Note: mechanisms.{name} is off in the scenario: it gets no share.", err=True)
    if not on:
        raise bad(f"--mechanisms {text!r}: every one named is off in the scenario")
    return tuple(on)


def _write_folder(out_dir: Path, run_id: str, data: dict[str, Any], table: Any) -> Path:
    final = out_dir / run_id
    partial = out_dir / f".{run_id}.partial"
    try:
        partial.mkdir(parents=True, exist_ok=False)
        write_text_atomic(partial / ANSWER, json_text(data))
        pq.write_table(table, partial / TABLE)
        write_text_atomic(partial / REPORT, explain_html(data))
        partial.rename(final)
    except OSError as error:
        shutil.rmtree(partial, ignore_errors=True)
        raise bad(f"--out {out_dir}: cannot write the results ({error})") from None
    return final


def explain_command(
    scenario: ScenarioArg,
    compare: Annotated[str, typer.Option(help="the variant whose verdict to explain")],
    baseline: Annotated[
        str | None, typer.Option(help="the variant it is compared with [default: the first]")
    ] = None,
    metric: Annotated[str, typer.Option(help="summary metric of the verdict")] = "bookings_24m",
    horizon_months: Annotated[
        int | None,
        typer.Option(min=1, help="months to simulate [default: the scenario's horizon]"),
    ] = None,
    mechanisms: Annotated[
        str | None,
        typer.Option(help="comma-separated mechanisms to split between [default: all]"),
    ] = None,
    replications: Annotated[
        int,
        typer.Option(
            "-n", "--replications", min=2, help="most replications (whole antithetic pairs)"
        ),
    ] = DEFAULT_MAX_REPLICATIONS,
    precision: Annotated[
        float,
        typer.Option(
            min=0.0,
            help="stop once every share's 95% half-width is within this share of the verdict",
        ),
    ] = DEFAULT_PRECISION,
    seed: Annotated[int, typer.Option(min=0, help="root seed")] = planning.DEFAULT_SEED,
    workers: Annotated[
        int | None, typer.Option(min=1, help="local worker processes [default: all cores]")
    ] = None,
    out_dir: Annotated[
        Path, typer.Option("--out", help="folder for results", callback=folder_destination)
    ] = Path("results"),
    json_out: Annotated[str | None, json_option("the answer")] = None,
    overrides: SetOption = None,
) -> None:
    """Explain a verdict: each mechanism's share of COMPARE − BASELINE (Shapley values over the
    mechanism switches, sampled, on common random numbers), each switched off alone, the part
    no mechanism explains, and how the split moves between 12, 24 and 36 months."""
    loaded = load(scenario, overrides)
    try:
        against = variant_named(loaded, baseline, "--baseline")
        chosen = variant_named(loaded, compare, "--compare")
    except ValueError as error:
        raise bad(str(error)) from None
    if chosen.name == against.name:
        raise bad(f"--compare {compare!r}: it is the baseline; name another variant")
    if metric not in SUMMARY_COLUMNS:
        raise bad(f"--metric {metric!r}: not a summary metric (see `salesim metrics`)")
    horizon = horizon_months or loaded.horizon_months
    months = metric_months(metric)
    if months is not None and months > horizon:
        raise bad(
            f"--metric {metric}: needs a horizon of at least {months} months, the run has "
            f"{horizon} (--horizon-months, or a metric within it, e.g. bookings_{horizon}m)"
        )
    names = _mechanisms(mechanisms, chosen, against)
    metrics = horizon_metrics(metric, horizon)
    question = Question(chosen.parameters, against.parameters, horizon, seed, names, metrics)
    count = workers or default_workers()
    display = StudyProgress(
        f"explain {chosen.name}",
        replications + replications % 2,
        None,
        err,
        lambda line: typer.echo(line, err=True),
        interval=PROGRESS_SECONDS,
    )
    try:
        with display:
            attribution = explain(question, replications, precision, count, display.advance)
    except KeyboardInterrupt:
        typer.echo("Interrupted; nothing was kept.", err=True)
        raise typer.Exit(130) from None
    display.finish()
    about = {"scenario": loaded.name, "compare": chosen.name, "baseline": against.name}
    data = answer(attribution, about, precision)
    folder = _write_folder(
        out_dir, new_run_id(f"{loaded.name}-explain", seed), data, replications_table(attribution)
    )
    if json_out == "-":
        sys.stdout.write(json_text(data))
        return
    out.print(explain_output(data))
    if json_out is not None:
        out.print(write_json(json_out, json_text(data), "Answer data", "the answer"))
    out.print(f"Results: {folder}")
    out.print(f"Report:  {folder / REPORT}")
