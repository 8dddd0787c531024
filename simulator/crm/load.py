"""One call from an export file to its normalised deals: read, recognise the format, find the
columns, leave out bad rows, and view the deals as of a day.

Everything the user must fix (an unreadable file, a missing column, a ``--map`` naming no
column) raises ``ExportError`` with the fix in its message; bad rows do not raise, they are
counted in ``BadRows``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import numpy as np

from simulator.crm.formats import (
    FORMATS,
    NAMES,
    SALESIM,
    SALESIM_COLUMNS,
    detect,
    is_salesim,
    missing_message,
    parse_maps,
    resolve,
)
from simulator.crm.reader import ExportError, read_export
from simulator.crm.rows import BadRows, normalise
from simulator.crm.simulated import DEFAULT_START, from_simulated
from simulator.crm.table import Deals


@dataclass(frozen=True)
class Imported:
    """An export's deals (as of ``deals.as_of``) with how they were read."""

    path: Path
    format: str
    label: str
    encoding: str
    columns: dict[str, str]
    deals: Deals
    bad: BadRows
    as_of_given: bool = False
    created_after: int = 0
    closed_after: int = 0
    notes: list[str] = field(default_factory=list)

    def to_json(self) -> dict:
        return {
            "file": str(self.path),
            "format": self.format,
            "encoding": self.encoding,
            "columns": self.columns,
            "as_of": str(self.deals.as_of),
            "as_of_from": "--as-of" if self.as_of_given else "the latest date in the export",
            "created_after_as_of": self.created_after,
            "closed_after_as_of": self.closed_after,
            "notes": self.notes,
            "bad_rows": self.bad.to_json(),
        }


def load_export(
    path: Path,
    fmt: str = "auto",
    maps: list[str] | None = None,
    as_of: date | None = None,
    start: date = DEFAULT_START,
) -> Imported:
    """Read ``path`` as ``fmt`` (``auto`` recognises it) with ``--map`` pairs, seen as of
    ``as_of`` (default: its latest date); ``start`` is day 0 of a salesim deals table."""
    if fmt not in NAMES:
        raise ExportError(f"--format {fmt!r}: expected one of {', '.join(NAMES)}")
    export = read_export(path)
    headings = export.headings
    if fmt == SALESIM or (fmt == "auto" and is_salesim(headings)):
        if maps:
            raise ExportError("--map does not apply to salesim's own deals table")
        missing = [c for c in SALESIM_COLUMNS if c not in headings]
        if missing:
            raise ExportError(
                f"{path}: not a salesim deals table (`salesim run --deals`): missing "
                f"{', '.join(missing)}; its columns: {', '.join(headings)}"
            )
        deals, note = from_simulated(export.table, start)
        bad = BadRows(rows_read=export.table.num_rows)
        imported = Imported(
            path, SALESIM, "salesim deals table", export.encoding,
            {c: c for c in SALESIM_COLUMNS}, deals, bad,
            notes=[
                *filter(None, note.split("; ")),
                "leads never called are not opportunities",
                f"day 0 is {start}",
            ],
        )  # fmt: skip
    else:
        try:
            mapped = parse_maps(maps or [], headings)
        except ValueError as error:
            raise ExportError(str(error)) from None
        resolved = (
            detect(headings, mapped) if fmt == "auto" else resolve(FORMATS[fmt], headings, mapped)
        )
        if resolved.missing:
            raise ExportError(f"{path}: " + missing_message(resolved, headings, fmt == "auto"))
        deals, bad = normalise(export, resolved)
        imported = Imported(
            path, resolved.format.name, resolved.format.label, export.encoding,
            resolved.columns, deals, bad,
        )  # fmt: skip
    return with_as_of(imported, as_of) if as_of is not None else imported


def with_as_of(imported: Imported, as_of: date) -> Imported:
    """The import as it stood on ``as_of``: later deals out, later closes open."""
    deals = imported.deals
    day = np.datetime64(as_of, "D")
    created_after = int((deals.created > day).sum())
    closed_after = int(
        (~np.isnat(deals.closed) & (deals.closed > day) & (deals.created <= day)).sum()
    )
    return Imported(
        imported.path, imported.format, imported.label, imported.encoding, imported.columns,
        deals.as_seen_on(day), imported.bad, True, created_after, closed_after, imported.notes,
    )  # fmt: skip
