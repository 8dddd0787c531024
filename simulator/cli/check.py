"""``salesim check``: a scenario against the published levels and the stylised facts."""

from __future__ import annotations

import json
import sys
from typing import Annotated

import typer

from simulator.check.runner import DEFAULT_REPLICATIONS, plan_arms
from simulator.check.runner import check as run_check
from simulator.check.table import check_output
from simulator.cli.common import (
    PROGRESS_SECONDS,
    ScenarioArg,
    SetOption,
    err,
    json_option,
    load,
    out,
    write_json,
)
from simulator.runs.backends import default_workers
from simulator.runs.planning import DEFAULT_SEED
from simulator.runs.progress import StudyProgress


def check(
    scenario: ScenarioArg,
    replications: Annotated[
        int,
        typer.Option(
            "-n", "--replications", min=2, help="replications per arm; more narrow the intervals"
        ),
    ] = DEFAULT_REPLICATIONS,
    seed: Annotated[int, typer.Option(min=0, help="root seed")] = DEFAULT_SEED,
    workers: Annotated[
        int | None,
        typer.Option(min=1, help="local worker processes [default: all cores]"),
    ] = None,
    json_out: Annotated[str | None, json_option("every entry")] = None,
    overrides: SetOption = None,
) -> None:
    """Check a scenario against the published levels (MODEL.md 5, on its first variant) and the
    stylised facts (MODEL.md 4.1, each on its paired counterfactual arms). A report: exits 0
    whether or not they hold."""
    loaded = load(scenario, overrides)
    plan = plan_arms(loaded.variants[0], loaded.horizon_months, variants=loaded.variants)
    total = replications * (len(plan.arms) + 1)
    display = StudyProgress(
        f"check {loaded.name}", total, None, err, _to_stderr, interval=PROGRESS_SECONDS
    )
    with display:
        report = run_check(
            loaded, replications, seed, workers or default_workers(), display.advance, plan
        )
    display.finish()
    data = json.dumps(report.to_json(), indent=1) + "\n" if json_out is not None else ""
    if json_out == "-":
        sys.stdout.write(data)
        return
    out.print(check_output(report))
    if json_out is not None:
        out.print(write_json(json_out, data, "Check data", "the check"))


def _to_stderr(line: str) -> None:
    typer.echo(line, err=True)
