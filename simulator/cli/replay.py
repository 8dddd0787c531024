"""``salesim replay``: one replication of two or three variants, played side by side month by
month, as an offline page for a training room."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Annotated

import typer

from simulator.cli.common import ExplainOption, SetOption, bad, explain_line, load
from simulator.cli.destinations import file_destination
from simulator.replay.build import build_replay, parse_variants
from simulator.replay.handout import handout_path, write_handout
from simulator.replay.page import write_replay_page
from simulator.story.tell import SEARCH

DEFAULT_SCENARIO = "death-spiral"


def replay(
    scenario: Annotated[
        str,
        typer.Argument(help="scenario file, or the name of a bundled one (see `scenarios`)"),
    ] = DEFAULT_SCENARIO,
    variants: Annotated[
        str | None,
        typer.Option(
            metavar="A,B[,C]",
            help="2 or 3 variants to play side by side (default: the scenario's first two)",
        ),
    ] = None,
    seed: Annotated[int, typer.Option(min=0, help="root seed")] = 1,
    replication: Annotated[
        int | None,
        typer.Option(min=0, help="replication to play (default: a typical one, see --search)"),
    ] = None,
    search: Annotated[
        int,
        typer.Option(
            min=1,
            help="replications measured to find the typical one and say how typical it is",
        ),
    ] = SEARCH,
    out: Annotated[
        Path | None,
        typer.Option(
            "--out",
            help="the page to write (default: results/replay-...html)",
            callback=file_destination,
        ),
    ] = None,
    branch_at: Annotated[
        int | None,
        typer.Option(
            min=1,
            help="play three futures of A,B: B kept, B stopped at the end of this month, A "
            "never; the page pauses there with the question",
        ),
    ] = None,
    facilitator: Annotated[
        bool,
        typer.Option(
            "--facilitator",
            help="pause at the key beats with a discussion question each, and write a "
            "printable one-page handout beside the page",
        ),
    ] = False,
    explain: ExplainOption = None,
    overrides: SetOption = None,
) -> None:
    """Play one replication of 2-3 variants side by side, month by month, as a page (training)."""
    loaded = load(scenario, overrides)
    why = explain_line(explain, loaded.name)
    try:
        chosen = parse_variants(loaded, variants)
        built = build_replay(loaded, chosen, seed, replication, search, branch_at)
    except ValueError as error:
        raise bad(f"{loaded.source}: {error}") from None
    told = replace(built, why=why, facilitator=facilitator)
    try:
        path = write_replay_page(told, out)
        handout = write_handout(told, handout_path(path)) if facilitator else None
    except OSError as error:
        raise bad(f"--out {out}: cannot write the replay ({error})") from None
    typer.echo(f"Replay page: {path}")
    if handout is not None:
        typer.echo(f"Handout:     {handout} (print it: one page)")
