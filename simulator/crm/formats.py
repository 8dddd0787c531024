"""Which column of an export is which field, for each tool that writes one.

A field is one thing the normalised table needs (``created``, ``closed``, ``stage``, ...); each
format lists the column headings its tool writes for it (report labels and API names), matched
without regard to case, spaces or punctuation. ``--map FIELD=COLUMN`` names a column by hand and
wins over the list. salesim's own deals table is recognised by its columns and read by
``simulated``; it has no fields to map.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

FIELDS: dict[str, str] = {
    "deal_id": "opportunity id",
    "stage": "stage",
    "created": "created date",
    "closed": "close date",
    "amount": "amount (USD)",
    "owner": "owner",
    "account": "account",
    "source": "lead source",
    "won": "won flag (true/false)",
    "is_closed": "closed flag (true/false)",
    "term": "contract term (months): the amount is then the whole contract's",
    "arr": "annual recurring revenue of the deal (USD a year)",
}
"""Every field a column can be mapped to, with what it holds (for messages)."""

REQUIRED = ("created", "closed", "stage")
"""Without these the deals cannot be placed in time or judged; ``stage`` may be replaced by the
two flags ``won`` and ``is_closed``."""

SALESIM = "salesim"
SALESIM_COLUMNS = ("deal_id", "created_day", "closed_day", "outcome", "hunter")
"""Columns that mark salesim's own deals table (``simulator.metrics.deals.SCHEMA``)."""


@dataclass(frozen=True)
class Format:
    """One tool's export: a label for people and the headings it writes for each field."""

    name: str
    label: str
    columns: dict[str, tuple[str, ...]]


FORMATS: dict[str, Format] = {
    f.name: f
    for f in (
        Format(
            "maven",
            "Maven CRM export",
            {
                "deal_id": ("opportunity_id",),
                "stage": ("deal_stage",),
                "created": ("engage_date",),
                "closed": ("close_date",),
                "amount": ("close_value",),
                "owner": ("sales_agent",),
                "account": ("account",),
            },
        ),
        Format(
            "hubspot",
            "HubSpot deal export",
            {
                "deal_id": ("Record ID", "Deal ID", "hs_object_id", "dealId"),
                "stage": ("Deal Stage", "dealstage"),
                "created": ("Create Date", "createdate"),
                "closed": ("Close Date", "closedate"),
                "amount": ("Amount", "amount"),
                "owner": ("Deal owner", "hubspot_owner_id"),
                "account": ("Associated Company", "Associated Company (Primary)", "Company name"),
                "source": ("Original Source Type", "Original Source", "hs_analytics_source"),
                "won": ("Is Closed Won", "hs_is_closed_won"),
                "is_closed": ("Is Deal Closed?", "Is Closed", "hs_is_closed"),
                "arr": ("Annual recurring revenue", "hs_arr"),
            },
        ),
        Format(
            "salesforce",
            "Salesforce opportunity export",
            {
                "deal_id": ("Opportunity ID", "Id", "Opportunity Id"),
                "stage": ("Stage", "StageName"),
                "created": ("Created Date", "CreatedDate"),
                "closed": ("Close Date", "CloseDate"),
                "amount": ("Amount", "Amount (converted)"),
                "owner": ("Opportunity Owner", "OwnerId", "Owner Name", "Owner"),
                "account": ("Account Name", "AccountId", "Account ID"),
                "source": ("Lead Source", "LeadSource"),
                "won": ("Won", "IsWon"),
                "is_closed": ("Closed", "IsClosed"),
            },
        ),
    )
}
NAMES = ("auto", *FORMATS, SALESIM)
"""What ``--format`` accepts."""


def heading_key(heading: str) -> str:
    """A heading reduced to letters and digits: ``Created Date`` = ``CreatedDate``."""
    return re.sub(r"[^a-z0-9]", "", heading.lower())


@dataclass(frozen=True)
class Resolved:
    """The columns found for one format: field -> heading in the file, and what is missing."""

    format: Format
    columns: dict[str, str]
    missing: tuple[str, ...]


def parse_maps(maps: list[str], headings: list[str]) -> dict[str, str]:
    """``FIELD=COLUMN`` pairs -> field -> heading as the file spells it; ValueError naming the
    bad pair and what is allowed."""
    by_key = {heading_key(h): h for h in reversed(headings)}
    found: dict[str, str] = {}
    for pair in maps:
        field, sep, column = (part.strip() for part in pair.partition("="))
        if not sep or not field or not column:
            raise ValueError(f"--map {pair!r}: expected FIELD=COLUMN, e.g. --map created=Opened")
        if field not in FIELDS:
            raise ValueError(
                f"--map {pair!r}: unknown field {field!r}; fields: {', '.join(FIELDS)}"
            )
        heading = column if column in headings else by_key.get(heading_key(column))
        if heading is None:
            raise ValueError(
                f"--map {pair!r}: the file has no column {column!r}; its columns: "
                + ", ".join(headings)
            )
        found[field] = heading
    return found


def resolve(fmt: Format, headings: list[str], mapped: dict[str, str]) -> Resolved:
    """Find each field's column for ``fmt``: ``--map`` first, then the tool's headings."""
    by_key = {heading_key(h): h for h in reversed(headings)}
    columns = dict(mapped)
    for field, names in fmt.columns.items():
        if field in columns:
            continue
        for name in names:
            if heading_key(name) in by_key:
                columns[field] = by_key[heading_key(name)]
                break
    flags = "won" in columns and "is_closed" in columns
    missing = tuple(f for f in REQUIRED if f not in columns and not (f == "stage" and flags))
    return Resolved(fmt, columns, missing)


def is_salesim(headings: list[str]) -> bool:
    return set(SALESIM_COLUMNS) <= set(headings)


def detect(headings: list[str], mapped: dict[str, str]) -> Resolved:
    """The format whose required fields all resolve (the first in ``FORMATS`` order, most
    specific first); else the closest one, with its ``missing`` fields, for the message."""
    tried = [resolve(fmt, headings, mapped) for fmt in FORMATS.values()]
    for resolved in tried:
        if not resolved.missing:
            return resolved
    return max(tried, key=lambda r: len(r.columns) - 3 * len(r.missing))


def missing_message(resolved: Resolved, headings: list[str], detected: bool = False) -> str:
    """Which required columns are missing, what was looked for, and the ``--map`` to fix it
    (``detected``: no format was asked for and this is the closest)."""
    fmt = resolved.format
    lines = [
        f"Cannot tell which tool wrote the export; closest: {fmt.label} (--format {fmt.name}):"
        if detected
        else f"Cannot read the export as a {fmt.label} (--format {fmt.name}):"
    ]
    for field in resolved.missing:
        tried = ", ".join(repr(n) for n in fmt.columns.get(field, ()))
        extra = " (or the two flags won and is_closed)" if field == "stage" else ""
        lines.append(f"  missing the {FIELDS[field]} column{extra}: looked for {tried}")
    lines.append(f"The file's columns: {', '.join(headings) or '(none)'}")
    example = " ".join(f"--map {f}=COLUMN" for f in resolved.missing)
    lines.append(f"Name yours with {example}, or choose another --format ({', '.join(NAMES)}).")
    return "\n".join(lines)
