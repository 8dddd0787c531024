"""``salesim recovery``: stop a strategy at a month and measure how long bookings take to come
back to where never using it would have had them."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

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
from simulator.decide.folder import json_text
from simulator.decide.settings import variant_named
from simulator.recovery.measure import DEFAULT_WINDOW, DEFAULT_WITHIN
from simulator.recovery.run import RecoveryStudy, recovery_study
from simulator.replay.select import signed_money
from simulator.runs import planning
from simulator.runs.backends import default_workers
from simulator.runs.progress import StudyProgress
from simulator.story.wording import money

DEFAULT_MONTHS = "6,12,18"
DEFAULT_REPLICATIONS = 200


def parse_months(text: str) -> list[int]:
    try:
        months = [int(part) for part in text.split(",") if part.strip()]
    except ValueError:
        raise bad(f"--at {text!r}: give whole months, comma-separated, e.g. 6,12,18") from None
    if not months or len(set(months)) < len(months):
        raise bad(f"--at {text!r}: give each month once, comma-separated, e.g. 6,12,18")
    return sorted(months)


def recovery_lines(study: RecoveryStudy) -> list[str]:
    within = f"{study.within:.0%}"
    lines = [
        f"Stopping {study.kept} at a month, then selling as {study.never} "
        f"({study.scenario}; {study.replications} replications, seed {study.seed})",
        f"Recovered: months after the switch until mean monthly bookings ({study.window}-month "
        f"trailing mean) stay no more than {within} below {study.never}'s",
        f"to month {study.horizon_months}; 95% interval from resampled replications.",
        "",
        f"{'switch at':<10} {'recovered after':<22} {'saved vs kept':<22} "
        f"{'still behind ' + study.never}",
    ]
    for r in study.recoveries:
        months = f"{r.text(r.months)} months [{r.text(r.low)}, {r.text(r.high)}]"
        saved = f"{signed_money(r.saved_usd)} ± {money(r.saved_half_width_usd)}"
        behind = f"{signed_money(r.still_behind_usd)} ± {money(r.still_behind_half_width_usd)}"
        lines.append(f"{'month ' + str(r.switch_month):<10} {months:<22} {saved:<22} {behind}")
    lines += [
        "",
        f"Saved and behind: bookings from the switch to month {study.horizon_months}, per "
        f"replication, with 95% intervals; '> n' is not by the horizon.",
    ]
    if study.unchanged:
        lines.append(
            f"Not switched (the variants differ there too, a switch changes only the strategy): "
            f"{', '.join(study.unchanged)}"
        )
    return lines


def recovery(
    scenario: ScenarioArg = "death-spiral",
    kept: Annotated[
        str | None,
        typer.Option(
            "--from", help="the strategy kept until the switch [default: the second variant]"
        ),
    ] = None,
    never: Annotated[
        str | None,
        typer.Option("--to", help="the strategy switched to, never used [default: the first]"),
    ] = None,
    at: Annotated[
        str, typer.Option("--at", metavar="M[,M...]", help="switch months (end of the month)")
    ] = DEFAULT_MONTHS,
    replications: Annotated[
        int, typer.Option("-n", "--replications", min=2, help="replications per arm")
    ] = DEFAULT_REPLICATIONS,
    within: Annotated[
        float,
        typer.Option(
            min=0.0, max=1.0, help="recovered: at most this share below never's monthly bookings"
        ),
    ] = DEFAULT_WITHIN,
    window: Annotated[
        int, typer.Option(min=1, help="months of the trailing mean the rule is judged on")
    ] = DEFAULT_WINDOW,
    seed: Annotated[int, typer.Option(min=0, help="root seed")] = planning.DEFAULT_SEED,
    workers: Annotated[
        int | None, typer.Option(min=1, help="local worker processes [default: all cores]")
    ] = None,
    json_out: Annotated[str | None, json_option("the recovery table")] = None,
    overrides: SetOption = None,
) -> None:
    """How long until stopping a strategy pays: months after a switch at each --at month until
    monthly bookings are back within --within of never using it, with intervals."""
    loaded = load(scenario, overrides)
    months = parse_months(at)
    if len(loaded.variants) < 2:
        raise bad(f"{loaded.source}: a recovery needs two variants; the scenario has one")
    try:
        kept_variant = variant_named(loaded, kept or loaded.variants[1].name, "--from")
        never_variant = variant_named(loaded, never, "--to")
    except ValueError as error:
        raise bad(str(error)) from None
    if kept_variant.name == never_variant.name:
        raise bad(f"--from {kept_variant.name!r} and --to name the same variant")
    arms = 2 + len(months)
    display = StudyProgress(
        "recovery", arms * replications, None, err, lambda line: typer.echo(line, err=True),
        interval=PROGRESS_SECONDS,
    )  # fmt: skip
    try:
        with display:
            study = recovery_study(
                loaded, never_variant, kept_variant, months, replications, seed,
                workers or default_workers(), display.advance, within, window,
            )  # fmt: skip
    except ValueError as error:
        raise bad(f"{loaded.source}: {error}") from None
    except KeyboardInterrupt:
        typer.echo("Interrupted; nothing was kept.", err=True)
        raise typer.Exit(130) from None
    display.finish()
    data = json_text(study.to_json())
    if json_out == "-":
        sys.stdout.write(data)
        return
    for line in recovery_lines(study):
        out.print(line, markup=False, highlight=False)
    if json_out is not None:
        out.print(write_json(json_out, data, "Recovery data", "the recovery table"))
