"""``salesim import``: a CRM opportunity export, or a subscription export (accounts,
subscriptions, churn events: a folder, or its subscriptions file), read, checked and
summarised (``crm``)."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Group

from simulator.cli.common import bad, json_option, out, write_json
from simulator.cli.export import FormatOption, parse_day
from simulator.crm.formats import FIELDS
from simulator.crm.load import load_export
from simulator.crm.reader import ExportError
from simulator.crm.retention import summarize as summarize_retention
from simulator.crm.retention_show import customers_output
from simulator.crm.retention_show import read_lines as customer_lines
from simulator.crm.show import import_output, read_lines
from simulator.crm.simulated import DEFAULT_START
from simulator.crm.subscription_files import FIELDS as SUBSCRIPTION_FIELDS
from simulator.crm.subscription_files import is_subscription_export
from simulator.crm.subscriptions import load_subscriptions
from simulator.crm.summary import summarize

MapOption = Annotated[
    list[str] | None,
    typer.Option(
        "--map",
        metavar="FIELD=COLUMN",
        help=f"read FIELD from COLUMN (repeatable); opportunity fields: {', '.join(FIELDS)}; "
        "subscription export fields: "
        + ", ".join(dict.fromkeys(f for role in SUBSCRIPTION_FIELDS.values() for f in role)),
    ),
]


def import_export(
    export: Annotated[
        Path,
        typer.Argument(
            help="the export: CSV (any of the formats) or salesim's deals.parquet; or a "
            "subscription export: its folder or its subscriptions CSV"
        ),
    ],
    fmt: FormatOption = "auto",
    maps: MapOption = None,
    as_of: Annotated[
        str | None,
        typer.Option(
            "--as-of",
            metavar="DATE",
            help="see the export as it was on DATE: deals created later left out, deals "
            "closed later open; subscriptions starting later left out, later ends and churn "
            "events ignored (without it: the latest date in the export)",
        ),
    ] = None,
    start: Annotated[
        str | None,
        typer.Option(
            metavar="DATE",
            help=f"with a salesim deals table: the date of day 0 (default {DEFAULT_START})",
        ),
    ] = None,
    json_out: Annotated[str | None, json_option("the summary")] = None,
    accounts: Annotated[
        Path | None,
        typer.Option(
            metavar="FILE",
            help="for a subscription export: its accounts file (default: accounts.csv beside "
            "the subscriptions file, if there)",
        ),
    ] = None,
    churn_events: Annotated[
        Path | None,
        typer.Option(
            metavar="FILE",
            help="for a subscription export: its churn events file (default: churn_events.csv "
            "beside the subscriptions file, if there)",
        ),
    ] = None,
) -> None:
    """Read a CRM opportunity export (Salesforce, HubSpot, Maven CRM, or salesim's own deals
    table) and summarise it: deals by stage, win rate, cycle times with open deals censored,
    deal sizes, owners, new opportunities a month. Or read a subscription export (accounts,
    subscriptions, churn events) and summarise retention: customers and ARR, GRR and NRR, logo
    churn, expansion and contraction, time to churn, churn reasons, the ARR bridge by month.
    Bad rows are counted, shown and left out."""
    as_of_day = parse_day("--as-of", as_of)
    if export.is_dir() or (fmt == "auto" and is_subscription_export(export, maps)):
        if fmt != "auto":
            raise bad(f"--format {fmt} applies to opportunity exports, not to a folder")
        if start is not None:
            raise bad("--start applies to salesim's deals table, not to a subscription export")
        import_subscriptions(export, accounts, churn_events, maps, as_of_day, json_out)
        return
    if accounts is not None or churn_events is not None:
        option = "--accounts" if accounts is not None else "--churn-events"
        raise bad(
            f"{option} applies to a subscription export; {export} is read as an opportunity "
            "export (a subscription export is a folder, or a file with an account id, a start "
            "date, an end date and ARR or MRR)"
        )
    start_day = parse_day("--start", start)
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
    _emit(imported.to_json(), summary.to_json(), lambda: import_output(imported, summary), json_out)


def import_subscriptions(
    export: Path,
    accounts: Path | None,
    churn_events: Path | None,
    maps: list[str] | None,
    as_of: date | None,
    json_out: str | None,
) -> None:
    """``salesim import`` of a subscription export: read, summarise retention, print or JSON."""
    try:
        imported = load_subscriptions(export, accounts, churn_events, maps, as_of)
    except ExportError as error:
        raise bad(str(error)) from None
    if not len(imported.customers):
        out.print(customer_lines(imported))
        if imported.counts["started_after_as_of"]:
            raise bad(f"--as-of {as_of}: no account in {export} had started by then")
        raise bad(f"{export}: no account could be read (see the rows left out above)")
    summary = summarize_retention(imported.customers)
    _emit(
        imported.to_json(), summary.to_json(), lambda: customers_output(imported, summary), json_out
    )


def _emit(read: dict, summary: dict, printout: Callable[[], Group], json_out: str | None) -> None:
    """The summary printed (or only its JSON, with ``--json -``), and ``--json FILE`` written."""
    data = ""
    if json_out is not None:
        data = json.dumps({**read, "summary": summary}, indent=1) + "\n"
    if json_out == "-":
        sys.stdout.write(data)
        return
    out.print(printout())
    if json_out is not None:
        out.print(write_json(json_out, data, "Summary data", "the summary"))
