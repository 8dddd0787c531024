"""The normalised deals table every export becomes, and simulated deals too.

One row per opportunity, shaped like salesim's deals table where the two overlap (see
``metrics.deals``): ``deal_id``, ``account``, ``owner`` (salesim's ``hunter``), ``source``,
``stage`` (as the export names it), ``outcome`` (won, lost or open), ``created`` and ``closed``
(dates; ``closed`` is null for an open deal, whatever a CRM's expected close date says),
``acv_usd`` (null when unknown), and where the export has them ``term_months`` (the contract's
length; the amount is then the whole contract's) and ``arr_usd`` (the deal's ARR), null
otherwise. ``as_of`` is the day the table describes: an open deal's age
is counted to it. A calibration compares a simulated table with an imported one, column by
column, so both are built here and nowhere else.
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace

import numpy as np
import pyarrow as pa

from simulator.crm.stages import LOST, OPEN, WON

OPEN_THEN = "open then, closed later"
"""The stage of a deal that ``as_of`` sees open but the export shows closed: which open stage
it was in on that day is not in the export."""

SCHEMA = pa.schema(
    [
        pa.field("deal_id", pa.string(), nullable=False),
        pa.field("account", pa.string()),
        pa.field("owner", pa.string()),
        pa.field("source", pa.string()),
        pa.field("stage", pa.string(), nullable=False),
        pa.field("outcome", pa.string(), nullable=False),
        pa.field("created", pa.date32(), nullable=False),
        pa.field("closed", pa.date32()),
        pa.field("acv_usd", pa.float64()),
        pa.field("term_months", pa.float64()),
        pa.field("arr_usd", pa.float64()),
    ]
)
"""The columns of ``Deals.to_arrow()``; ``as_of`` rides in the schema metadata."""


@dataclass(frozen=True)
class Deals:
    """Opportunities as numpy arrays of one length (text columns are object arrays holding
    None where unknown; dates are ``datetime64[D]``, NaT where null)."""

    deal_id: np.ndarray
    account: np.ndarray
    owner: np.ndarray
    source: np.ndarray
    stage: np.ndarray
    outcome: np.ndarray
    created: np.ndarray
    closed: np.ndarray
    acv_usd: np.ndarray
    as_of: np.datetime64
    term_months: np.ndarray | None = None  # None: not in the export, all NaN
    arr_usd: np.ndarray | None = None

    def __post_init__(self) -> None:
        for name in ("term_months", "arr_usd"):
            if getattr(self, name) is None:
                object.__setattr__(self, name, np.full(len(self.deal_id), np.nan))
        sizes = {name: len(getattr(self, name)) for name in COLUMNS}
        if len(set(sizes.values())) > 1:
            raise ValueError(f"columns of different lengths: {sizes}")

    def __len__(self) -> int:
        return len(self.deal_id)

    def take(self, rows: np.ndarray) -> Deals:
        """The deals at ``rows`` (a mask or indices)."""
        return replace(self, **{name: getattr(self, name)[rows] for name in COLUMNS})

    @property
    def won(self) -> np.ndarray:
        return self.outcome == WON

    @property
    def lost(self) -> np.ndarray:
        return self.outcome == LOST

    @property
    def open(self) -> np.ndarray:
        return self.outcome == OPEN

    def age_days(self) -> np.ndarray:
        """Days from created to closed, or to ``as_of`` for an open deal (its censoring time)."""
        end = np.where(self.open, self.as_of, self.closed)
        return (end - self.created).astype(np.int64).astype(np.float64)

    def as_seen_on(self, day: np.datetime64) -> Deals:
        """The export as it stood on ``day``: deals created later left out, deals closed later
        open (stage ``OPEN_THEN``), ages counted to ``day``."""
        day = np.datetime64(day, "D")
        kept = self.take(self.created <= day)
        later = ~np.isnat(kept.closed) & (kept.closed > day)
        return replace(
            kept,
            outcome=np.where(later, OPEN, kept.outcome).astype(object),
            stage=np.where(later, OPEN_THEN, kept.stage).astype(object),
            closed=np.where(later, np.datetime64("NaT", "D"), kept.closed),
            as_of=day,
        )

    def to_arrow(self) -> pa.Table:
        """The table as Arrow (``SCHEMA``), ``as_of`` in its metadata."""
        columns = {name: getattr(self, name) for name in COLUMNS}
        arrays = [
            pa.array(columns[f.name].tolist() if f.type == pa.string() else columns[f.name], f.type)
            for f in SCHEMA
        ]
        table = pa.Table.from_arrays(arrays, schema=SCHEMA)
        return table.replace_schema_metadata({"as_of": str(self.as_of)})

    @classmethod
    def from_arrow(cls, table: pa.Table) -> Deals:
        """Back from ``to_arrow()`` (or a Parquet file written from it)."""
        meta = table.schema.metadata or {}
        as_of = np.datetime64(meta[b"as_of"].decode(), "D")
        values = {}
        for f in SCHEMA:
            if f.name not in table.column_names:  # written before the column existed
                values[f.name] = np.full(table.num_rows, np.nan)
                continue
            column = table.column(f.name)
            if f.type == pa.date32():
                values[f.name] = column.to_numpy(zero_copy_only=False).astype("datetime64[D]")
            elif f.type == pa.float64():
                values[f.name] = column.to_numpy(zero_copy_only=False).astype(np.float64)
            else:
                values[f.name] = np.array(column.to_pylist(), dtype=object)
        return cls(**values, as_of=as_of)


COLUMNS = tuple(f.name for f in fields(Deals) if f.name != "as_of")


def empty(as_of: np.datetime64) -> Deals:
    """No deals (what an export of only bad rows leaves)."""
    text = np.array([], dtype=object)
    days = np.array([], dtype="datetime64[D]")
    return Deals(text, text, text, text, text, text, days, days, np.array([]), as_of)
