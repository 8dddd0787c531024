"""salesim's own deals table (``salesim run --deals``) as the normalised deals a CRM would show.

A CRM holds opportunities, not leads: a lead nobody called, or called but gone cold before its
first meeting, never became one, so both are left out. An opportunity is created on the day of
its first call (so its cycle is salesim's ``cycle_days_won_median``: opening to signature), and
days become dates from ``start`` (day 0), cut to whole days as a CRM records them. Every way of
ending other than a win (disqualified after the meeting, to a competitor, to a household brand,
to no decision, stalled, the group pulled out) is a lost deal; a deal open at the horizon is
open, and so is one that went dark (stalled) until the CRM's cleanup closes it
(``crm_closed_day``). So the CRM win rate, won / (won + lost), of the table is salesim's
``crm_win_rate`` of the replication, one definition for both (salesim's ``win_rate`` counts
forecast deals only).
Names look like a CRM's: ``Hunter 7``, ``Account 123``, ``Inbound``, and an 18-character
``006...`` id. The table holds one variant's replication: the first of each unless asked.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from simulator.crm.reader import ExportError
from simulator.crm.stages import LOST, OPEN, WON
from simulator.crm.table import Deals
from simulator.units import HOURS_PER_DAY

DEFAULT_START = date(2024, 1, 1)
"""The date of a simulation's day 0 unless one is given."""

_NUMBERS = {
    "replication": pa.int64(),
    "deal_id": pa.int64(),
    "account": pa.int64(),
    "hunter": pa.int64(),
    "created_day": pa.float64(),
    "first_call_hours": pa.float64(),
    "first_meeting": pa.bool_(),
    "closed_day": pa.float64(),
    "crm_closed_day": pa.float64(),
    "acv_usd": pa.float64(),
}


def _typed(table: pa.Table) -> pa.Table:
    """Numeric and true/false columns typed (a CSV copy of the table reads them as text)."""
    for name, kind in _NUMBERS.items():
        if name not in table.column_names or table.schema.field(name).type == kind:
            continue
        try:
            column = pc.cast(table.column(name), kind)
        except pa.ArrowInvalid:
            expected = "true or false" if kind == pa.bool_() else "numeric"
            raise ExportError(f"salesim deals table: column {name!r} is not {expected}") from None
        table = table.set_column(table.column_names.index(name), name, column)
    return table


def pick(table: pa.Table, variant: str | None, replication: int | None) -> tuple[pa.Table, str]:
    """The rows of one variant's replication, and a note saying which of how many."""
    variants = (
        list(dict.fromkeys(table.column("variant").to_pylist()))
        if "variant" in table.column_names
        else []
    )
    note = ""
    if variants:
        chosen = variant if variant is not None else variants[0]
        if chosen not in variants:
            raise ExportError(f"salesim deals table: no variant {chosen!r}; it has {variants}")
        table = table.filter(pc.equal(table.column("variant"), chosen))
        note = f"variant {chosen!r} of {len(variants)}"
    if "replication" in table.column_names and table.num_rows:
        reps = sorted(set(table.column("replication").to_pylist()))
        rep = replication if replication is not None else reps[0]
        if rep not in reps:
            raise ExportError(f"salesim deals table: no replication {rep}; it has {reps}")
        table = table.filter(pc.equal(table.column("replication"), rep))
        note += f"{', ' if note else ''}replication {rep} of {len(reps)}"
    return table, note


def from_simulated(
    table: pa.Table,
    start: date = DEFAULT_START,
    variant: str | None = None,
    replication: int | None = None,
    as_of: date | None = None,
) -> tuple[Deals, str]:
    """The opportunities of one replication as ``Deals`` (``as_of`` defaults to the latest
    date they show), and a note of which replication it is and what was left out."""
    table, note = pick(_typed(table), variant, replication)
    called = table.filter(pc.is_valid(table.column("hunter")))
    table = called
    if "first_meeting" in table.column_names:
        table = table.filter(pc.fill_null(table.column("first_meeting"), False))
    cold = called.num_rows - table.num_rows
    if cold:
        note += f"{'; ' if note else ''}{cold} leads gone cold before a first meeting left out"
    outcome = table.column("outcome").to_pylist()

    def numbers(name: str, fill: float = 0.0) -> np.ndarray:
        if name not in table.column_names:
            return np.full(table.num_rows, fill)
        return table.column(name).to_numpy(zero_copy_only=False).astype(np.float64)

    day0 = np.datetime64(start, "D")
    first_call = np.nan_to_num(numbers("first_call_hours"), nan=0.0) / HOURS_PER_DAY
    opened = numbers("created_day") + first_call
    created = day0 + np.floor(opened).astype(np.int64)
    closed_day = numbers("closed_day", np.nan)
    if "crm_closed_day" in table.column_names:  # a dark deal is open until its cleanup
        closed_day = numbers("crm_closed_day", np.nan)
        outcome = [None if np.isnan(d) else o for o, d in zip(outcome, closed_day, strict=True)]
    kinds = np.array([OPEN if o is None else WON if o == WON else LOST for o in outcome])
    closed = np.where(
        kinds == OPEN, np.datetime64("NaT", "D"),
        day0 + np.floor(np.nan_to_num(closed_day)).astype(np.int64),
    )  # fmt: skip
    reached = _values(table, "stage_reached")
    stage = [
        o if o is not None else (s or "attraction") for o, s in zip(outcome, reached, strict=True)
    ]
    rep = (_values(table, "replication")[0] if table.num_rows else None) or 0
    ids = table.column("deal_id").to_pylist()
    deals = Deals(
        deal_id=np.array([f"006S{rep:03d}{i:011d}" for i in ids], dtype=object),
        account=np.array([f"Account {a}" for a in _values(table, "account")], dtype=object),
        owner=np.array([f"Hunter {h}" for h in _values(table, "hunter")], dtype=object),
        source=np.array(
            [s.capitalize() if s else None for s in _values(table, "source")], dtype=object
        ),
        stage=np.array(stage, dtype=object),
        outcome=kinds.astype(object),
        created=created,
        closed=closed,
        acv_usd=numbers("acv_usd", np.nan),
        as_of=np.datetime64("NaT", "D"),
    )
    latest = np.concatenate([created, closed[~np.isnat(closed)]])
    end = np.datetime64(as_of, "D") if as_of else (latest.max() if latest.size else day0)
    return deals.as_seen_on(end), note


def _values(table: pa.Table, name: str) -> list:
    """A column as Python values; all None when the table lacks it."""
    if name not in table.column_names:
        return [None] * table.num_rows
    return table.column(name).to_pylist()
