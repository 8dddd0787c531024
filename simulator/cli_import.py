"""``salesim import``: a CRM opportunity export read, checked and summarised (``crm``)."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer

from simulator.cli_common import bad, json_option, out, write_json
from simulator.cli_export import FormatOption, MapOption, parse_day
from simulator.crm.load import load_export
from simulator.crm.reader import ExportError
from simulator.crm.show import import_output, read_lines
from simulator.crm.simulated import DEFAULT_START
from simulator.crm.summary import summarize


def import_export(
    export: Annotated[
        Path,
        typer.Argument(help="the export: CSV (any of the formats) or salesim's deals.parquet"),
    ],
    fmt: FormatOption = "auto",
    maps: MapOption = None,
    as_of: Annotated[
        str | None,
        typer.Option(
            "--as-of",
            metavar="DATE",
            help="see the export as it was on DATE: deals created later left out, deals "
            "closed later open (without it: the latest date in the export)",
        ),
    ] = None,
    start: Annotated[
        str,
        typer.Option(metavar="DATE", help="with a salesim deals table: the date of day 0"),
    ] = DEFAULT_START.isoformat(),
    json_out: Annotated[str | None, json_option("the summary")] = None,
) -> None:
    """Read a CRM opportunity export (Salesforce, HubSpot, Maven CRM, or salesim's own deals
    table) and summarise it: deals by stage, win rate, cycle times with open deals censored,
    deal sizes, owners, new opportunities a month. Bad rows are counted, shown and left out."""
    as_of_day, start_day = parse_day("--as-of", as_of), parse_day("--start", start)
    try:
        imported = load_export(export, fmt, maps, as_of_day, start_day or DEFAULT_START)
    except ExportError as error:
        raise bad(str(error)) from None
    if not len(imported.deals):
        out.print(read_lines(imported))
        if imported.created_after:
            raise bad(f"--as-of {as_of}: no deal in {export} was created by then")
        raise bad(f"{export}: no deal could be read (see the bad rows above)")
    summary = summarize(imported.deals)
    data = ""
    if json_out is not None:
        payload = {**imported.to_json(), "summary": summary.to_json()}
        data = json.dumps(payload, indent=1) + "\n"
    if json_out == "-":
        sys.stdout.write(data)
        return
    out.print(import_output(imported, summary))
    if json_out is not None:
        out.print(write_json(json_out, data, "Summary data", "the summary"))
