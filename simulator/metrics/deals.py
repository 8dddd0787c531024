"""The deals table: one row per lead, shaped like a CRM opportunity export, from the event log.

``salesim run --deals`` writes it as ``deals.parquet`` beside the summary. Each lead is a row,
including leads nobody called (their ``hunter``, ``first_call_hours`` and ``first_meeting`` are
null and their outcome is ``unanswered``); ``first_meeting`` is false for a lead called but
gone cold before the first meeting (a CRM would not have opened an opportunity for it). What
discovery learns (committee, share met, sponsor, economic buyer, whether the deal replaces a
working process) is null for deals that never reached it, and the flags from qualification are
null for deals screened out there. ``outcome`` and ``closed_day``
are null for deals still open at the horizon. ``crm_closed_day`` is the day a CRM shows the deal
closed: ``closed_day``, except for a deal that went dark (``stalled``), which the CRM shows open
until its cleanup closes it lost (null when that comes after the horizon). ``acv_usd`` is the
ACV signed (a beta partner's later conversion included) for a won deal, the ACV at stake for
another qualified deal, and null for a deal never qualified.

Lead ids are numbered 0, 1, 2, ... in arrival order within a replication, so a lead's id is its
row: every column is filled by indexing, with no per-record Python loop.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from simulator.model.events import Discovery, Kind, Meeting, Outcome, Source
from simulator.parameters import STAGES

SEGMENTS = ("enterprise", "mid_market", "smb")
"""Segment names by the index a LEAD record carries."""
UNANSWERED = "unanswered"
"""The outcome of a lead nobody called in time."""

SCHEMA = pa.schema(
    [
        pa.field("variant", pa.string(), nullable=False),
        pa.field("replication", pa.int32(), nullable=False),
        pa.field("deal_id", pa.int64(), nullable=False),
        pa.field("account", pa.int64(), nullable=False),
        pa.field("segment", pa.string(), nullable=False),
        pa.field("source", pa.string(), nullable=False),
        pa.field("hunter", pa.int64()),
        pa.field("created_day", pa.float64(), nullable=False),
        pa.field("first_call_hours", pa.float64()),
        pa.field("first_meeting", pa.bool_()),
        pa.field("committee_size", pa.int32()),
        pa.field("met_share", pa.float64()),
        pa.field("sponsor", pa.bool_()),
        pa.field("replaces_working_process", pa.bool_()),
        pa.field("economic_buyer_engaged", pa.bool_()),
        pa.field("pitched_feature", pa.int32()),
        pa.field("stage_reached", pa.string()),
        pa.field("outcome", pa.string()),
        pa.field("closed_day", pa.float64()),
        pa.field("crm_closed_day", pa.float64()),
        pa.field("acv_usd", pa.float64()),
    ]
)
"""The columns, in order, with their types; those not marked non-nullable may be null."""


def _names(codes: np.ndarray, names: tuple[str, ...]) -> list[str]:
    return [names[code] for code in codes.tolist()]


def _masked(values: np.ndarray, known: np.ndarray, kind: pa.DataType) -> pa.Array:
    return pa.array(values, kind, mask=~known)


def deals_table(log: np.ndarray, variant: str, replication: int) -> pa.Table:
    """One replication's deals (see the module docstring), in lead order."""
    kind = log["kind"]
    leads = log[kind == Kind.LEAD]
    n = leads.size
    order = leads["subject"]
    if not np.array_equal(order, np.arange(n)):
        raise ValueError("lead ids are not 0..n-1 in order: the log is not one replication's")

    def at(record_kind: Kind, *, code: int | None = None) -> np.ndarray:
        mask = kind == record_kind
        if code is not None:
            mask &= log["code"] == code
        return log[mask]

    def known_of(records: np.ndarray) -> np.ndarray:
        known = np.zeros(n, bool)
        known[records["subject"]] = True
        return known

    def filled(records: np.ndarray, field: str, dtype: type, empty: float = 0) -> np.ndarray:
        values = np.full(n, empty, dtype)
        values[records["subject"]] = records[field]
        return values

    opened = at(Kind.OPENED)
    called = known_of(opened)
    met = known_of(at(Kind.MEETING, code=Meeting.FIRST)) | (leads["code"] == Source.OPEN_AT_START)
    committee = at(Kind.COMMITTEE)
    discovered = known_of(committee)
    size = filled(committee, "value", np.int32, 1)
    met_share = filled(committee, "code", np.float64) / size
    qualified = at(Kind.QUALIFIED)
    flags = filled(qualified, "code", np.int64)
    qualified_known = known_of(qualified)
    pitched = np.concatenate([at(Kind.PITCHED), at(Kind.BETA_OFFERED)])
    stages = at(Kind.STAGE)
    stage = np.full(n, -1, np.int64)
    np.maximum.at(stage, stages["subject"], stages["code"])
    closed = at(Kind.CLOSED)
    unanswered = at(Kind.LEAD_UNANSWERED)
    ended = np.concatenate([closed, unanswered])
    outcome_names = (*(o.name.lower() for o in Outcome), UNANSWERED)
    outcome = filled(closed, "code", np.int64)
    outcome[unanswered["subject"]] = len(Outcome)
    acv = np.where(qualified_known, filled(qualified, "value", np.float64), np.nan)
    won = closed[closed["code"] == Outcome.WON]
    acv[won["subject"]] = won["value"]
    converted = at(Kind.BETA_CONVERTED)
    np.add.at(acv, converted["subject"], converted["value"])
    closed_known = known_of(ended)
    closed_day = filled(ended, "day", np.float64)
    cleaned = at(Kind.CLEANED_UP)
    crm_known = closed_known & (outcome != Outcome.STALLED)
    crm_known[cleaned["subject"]] = True
    crm_closed_day = closed_day.copy()
    crm_closed_day[cleaned["subject"]] = cleaned["day"]
    columns = {
        "variant": pa.array([variant] * n, pa.string()),
        "replication": pa.array(np.full(n, replication, np.int32)),
        "deal_id": pa.array(order, pa.int64()),
        "account": pa.array(leads["account"], pa.int64()),
        "segment": pa.array(_names(leads["value"].astype(np.int64), SEGMENTS)),
        "source": pa.array(_names(leads["code"], tuple(s.name.lower() for s in Source))),
        "hunter": _masked(filled(opened, "actor", np.int64), called, pa.int64()),
        "created_day": pa.array(leads["day"], pa.float64()),
        "first_call_hours": _masked(filled(opened, "value", np.float64), called, pa.float64()),
        "first_meeting": _masked(met, called, pa.bool_()),
        "committee_size": _masked(size, discovered, pa.int32()),
        "met_share": _masked(met_share, discovered, pa.float64()),
        "sponsor": _masked((flags & Discovery.SPONSOR) != 0, qualified_known, pa.bool_()),
        "replaces_working_process": _masked(
            (flags & Discovery.REPLACES_WORKING_PROCESS) != 0, qualified_known, pa.bool_()
        ),
        "economic_buyer_engaged": _masked(
            (flags & Discovery.ECONOMIC_BUYER) != 0, qualified_known, pa.bool_()
        ),
        "pitched_feature": _masked(
            filled(pitched, "code", np.int32), known_of(pitched), pa.int32()
        ),
        "stage_reached": pa.array(
            [STAGES[s] if s >= 0 else None for s in stage.tolist()], pa.string()
        ),
        "outcome": pa.array(
            [outcome_names[o] if k else None for o, k in zip(outcome, closed_known, strict=True)],
            pa.string(),
        ),
        "closed_day": _masked(closed_day, closed_known, pa.float64()),
        "crm_closed_day": _masked(crm_closed_day, crm_known, pa.float64()),
        "acv_usd": _masked(acv, ~np.isnan(acv), pa.float64()),
    }
    return pa.table(columns, schema=SCHEMA)
