"""``salesim story``: one hunter's replication told for a training room, as text, page or data."""

from __future__ import annotations

import json
import sys
from dataclasses import replace
from pathlib import Path
from typing import Annotated

import typer

from simulator.cli.common import (
    EXIT_BAD_INPUT,
    ExplainOption,
    ScenarioArg,
    SetOption,
    bad,
    explain_line,
    json_option,
    load,
    write_json,
)
from simulator.cli.destinations import folder_destination
from simulator.story import tell as tell_story
from simulator.story.page import write_story_page
from simulator.story.tell import SEARCH


def story(
    scenario: ScenarioArg,
    variant: Annotated[str, typer.Option(help="variant whose story to tell")] = "vaporware",
    seed: Annotated[int, typer.Option(min=0, help="root seed")] = 1,
    replication: Annotated[
        int | None,
        typer.Option(min=0, help="replication to tell [default: the one that shows the spiral]"),
    ] = None,
    hunter: Annotated[
        int | None, typer.Option(min=0, help="hunter to follow [default: the best story]")
    ] = None,
    html: Annotated[
        bool, typer.Option("--html", help="also write the story as a web page")
    ] = False,
    out_dir: Annotated[
        Path, typer.Option("--out", help="folder for the page", callback=folder_destination)
    ] = Path("results"),
    json_out: Annotated[str | None, json_option("the story's data")] = None,
    search: Annotated[
        int,
        typer.Option(
            min=1, help="replications searched for the story and counted for how typical it is"
        ),
    ] = SEARCH,
    explain: ExplainOption = None,
    overrides: SetOption = None,
) -> None:
    """Tell one hunter's replication as a dated story, for training (the death spiral)."""
    loaded = load(scenario, overrides)
    why = explain_line(explain, loaded.name)
    try:
        told = tell_story(loaded, variant, seed, replication, hunter, search)
    except ValueError as error:
        typer.echo(f"{loaded.source}: {error}", err=True)
        raise typer.Exit(EXIT_BAD_INPUT) from None
    if why:
        told = replace(told, how_chosen=f"{told.how_chosen} {why}")
    data = json.dumps(told.to_json(), indent=1) + "\n" if json_out is not None else ""
    if json_out == "-":
        sys.stdout.write(data)
    else:
        typer.echo(told.text())
    written = []
    if json_out not in (None, "-"):
        written.append(write_json(json_out, data, "Story data", "the story"))
    if html:
        try:
            written.append(f"Story page: {write_story_page(told, out_dir)}")
        except OSError as error:
            raise bad(f"cannot write the story: {error}") from None
    for line in written:
        typer.echo(line, err=json_out == "-")
